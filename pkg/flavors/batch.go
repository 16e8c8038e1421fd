package flavors

import "fmt"

// Batch is an ordered set of named tensors sharing their first dimension.
type Batch struct {
	Tensors []Tensor
}

// Get returns the tensor with the given name.
func (b Batch) Get(name string) (Tensor, bool) {
	for _, t := range b.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// Names lists the tensor names in order.
func (b Batch) Names() []string {
	out := make([]string, len(b.Tensors))
	for i, t := range b.Tensors {
		out[i] = t.Name
	}
	return out
}

// Rows is the shared first dimension (0 for an empty batch).
func (b Batch) Rows() int {
	if len(b.Tensors) == 0 {
		return 0
	}
	return b.Tensors[0].Rows()
}

// Validate checks every tensor and that all share the row count and have
// distinct names.
func (b Batch) Validate() error {
	seen := make(map[string]bool, len(b.Tensors))
	for i, t := range b.Tensors {
		if err := t.Validate(); err != nil {
			return err
		}
		if seen[t.Name] {
			return fmt.Errorf("tensor %q appears twice", t.Name)
		}
		seen[t.Name] = true
		if i > 0 && t.Rows() != b.Rows() {
			return fmt.Errorf("tensor %q has %d rows, tensor %q has %d", t.Name, t.Rows(), b.Tensors[0].Name, b.Rows())
		}
	}
	return nil
}
