package batch

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// tensorFromColumns handles a model that takes one [N,K] tensor when the
// input has no column of that name: as mlctl predict does with a CSV, the
// tensor is fed from the input's columns in order — here the first
// input's columns other than the kept ones, which must number K. The model
// is wrapped with flavors.Adapt, which stacks the columns.
func tensorFromColumns(o *Options, first []arrow.Field) error {
	if len(o.Inputs) == 1 && len(o.Inputs[0].Shape) <= 1 {
		return nil
	}
	for _, sp := range o.Inputs {
		if len(sp.Shape) <= 1 {
			continue
		}
		if len(o.Inputs) > 1 || len(sp.Shape) != 2 || sp.Shape[1] <= 0 {
			return fmt.Errorf("%w: model input %q has shape %s: batch feeds one-dimensional columns, or one [N,K] tensor from K columns",
				flavors.ErrUnsupported, sp.Name, flavors.FormatShape(sp.Shape))
		}
	}
	if len(o.Inputs) > 1 {
		return nil
	}
	tensor := o.Inputs[0]
	var cols []flavors.Spec
	var names []string
	for _, f := range first {
		names = append(names, f.Name)
		if containsString(o.Keep, f.Name) {
			continue
		}
		cols = append(cols, flavors.Spec{Name: f.Name, DType: tensor.DType, Shape: []int64{-1}})
	}
	if int64(len(cols)) != tensor.Shape[1] {
		return fmt.Errorf("%w: model input %q takes %d values per row (shape %s); input %s has %d columns besides the kept ones (%v)",
			flavors.ErrInvalidInput, tensor.Name, tensor.Shape[1], flavors.FormatShape(tensor.Shape), o.Sources[0].Name(), len(cols), names)
	}
	o.Inputs = cols
	o.exampleModel = o.Model
	o.Model = flavors.Adapt(o.Model, cols, o.Classes)
	return nil
}
