package grpcapi

import (
	"fmt"
	"math"

	"github.com/mlctl/mlctl/pkg/flavors"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// contentsField names the InferTensorContents field that carries dtype.
func contentsField(dtype flavors.DType) string {
	switch dtype {
	case flavors.Bool:
		return "bool_contents"
	case flavors.Int8, flavors.Int16, flavors.Int32:
		return "int_contents"
	case flavors.Int64:
		return "int64_contents"
	case flavors.Uint8, flavors.Uint16, flavors.Uint32:
		return "uint_contents"
	case flavors.Uint64:
		return "uint64_contents"
	case flavors.FP32:
		return "fp32_contents"
	case flavors.FP64:
		return "fp64_contents"
	case flavors.Bytes:
		return "bytes_contents"
	}
	return ""
}

// filledFields lists the contents fields that hold elements, with their counts.
func filledFields(c *pb.InferTensorContents) map[string]int {
	out := map[string]int{}
	add := func(name string, n int) {
		if n > 0 {
			out[name] = n
		}
	}
	add("bool_contents", len(c.GetBoolContents()))
	add("int_contents", len(c.GetIntContents()))
	add("int64_contents", len(c.GetInt64Contents()))
	add("uint_contents", len(c.GetUintContents()))
	add("uint64_contents", len(c.GetUint64Contents()))
	add("fp32_contents", len(c.GetFp32Contents()))
	add("fp64_contents", len(c.GetFp64Contents()))
	add("bytes_contents", len(c.GetBytesContents()))
	return out
}

// hasContents reports whether an input carries any typed elements.
func hasContents(c *pb.InferTensorContents) bool {
	return c != nil && (len(c.BoolContents) > 0 || len(c.IntContents) > 0 || len(c.Int64Contents) > 0 ||
		len(c.UintContents) > 0 || len(c.Uint64Contents) > 0 || len(c.Fp32Contents) > 0 ||
		len(c.Fp64Contents) > 0 || len(c.BytesContents) > 0)
}

// decodeTyped reads n elements of dtype from the contents field the protocol
// assigns to it; elements in any other field are an error, as is a count
// that differs from the shape's or a value outside a narrow type's range.
func decodeTyped(name string, dtype flavors.DType, n int, c *pb.InferTensorContents) (any, error) {
	field := contentsField(dtype)
	if field == "" {
		if dtype == flavors.FP16 {
			return nil, fmt.Errorf("%w: input %q: FP16 has no typed contents field; send it in raw_input_contents", flavors.ErrInvalidInput, name)
		}
		return nil, fmt.Errorf("%w: input %q: unknown datatype %q", flavors.ErrInvalidInput, name, dtype)
	}
	filled := filledFields(c)
	for other := range filled {
		if other != field {
			return nil, fmt.Errorf("%w: input %q: datatype %s takes its elements in contents.%s, got contents.%s",
				flavors.ErrInvalidInput, name, dtype, field, other)
		}
	}
	if got := filled[field]; got != n {
		return nil, fmt.Errorf("%w: input %q: shape needs %d elements, contents.%s has %d", flavors.ErrInvalidInput, name, n, field, got)
	}
	switch dtype {
	case flavors.Bool:
		return append([]bool(nil), c.GetBoolContents()...), nil
	case flavors.Int8:
		return narrowInts[int8](name, c.GetIntContents(), math.MinInt8, math.MaxInt8, dtype)
	case flavors.Int16:
		return narrowInts[int16](name, c.GetIntContents(), math.MinInt16, math.MaxInt16, dtype)
	case flavors.Int32:
		return append([]int32(nil), c.GetIntContents()...), nil
	case flavors.Int64:
		return append([]int64(nil), c.GetInt64Contents()...), nil
	case flavors.Uint8:
		return narrowUints[uint8](name, c.GetUintContents(), math.MaxUint8, dtype)
	case flavors.Uint16:
		return narrowUints[uint16](name, c.GetUintContents(), math.MaxUint16, dtype)
	case flavors.Uint32:
		return append([]uint32(nil), c.GetUintContents()...), nil
	case flavors.Uint64:
		return append([]uint64(nil), c.GetUint64Contents()...), nil
	case flavors.FP32:
		return append([]float32(nil), c.GetFp32Contents()...), nil
	case flavors.FP64:
		return append([]float64(nil), c.GetFp64Contents()...), nil
	default: // BYTES
		src := c.GetBytesContents()
		out := make([]string, len(src))
		for i, b := range src {
			out[i] = string(b)
		}
		return out, nil
	}
}

func narrowInts[T int8 | int16](name string, src []int32, lo, hi int32, dtype flavors.DType) ([]T, error) {
	out := make([]T, len(src))
	for i, v := range src {
		if v < lo || v > hi {
			return nil, fmt.Errorf("%w: input %q element %d: %d is out of range for %s", flavors.ErrInvalidInput, name, i, v, dtype)
		}
		out[i] = T(v)
	}
	return out, nil
}

func narrowUints[T uint8 | uint16](name string, src []uint32, hi uint32, dtype flavors.DType) ([]T, error) {
	out := make([]T, len(src))
	for i, v := range src {
		if v > hi {
			return nil, fmt.Errorf("%w: input %q element %d: %d is out of range for %s", flavors.ErrInvalidInput, name, i, v, dtype)
		}
		out[i] = T(v)
	}
	return out, nil
}

// encodeTyped puts a tensor's data in the contents field for its dtype.
// FP16 has none; callers send a response holding FP16 as raw contents.
func encodeTyped(t flavors.Tensor) (*pb.InferTensorContents, error) {
	c := &pb.InferTensorContents{}
	switch v := t.Data.(type) {
	case []bool:
		c.BoolContents = v
	case []int8:
		c.IntContents = widen[int32](v)
	case []int16:
		c.IntContents = widen[int32](v)
	case []int32:
		c.IntContents = v
	case []int64:
		c.Int64Contents = v
	case []uint8:
		c.UintContents = widen[uint32](v)
	case []uint16:
		if t.DType == flavors.FP16 {
			return nil, fmt.Errorf("output %q: FP16 has no typed contents field", t.Name)
		}
		c.UintContents = widen[uint32](v)
	case []uint32:
		c.UintContents = v
	case []uint64:
		c.Uint64Contents = v
	case []float32:
		c.Fp32Contents = v
	case []float64:
		c.Fp64Contents = v
	case []string:
		c.BytesContents = make([][]byte, len(v))
		for i, s := range v {
			c.BytesContents[i] = []byte(s)
		}
	default:
		return nil, fmt.Errorf("output %q: data of Go type %T cannot be encoded", t.Name, t.Data)
	}
	return c, nil
}

func widen[W int32 | uint32, N int8 | int16 | uint8 | uint16](src []N) []W {
	out := make([]W, len(src))
	for i, v := range src {
		out[i] = W(v)
	}
	return out
}
