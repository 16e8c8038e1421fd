package grpcapi

import (
	"fmt"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// decodeInputs turns a request's inputs into a batch as the client sent
// them: raw_input_contents (one entry per input, in order) or typed
// contents, never both. maxBytes bounds each tensor's decoded size.
func decodeInputs(req *pb.ModelInferRequest, maxBytes int) (flavors.Batch, error) {
	inputs := req.GetInputs()
	if len(inputs) == 0 {
		return flavors.Batch{}, fmt.Errorf("%w: the request has no inputs", flavors.ErrInvalidInput)
	}
	raw := req.GetRawInputContents()
	if len(raw) > 0 && len(raw) != len(inputs) {
		return flavors.Batch{}, fmt.Errorf("%w: raw_input_contents has %d entries and inputs has %d: send one raw entry per input, in the order of inputs",
			flavors.ErrInvalidInput, len(raw), len(inputs))
	}
	batch := flavors.Batch{Tensors: make([]flavors.Tensor, len(inputs))}
	seen := make(map[string]bool, len(inputs))
	for i, in := range inputs {
		name := in.GetName()
		if name == "" {
			return flavors.Batch{}, fmt.Errorf("%w: inputs[%d] has no name", flavors.ErrInvalidInput, i)
		}
		if seen[name] {
			return flavors.Batch{}, fmt.Errorf("%w: input %q appears twice", flavors.ErrInvalidInput, name)
		}
		seen[name] = true
		dtype := flavors.DType(in.GetDatatype())
		if !dtype.Valid() {
			return flavors.Batch{}, fmt.Errorf("%w: input %q: unknown datatype %q: expected one of %s",
				flavors.ErrInvalidInput, name, in.GetDatatype(), dtypeNames())
		}
		n, err := elementCount(name, in.GetShape(), dtype, maxBytes)
		if err != nil {
			return flavors.Batch{}, err
		}
		var data any
		if len(raw) > 0 {
			if hasContents(in.GetContents()) {
				return flavors.Batch{}, fmt.Errorf("%w: input %q has typed contents but the request also carries raw_input_contents: use one or the other for every input",
					flavors.ErrInvalidInput, name)
			}
			data, err = decodeRaw(name, dtype, n, raw[i])
		} else {
			data, err = decodeTyped(name, dtype, n, in.GetContents())
		}
		if err != nil {
			return flavors.Batch{}, err
		}
		batch.Tensors[i] = flavors.Tensor{Name: name, DType: dtype, Shape: append([]int64(nil), in.GetShape()...), Data: data}
	}
	return batch, nil
}

// elementCount is the product of shape, refused when a dimension is
// negative or the tensor would take more than maxBytes (a BYTES element is
// counted as one byte: its real size is bounded by the message size).
func elementCount(name string, shape []int64, dtype flavors.DType, maxBytes int) (int, error) {
	limit := int64(maxBytes / max(dtype.Size(), 1))
	n := int64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("%w: input %q: shape %s has %d in dimension %d, expected a size ≥ 0",
				flavors.ErrInvalidInput, name, flavors.FormatShape(shape), d, i)
		}
		if d > 0 && n > limit/d {
			return 0, fmt.Errorf("%w: input %q: shape %s of %s is larger than the %d-byte request limit",
				flavors.ErrInvalidInput, name, flavors.FormatShape(shape), dtype, maxBytes)
		}
		n *= d
	}
	return int(n), nil
}

func dtypeNames() string {
	names := make([]string, len(flavors.AllDTypes))
	for i, d := range flavors.AllDTypes {
		names[i] = string(d)
	}
	return strings.Join(names, ", ")
}
