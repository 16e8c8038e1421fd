package grpcapi

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestDecodeRawBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		raw  []byte
		want []string
		err  string
	}{
		{"two elements", 2, []byte{1, 0, 0, 0, 'a', 0, 0, 0, 0}, []string{"a", ""}, ""},
		{"none", 0, nil, []string{}, ""},
		{"count beyond the bytes", 3, []byte{0, 0, 0, 0}, nil, "too few for 3 BYTES elements"},
		{"cut inside a length", 2, []byte{0, 0, 0, 0, 1, 0, 0, 0}, nil, "element 1: length 1 runs past the end"},
		{"length past the end", 1, []byte{9, 0, 0, 0, 'a'}, nil, "element 0: length 9 runs past the end of the raw contents (1 bytes left)"},
		{"huge length", 1, []byte{0xff, 0xff, 0xff, 0xff}, nil, "length 4294967295 runs past the end"},
		{"bytes left over", 1, []byte{0, 0, 0, 0, 'x'}, nil, "1 bytes left over after 1 BYTES elements"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeRaw("s", flavors.Bytes, tc.n, tc.raw)
			if tc.err != "" {
				require.ErrorIs(t, err, flavors.ErrInvalidInput)
				assert.ErrorContains(t, err, `input "s"`)
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestDecodeRawRefusesBadCounts(t *testing.T) {
	for _, d := range flavors.AllDTypes {
		_, err := decodeRaw("x", d, -1, nil)
		assert.ErrorIs(t, err, flavors.ErrInvalidInput, "%s with a negative count", d)
	}
	_, err := decodeRaw("x", flavors.DType("FP128"), 1, make([]byte, 16))
	assert.ErrorContains(t, err, `unknown datatype "FP128"`)
}

// FuzzDecodeRaw feeds the raw-contents decoder arbitrary bytes, datatypes
// and counts: it must never panic, and whatever it accepts must be a valid
// tensor that encodes back to the same bytes.
func FuzzDecodeRaw(f *testing.F) {
	f.Add([]byte{1, 0, 1}, "BOOL", 3)
	f.Add([]byte{0, 255}, "UINT8", 2)
	f.Add([]byte{0x80, 0x7f}, "INT8", 2)
	f.Add([]byte{1, 0, 0xff, 0xff}, "UINT16", 2)
	f.Add([]byte{0, 0x3c}, "FP16", 1)
	f.Add([]byte{0, 0x80}, "INT16", 1)
	f.Add([]byte{1, 2, 3, 4}, "INT32", 1)
	f.Add([]byte{1, 2, 3, 4}, "UINT32", 1)
	f.Add([]byte{0, 0, 0xc0, 0x3f}, "FP32", 1)
	f.Add(fp64Raw(1, 2, 3, 4), "FP64", 4)
	f.Add(fp64Raw(-1), "INT64", 1)
	f.Add(fp64Raw(7), "UINT64", 1)
	f.Add([]byte{2, 0, 0, 0, 'h', 'i', 0, 0, 0, 0}, "BYTES", 2)
	f.Add([]byte{0xff, 0xff, 0xff, 0x7f}, "BYTES", 1)
	f.Add([]byte{}, "BYTES", 1<<40)
	f.Fuzz(func(t *testing.T, raw []byte, dtype string, n int) {
		d := flavors.DType(dtype)
		data, err := decodeRaw("x", d, n, raw)
		if err != nil {
			require.ErrorIs(t, err, flavors.ErrInvalidInput)
			return
		}
		tensor := flavors.Tensor{Name: "x", DType: d, Shape: []int64{int64(n)}, Data: data}
		require.NoError(t, tensor.Validate())
		again, err := encodeRaw(tensor)
		require.NoError(t, err)
		if !bytes.Equal(raw, again) {
			t.Fatalf("%s × %d: decoded then encoded %x, want %x", d, n, again, raw)
		}
	})
}
