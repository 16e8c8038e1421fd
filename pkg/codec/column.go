package codec

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// column accumulates the cells of one input, typed by its spec.
type column struct {
	spec  flavors.Spec
	width int // elements per row: 1 for a column, K for a [N,K] tensor
	data  any
	null  []bool
	nulls bool
}

func newColumn(sp flavors.Spec, rowsHint int) *column {
	w := 1
	if len(sp.Shape) > 1 {
		w = int(flavors.NumElements(sp.Shape[1:]))
		if w < 0 {
			w = -1 // a variable inner dimension: taken from the first row
		}
	}
	c := &column{spec: sp, width: w}
	c.data, _ = flavors.NewData(sp.DType, 0)
	if rowsHint > 0 && w > 0 {
		c.data, _ = flavors.NewData(sp.DType, 0)
		c.grow(rowsHint * w)
	}
	return c
}

func (c *column) grow(n int) {
	switch d := c.data.(type) {
	case []float64:
		c.data = append(make([]float64, 0, n), d...)
	case []float32:
		c.data = append(make([]float32, 0, n), d...)
	case []int64:
		c.data = append(make([]int64, 0, n), d...)
	case []string:
		c.data = append(make([]string, 0, n), d...)
	}
}

func (c *column) len() int {
	t := flavors.Tensor{Data: c.data}
	return t.Len()
}

// cellError names the row and field of a bad value.
func cellError(row int, name string, dt flavors.DType, got string) error {
	return fmt.Errorf("%w: row %d, input %q: expected %s, got %s", flavors.ErrInvalidInput, row, name, dt, got)
}

// addText appends one value given as text (CSV). Empty, NA, N/A, NaN and
// null are missing values.
func (c *column) addText(row int, s string) error {
	if isMissingText(s) {
		return c.addNull(row)
	}
	dt := c.spec.DType
	switch {
	case dt == flavors.Bytes:
		return c.appendString(s)
	case dt == flavors.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return cellError(row, c.spec.Name, dt, strconv.Quote(s))
		}
		return c.appendFloat(row, boolFloat(b))
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return cellError(row, c.spec.Name, dt, strconv.Quote(s))
	}
	return c.appendFloat(row, f)
}

// addJSON appends one decoded JSON value (json.Number, string, bool, nil,
// or a nested list for a tensor row).
func (c *column) addJSON(row int, v any) error {
	switch x := v.(type) {
	case nil:
		return c.addNull(row)
	case json.Number:
		if c.spec.DType == flavors.Bytes {
			return c.appendString(x.String())
		}
		f, err := x.Float64()
		if err != nil {
			return cellError(row, c.spec.Name, c.spec.DType, x.String())
		}
		return c.appendFloat(row, f)
	case string:
		if c.spec.DType == flavors.Bytes {
			return c.appendString(x)
		}
		// Numbers sent as strings are common from spreadsheets; NaN too.
		return c.addText(row, x)
	case bool:
		if c.spec.DType == flavors.Bytes {
			return c.appendString(strconv.FormatBool(x))
		}
		if c.spec.DType != flavors.Bool {
			return cellError(row, c.spec.Name, c.spec.DType, "a boolean")
		}
		return c.appendFloat(row, boolFloat(x))
	case []any:
		return cellError(row, c.spec.Name, c.spec.DType, "a list")
	case map[string]any:
		return cellError(row, c.spec.Name, c.spec.DType, "an object")
	}
	return cellError(row, c.spec.Name, c.spec.DType, fmt.Sprintf("%T", v))
}

// addRow appends one row of a tensor input: a scalar for width 1, else a
// nested list flattened row-major, whose size must match the shape.
func (c *column) addRow(row int, v any) error {
	if c.width == 1 {
		if l, ok := v.([]any); ok && len(l) == 1 && len(c.spec.Shape) > 1 {
			v = l[0]
		}
		return c.addJSON(row, v)
	}
	before := c.len()
	if err := c.addNested(row, v, 0); err != nil {
		return err
	}
	n := c.len() - before
	if c.width < 0 {
		c.width = n
	}
	if n != c.width {
		return fmt.Errorf("%w: row %d, input %q: expected %d values per row (shape %s), got %d", flavors.ErrInvalidInput, row, c.spec.Name, c.width, flavors.FormatShape(c.spec.Shape), n)
	}
	return nil
}

func (c *column) addNested(row int, v any, depth int) error {
	if depth > 32 {
		return fmt.Errorf("%w: row %d, input %q: lists nested too deep", flavors.ErrInvalidInput, row, c.spec.Name)
	}
	if l, ok := v.([]any); ok {
		for _, e := range l {
			if err := c.addNested(row, e, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return c.addJSON(row, v)
}

func (c *column) addNull(row int) error {
	if !c.spec.Nullable {
		return fmt.Errorf("%w: row %d, input %q: value is missing, expected %s (the field is not nullable)", flavors.ErrInvalidInput, row, c.spec.Name, c.spec.DType)
	}
	for len(c.null) < c.len() {
		c.null = append(c.null, false)
	}
	// Append the placeholder with the mask off, then mark it missing.
	c.nulls = false
	placeholder := math.NaN()
	if !c.spec.DType.IsFloat() {
		placeholder = 0
	}
	if c.spec.DType == flavors.Bytes {
		c.data = append(c.data.([]string), "")
	} else if err := c.appendFloat(row, placeholder); err != nil {
		return err
	}
	c.nulls = true
	c.null = append(c.null, true)
	return nil
}

func (c *column) appendString(s string) error {
	c.data = append(c.data.([]string), s)
	if c.nulls {
		c.null = append(c.null, false)
	}
	return nil
}

// appendFloat stores a number in the column's element type, refusing what
// the type cannot hold.
func (c *column) appendFloat(row int, f float64) error {
	dt := c.spec.DType
	isNaN := math.IsNaN(f)
	if dt.IsInteger() && !isNaN && (f != math.Trunc(f) || math.IsInf(f, 0)) {
		return cellError(row, c.spec.Name, dt, strconv.FormatFloat(f, 'g', -1, 64))
	}
	switch d := c.data.(type) {
	case []float64:
		c.data = append(d, f)
	case []float32:
		c.data = append(d, float32(f))
	case []int64:
		c.data = append(d, int64(f))
	case []int32:
		c.data = append(d, int32(f))
	case []int16:
		c.data = append(d, int16(f))
	case []int8:
		c.data = append(d, int8(f))
	case []uint8:
		c.data = append(d, uint8(f))
	case []uint16:
		if dt == flavors.FP16 {
			c.data = append(d, flavors.Float32ToHalf(float32(f)))
		} else {
			c.data = append(d, uint16(f))
		}
	case []uint32:
		c.data = append(d, uint32(f))
	case []uint64:
		c.data = append(d, uint64(f))
	case []bool:
		c.data = append(d, f != 0)
	case []string:
		c.data = append(d, strconv.FormatFloat(f, 'g', -1, 64))
	}
	if c.nulls {
		c.null = append(c.null, false)
	}
	return nil
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func isMissingText(s string) bool {
	switch strings.TrimSpace(s) {
	case "", "NA", "N/A", "NaN", "nan", "null", "NULL", "None":
		return true
	}
	return false
}

// tensor finishes the column for rows rows.
func (c *column) tensor(rows int) flavors.Tensor {
	shape := []int64{int64(rows)}
	if len(c.spec.Shape) > 1 {
		shape = append(shape, c.spec.Shape[1:]...)
		if c.width > 0 && rows > 0 {
			// Fill variable inner dimensions from the observed row width.
			known := int64(1)
			unknown := -1
			for i := 1; i < len(shape); i++ {
				if shape[i] < 0 {
					unknown = i
				} else {
					known *= shape[i]
				}
			}
			if unknown > 0 && known > 0 {
				shape[unknown] = int64(c.width) / known
			}
		}
	}
	if c.nulls {
		for len(c.null) < c.len() {
			c.null = append(c.null, false)
		}
	}
	return flavors.Tensor{Name: c.spec.Name, DType: c.spec.DType, Shape: shape, Data: c.data, Null: c.null}
}
