package batch

import "github.com/mlctl/mlctl/pkg/flavors"

// dropRows returns the batch without the rows marked bad.
func dropRows(b flavors.Batch, bad []bool) flavors.Batch {
	out := flavors.Batch{Tensors: make([]flavors.Tensor, len(b.Tensors))}
	for k, t := range b.Tensors {
		w := t.RowWidth()
		nt := flavors.Tensor{Name: t.Name, DType: t.DType}
		switch d := t.Data.(type) {
		case []float64:
			nt.Data = keep(d, bad, w)
		case []float32:
			nt.Data = keep(d, bad, w)
		case []int64:
			nt.Data = keep(d, bad, w)
		case []int32:
			nt.Data = keep(d, bad, w)
		case []int16:
			nt.Data = keep(d, bad, w)
		case []int8:
			nt.Data = keep(d, bad, w)
		case []uint64:
			nt.Data = keep(d, bad, w)
		case []uint32:
			nt.Data = keep(d, bad, w)
		case []uint16:
			nt.Data = keep(d, bad, w)
		case []uint8:
			nt.Data = keep(d, bad, w)
		case []bool:
			nt.Data = keep(d, bad, w)
		case []string:
			nt.Data = keep(d, bad, w)
		}
		if t.Null != nil {
			nt.Null = keep(t.Null, bad, w)
		}
		nt.Shape = append([]int64{int64(nt.Len() / max(w, 1))}, t.Shape[min(1, len(t.Shape)):]...)
		out.Tensors[k] = nt
	}
	return out
}

func keep[T any](s []T, bad []bool, width int) []T {
	out := make([]T, 0, len(s))
	for r, b := range bad {
		if !b {
			out = append(out, s[r*width:(r+1)*width]...)
		}
	}
	return out
}
