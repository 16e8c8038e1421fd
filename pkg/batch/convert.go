package batch

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// converted is a chunk's inputs as tensors, with the rows that could not
// be converted marked and explained.
type converted struct {
	batch flavors.Batch
	bad   []bool // per row of the chunk; nil when every row converted
	errs  []rowError
}

func (c *converted) reject(i int, rows int, e rowError) {
	if c.bad == nil {
		c.bad = make([]bool, rows)
	}
	if !c.bad[i] {
		c.bad[i] = true
		c.errs = append(c.errs, e)
	}
}

// toBatch converts the signature's columns of a chunk into tensors of the
// signature's dtypes. Text (CSV cells, JSON values) is parsed as mlctl
// predict parses it; typed Parquet columns convert by value, and a value
// the dtype cannot hold (a fraction for INT64, say) rejects the row. cols
// gives, for each spec, its column in ch.rec.
func toBatch(ch chunk, inputs []flavors.Spec, cols []int) converted {
	rows := int(ch.rec.NumRows())
	var c converted
	for _, e := range ch.bad {
		c.reject(int(e.Row-ch.firstRow), rows, e)
	}
	c.batch.Tensors = make([]flavors.Tensor, len(inputs))
	for k, sp := range inputs {
		col := newTensorColumn(sp, rows)
		arr := ch.rec.Column(cols[k])
		for i := 0; i < rows; i++ {
			if c.bad != nil && c.bad[i] {
				col.setNull(i)
				continue
			}
			if reason := col.set(i, arr); reason != "" {
				c.reject(i, rows, rowError{Row: ch.firstRow + int64(i), Column: sp.Name, Reason: reason})
				col.setNull(i)
			}
		}
		c.batch.Tensors[k] = col.tensor()
	}
	if c.bad != nil {
		c.batch = dropRows(c.batch, c.bad)
	}
	return c
}

// tensorColumn fills one tensor of the spec's dtype, row by row.
type tensorColumn struct {
	spec flavors.Spec
	f64  []float64
	f32  []float32
	i64  []int64
	str  []string
	b    []bool
	null []bool
}

func newTensorColumn(sp flavors.Spec, rows int) *tensorColumn {
	c := &tensorColumn{spec: sp}
	switch sp.DType {
	case flavors.FP64:
		c.f64 = make([]float64, rows)
	case flavors.FP32:
		c.f32 = make([]float32, rows)
	case flavors.Int64:
		c.i64 = make([]int64, rows)
	case flavors.Bytes:
		c.str = make([]string, rows)
	case flavors.Bool:
		c.b = make([]bool, rows)
	default:
		// Other widths are filled as FP64 and cast once at the end.
		c.f64 = make([]float64, rows)
	}
	return c
}

func (c *tensorColumn) setNull(i int) {
	if c.null == nil {
		c.null = make([]bool, max(len(c.f64), len(c.f32), len(c.i64), len(c.str), len(c.b)))
	}
	c.null[i] = true
	if c.f64 != nil {
		c.f64[i] = math.NaN()
	}
	if c.f32 != nil {
		c.f32[i] = float32(math.NaN())
	}
}

// set stores row i of arr, or says why it cannot.
func (c *tensorColumn) set(i int, arr arrow.Array) string {
	if arr.IsNull(i) {
		return c.missing(i)
	}
	switch a := arr.(type) {
	case *array.String:
		return c.setText(i, a.Value(i))
	case *array.LargeString:
		return c.setText(i, a.Value(i))
	case *array.StringView:
		return c.setText(i, a.Value(i))
	case *array.Boolean:
		if c.str != nil {
			c.str[i] = strconv.FormatBool(a.Value(i))
			return ""
		}
		if c.b != nil {
			c.b[i] = a.Value(i)
			return ""
		}
		return c.setFloat(i, boolFloat(a.Value(i)), func() string { return strconv.FormatBool(a.Value(i)) })
	case *array.Int64:
		if c.i64 != nil {
			c.i64[i] = a.Value(i)
			return ""
		}
		if c.str != nil {
			c.str[i] = strconv.FormatInt(a.Value(i), 10)
			return ""
		}
	}
	f, ok := numericValue(arr, i)
	if !ok {
		return fmt.Sprintf("expected %s, got a value of type %s", c.spec.DType, arr.DataType())
	}
	if c.str != nil {
		c.str[i] = strconv.FormatFloat(f, 'g', -1, 64)
		return ""
	}
	return c.setFloat(i, f, func() string { return strconv.FormatFloat(f, 'g', -1, 64) })
}

func (c *tensorColumn) missing(i int) string {
	if !c.spec.Nullable {
		return fmt.Sprintf("value is missing, expected %s (the field is not nullable)", c.spec.DType)
	}
	c.setNull(i)
	return ""
}

// setText parses a CSV cell or JSON value. Empty, NA, N/A, NaN, null and
// None are missing values, as in mlctl predict.
func (c *tensorColumn) setText(i int, s string) string {
	if c.str != nil {
		c.str[i] = s
		return ""
	}
	t := strings.TrimSpace(s)
	if isMissingText(t) {
		return c.missing(i)
	}
	if c.b != nil {
		v, err := strconv.ParseBool(t)
		if err != nil {
			return fmt.Sprintf("expected %s, got %s", c.spec.DType, strconv.Quote(s))
		}
		c.b[i] = v
		return ""
	}
	if c.i64 != nil {
		if v, err := strconv.ParseInt(t, 10, 64); err == nil {
			c.i64[i] = v
			return ""
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return fmt.Sprintf("expected %s, got %s", c.spec.DType, strconv.Quote(s))
	}
	return c.setFloat(i, f, func() string { return strconv.Quote(s) })
}

// setFloat stores a number, refusing what the dtype cannot hold.
func (c *tensorColumn) setFloat(i int, f float64, shown func() string) string {
	dt := c.spec.DType
	if dt.IsInteger() {
		lo, hi := intRange(dt)
		if math.IsNaN(f) || f != math.Trunc(f) || f < lo || f > hi {
			return fmt.Sprintf("expected %s, got %s", dt, shown())
		}
	}
	switch {
	case c.f64 != nil:
		c.f64[i] = f
	case c.f32 != nil:
		c.f32[i] = float32(f)
	case c.i64 != nil:
		c.i64[i] = int64(f)
	case c.b != nil:
		c.b[i] = f != 0 && !math.IsNaN(f)
	}
	return ""
}

func (c *tensorColumn) tensor() flavors.Tensor {
	t := flavors.Tensor{Name: c.spec.Name, DType: c.spec.DType, Null: c.null}
	switch {
	case c.f32 != nil:
		t.Data = c.f32
	case c.i64 != nil:
		t.Data = c.i64
	case c.str != nil:
		t.Data = c.str
	case c.b != nil:
		t.Data = c.b
	default:
		t.Data = c.f64
	}
	t.Shape = []int64{int64(t.Len())}
	if c.spec.DType != flavors.FP64 && c.f64 != nil {
		// A narrower dtype: values were range-checked, so the cast cannot fail.
		t.DType = flavors.FP64
		if cast, err := flavors.Cast(t, c.spec.DType); err == nil {
			return cast
		}
	}
	return t
}

// numericValue reads element i of a numeric arrow array as float64.
func numericValue(arr arrow.Array, i int) (float64, bool) {
	switch a := arr.(type) {
	case *array.Float64:
		return a.Value(i), true
	case *array.Float32:
		return float64(a.Value(i)), true
	case *array.Float16:
		return float64(a.Value(i).Float32()), true
	case *array.Int64:
		return float64(a.Value(i)), true
	case *array.Int32:
		return float64(a.Value(i)), true
	case *array.Int16:
		return float64(a.Value(i)), true
	case *array.Int8:
		return float64(a.Value(i)), true
	case *array.Uint64:
		return float64(a.Value(i)), true
	case *array.Uint32:
		return float64(a.Value(i)), true
	case *array.Uint16:
		return float64(a.Value(i)), true
	case *array.Uint8:
		return float64(a.Value(i)), true
	case *array.Boolean:
		return boolFloat(a.Value(i)), true
	}
	return 0, false
}

// convertible reports whether batch can read a column of type dt.
func convertible(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW, arrow.BOOL,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func isMissingText(s string) bool {
	switch s {
	case "", "NA", "N/A", "NaN", "nan", "null", "NULL", "None":
		return true
	}
	return false
}

func intRange(d flavors.DType) (float64, float64) {
	switch d {
	case flavors.Int8:
		return math.MinInt8, math.MaxInt8
	case flavors.Int16:
		return math.MinInt16, math.MaxInt16
	case flavors.Int32:
		return math.MinInt32, math.MaxInt32
	case flavors.Uint8:
		return 0, math.MaxUint8
	case flavors.Uint16:
		return 0, math.MaxUint16
	case flavors.Uint32:
		return 0, math.MaxUint32
	case flavors.Uint64:
		return 0, 1 << 64
	}
	return -(1 << 63), 1 << 63
}
