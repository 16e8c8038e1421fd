package flavors

import (
	"fmt"
	"reflect"
)

// SliceRows returns rows [lo, hi) of every tensor. The data is shared, not
// copied.
func SliceRows(b Batch, lo, hi int) Batch {
	out := Batch{Tensors: make([]Tensor, len(b.Tensors))}
	for i, t := range b.Tensors {
		w := t.RowWidth()
		v := reflect.ValueOf(t.Data).Slice(lo*w, hi*w)
		s := Tensor{Name: t.Name, DType: t.DType, Shape: append([]int64{int64(hi - lo)}, t.Shape[min(1, len(t.Shape)):]...), Data: v.Interface()}
		if t.Null != nil {
			s.Null = t.Null[lo*w : hi*w]
		}
		out.Tensors[i] = s
	}
	return out
}

// CanConcat reports whether batches share tensor names, dtypes and inner
// shapes in the same order, so that ConcatRows can stack them.
func CanConcat(bs []Batch) bool {
	if len(bs) == 0 {
		return false
	}
	first := bs[0]
	for _, b := range bs[1:] {
		if len(b.Tensors) != len(first.Tensors) {
			return false
		}
		for i, t := range b.Tensors {
			f := first.Tensors[i]
			if t.Name != f.Name || t.DType != f.DType || len(t.Shape) != len(f.Shape) {
				return false
			}
			for d := 1; d < len(t.Shape); d++ {
				if t.Shape[d] != f.Shape[d] {
					return false
				}
			}
		}
	}
	return true
}

// ConcatRows stacks batches along the row dimension into new memory.
func ConcatRows(bs []Batch) (Batch, error) {
	if !CanConcat(bs) {
		return Batch{}, fmt.Errorf("batches differ in tensors, dtypes or inner shapes and cannot be stacked")
	}
	if len(bs) == 1 {
		return bs[0], nil
	}
	out := Batch{Tensors: make([]Tensor, len(bs[0].Tensors))}
	for i := range bs[0].Tensors {
		first := bs[0].Tensors[i]
		rows, n, nulls := 0, 0, false
		for _, b := range bs {
			t := b.Tensors[i]
			rows += t.Rows()
			n += t.Len()
			nulls = nulls || t.Null != nil
		}
		data := reflect.MakeSlice(reflect.TypeOf(first.Data), 0, n)
		var null []bool
		if nulls {
			null = make([]bool, 0, n)
		}
		for _, b := range bs {
			t := b.Tensors[i]
			data = reflect.AppendSlice(data, reflect.ValueOf(t.Data))
			if nulls {
				if t.Null != nil {
					null = append(null, t.Null...)
				} else {
					null = append(null, make([]bool, t.Len())...)
				}
			}
		}
		shape := append([]int64{int64(rows)}, first.Shape[min(1, len(first.Shape)):]...)
		out.Tensors[i] = Tensor{Name: first.Name, DType: first.DType, Shape: shape, Data: data.Interface(), Null: null}
	}
	return out, nil
}
