package pickle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestFrameRoundTrip(t *testing.T) {
	tests := []frame{
		{Type: msgHello, Meta: []byte(`{"versions":{}}`), Data: []byte{}},
		{Type: msgPredict, ID: 1<<64 - 1, Meta: []byte(`{}`), Data: []byte{1, 2, 3}},
		{Type: msgShutdown, Meta: []byte{}, Data: []byte{}},
	}
	var stream []byte
	for _, f := range tests {
		var err error
		if stream, err = appendFrame(stream, f); err != nil {
			t.Fatal(err)
		}
	}
	r := bytes.NewReader(stream)
	var buf []byte
	for _, want := range tests {
		got, b, err := readFrame(r, buf)
		buf = b
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("read %+v, wrote %+v", got, want)
		}
	}
	if _, _, err := readFrame(r, buf); err != io.EOF {
		t.Errorf("after the last frame: %v, expected io.EOF", err)
	}
}

// A large data section is written apart from the header; the reader must
// see one frame all the same.
func TestWriteFrameLargeData(t *testing.T) {
	want := frame{Type: msgPredict, ID: 3, Meta: []byte(`{"rows":1}`), Data: bytes.Repeat([]byte{7}, 200<<10)}
	var w bytes.Buffer
	if _, err := writeFrame(&w, nil, want); err != nil {
		t.Fatal(err)
	}
	got, _, err := readFrame(&w, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read a frame of %d+%d bytes, wrote %d+%d", len(got.Meta), len(got.Data), len(want.Meta), len(want.Data))
	}
}

// rawHeader builds a header with arbitrary fields, valid or not.
func rawHeader(magic string, version, typ byte, flags uint16, metaLen, dataLen uint32) []byte {
	b := append([]byte(magic), version, typ)
	b = binary.LittleEndian.AppendUint16(b, flags)
	b = binary.LittleEndian.AppendUint64(b, 7)
	b = binary.LittleEndian.AppendUint32(b, metaLen)
	return binary.LittleEndian.AppendUint32(b, dataLen)
}

func TestReadFrameRejectsMalformed(t *testing.T) {
	tests := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"bad magic", rawHeader("MLPX", 1, 3, 0, 0, 0), "magic"},
		{"bad version", rawHeader(frameMagic, 2, 3, 0, 0, 0), "protocol version 2"},
		{"type zero", rawHeader(frameMagic, 1, 0, 0, 0, 0), "unknown message"},
		{"unknown type", rawHeader(frameMagic, 1, 99, 0, 0, 0), "unknown message type 99"},
		{"flags set", rawHeader(frameMagic, 1, 3, 1, 0, 0), "reserved flags"},
		{"oversized meta", rawHeader(frameMagic, 1, 3, 0, maxMetaSize+1, 0), "meta section"},
		{"oversized frame", rawHeader(frameMagic, 1, 3, 0, 1, MaxFrameSize), "exceeds the 1073741824-byte limit"},
		{"truncated header", rawHeader(frameMagic, 1, 3, 0, 0, 0)[:10], "inside a frame header"},
		{"truncated body", append(rawHeader(frameMagic, 1, 3, 0, 2, 8), `{}abc`...), "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readFrame(bytes.NewReader(tt.bytes), nil)
			if !errors.Is(err, errBadFrame) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, expected a malformed-frame error mentioning %q", err, tt.want)
			}
		})
	}
}

// A header may claim up to a gigabyte; the reader allocates only as the
// bytes arrive.
func TestReadFrameAllocatesAsBytesArrive(t *testing.T) {
	stream := append(rawHeader(frameMagic, 1, 3, 0, 0, MaxFrameSize-1), make([]byte, 100)...)
	_, buf, err := readFrame(bytes.NewReader(stream), nil)
	if err == nil {
		t.Fatal("a truncated gigabyte frame was accepted")
	}
	if cap(buf) > 2*readChunk {
		t.Errorf("reader allocated %d bytes for a 100-byte body", cap(buf))
	}
}

func TestAppendFrameRejectsOversized(t *testing.T) {
	_, err := appendFrame(nil, frame{Type: msgPredict, Meta: make([]byte, maxMetaSize+1)})
	if !errors.Is(err, errBadFrame) {
		t.Fatalf("error %v, expected a size refusal", err)
	}
}

// replyFrame encodes a predict reply with the given outputs.
func replyFrame(meta string, data []byte) []byte {
	b, _ := appendFrame(nil, frame{Type: msgPredict, ID: 1, Meta: []byte(meta), Data: data})
	return b
}

func le(values ...any) []byte {
	var b []byte
	for _, v := range values {
		b, _ = binary.Append(b, binary.LittleEndian, v)
	}
	return b
}

var testLabels = labelSet{names: []string{"a", "b", "c"}}

func TestDecodeReply(t *testing.T) {
	meta := `{"outputs":[{"name":"label","dtype":"INT64","shape":[2],"nbytes":16,"class_index":true},` +
		`{"name":"probabilities","dtype":"FP64","shape":[2,3],"nbytes":48},` +
		`{"name":"note","dtype":"BYTES","shape":[2],"nbytes":11}]}`
	data := le([]int64{2, 0}, []float64{0, 0.25, 0.75, 1, 0, 0}, uint32(2), []byte("hi"), uint32(1), []byte("y"))
	got, err := decodeReply([]byte(meta), data, 2, testLabels)
	if err != nil {
		t.Fatal(err)
	}
	want := flavors.Batch{Tensors: []flavors.Tensor{
		{Name: "label", DType: flavors.Bytes, Shape: []int64{2}, Data: []string{"c", "a"}},
		{Name: "probabilities", DType: flavors.FP64, Shape: []int64{2, 3}, Data: []float64{0, 0.25, 0.75, 1, 0, 0}},
		{Name: "note", DType: flavors.Bytes, Shape: []int64{2}, Data: []string{"hi", "y"}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, expected %+v", got, want)
	}
	bools, err := decodeReply([]byte(`{"outputs":[{"name":"flag","dtype":"BOOL","shape":[3],"nbytes":3}]}`), []byte{0, 1, 2}, 3, testLabels)
	if err != nil || !reflect.DeepEqual(bools.Tensors[0].Data, []bool{false, true, true}) {
		t.Errorf("BOOL output decoded to %v, %v; expected [false true true]", bools, err)
	}
	ints, err := decodeReply([]byte(`{"outputs":[{"name":"label","dtype":"INT64","shape":[1],"nbytes":8,"class_index":true}]}`),
		le([]int64{1}), 1, labelSet{names: []string{"3", "7"}, ints: []int64{3, 7}})
	if err != nil || ints.Tensors[0].Data.([]int64)[0] != 7 {
		t.Errorf("integer class index decoded to %v, %v; expected 7", ints, err)
	}
}

func TestDecodeReplyRejectsMalformed(t *testing.T) {
	tests := []struct {
		name string
		meta string
		data []byte
		want string
	}{
		{"not json", `{`, nil, "predict reply meta"},
		{"bytes past data", `{"outputs":[{"name":"p","dtype":"FP64","shape":[2],"nbytes":16}]}`, le(1.0), "claims 16 bytes"},
		{"negative bytes", `{"outputs":[{"name":"p","dtype":"FP64","shape":[2],"nbytes":-8}]}`, le(1.0), "claims -8 bytes"},
		{"shape disagrees", `{"outputs":[{"name":"p","dtype":"FP64","shape":[3],"nbytes":16}]}`, le(1.0, 2.0), "needs 24 bytes"},
		{"wrong rows", `{"outputs":[{"name":"p","dtype":"FP64","shape":[1],"nbytes":8}]}`, le(1.0), "expected 2 rows"},
		{"negative dim", `{"outputs":[{"name":"p","dtype":"FP64","shape":[-2],"nbytes":0}]}`, nil, "shape [-2]"},
		{"huge shape", `{"outputs":[{"name":"p","dtype":"FP64","shape":[1073741824,1073741824],"nbytes":0}]}`, nil, "more elements"},
		{"unknown dtype", `{"outputs":[{"name":"p","dtype":"FP128","shape":[2],"nbytes":0}]}`, nil, "dtype"},
		{"trailing bytes", `{"outputs":[{"name":"p","dtype":"FP64","shape":[2],"nbytes":16}]}`, le(1.0, 2.0, 3.0), "follow the last output"},
		{"class index out of range", `{"outputs":[{"name":"label","dtype":"INT64","shape":[2],"nbytes":16,"class_index":true}]}`, le([]int64{0, 3}), "class index 3"},
		{"class index not int", `{"outputs":[{"name":"label","dtype":"FP64","shape":[2],"nbytes":16,"class_index":true}]}`, le(0.0, 1.0), "must be INT64"},
		{"string past buffer", `{"outputs":[{"name":"s","dtype":"BYTES","shape":[2],"nbytes":9}]}`, le(uint32(1), []byte("a"), uint32(9)), "past the buffer"},
		{"too many strings", `{"outputs":[{"name":"s","dtype":"BYTES","shape":[2],"nbytes":4}]}`, le(uint32(0)), "cannot fit"},
		{"duplicate names", `{"outputs":[{"name":"p","dtype":"FP64","shape":[2],"nbytes":16},{"name":"p","dtype":"FP64","shape":[2],"nbytes":16}]}`, le(1.0, 2.0, 1.0, 2.0), "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeReply([]byte(tt.meta), tt.data, 2, testLabels)
			if !errors.Is(err, errBadFrame) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, expected a malformed-reply error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestAppendColumn(t *testing.T) {
	tests := []struct {
		name      string
		in        flavors.Tensor
		wantDType flavors.DType
		wantData  []byte
		wantNulls int
	}{
		{"int32 as is", flavors.Tensor{Name: "x", DType: flavors.Int32, Shape: []int64{2}, Data: []int32{1, -1}}, flavors.Int32, le([]int32{1, -1}), 0},
		{"nulls become NaN", flavors.Tensor{Name: "x", DType: flavors.Int64, Shape: []int64{2}, Data: []int64{1, 2}, Null: []bool{false, true}}, flavors.FP64, le(1.0, math.NaN()), 0},
		{"strings with a null mask", flavors.Tensor{Name: "s", DType: flavors.Bytes, Shape: []int64{2}, Data: []string{"ab", ""}, Null: []bool{false, true}}, flavors.Bytes, le(uint32(2), []byte("ab"), uint32(0), []byte{0, 1}), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, col, err := appendColumn(nil, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if col.DType != tt.wantDType || col.NullBytes != tt.wantNulls || col.Bytes+col.NullBytes != len(data) {
				t.Errorf("column %+v for %d bytes", col, len(data))
			}
			if !bytes.Equal(data, tt.wantData) {
				t.Errorf("bytes %v, expected %v", data, tt.wantData)
			}
		})
	}
}
