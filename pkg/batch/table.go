package batch

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Table streams a data set's rows column by column with the same readers
// batch scores from (CSV, JSON lines, Parquet; local or object store), for
// callers that want the cells rather than model inputs, such as drift
// profiles. Memory is one chunk of rows whatever the input's size.
type Table struct {
	// Fields are the input's columns: all text for CSV and JSON lines, the
	// file's types for Parquet.
	Fields []arrow.Field
	name   string
	r      chunkReader
}

// TableChunk is a run of consecutive rows. Record's columns are Table.Fields
// in order; the caller must Release it.
type TableChunk struct {
	Record   arrow.RecordBatch
	FirstRow int64 // the input row number of the first row, 0-based, header excluded
	// BadRows lists rows the reader could not parse (a JSON line that is not
	// an object), with why; their cells are null.
	BadRows []TableRowError
}

// TableRowError is a row the reader rejected.
type TableRowError struct {
	Row    int64
	Reason string
}

// OpenTable opens src for reading every column, chunkRows rows at a time.
func OpenTable(ctx context.Context, src Source, chunkRows int) (*Table, error) {
	if chunkRows <= 0 {
		chunkRows = 8192
	}
	fields, err := columnsOf(ctx, src)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	r, err := openChunks(ctx, src, readSpec{columns: names, chunkRows: chunkRows})
	if err != nil {
		return nil, err
	}
	return &Table{Fields: fields, name: src.Name(), r: r}, nil
}

// Name is the input's name (a path or URI), for messages.
func (t *Table) Name() string { return t.name }

// Next returns the next chunk, or io.EOF after the last.
func (t *Table) Next() (TableChunk, error) {
	ch, err := t.r.Next()
	if err != nil {
		if err != io.EOF {
			err = fmt.Errorf("input %s: %w", t.name, err)
		}
		return TableChunk{}, err
	}
	out := TableChunk{Record: ch.rec, FirstRow: ch.firstRow}
	for _, b := range ch.bad {
		out.BadRows = append(out.BadRows, TableRowError{Row: b.Row, Reason: b.Reason})
	}
	return out, nil
}

// Close releases the input.
func (t *Table) Close() error { return t.r.Close() }

// CellValue reads element i of a column of any type Table yields: nil when
// null, float64 for numbers (and Parquet integers), string for text, bool
// for booleans. Text is returned as it is; ParseCellText types it.
func CellValue(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.StringView:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	}
	if v, ok := numericValue(arr, i); ok {
		return v
	}
	return arr.ValueStr(i)
}

// ParseCellText reads a CSV or JSON lines cell: nil for the missing-value
// spellings batch accepts ("", NA, NaN, null, None, …), a float64 when the
// text is a number, else the text.
func ParseCellText(s string) any {
	if isMissingText(s) {
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}

// Batch converts a chunk's columns to a model input batch of the given
// specs, as mlctl batch does (text parsed as mlctl predict parses it). A
// row that cannot be converted is an error naming the input, row and
// column: a caller profiling data wants all rows or a clear refusal.
func (t *Table) Batch(ch TableChunk, inputs []flavors.Spec) (flavors.Batch, error) {
	cols := make([]int, len(inputs))
	for k, sp := range inputs {
		cols[k] = -1
		for i, f := range t.Fields {
			if f.Name == sp.Name {
				cols[k] = i
			}
		}
		if cols[k] < 0 {
			return flavors.Batch{}, fmt.Errorf("%w: input %s has no column %q: expected the model's inputs %s", flavors.ErrInvalidInput, t.name, sp.Name, flavors.SpecNames(inputs))
		}
	}
	c := toBatch(chunk{rec: ch.Record, firstRow: ch.FirstRow}, inputs, cols)
	if len(c.errs) > 0 {
		e := c.errs[0]
		return flavors.Batch{}, fmt.Errorf("%w: input %s row %d column %q: %s", flavors.ErrInvalidInput, t.name, e.Row, e.Column, e.Reason)
	}
	return c.batch, nil
}
