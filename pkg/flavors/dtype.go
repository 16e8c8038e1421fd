package flavors

import "fmt"

// DType names an element type. The names are the Open Inference Protocol's,
// so they travel unchanged through the v2 REST and gRPC APIs.
type DType string

// The element types a tensor can hold.
const (
	Bool   DType = "BOOL"
	Uint8  DType = "UINT8"
	Uint16 DType = "UINT16"
	Uint32 DType = "UINT32"
	Uint64 DType = "UINT64"
	Int8   DType = "INT8"
	Int16  DType = "INT16"
	Int32  DType = "INT32"
	Int64  DType = "INT64"
	FP16   DType = "FP16" // stored as IEEE 754 half-precision bit patterns in []uint16
	FP32   DType = "FP32"
	FP64   DType = "FP64"
	Bytes  DType = "BYTES" // stored as []string
)

// AllDTypes lists every DType in a stable order.
var AllDTypes = []DType{Bool, Uint8, Uint16, Uint32, Uint64, Int8, Int16, Int32, Int64, FP16, FP32, FP64, Bytes}

// Valid reports whether d is one of the known element types.
func (d DType) Valid() bool {
	for _, k := range AllDTypes {
		if d == k {
			return true
		}
	}
	return false
}

// ParseDType accepts the protocol name (FP32) and the common numpy/MLflow
// spellings (float32, float, double, long, string, boolean).
func ParseDType(s string) (DType, error) {
	switch s {
	case "BOOL", "bool", "boolean":
		return Bool, nil
	case "UINT8", "uint8":
		return Uint8, nil
	case "UINT16", "uint16":
		return Uint16, nil
	case "UINT32", "uint32":
		return Uint32, nil
	case "UINT64", "uint64":
		return Uint64, nil
	case "INT8", "int8":
		return Int8, nil
	case "INT16", "int16":
		return Int16, nil
	case "INT32", "int32", "integer":
		return Int32, nil
	case "INT64", "int64", "long":
		return Int64, nil
	case "FP16", "float16":
		return FP16, nil
	case "FP32", "float32", "float":
		return FP32, nil
	case "FP64", "float64", "double":
		return FP64, nil
	case "BYTES", "string", "str", "bytes", "binary":
		return Bytes, nil
	}
	return "", fmt.Errorf("unknown dtype %q: expected one of BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BYTES", s)
}

// IsFloat reports whether d is a floating-point type.
func (d DType) IsFloat() bool { return d == FP16 || d == FP32 || d == FP64 }

// IsInteger reports whether d is a signed or unsigned integer type.
func (d DType) IsInteger() bool {
	switch d {
	case Uint8, Uint16, Uint32, Uint64, Int8, Int16, Int32, Int64:
		return true
	}
	return false
}

// Size is the width of one element in bytes; 0 for BYTES.
func (d DType) Size() int {
	switch d {
	case Bool, Uint8, Int8:
		return 1
	case Uint16, Int16, FP16:
		return 2
	case Uint32, Int32, FP32:
		return 4
	case Uint64, Int64, FP64:
		return 8
	}
	return 0
}

// NewData makes a zeroed slice of n elements of the Go type that holds d.
func NewData(d DType, n int) (any, error) {
	switch d {
	case Bool:
		return make([]bool, n), nil
	case Uint8:
		return make([]uint8, n), nil
	case Uint16, FP16:
		return make([]uint16, n), nil
	case Uint32:
		return make([]uint32, n), nil
	case Uint64:
		return make([]uint64, n), nil
	case Int8:
		return make([]int8, n), nil
	case Int16:
		return make([]int16, n), nil
	case Int32:
		return make([]int32, n), nil
	case Int64:
		return make([]int64, n), nil
	case FP32:
		return make([]float32, n), nil
	case FP64:
		return make([]float64, n), nil
	case Bytes:
		return make([]string, n), nil
	}
	return nil, fmt.Errorf("unknown dtype %q", d)
}

// dataDType names the DType a Go slice holds. []uint16 is ambiguous between
// UINT16 and FP16; it reports UINT16.
func dataDType(data any) (DType, int, bool) {
	switch v := data.(type) {
	case []bool:
		return Bool, len(v), true
	case []uint8:
		return Uint8, len(v), true
	case []uint16:
		return Uint16, len(v), true
	case []uint32:
		return Uint32, len(v), true
	case []uint64:
		return Uint64, len(v), true
	case []int8:
		return Int8, len(v), true
	case []int16:
		return Int16, len(v), true
	case []int32:
		return Int32, len(v), true
	case []int64:
		return Int64, len(v), true
	case []float32:
		return FP32, len(v), true
	case []float64:
		return FP64, len(v), true
	case []string:
		return Bytes, len(v), true
	}
	return "", 0, false
}
