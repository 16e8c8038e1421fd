package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// TensorJSON is one tensor in the Open Inference Protocol's JSON form. Data
// is flat and row-major; a missing value is null.
type TensorJSON struct {
	Name     string         `json:"name"`
	Shape    []int64        `json:"shape"`
	DataType flavors.DType  `json:"datatype"`
	Params   map[string]any `json:"parameters,omitempty"`
	Data     []any          `json:"data"`
}

// TensorsFile is how bundles store an input example and golden outputs.
type TensorsFile struct {
	Tensors []TensorJSON `json:"tensors"`
}

func isOIPTensorList(l []any) bool {
	if len(l) == 0 {
		return false
	}
	for _, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			return false
		}
		_, hasDT := m["datatype"]
		_, hasData := m["data"]
		_, hasName := m["name"]
		if !hasDT || !hasData || !hasName {
			return false
		}
	}
	return true
}

// DecodeTensors reads OIP input tensors (already decoded with UseNumber)
// and checks nulls against the inputs. Datatypes are kept as sent: whether a
// mismatch is converted or refused is the protocol's decision.
func DecodeTensors(l []any, inputs []flavors.Spec) (flavors.Batch, error) {
	var b flavors.Batch
	for i, e := range l {
		m := e.(map[string]any)
		name, _ := m["name"].(string)
		dtS, _ := m["datatype"].(string)
		dt, err := flavors.ParseDType(dtS)
		if err != nil {
			return flavors.Batch{}, fmt.Errorf("%w: inputs[%d] (%s): %v", flavors.ErrInvalidInput, i, name, err)
		}
		shapeL, ok := m["shape"].([]any)
		if !ok {
			return flavors.Batch{}, fmt.Errorf("%w: inputs[%d] (%s): shape must be a list of sizes", flavors.ErrInvalidInput, i, name)
		}
		shape := make([]int64, len(shapeL))
		for j, d := range shapeL {
			n, ok := d.(json.Number)
			v, err := n.Int64()
			if !ok || err != nil || v < 0 {
				return flavors.Batch{}, fmt.Errorf("%w: inputs[%d] (%s): shape[%d] must be a size ≥ 0", flavors.ErrInvalidInput, i, name, j)
			}
			shape[j] = v
		}
		if flavors.NumElements(shape) > int64(MaxRows)*64 {
			return flavors.Batch{}, fmt.Errorf("%w: inputs[%d] (%s): shape %v is too large", flavors.ErrInvalidInput, i, name, shape)
		}
		sp := flavors.Spec{Name: name, DType: dt, Shape: shape, Nullable: true}
		c := newColumn(sp, 0)
		c.width = -1
		if err := c.addNested(0, m["data"], 0); err != nil {
			return flavors.Batch{}, err
		}
		t := flavors.Tensor{Name: name, DType: dt, Shape: shape, Data: c.data, Null: c.null}
		if c.nulls {
			for len(t.Null) < c.len() {
				t.Null = append(t.Null, false)
			}
		}
		if err := t.Validate(); err != nil {
			return flavors.Batch{}, fmt.Errorf("%w: inputs[%d]: %v", flavors.ErrInvalidInput, i, err)
		}
		if want, ok := flavors.FindSpec(inputs, name); ok {
			if !want.Nullable && t.HasNulls() {
				return flavors.Batch{}, fmt.Errorf("%w: input %q holds a null, and the field is not nullable", flavors.ErrInvalidInput, name)
			}
		}
		b.Tensors = append(b.Tensors, t)
	}
	return b, nil
}

// EncodeTensor converts a tensor to its JSON form; NaN and ±Inf become null.
func EncodeTensor(t flavors.Tensor) TensorJSON {
	out := TensorJSON{Name: t.Name, Shape: t.Shape, DataType: t.DType, Data: make([]any, t.Len())}
	switch d := t.Data.(type) {
	case []string:
		for i, v := range d {
			out.Data[i] = v
		}
	case []bool:
		for i, v := range d {
			out.Data[i] = v
		}
	case []float64:
		for i, v := range d {
			out.Data[i] = finite(v)
		}
	case []float32:
		for i, v := range d {
			out.Data[i] = finite(float64(v))
		}
	default:
		f, _ := t.Float64s()
		for i, v := range f {
			out.Data[i] = finite(v)
		}
	}
	for i := range t.Null {
		if t.Null[i] {
			out.Data[i] = nil
		}
	}
	return out
}

func finite(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return f
}

// MarshalTensors writes a batch as a TensorsFile.
func MarshalTensors(b flavors.Batch) ([]byte, error) {
	f := TensorsFile{Tensors: make([]TensorJSON, len(b.Tensors))}
	for i, t := range b.Tensors {
		f.Tensors[i] = EncodeTensor(t)
	}
	return json.MarshalIndent(f, "", " ")
}

// UnmarshalTensors reads a TensorsFile.
func UnmarshalTensors(raw []byte) (flavors.Batch, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var f struct {
		Tensors []any `json:"tensors"`
	}
	if err := d.Decode(&f); err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: tensors file: %v", flavors.ErrInvalidInput, err)
	}
	if !isOIPTensorList(f.Tensors) && len(f.Tensors) > 0 {
		return flavors.Batch{}, fmt.Errorf("%w: tensors file: each tensor needs name, datatype, shape and data", flavors.ErrInvalidInput)
	}
	return DecodeTensors(f.Tensors, nil)
}
