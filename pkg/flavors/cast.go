package flavors

import (
	"fmt"
	"math"
	"strconv"
)

// Cast converts a tensor to another element type. Numbers convert between
// widths (an integer target refuses fractions and out-of-range values),
// BYTES parse as numbers or booleans, and anything formats as BYTES.
// Missing values stay missing.
func Cast(t Tensor, to DType) (Tensor, error) {
	if t.DType == to {
		return t, nil
	}
	out := Tensor{Name: t.Name, DType: to, Shape: t.Shape, Null: t.Null}
	n := t.Len()
	switch {
	case to == Bytes:
		out.Data = t.Strings()
		return out, nil
	case to == Bool:
		data := make([]bool, n)
		if s, ok := t.Data.([]string); ok {
			for i, v := range s {
				if t.IsNull(i) {
					continue
				}
				b, err := strconv.ParseBool(v)
				if err != nil {
					return Tensor{}, fmt.Errorf("%w: input %q element %d: %q is not a boolean", ErrInvalidInput, t.Name, i, v)
				}
				data[i] = b
			}
		} else {
			f, err := t.Float64s()
			if err != nil {
				return Tensor{}, err
			}
			for i, v := range f {
				data[i] = v != 0 && !math.IsNaN(v)
			}
		}
		out.Data = data
		return out, nil
	}
	f, err := t.Float64s()
	if err != nil {
		return Tensor{}, fmt.Errorf("%w: %v", ErrInvalidInput, err)
	}
	if to.IsInteger() {
		lo, hi := intRange(to)
		for i, v := range f {
			if t.IsNull(i) {
				f[i] = 0
				continue
			}
			if v != math.Trunc(v) || v < lo || v > hi {
				return Tensor{}, fmt.Errorf("%w: input %q element %d: %v is not a %s", ErrInvalidInput, t.Name, i, v, to)
			}
		}
	}
	data, err := NewData(to, n)
	if err != nil {
		return Tensor{}, err
	}
	switch d := data.(type) {
	case []float64:
		copy(d, f)
	case []float32:
		for i, v := range f {
			d[i] = float32(v)
		}
	case []uint16:
		for i, v := range f {
			if to == FP16 {
				d[i] = Float32ToHalf(float32(v))
			} else {
				d[i] = uint16(v)
			}
		}
	case []int64:
		for i, v := range f {
			d[i] = int64(v)
		}
	case []int32:
		for i, v := range f {
			d[i] = int32(v)
		}
	case []int16:
		for i, v := range f {
			d[i] = int16(v)
		}
	case []int8:
		for i, v := range f {
			d[i] = int8(v)
		}
	case []uint8:
		for i, v := range f {
			d[i] = uint8(v)
		}
	case []uint32:
		for i, v := range f {
			d[i] = uint32(v)
		}
	case []uint64:
		for i, v := range f {
			d[i] = uint64(v)
		}
	}
	out.Data = data
	return out, nil
}

func intRange(d DType) (float64, float64) {
	switch d {
	case Int8:
		return math.MinInt8, math.MaxInt8
	case Int16:
		return math.MinInt16, math.MaxInt16
	case Int32:
		return math.MinInt32, math.MaxInt32
	case Uint8:
		return 0, math.MaxUint8
	case Uint16:
		return 0, math.MaxUint16
	case Uint32:
		return 0, math.MaxUint32
	case Uint64:
		return 0, 1 << 64
	}
	return -(1 << 63), 1 << 63
}
