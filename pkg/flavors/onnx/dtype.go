//go:build cgo

package onnx

import (
	"fmt"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// dtypeOf maps an ONNX element type to the flavors DType that holds it.
func dtypeOf(t ort.TensorElementDataType) (flavors.DType, bool) {
	switch t {
	case ort.TensorElementDataTypeBool:
		return flavors.Bool, true
	case ort.TensorElementDataTypeUint8:
		return flavors.Uint8, true
	case ort.TensorElementDataTypeUint16:
		return flavors.Uint16, true
	case ort.TensorElementDataTypeUint32:
		return flavors.Uint32, true
	case ort.TensorElementDataTypeUint64:
		return flavors.Uint64, true
	case ort.TensorElementDataTypeInt8:
		return flavors.Int8, true
	case ort.TensorElementDataTypeInt16:
		return flavors.Int16, true
	case ort.TensorElementDataTypeInt32:
		return flavors.Int32, true
	case ort.TensorElementDataTypeInt64:
		return flavors.Int64, true
	case ort.TensorElementDataTypeFloat16:
		return flavors.FP16, true
	case ort.TensorElementDataTypeFloat:
		return flavors.FP32, true
	case ort.TensorElementDataTypeDouble:
		return flavors.FP64, true
	case ort.TensorElementDataTypeString:
		return flavors.Bytes, true
	}
	return "", false
}

// elementTypeName is the ONNX spelling of an element type, for errors.
func elementTypeName(t ort.TensorElementDataType) string {
	switch t {
	case ort.TensorElementDataTypeBFloat16:
		return "bfloat16"
	case ort.TensorElementDataTypeComplex64:
		return "complex64"
	case ort.TensorElementDataTypeComplex128:
		return "complex128"
	case ort.TensorElementDataTypeFloat8E4M3FN, ort.TensorElementDataTypeFloat8E4M3FNUZ,
		ort.TensorElementDataTypeFloat8E5M2, ort.TensorElementDataTypeFloat8E5M2FNUZ:
		return "float8"
	case ort.TensorElementDataTypeInt4, ort.TensorElementDataTypeUint4:
		return "int4"
	}
	return fmt.Sprintf("element type %d", int(t))
}

// specOf turns ORT's description of an input or output into a Spec; symbolic
// and unknown dimensions become -1.
func specOf(info ort.InputOutputInfo, role string) (flavors.Spec, error) {
	if info.OrtValueType != ort.ONNXTypeTensor {
		return flavors.Spec{}, fmt.Errorf("%w: %s %q is a %s; only tensors are supported here",
			flavors.ErrUnsupported, role, info.Name, valueTypeName(info.OrtValueType))
	}
	dt, ok := dtypeOf(info.DataType)
	if !ok {
		return flavors.Spec{}, fmt.Errorf("%w: %s %q has %s elements, which mlctl has no dtype for",
			flavors.ErrUnsupported, role, info.Name, elementTypeName(info.DataType))
	}
	shape := make([]int64, len(info.Dimensions))
	for i, d := range info.Dimensions {
		shape[i] = max(d, -1)
	}
	return flavors.Spec{Name: info.Name, DType: dt, Shape: shape}, nil
}

func valueTypeName(t ort.ONNXType) string {
	switch t {
	case ort.ONNXTypeSequence:
		return "sequence"
	case ort.ONNXTypeMap:
		return "map"
	case ort.ONNXTypeOptional:
		return "optional"
	case ort.ONNXTypeSparseTensor:
		return "sparse tensor"
	case ort.ONNXTypeOpaque:
		return "opaque value"
	}
	return "value of unknown kind"
}
