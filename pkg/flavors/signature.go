package flavors

import (
	"fmt"
	"strings"
)

// Spec describes one named input or output. A dimension of -1 is variable;
// the first dimension is the batch (row) dimension.
type Spec struct {
	Name     string  `json:"name" yaml:"name"`
	DType    DType   `json:"dtype" yaml:"dtype"`
	Shape    []int64 `json:"shape" yaml:"shape,flow"`
	Nullable bool    `json:"nullable,omitempty" yaml:"nullable,omitempty"`
	// Values lists the allowed values of a categorical field, when known.
	Values []string `json:"values,omitempty" yaml:"values,omitempty,flow"`
}

// Signature is a model's named inputs and outputs.
type Signature struct {
	Inputs  []Spec `json:"inputs" yaml:"inputs"`
	Outputs []Spec `json:"outputs" yaml:"outputs"`
}

// Input returns the input spec with the given name.
func (s Signature) Input(name string) (Spec, bool) { return FindSpec(s.Inputs, name) }

// Output returns the output spec with the given name.
func (s Signature) Output(name string) (Spec, bool) { return FindSpec(s.Outputs, name) }

// SpecNames lists the specs' names, comma-separated, for error messages.
func SpecNames(specs []Spec) string {
	names := make([]string, len(specs))
	for i, sp := range specs {
		names[i] = sp.Name
	}
	return strings.Join(names, ", ")
}

// FindSpec returns the spec with the given name.
func FindSpec(specs []Spec, name string) (Spec, bool) {
	for _, sp := range specs {
		if sp.Name == name {
			return sp, true
		}
	}
	return Spec{}, false
}

// InputNames lists the input names in order.
func (s Signature) InputNames() []string {
	out := make([]string, len(s.Inputs))
	for i, sp := range s.Inputs {
		out[i] = sp.Name
	}
	return out
}

// Accepts checks a tensor against the spec: dtype, rank and fixed dimensions,
// and nulls. The error names the tensor and what was expected.
func (sp Spec) Accepts(t Tensor) error {
	if t.DType != sp.DType {
		return fmt.Errorf("input %q: expected %s, got %s", sp.Name, sp.DType, t.DType)
	}
	if len(sp.Shape) > 0 {
		if len(t.Shape) != len(sp.Shape) {
			return fmt.Errorf("input %q: expected shape %s, got %s", sp.Name, FormatShape(sp.Shape), FormatShape(t.Shape))
		}
		for i, d := range sp.Shape {
			if d >= 0 && t.Shape[i] != d {
				return fmt.Errorf("input %q: expected shape %s, got %s", sp.Name, FormatShape(sp.Shape), FormatShape(t.Shape))
			}
		}
	}
	if !sp.Nullable && t.HasNulls() {
		for i := range t.Null {
			if t.Null[i] {
				return fmt.Errorf("input %q: row %d is missing, and the field is not nullable", sp.Name, i/max(t.RowWidth(), 1))
			}
		}
	}
	return nil
}

// Check verifies that a batch holds every required input of the signature,
// each of the right type and shape, and nothing unknown.
func (s Signature) Check(b Batch) error {
	if err := b.Validate(); err != nil {
		return err
	}
	for _, sp := range s.Inputs {
		t, ok := b.Get(sp.Name)
		if !ok {
			if sp.Nullable {
				continue
			}
			return fmt.Errorf("input %q is missing: expected inputs %s", sp.Name, strings.Join(s.InputNames(), ", "))
		}
		if err := sp.Accepts(t); err != nil {
			return err
		}
	}
	for _, t := range b.Tensors {
		if _, ok := s.Input(t.Name); !ok {
			return fmt.Errorf("unknown input %q: expected inputs %s", t.Name, strings.Join(s.InputNames(), ", "))
		}
	}
	return nil
}

// FormatShape prints a shape as [-1,4].
func FormatShape(shape []int64) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}
