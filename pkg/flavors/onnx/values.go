//go:build cgo

package onnx

import (
	"fmt"
	"reflect"
	"unsafe"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// inputValue wraps a tensor's data as an ORT value without copying numeric
// data: ORT reads the Go slice in place for the duration of the run.
func inputValue(t flavors.Tensor) (ort.Value, error) {
	shape := ort.Shape(t.Shape)
	switch d := t.Data.(type) {
	case []bool:
		return numericValue(shape, d)
	case []uint8:
		return numericValue(shape, d)
	case []uint16:
		if t.DType == flavors.FP16 {
			if len(shape) == 0 {
				return nil, fmt.Errorf("%w: input %q: a rank-0 FP16 tensor cannot be passed to ONNX Runtime through onnxruntime_go; give it shape [1]",
					flavors.ErrUnsupported, t.Name)
			}
			return ort.NewCustomDataTensor(shape, halfBytes(d), ort.TensorElementDataTypeFloat16)
		}
		return numericValue(shape, d)
	case []uint32:
		return numericValue(shape, d)
	case []uint64:
		return numericValue(shape, d)
	case []int8:
		return numericValue(shape, d)
	case []int16:
		return numericValue(shape, d)
	case []int32:
		return numericValue(shape, d)
	case []int64:
		return numericValue(shape, d)
	case []float32:
		return numericValue(shape, d)
	case []float64:
		return numericValue(shape, d)
	case []string:
		if len(shape) == 0 {
			return nil, fmt.Errorf("%w: input %q: a rank-0 string tensor cannot be passed to ONNX Runtime through onnxruntime_go; give it shape [1]",
				flavors.ErrUnsupported, t.Name)
		}
		st, err := ort.NewStringTensor(shape)
		if err != nil {
			return nil, err
		}
		if err := st.SetContents(d); err != nil {
			st.Destroy()
			return nil, err
		}
		return st, nil
	}
	return nil, fmt.Errorf("%w: input %q: data of Go type %T", flavors.ErrInvalidInput, t.Name, t.Data)
}

func numericValue[T ort.TensorData](shape ort.Shape, data []T) (ort.Value, error) {
	if len(shape) == 0 {
		return ort.NewScalar(data[0])
	}
	return ort.NewTensor(shape, data)
}

// halfBytes views FP16 bits as bytes. ORT refuses an empty buffer even for a
// tensor with no elements, so that case gets two spare bytes.
func halfBytes(d []uint16) []byte {
	if len(d) == 0 {
		return make([]byte, 2)
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&d[0])), 2*len(d))
}

// newOutputValue preallocates an output of a known shape in Go memory, so
// that ORT writes the result where Predict returns it from.
func newOutputValue(dt flavors.DType, shape []int64) (ort.Value, error) {
	if dt == flavors.Bytes || dt == flavors.FP16 {
		return nil, fmt.Errorf("%s outputs are not preallocated", dt)
	}
	n := flavors.NumElements(shape)
	if len(shape) == 0 {
		n = 1
	}
	data, err := flavors.NewData(dt, int(n))
	if err != nil {
		return nil, err
	}
	return inputValue(flavors.Tensor{DType: dt, Shape: shape, Data: data})
}

// outputTensor takes an ORT output as a tensor, without copying numeric
// data: onnxruntime_go already copied what ORT allocated into Go memory.
func outputTensor(name string, v ort.Value) (flavors.Tensor, error) {
	shape := []int64(v.GetShape())
	if shape == nil {
		shape = []int64{}
	}
	t := flavors.Tensor{Name: name, Shape: shape}
	var err error
	switch x := v.(type) {
	case *ort.Tensor[bool]:
		t.DType, t.Data = flavors.Bool, x.GetData()
	case *ort.Tensor[uint8]:
		t.DType, t.Data = flavors.Uint8, x.GetData()
	case *ort.Tensor[uint16]:
		t.DType, t.Data = flavors.Uint16, x.GetData()
	case *ort.Tensor[uint32]:
		t.DType, t.Data = flavors.Uint32, x.GetData()
	case *ort.Tensor[uint64]:
		t.DType, t.Data = flavors.Uint64, x.GetData()
	case *ort.Tensor[int8]:
		t.DType, t.Data = flavors.Int8, x.GetData()
	case *ort.Tensor[int16]:
		t.DType, t.Data = flavors.Int16, x.GetData()
	case *ort.Tensor[int32]:
		t.DType, t.Data = flavors.Int32, x.GetData()
	case *ort.Tensor[int64]:
		t.DType, t.Data = flavors.Int64, x.GetData()
	case *ort.Tensor[float32]:
		t.DType, t.Data = flavors.FP32, x.GetData()
	case *ort.Tensor[float64]:
		t.DType, t.Data = flavors.FP64, x.GetData()
	case *ort.Scalar[bool]:
		t.DType, t.Data = flavors.Bool, []bool{x.GetData()}
	case *ort.Scalar[uint8]:
		t.DType, t.Data = flavors.Uint8, []uint8{x.GetData()}
	case *ort.Scalar[uint16]:
		t.DType, t.Data = flavors.Uint16, []uint16{x.GetData()}
	case *ort.Scalar[uint32]:
		t.DType, t.Data = flavors.Uint32, []uint32{x.GetData()}
	case *ort.Scalar[uint64]:
		t.DType, t.Data = flavors.Uint64, []uint64{x.GetData()}
	case *ort.Scalar[int8]:
		t.DType, t.Data = flavors.Int8, []int8{x.GetData()}
	case *ort.Scalar[int16]:
		t.DType, t.Data = flavors.Int16, []int16{x.GetData()}
	case *ort.Scalar[int32]:
		t.DType, t.Data = flavors.Int32, []int32{x.GetData()}
	case *ort.Scalar[int64]:
		t.DType, t.Data = flavors.Int64, []int64{x.GetData()}
	case *ort.Scalar[float32]:
		t.DType, t.Data = flavors.FP32, []float32{x.GetData()}
	case *ort.Scalar[float64]:
		t.DType, t.Data = flavors.FP64, []float64{x.GetData()}
	case *ort.StringTensor:
		t.DType = flavors.Bytes
		t.Data, err = stringContents(x, shape)
	default:
		return t, fmt.Errorf("output %q: ORT returned a %T where a tensor was expected", name, v)
	}
	if err != nil {
		return t, fmt.Errorf("output %q: %w", name, err)
	}
	return t, t.Validate()
}

// stringContents reads a string tensor; GetContents reads nothing from a
// rank-0 tensor, whose one element GetElement does read.
func stringContents(x *ort.StringTensor, shape []int64) ([]string, error) {
	if len(shape) == 0 {
		s, err := x.GetElement(0)
		return []string{s}, err
	}
	return x.GetContents()
}

// destroyAll releases values. onnxruntime_go can hand back a typed nil (a
// nil *Tensor in a non-nil Value) when it fails to convert an output.
func destroyAll(vs []ort.Value) {
	for i, v := range vs {
		if v != nil && !reflect.ValueOf(v).IsNil() {
			v.Destroy()
		}
		vs[i] = nil
	}
}
