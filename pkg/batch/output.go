package batch

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/float16"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// The columns every output file ends with.
const (
	ColumnModelUUID    = "model_uuid"
	ColumnModelVersion = "model_version"
	ColumnScoredAt     = "scored_at"
)

// layout is the output schema: the kept input columns, one column per
// prediction element, then the model and time columns.
type layout struct {
	schema   *arrow.Schema
	keep     []arrow.Field
	outputs  []flavors.Spec
	widths   []int
	uuid     string
	version  string
	scoredAt arrow.Timestamp
}

// newLayout names the prediction columns: an [N] output is one column of
// its name; an [N,K] output K columns, output_<class> when the bundle
// names K classes (probabilities_setosa), else output_<k> — the names
// mlctl predict writes in CSV.
func newLayout(keep []arrow.Field, outputs []flavors.Spec, classes []string, uuid, version string, scoredAt time.Time) (*layout, error) {
	l := &layout{keep: keep, outputs: outputs, uuid: uuid, version: version, scoredAt: arrow.Timestamp(scoredAt.UnixMicro())}
	fields := append([]arrow.Field(nil), keep...)
	seen := map[string]string{}
	for _, f := range keep {
		seen[f.Name] = "a kept input column"
	}
	add := func(name, what string, t arrow.DataType) error {
		if prev, ok := seen[name]; ok {
			return fmt.Errorf("output column %q would be both %s and %s: keep fewer input columns", name, prev, what)
		}
		seen[name] = what
		fields = append(fields, arrow.Field{Name: name, Type: t, Nullable: true})
		return nil
	}
	for _, sp := range outputs {
		t, err := arrowType(sp.DType)
		if err != nil {
			return nil, fmt.Errorf("output %q: %w", sp.Name, err)
		}
		w := 1
		if len(sp.Shape) > 1 {
			w = int(flavors.NumElements(sp.Shape[1:]))
			if w <= 0 {
				return nil, fmt.Errorf("output %q has shape %s: batch needs a fixed number of values per row", sp.Name, flavors.FormatShape(sp.Shape))
			}
		}
		l.widths = append(l.widths, w)
		if len(sp.Shape) <= 1 {
			if err := add(sp.Name, "a model output", t); err != nil {
				return nil, err
			}
			continue
		}
		for k := 0; k < w; k++ {
			name := fmt.Sprintf("%s_%d", sp.Name, k)
			if len(classes) == w && len(sp.Shape) == 2 {
				name = sp.Name + "_" + classes[k]
			}
			if err := add(name, "a model output", t); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range []struct {
		name string
		t    arrow.DataType
	}{
		{ColumnModelUUID, arrow.BinaryTypes.String},
		{ColumnModelVersion, arrow.BinaryTypes.String},
		{ColumnScoredAt, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	} {
		if err := add(m.name, "a column batch adds", m.t); err != nil {
			return nil, err
		}
	}
	l.schema = arrow.NewSchema(fields, nil)
	return l, nil
}

func arrowType(d flavors.DType) (arrow.DataType, error) {
	switch d {
	case flavors.FP64:
		return arrow.PrimitiveTypes.Float64, nil
	case flavors.FP32:
		return arrow.PrimitiveTypes.Float32, nil
	case flavors.FP16:
		return arrow.FixedWidthTypes.Float16, nil
	case flavors.Int64:
		return arrow.PrimitiveTypes.Int64, nil
	case flavors.Int32:
		return arrow.PrimitiveTypes.Int32, nil
	case flavors.Int16:
		return arrow.PrimitiveTypes.Int16, nil
	case flavors.Int8:
		return arrow.PrimitiveTypes.Int8, nil
	case flavors.Uint64:
		return arrow.PrimitiveTypes.Uint64, nil
	case flavors.Uint32:
		return arrow.PrimitiveTypes.Uint32, nil
	case flavors.Uint16:
		return arrow.PrimitiveTypes.Uint16, nil
	case flavors.Uint8:
		return arrow.PrimitiveTypes.Uint8, nil
	case flavors.Bool:
		return arrow.FixedWidthTypes.Boolean, nil
	case flavors.Bytes:
		return arrow.BinaryTypes.String, nil
	}
	return nil, fmt.Errorf("unknown dtype %q", d)
}

// record assembles one output record: keep holds the kept input columns
// (good rows only), out the model's outputs for the same rows.
func (l *layout) record(keep []arrow.Array, out flavors.Batch, rows int) (arrow.RecordBatch, error) {
	mem := memory.DefaultAllocator
	cols := make([]arrow.Array, 0, len(l.schema.Fields()))
	defer func() {
		for _, c := range cols[len(keep):] {
			c.Release()
		}
	}()
	cols = append(cols, keep...)
	for i, sp := range l.outputs {
		t, ok := out.Get(sp.Name)
		if !ok {
			return nil, fmt.Errorf("the model returned no output %q (it returned %v)", sp.Name, out.Names())
		}
		if t.DType != sp.DType {
			c, err := flavors.Cast(t, sp.DType)
			if err != nil {
				return nil, fmt.Errorf("output %q: %w", sp.Name, err)
			}
			t = c
		}
		w := l.widths[i]
		if t.Len() != rows*w {
			return nil, fmt.Errorf("output %q: %d values for %d rows, expected %d per row", sp.Name, t.Len(), rows, w)
		}
		for k := 0; k < w; k++ {
			a, err := buildColumn(mem, t, k, w, rows)
			if err != nil {
				return nil, err
			}
			cols = append(cols, a)
		}
	}
	sb := array.NewStringBuilder(mem)
	for _, v := range []string{l.uuid, l.version} {
		sb.Reserve(rows)
		for r := 0; r < rows; r++ {
			sb.Append(v)
		}
		cols = append(cols, sb.NewArray())
	}
	sb.Release()
	tb := array.NewTimestampBuilder(mem, l.schema.Field(len(l.schema.Fields())-1).Type.(*arrow.TimestampType))
	tb.Reserve(rows)
	for r := 0; r < rows; r++ {
		tb.Append(l.scoredAt)
	}
	cols = append(cols, tb.NewArray())
	tb.Release()
	return array.NewRecordBatch(l.schema, cols, int64(rows)), nil
}

// buildColumn takes element k of every row of a [rows, w] tensor.
func buildColumn(mem memory.Allocator, t flavors.Tensor, k, w, rows int) (arrow.Array, error) {
	typ, err := arrowType(t.DType)
	if err != nil {
		return nil, err
	}
	b := array.NewBuilder(mem, typ)
	defer b.Release()
	b.Reserve(rows)
	for r := 0; r < rows; r++ {
		i := r*w + k
		if t.IsNull(i) {
			b.AppendNull()
			continue
		}
		switch d := t.Data.(type) {
		case []float64:
			b.(*array.Float64Builder).Append(d[i])
		case []float32:
			b.(*array.Float32Builder).Append(d[i])
		case []uint16:
			if t.DType == flavors.FP16 {
				b.(*array.Float16Builder).Append(float16.FromBits(d[i]))
			} else {
				b.(*array.Uint16Builder).Append(d[i])
			}
		case []int64:
			b.(*array.Int64Builder).Append(d[i])
		case []int32:
			b.(*array.Int32Builder).Append(d[i])
		case []int16:
			b.(*array.Int16Builder).Append(d[i])
		case []int8:
			b.(*array.Int8Builder).Append(d[i])
		case []uint64:
			b.(*array.Uint64Builder).Append(d[i])
		case []uint32:
			b.(*array.Uint32Builder).Append(d[i])
		case []uint8:
			b.(*array.Uint8Builder).Append(d[i])
		case []bool:
			b.(*array.BooleanBuilder).Append(d[i])
		case []string:
			b.(*array.StringBuilder).Append(d[i])
		default:
			return nil, fmt.Errorf("output %q: data of Go type %T", t.Name, t.Data)
		}
	}
	return b.NewArray(), nil
}

// keepColumns takes the kept columns of a chunk, without its bad rows.
func keepColumns(rec arrow.RecordBatch, idx []int, bad []bool) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(idx))
	for j, c := range idx {
		col := rec.Column(c)
		if bad == nil {
			col.Retain()
			out[j] = col
			continue
		}
		var pieces []arrow.Array
		start := -1
		for r := 0; r <= len(bad); r++ {
			good := r < len(bad) && !bad[r]
			if good && start < 0 {
				start = r
			}
			if !good && start >= 0 {
				pieces = append(pieces, array.NewSlice(col, int64(start), int64(r)))
				start = -1
			}
		}
		var merged arrow.Array
		var err error
		if len(pieces) == 0 {
			merged = array.MakeArrayOfNull(memory.DefaultAllocator, col.DataType(), 0)
		} else {
			merged, err = array.Concatenate(pieces, memory.DefaultAllocator)
		}
		for _, p := range pieces {
			p.Release()
		}
		if err != nil {
			return nil, err
		}
		out[j] = merged
	}
	return out, nil
}
