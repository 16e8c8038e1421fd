package grpcapi

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// decodeRaw reads one tensor from its raw_input_contents entry: n elements
// of dtype, little-endian and row-major; a BYTES element is a 4-byte
// little-endian length and then that many bytes. The length of raw must be
// exactly what n elements take, so nothing is allocated for a count the
// bytes do not back.
func decodeRaw(name string, dtype flavors.DType, n int, raw []byte) (any, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: input %q: %d elements, expected a count ≥ 0", flavors.ErrInvalidInput, name, n)
	}
	if dtype == flavors.Bytes {
		return decodeRawBytes(name, n, raw)
	}
	size := dtype.Size()
	if size == 0 {
		return nil, fmt.Errorf("%w: input %q: unknown datatype %q", flavors.ErrInvalidInput, name, dtype)
	}
	if len(raw)/size != n || len(raw)%size != 0 {
		return nil, fmt.Errorf("%w: input %q: raw contents hold %d bytes, shape needs %d elements of %s (%d bytes)",
			flavors.ErrInvalidInput, name, len(raw), n, dtype, n*size)
	}
	le := binary.LittleEndian
	switch dtype {
	case flavors.Bool:
		out := make([]bool, n)
		for i, b := range raw {
			if b > 1 {
				return nil, fmt.Errorf("%w: input %q element %d: BOOL byte is %d, expected 0 or 1", flavors.ErrInvalidInput, name, i, b)
			}
			out[i] = b == 1
		}
		return out, nil
	case flavors.Uint8:
		return append([]uint8(nil), raw...), nil
	case flavors.Int8:
		out := make([]int8, n)
		for i, b := range raw {
			out[i] = int8(b)
		}
		return out, nil
	case flavors.Uint16, flavors.FP16:
		out := make([]uint16, n)
		for i := range out {
			out[i] = le.Uint16(raw[2*i:])
		}
		return out, nil
	case flavors.Int16:
		out := make([]int16, n)
		for i := range out {
			out[i] = int16(le.Uint16(raw[2*i:]))
		}
		return out, nil
	case flavors.Uint32:
		out := make([]uint32, n)
		for i := range out {
			out[i] = le.Uint32(raw[4*i:])
		}
		return out, nil
	case flavors.Int32:
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(le.Uint32(raw[4*i:]))
		}
		return out, nil
	case flavors.FP32:
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
		return out, nil
	case flavors.Uint64:
		out := make([]uint64, n)
		for i := range out {
			out[i] = le.Uint64(raw[8*i:])
		}
		return out, nil
	case flavors.Int64:
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(le.Uint64(raw[8*i:]))
		}
		return out, nil
	case flavors.FP64:
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: input %q: unknown datatype %q", flavors.ErrInvalidInput, name, dtype)
}

func decodeRawBytes(name string, n int, raw []byte) ([]string, error) {
	// Every element takes at least its 4-byte length: check before allocating.
	if n > len(raw)/4 {
		return nil, fmt.Errorf("%w: input %q: raw contents hold %d bytes, too few for %d BYTES elements (each a 4-byte length and its bytes)",
			flavors.ErrInvalidInput, name, len(raw), n)
	}
	out := make([]string, n)
	off := 0
	for i := range out {
		if len(raw)-off < 4 {
			return nil, fmt.Errorf("%w: input %q element %d: raw contents end inside its 4-byte length", flavors.ErrInvalidInput, name, i)
		}
		l := binary.LittleEndian.Uint32(raw[off:])
		off += 4
		if uint64(l) > uint64(len(raw)-off) {
			return nil, fmt.Errorf("%w: input %q element %d: length %d runs past the end of the raw contents (%d bytes left)",
				flavors.ErrInvalidInput, name, i, l, len(raw)-off)
		}
		out[i] = string(raw[off : off+int(l)])
		off += int(l)
	}
	if off != len(raw) {
		return nil, fmt.Errorf("%w: input %q: %d bytes left over after %d BYTES elements", flavors.ErrInvalidInput, name, len(raw)-off, n)
	}
	return out, nil
}

// encodeRaw lays a tensor's data out as decodeRaw reads it.
func encodeRaw(t flavors.Tensor) ([]byte, error) {
	le := binary.LittleEndian
	switch v := t.Data.(type) {
	case []bool:
		out := make([]byte, len(v))
		for i, x := range v {
			if x {
				out[i] = 1
			}
		}
		return out, nil
	case []uint8:
		return append([]byte(nil), v...), nil
	case []int8:
		out := make([]byte, len(v))
		for i, x := range v {
			out[i] = byte(x)
		}
		return out, nil
	case []uint16:
		out := make([]byte, 0, 2*len(v))
		for _, x := range v {
			out = le.AppendUint16(out, x)
		}
		return out, nil
	case []int16:
		out := make([]byte, 0, 2*len(v))
		for _, x := range v {
			out = le.AppendUint16(out, uint16(x))
		}
		return out, nil
	case []uint32:
		out := make([]byte, 0, 4*len(v))
		for _, x := range v {
			out = le.AppendUint32(out, x)
		}
		return out, nil
	case []int32:
		out := make([]byte, 0, 4*len(v))
		for _, x := range v {
			out = le.AppendUint32(out, uint32(x))
		}
		return out, nil
	case []float32:
		out := make([]byte, 0, 4*len(v))
		for _, x := range v {
			out = le.AppendUint32(out, math.Float32bits(x))
		}
		return out, nil
	case []uint64:
		out := make([]byte, 0, 8*len(v))
		for _, x := range v {
			out = le.AppendUint64(out, x)
		}
		return out, nil
	case []int64:
		out := make([]byte, 0, 8*len(v))
		for _, x := range v {
			out = le.AppendUint64(out, uint64(x))
		}
		return out, nil
	case []float64:
		out := make([]byte, 0, 8*len(v))
		for _, x := range v {
			out = le.AppendUint64(out, math.Float64bits(x))
		}
		return out, nil
	case []string:
		size := 0
		for _, s := range v {
			size += 4 + len(s)
		}
		out := make([]byte, 0, size)
		for _, s := range v {
			out = le.AppendUint32(out, uint32(len(s)))
			out = append(out, s...)
		}
		return out, nil
	}
	return nil, fmt.Errorf("output %q: data of Go type %T cannot be encoded", t.Name, t.Data)
}
