package batcher

import (
	"fmt"
	"reflect"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// checkRows makes sure every output has one row per input row, so that the
// output can be split back between the callers whose rows were stacked.
func checkRows(out flavors.Batch, rows int) error {
	if err := out.Validate(); err != nil {
		return fmt.Errorf("batcher: model returned a malformed output: %w", err)
	}
	for _, t := range out.Tensors {
		if len(t.Shape) == 0 {
			return fmt.Errorf("batcher: model output %q is a scalar; expected one row per input row (%d)", t.Name, rows)
		}
		if t.Shape[0] != int64(rows) {
			return fmt.Errorf("batcher: model output %q has %d rows for a batch of %d input rows; expected one output row per input row", t.Name, t.Shape[0], rows)
		}
	}
	return nil
}

// sliceRows is flavors.SliceRows with each slice's capacity cut at its end,
// so that a caller appending to its output cannot write over the rows of
// the caller after it in the same batch.
func sliceRows(b flavors.Batch, lo, hi int) flavors.Batch {
	out := flavors.Batch{Tensors: make([]flavors.Tensor, len(b.Tensors))}
	for i, t := range b.Tensors {
		w := t.RowWidth()
		s := flavors.Tensor{
			Name:  t.Name,
			DType: t.DType,
			Shape: append([]int64{int64(hi - lo)}, t.Shape[1:]...),
			Data:  reflect.ValueOf(t.Data).Slice3(lo*w, hi*w, hi*w).Interface(),
		}
		if t.Null != nil {
			s.Null = t.Null[lo*w : hi*w : hi*w]
		}
		out.Tensors[i] = s
	}
	return out
}
