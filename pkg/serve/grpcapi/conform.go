package grpcapi

import (
	"errors"
	"fmt"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// conform fits a decoded batch to the model's inputs the way Triton does:
// the datatype must be the model's. Two tabular allowances bridge the
// column convention (one input per column) that MLServer and KServe
// clients use:
//   - a column may come as [N] or [N,1] whichever of the two the model
//     declares;
//   - when the request says parameters.content_type "pd", a column's
//     values are cast to the model's datatype (flavors.Cast refuses
//     fractions and out-of-range values for integer columns).
//
// Inputs the model does not have are left for the core's signature check,
// which names the inputs expected.
func conform(in flavors.Batch, specs []flavors.Spec, tabular bool) (flavors.Batch, error) {
	out := flavors.Batch{Tensors: make([]flavors.Tensor, len(in.Tensors))}
	for i, t := range in.Tensors {
		sp, ok := flavors.FindSpec(specs, t.Name)
		if !ok {
			out.Tensors[i] = t
			continue
		}
		if isColumn(sp.Shape) && isColumn(t.Shape) {
			t.Shape = append([]int64{t.Shape[0]}, sp.Shape[1:]...)
		}
		if t.DType != sp.DType {
			if !tabular || !isColumn(sp.Shape) {
				return flavors.Batch{}, fmt.Errorf("%w: input %q: expected datatype %s, got %s", flavors.ErrInvalidInput, t.Name, sp.DType, t.DType)
			}
			c, err := flavors.Cast(t, sp.DType)
			if err != nil && !errors.Is(err, flavors.ErrInvalidInput) {
				err = fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
			}
			if err != nil {
				return flavors.Batch{}, err // Cast names the input, element and value
			}
			t = c
		}
		out.Tensors[i] = t
	}
	if err := out.Validate(); err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
	}
	return out, nil
}

// isColumn reports whether a shape is one value per row: [N] or [N,1].
func isColumn(shape []int64) bool {
	return len(shape) == 1 || len(shape) == 2 && shape[1] == 1
}
