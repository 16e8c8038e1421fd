//go:build cgo

package onnx

import (
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// FuzzDecodeTensorProto checks the decoder never panics and that what it
// accepts is a valid tensor. Seeds: a few backend test files when present,
// plus hand-made protos in testdata/fuzz/FuzzDecodeTensorProto.
func FuzzDecodeTensorProto(f *testing.F) {
	for _, name := range []string{"test_add/test_data_set_0/input_0.pb", "test_cast_FLOAT_to_FLOAT16/test_data_set_0/output_0.pb",
		"test_strnormalizer_nostopwords_nochangecase/test_data_set_0/input_0.pb", "test_and2d/test_data_set_0/input_0.pb",
		"test_mod_uint64/test_data_set_0/input_0.pb"} {
		if b, err := os.ReadFile(filepath.Join(nodeTestDir, filepath.FromSlash(name))); err == nil {
			f.Add(b)
		}
	}
	// float_data packed, dims [2].
	var b []byte
	b = protowire.AppendTag(b, tpDims, protowire.VarintType)
	b = protowire.AppendVarint(b, 2)
	b = protowire.AppendTag(b, tpDataType, protowire.VarintType)
	b = protowire.AppendVarint(b, 1)
	b = protowire.AppendTag(b, tpFloatData, protowire.BytesType)
	b = protowire.AppendBytes(b, []byte{0, 0, 128, 63, 0, 0, 0, 64})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		tensor, err := decodeTensorProto(b)
		if err != nil {
			return
		}
		if err := tensor.Validate(); err != nil {
			t.Fatalf("decoded an invalid tensor: %v", err)
		}
	})
}

func TestDecodeTensorProto(t *testing.T) {
	enc := func(fields ...func([]byte) []byte) []byte {
		var b []byte
		for _, f := range fields {
			b = f(b)
		}
		return b
	}
	varint := func(num protowire.Number, v uint64) func([]byte) []byte {
		return func(b []byte) []byte {
			return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
		}
	}
	bytesField := func(num protowire.Number, v []byte) func([]byte) []byte {
		return func(b []byte) []byte {
			return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
		}
	}
	tests := []struct {
		name    string
		in      []byte
		want    any
		wantErr bool
	}{
		{"int64 unpacked", enc(varint(tpDims, 2), varint(tpDataType, 7), varint(tpInt64Data, 5), varint(tpInt64Data, 1<<64-3)), []int64{5, -3}, false},
		{"raw int16", enc(varint(tpDims, 2), varint(tpDataType, 5), bytesField(tpRawData, []byte{1, 0, 0xff, 0xff})), []int16{1, -1}, false},
		{"bool int32_data packed", enc(varint(tpDims, 3), varint(tpDataType, 9), bytesField(tpInt32Data, []byte{1, 0, 1})), []bool{true, false, true}, false},
		{"strings", enc(varint(tpDims, 2), varint(tpDataType, 8), bytesField(tpStringData, []byte("a")), bytesField(tpStringData, nil)), []string{"a", ""}, false},
		{"uint64_data", enc(varint(tpDims, 1), varint(tpDataType, 13), varint(tpUint64Data, 1<<63)), []uint64{1 << 63}, false},
		{"scalar double raw", enc(varint(tpDataType, 11), bytesField(tpRawData, []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f})), []float64{1}, false},
		{"raw too short", enc(varint(tpDims, 2), varint(tpDataType, 1), bytesField(tpRawData, []byte{0, 0, 0, 0})), nil, true},
		{"too many elements", enc(varint(tpDims, 1<<20), varint(tpDims, 1<<20), varint(tpDataType, 1)), nil, true},
		{"negative dim", enc(varint(tpDims, 1<<64-1), varint(tpDataType, 1)), nil, true},
		{"bfloat16", enc(varint(tpDims, 1), varint(tpDataType, 16), bytesField(tpRawData, []byte{0, 0})), nil, true},
		{"external data", enc(varint(tpDims, 1), varint(tpDataType, 1), varint(tpDataLocation, 1)), nil, true},
		{"truncated", []byte{0x0a, 0x05, 1}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeTensorProto(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("decoded %+v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalData(got.Data, tt.want) {
				t.Errorf("data %v, want %v", got.Data, tt.want)
			}
		})
	}
}
