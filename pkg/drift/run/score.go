package run

import (
	"context"
	"fmt"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/flavors"
)

// scoreChunk runs the model on a data set chunk and adds its outputs as
// prediction columns, named as the prediction log names them.
func (r *reader) scoreChunk(ctx context.Context, t *batch.Table, ch batch.TableChunk, c *collector) error {
	m := r.opts.Model
	in, err := t.Batch(ch, r.opts.Bundle.Signature.Inputs)
	if err != nil {
		return err
	}
	out, err := m.Predict(ctx, in)
	if err != nil {
		return fmt.Errorf("input %s rows %d-%d: model: %w", t.Name(), ch.FirstRow, ch.FirstRow+ch.Record.NumRows()-1, err)
	}
	rows := int(ch.Record.NumRows())
	for _, tn := range out.Tensors {
		values, width, err := tensorValues(tn, rows)
		if err != nil {
			return fmt.Errorf("model output %q: %w", tn.Name, err)
		}
		for i := 0; i < rows; i++ {
			var v any
			if width == 0 {
				v = values[i]
			} else {
				v = values[i*width : (i+1)*width]
			}
			if err := c.add(tn.Name, RolePrediction, v); err != nil {
				return fmt.Errorf("input %s row %d: %w", t.Name(), ch.FirstRow+int64(i), err)
			}
		}
	}
	return nil
}

// tensorValues lays a tensor out as rows×width JSON-like values (nil for
// nulls); width 0 means one value per row.
func tensorValues(t flavors.Tensor, rows int) ([]any, int, error) {
	if t.Rows() != rows {
		return nil, 0, fmt.Errorf("%d rows, expected %d", t.Rows(), rows)
	}
	width := 0
	if len(t.Shape) > 1 {
		width = t.RowWidth()
	}
	n := t.Len()
	out := make([]any, n)
	if t.DType == flavors.Bytes {
		for i, s := range t.Strings() {
			out[i] = s
		}
	} else {
		f, err := t.Float64s()
		if err != nil {
			return nil, 0, err
		}
		for i, v := range f {
			out[i] = v
		}
	}
	for i := range out {
		if t.IsNull(i) {
			out[i] = nil
		}
	}
	return out, width, nil
}
