package flavors

import (
	"context"
	"fmt"
	"math"
)

// Adapt presents a model under the bundle's signature, so that every
// flavor of a bundle takes the same request and gives the same answer:
//   - columns to one tensor: a model with a single [N,K] input fed K
//     one-dimensional columns gets them stacked in signature order;
//   - element types: a column is cast to the dtype the model declares;
//   - class order: a classifier's "probabilities" columns are put in the
//     bundle's class order (formats list classes in their own order).
//
// When nothing needs bridging the model is returned as it is.
func Adapt(m Model, inputs []Spec, classes []string) Model {
	a := &adapted{Model: m, public: inputs}
	native := m.Signature().Inputs
	if len(inputs) == 0 {
		a.public = native
	}
	if len(native) == 1 && len(native[0].Shape) == 2 && native[0].Shape[1] == int64(len(inputs)) && allColumns(inputs) {
		if len(inputs) != 1 || inputs[0].Name != native[0].Name {
			a.stack = true
		}
	}
	if c, ok := m.(Classifier); ok {
		a.classOrder = permutation(c.Classes(), classes)
	}
	if !a.stack && a.classOrder == nil && SameInputs(native, a.public) {
		return m
	}
	return a
}

// permutation returns, for each class in want, its column in have; nil when
// the orders already agree or the sets differ (then nothing can be mapped).
func permutation(have, want []string) []int {
	if len(have) != len(want) || len(want) == 0 {
		return nil
	}
	pos := make(map[string]int, len(have))
	for i, c := range have {
		pos[c] = i
	}
	perm := make([]int, len(want))
	same := true
	for i, c := range want {
		j, ok := pos[c]
		if !ok {
			return nil
		}
		perm[i] = j
		same = same && i == j
	}
	if same {
		return nil
	}
	return perm
}

func allColumns(specs []Spec) bool {
	for _, sp := range specs {
		if len(sp.Shape) > 1 {
			return false
		}
	}
	return true
}

// SameInputs reports whether two input lists agree on names, order and dtypes.
func SameInputs(a, b []Spec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].DType != b[i].DType {
			return false
		}
	}
	return true
}

type adapted struct {
	Model
	public     []Spec
	stack      bool
	classOrder []int
}

// Signature is the bundle's inputs with the model's outputs.
func (a *adapted) Signature() Signature {
	s := a.Model.Signature()
	s.Inputs = a.public
	return s
}

// Classes passes the wrapped model's classes through, in bundle order.
func (a *adapted) Classes() []string {
	c, ok := a.Model.(Classifier)
	if !ok {
		return nil
	}
	have := c.Classes()
	if a.classOrder == nil {
		return have
	}
	out := make([]string, len(a.classOrder))
	for i, j := range a.classOrder {
		out[i] = have[j]
	}
	return out
}

func (a *adapted) Predict(ctx context.Context, in Batch) (Batch, error) {
	out, err := a.predict(ctx, in)
	if err != nil || a.classOrder == nil {
		return out, err
	}
	for i, t := range out.Tensors {
		if t.Name == "probabilities" {
			out.Tensors[i] = reorderColumns(t, a.classOrder)
		}
	}
	return out, nil
}

// reorderColumns permutes the columns of an [N,C] tensor.
func reorderColumns(t Tensor, perm []int) Tensor {
	f, ok := t.Data.([]float64)
	if !ok || len(t.Shape) != 2 || int(t.Shape[1]) != len(perm) {
		return t
	}
	c := len(perm)
	out := make([]float64, len(f))
	for r := 0; r < len(f)/c; r++ {
		for i, j := range perm {
			out[r*c+i] = f[r*c+j]
		}
	}
	t.Data = out
	return t
}

func (a *adapted) predict(ctx context.Context, in Batch) (Batch, error) {
	native := a.Model.Signature().Inputs
	if a.stack {
		t, err := stackColumns(in, a.public, native[0])
		if err != nil {
			return Batch{}, err
		}
		return a.Model.Predict(ctx, Batch{Tensors: []Tensor{t}})
	}
	out := Batch{Tensors: make([]Tensor, 0, len(in.Tensors))}
	for _, t := range in.Tensors {
		sp, ok := FindSpec(native, t.Name)
		if ok && sp.DType != t.DType {
			c, err := Cast(t, sp.DType)
			if err != nil {
				return Batch{}, err
			}
			t = c
		}
		out.Tensors = append(out.Tensors, t)
	}
	return a.Model.Predict(ctx, out)
}

// stackColumns lays K columns side by side as one [N,K] tensor of the
// native dtype. Missing values become NaN, which only float targets hold.
func stackColumns(in Batch, cols []Spec, native Spec) (Tensor, error) {
	rows := in.Rows()
	k := len(cols)
	f := make([]float64, rows*k)
	for j, sp := range cols {
		t, ok := in.Get(sp.Name)
		if !ok {
			return Tensor{}, fmt.Errorf("%w: input %q is missing", ErrInvalidInput, sp.Name)
		}
		if t.Len() != rows {
			return Tensor{}, fmt.Errorf("%w: input %q has %d values for %d rows", ErrInvalidInput, sp.Name, t.Len(), rows)
		}
		v, err := t.Float64s()
		if err != nil {
			return Tensor{}, fmt.Errorf("%w: %v", ErrInvalidInput, err)
		}
		for i, x := range v {
			if math.IsNaN(x) && !native.DType.IsFloat() {
				return Tensor{}, fmt.Errorf("%w: input %q row %d is missing; model input %q (%s) cannot hold a missing value", ErrInvalidInput, sp.Name, i, native.Name, native.DType)
			}
			f[i*k+j] = x
		}
	}
	t := Tensor{Name: native.Name, DType: FP64, Shape: []int64{int64(rows), int64(k)}, Data: f}
	return Cast(t, native.DType)
}
