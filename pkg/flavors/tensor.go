package flavors

import (
	"fmt"
	"math"
	"strconv"
)

// Tensor is a named, typed, row-major array. Shape[0] is the row count for
// every tensor in a Batch; -1 never appears in a Tensor's shape, only in specs.
//
// Data holds the elements in the Go type for DType: []bool, []uint8, []uint16
// (UINT16 and FP16 bits), []uint32, []uint64, []int8, []int16, []int32,
// []int64, []float32, []float64 or []string (BYTES).
//
// Null, when not nil, has one entry per element and marks missing values;
// tabular flavors (PMML, pickle) honour it, tensor flavors refuse it.
type Tensor struct {
	Name  string
	DType DType
	Shape []int64
	Data  any
	Null  []bool
}

// NewTensor builds a tensor and checks that data fits dtype and shape.
func NewTensor(name string, dtype DType, shape []int64, data any) (Tensor, error) {
	t := Tensor{Name: name, DType: dtype, Shape: shape, Data: data}
	return t, t.Validate()
}

// Column builds a one-dimensional tensor from a slice, inferring the dtype.
func Column(name string, data any) (Tensor, error) {
	d, n, ok := dataDType(data)
	if !ok {
		return Tensor{}, fmt.Errorf("column %q: unsupported Go type %T", name, data)
	}
	return Tensor{Name: name, DType: d, Shape: []int64{int64(n)}, Data: data}, nil
}

// NumElements is the product of the shape.
func NumElements(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

// Len is the number of elements in the data slice.
func (t Tensor) Len() int {
	_, n, _ := dataDType(t.Data)
	return n
}

// Rows is the first dimension, or 1 for a scalar.
func (t Tensor) Rows() int {
	if len(t.Shape) == 0 {
		return 1
	}
	return int(t.Shape[0])
}

// RowWidth is the number of elements in one row.
func (t Tensor) RowWidth() int {
	if len(t.Shape) == 0 {
		return 1
	}
	return int(NumElements(t.Shape[1:]))
}

// Validate checks that DType, Shape, Data and Null agree.
func (t Tensor) Validate() error {
	if !t.DType.Valid() {
		return fmt.Errorf("tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	for i, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %q: dimension %d is %d, expected a size ≥ 0", t.Name, i, d)
		}
	}
	got, n, ok := dataDType(t.Data)
	if !ok {
		return fmt.Errorf("tensor %q: data of Go type %T cannot hold %s", t.Name, t.Data, t.DType)
	}
	if got != t.DType && !(got == Uint16 && t.DType == FP16) {
		return fmt.Errorf("tensor %q: dtype %s but data is %T", t.Name, t.DType, t.Data)
	}
	if want := NumElements(t.Shape); int64(n) != want {
		return fmt.Errorf("tensor %q: shape %v needs %d elements, data has %d", t.Name, t.Shape, want, n)
	}
	if t.Null != nil && len(t.Null) != n {
		return fmt.Errorf("tensor %q: null mask has %d entries, data has %d", t.Name, len(t.Null), n)
	}
	return nil
}

// IsNull reports whether element i is missing.
func (t Tensor) IsNull(i int) bool { return t.Null != nil && t.Null[i] }

// HasNulls reports whether any element is missing.
func (t Tensor) HasNulls() bool {
	for _, v := range t.Null {
		if v {
			return true
		}
	}
	return false
}

// Float64s returns the elements converted to float64 (missing values as NaN).
// BYTES elements are parsed as numbers; one that does not parse is an error.
func (t Tensor) Float64s() ([]float64, error) {
	out := make([]float64, t.Len())
	switch v := t.Data.(type) {
	case []float64:
		copy(out, v)
	case []float32:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []int64:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []int32:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []int16:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []int8:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []uint8:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []uint16:
		for i, x := range v {
			if t.DType == FP16 {
				out[i] = float64(HalfToFloat32(x))
			} else {
				out[i] = float64(x)
			}
		}
	case []uint32:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []uint64:
		for i, x := range v {
			out[i] = float64(x)
		}
	case []bool:
		for i, x := range v {
			if x {
				out[i] = 1
			}
		}
	case []string:
		for i, x := range v {
			if t.IsNull(i) {
				continue
			}
			f, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return nil, fmt.Errorf("tensor %q element %d: %q is not a number", t.Name, i, x)
			}
			out[i] = f
		}
	default:
		return nil, fmt.Errorf("tensor %q: data of Go type %T", t.Name, t.Data)
	}
	for i := range t.Null {
		if t.Null[i] {
			out[i] = math.NaN()
		}
	}
	return out, nil
}

// Strings returns the elements as text, the form labels are compared in.
// Integral floats print without a fraction so 1.0 and 1 compare equal.
func (t Tensor) Strings() []string {
	out := make([]string, t.Len())
	switch v := t.Data.(type) {
	case []string:
		copy(out, v)
	case []bool:
		for i, x := range v {
			out[i] = strconv.FormatBool(x)
		}
	default:
		f, err := t.Float64s()
		if err != nil {
			return out
		}
		for i, x := range f {
			out[i] = strconv.FormatFloat(x, 'g', -1, 64)
		}
	}
	for i := range t.Null {
		if t.Null[i] {
			out[i] = ""
		}
	}
	return out
}

// HalfToFloat32 converts IEEE 754 half-precision bits to float32.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal
		f := float32(frac) / 1024 * float32(math.Pow(2, -14))
		if sign != 0 {
			return -f
		}
		return f
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// Float32ToHalf converts a float32 to half-precision bits, rounding to nearest even.
func Float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23&0xff) - 127 + 15
	frac := b & 0x7fffff
	switch {
	case b&0x7fffffff == 0:
		return sign
	case b>>23&0xff == 0xff: // inf or NaN
		if frac != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0: // subnormal or zero in half precision
		if exp < -10 {
			return sign
		}
		frac |= 0x800000
		shift := uint32(14 - exp)
		half := frac >> shift
		rem := frac & (1<<shift - 1)
		mid := uint32(1) << (shift - 1)
		if rem > mid || (rem == mid && half&1 == 1) {
			half++
		}
		return sign | uint16(half)
	}
	half := uint32(exp)<<10 | frac>>13
	rem := frac & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && half&1 == 1) {
		half++
	}
	return sign | uint16(half)
}
