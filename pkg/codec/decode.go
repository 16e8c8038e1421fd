package codec

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// MaxRows bounds the rows one request may carry.
const MaxRows = 10_000_000

// Format names a request or response encoding.
type Format string

// The encodings this package reads and writes.
const (
	CSV       Format = "csv"
	JSON      Format = "json"
	JSONLines Format = "jsonl"
)

// FormatFromPath guesses the format from a file name: .csv, .jsonl/.ndjson,
// anything else JSON.
func FormatFromPath(p string) Format {
	l := strings.ToLower(p)
	switch {
	case strings.HasSuffix(l, ".csv"):
		return CSV
	case strings.HasSuffix(l, ".jsonl"), strings.HasSuffix(l, ".ndjson"):
		return JSONLines
	}
	return JSON
}

// Decode reads a whole body in the given format.
func Decode(r io.Reader, f Format, inputs []flavors.Spec) (flavors.Batch, error) {
	switch f {
	case CSV:
		return DecodeCSV(r, inputs)
	case JSONLines:
		return DecodeJSONLines(r, inputs)
	case JSON:
		raw, err := io.ReadAll(r)
		if err != nil {
			return flavors.Batch{}, err
		}
		return DecodeJSON(raw, inputs)
	}
	return flavors.Batch{}, fmt.Errorf("unknown format %q: expected csv, json or jsonl", f)
}

// tensorInput reports whether the signature is one multi-dimensional input
// (an image, a [N,K] feature matrix) rather than named columns.
func tensorInput(inputs []flavors.Spec) bool {
	return len(inputs) == 1 && len(inputs[0].Shape) > 1
}

// DecodeCSV reads a CSV body with a header row. Columns are matched to the
// inputs by name; columns the signature does not name are ignored. For a
// single [N,K] tensor input, the K columns form each row in order.
func DecodeCSV(r io.Reader, inputs []flavors.Spec) (flavors.Batch, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return flavors.Batch{}, fmt.Errorf("%w: CSV is empty: expected a header row naming the inputs", flavors.ErrInvalidInput)
	}
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: CSV header: %v", flavors.ErrInvalidInput, err)
	}
	header = append([]string(nil), header...)
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	if tensorInput(inputs) && !contains(header, inputs[0].Name) {
		return decodeCSVTensor(cr, header, inputs[0])
	}
	cols := make([]*column, len(inputs))
	pos := make([]int, len(inputs))
	for i, sp := range inputs {
		cols[i] = newColumn(sp, 0)
		pos[i] = index(header, sp.Name)
		// A nullable field may have empty cells, but a column that is not
		// there at all is a mistake far more often than a choice.
		if pos[i] < 0 {
			return flavors.Batch{}, fmt.Errorf("%w: CSV has no column %q: expected columns %s; found %s", flavors.ErrInvalidInput, sp.Name, flavors.SpecNames(inputs), strings.Join(header, ", "))
		}
	}
	rows, err := eachCSVRecord(cr, func(row int, rec []string) error {
		for i, c := range cols {
			if err := c.addText(row, rec[pos[i]]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return flavors.Batch{}, err
	}
	return finish(cols, rows)
}

// eachCSVRecord calls fn for every data row, bounding the count, and
// returns how many rows there were.
func eachCSVRecord(cr *csv.Reader, fn func(row int, rec []string) error) (int, error) {
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%w: CSV row %d: %v", flavors.ErrInvalidInput, rows, err)
		}
		if rows >= MaxRows {
			return 0, fmt.Errorf("%w: more than %d rows", flavors.ErrInvalidInput, MaxRows)
		}
		if err := fn(rows, rec); err != nil {
			return 0, err
		}
		rows++
	}
}

func decodeCSVTensor(cr *csv.Reader, header []string, sp flavors.Spec) (flavors.Batch, error) {
	c := newColumn(sp, 0)
	if c.width > 0 && len(header) != c.width {
		return flavors.Batch{}, fmt.Errorf("%w: input %q takes %d values per row (shape %s); the CSV has %d columns", flavors.ErrInvalidInput, sp.Name, c.width, flavors.FormatShape(sp.Shape), len(header))
	}
	rows, err := eachCSVRecord(cr, func(row int, rec []string) error {
		for _, cell := range rec {
			if err := c.addText(row, cell); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return flavors.Batch{}, err
	}
	c.width = len(header)
	return finish([]*column{c}, rows)
}

// DecodeJSON reads an MLflow scoring request (an object with exactly one of
// dataframe_split, dataframe_records, instances or inputs) or an Open
// Inference Protocol request ({"inputs": [{"name", "datatype", "shape",
// "data"}]}).
func DecodeJSON(raw []byte, inputs []flavors.Spec) (flavors.Batch, error) {
	if b, ok := decodeNumeric(raw, inputs); ok {
		return b, nil
	}
	return decodeGeneric(raw, inputs)
}

// decodeGeneric decodes any accepted shape through a tree of values, and
// words every error.
func decodeGeneric(raw []byte, inputs []flavors.Spec) (flavors.Batch, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var top any
	if err := d.Decode(&top); err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: body is not valid JSON: %v", flavors.ErrInvalidInput, err)
	}
	if d.More() {
		return flavors.Batch{}, fmt.Errorf("%w: body holds more than one JSON value (for JSON lines use the .jsonl format)", flavors.ErrInvalidInput)
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return flavors.Batch{}, fmt.Errorf("%w: the body is a JSON %s; expected an object with one of the keys %s", flavors.ErrInvalidInput, jsonKind(top), acceptedKeys)
	}
	var found []string
	for _, k := range []string{"dataframe_split", "dataframe_records", "instances", "inputs"} {
		if _, ok := obj[k]; ok {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		got := "none of them"
		if len(found) > 1 {
			got = strings.Join(found, " and ")
		}
		return flavors.Batch{}, fmt.Errorf("%w: expected exactly one of the keys %s; got %s", flavors.ErrInvalidInput, acceptedKeys, got)
	}
	v := obj[found[0]]
	switch found[0] {
	case "dataframe_split":
		return decodeSplit(v, inputs)
	case "dataframe_records":
		l, ok := v.([]any)
		if !ok {
			return flavors.Batch{}, fmt.Errorf("%w: dataframe_records must be a list of row objects, got a JSON %s", flavors.ErrInvalidInput, jsonKind(v))
		}
		return decodeRecords(l, inputs)
	}
	if l, ok := v.([]any); ok && found[0] == "inputs" && isOIPTensorList(l) {
		b, err := DecodeTensors(l, inputs)
		if err != nil {
			return flavors.Batch{}, err
		}
		return castToInputs(b, inputs)
	}
	return decodeInstances(found[0], v, inputs)
}

const acceptedKeys = "dataframe_split, dataframe_records, instances, inputs"

// DecodeJSONLines reads one JSON object (a record) or list (a row) per line.
func DecodeJSONLines(r io.Reader, inputs []flavors.Spec) (flavors.Batch, error) {
	d := json.NewDecoder(bufio.NewReader(r))
	d.UseNumber()
	var rows []any
	for {
		var v any
		err := d.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return flavors.Batch{}, fmt.Errorf("%w: JSON lines: line %d: %v", flavors.ErrInvalidInput, len(rows)+1, err)
		}
		if len(rows) >= MaxRows {
			return flavors.Batch{}, fmt.Errorf("%w: more than %d rows", flavors.ErrInvalidInput, MaxRows)
		}
		rows = append(rows, v)
	}
	if len(rows) > 0 {
		if _, ok := rows[0].(map[string]any); ok {
			return decodeRecords(rows, inputs)
		}
	}
	return decodeRows(rows, inputs)
}

func decodeSplit(v any, inputs []flavors.Spec) (flavors.Batch, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return flavors.Batch{}, fmt.Errorf("%w: dataframe_split must be an object with columns and data, got a JSON %s", flavors.ErrInvalidInput, jsonKind(v))
	}
	data, ok := obj["data"].([]any)
	if !ok {
		return flavors.Batch{}, fmt.Errorf("%w: dataframe_split.data must be a list of rows", flavors.ErrInvalidInput)
	}
	colsV, hasCols := obj["columns"]
	if !hasCols {
		return decodeRows(data, inputs)
	}
	colList, ok := colsV.([]any)
	if !ok {
		return flavors.Batch{}, fmt.Errorf("%w: dataframe_split.columns must be a list of names", flavors.ErrInvalidInput)
	}
	header := make([]string, len(colList))
	for i, c := range colList {
		s, ok := c.(string)
		if !ok {
			return flavors.Batch{}, fmt.Errorf("%w: dataframe_split.columns[%d] is not a string", flavors.ErrInvalidInput, i)
		}
		header[i] = s
	}
	if tensorInput(inputs) && !contains(header, inputs[0].Name) {
		return decodeRows(data, inputs)
	}
	cols := make([]*column, len(inputs))
	pos := make([]int, len(inputs))
	for i, sp := range inputs {
		cols[i] = newColumn(sp, len(data))
		pos[i] = index(header, sp.Name)
		if pos[i] < 0 {
			return flavors.Batch{}, fmt.Errorf("%w: dataframe_split has no column %q: expected columns %s", flavors.ErrInvalidInput, sp.Name, flavors.SpecNames(inputs))
		}
	}
	for r, rowV := range data {
		row, ok := rowV.([]any)
		if !ok || len(row) != len(header) {
			return flavors.Batch{}, fmt.Errorf("%w: dataframe_split.data row %d: expected a list of %d values", flavors.ErrInvalidInput, r, len(header))
		}
		for i, c := range cols {
			if err := c.addRow(r, row[pos[i]]); err != nil {
				return flavors.Batch{}, err
			}
		}
	}
	return finish(cols, len(data))
}

func decodeRecords(rows []any, inputs []flavors.Spec) (flavors.Batch, error) {
	if len(rows) > MaxRows {
		return flavors.Batch{}, fmt.Errorf("%w: more than %d rows", flavors.ErrInvalidInput, MaxRows)
	}
	cols := make([]*column, len(inputs))
	for i, sp := range inputs {
		cols[i] = newColumn(sp, len(rows))
	}
	for r, rowV := range rows {
		rec, ok := rowV.(map[string]any)
		if !ok {
			return flavors.Batch{}, fmt.Errorf("%w: row %d: expected an object of field values, got a JSON %s", flavors.ErrInvalidInput, r, jsonKind(rowV))
		}
		for i, c := range cols {
			v, ok := rec[c.spec.Name]
			if !ok && !c.spec.Nullable {
				return flavors.Batch{}, fmt.Errorf("%w: row %d: field %q is missing: expected fields %s", flavors.ErrInvalidInput, r, c.spec.Name, flavors.SpecNames(inputs))
			}
			if err := cols[i].addRow(r, v); err != nil {
				return flavors.Batch{}, err
			}
		}
	}
	return finish(cols, len(rows))
}

// decodeRows reads positional rows: for one tensor input each row is that
// tensor's row; for named columns each row lists one value per input.
func decodeRows(rows []any, inputs []flavors.Spec) (flavors.Batch, error) {
	if len(rows) > MaxRows {
		return flavors.Batch{}, fmt.Errorf("%w: more than %d rows", flavors.ErrInvalidInput, MaxRows)
	}
	if len(inputs) == 1 {
		c := newColumn(inputs[0], len(rows))
		for r, row := range rows {
			if err := c.addRow(r, row); err != nil {
				return flavors.Batch{}, err
			}
		}
		return finish([]*column{c}, len(rows))
	}
	cols := make([]*column, len(inputs))
	for i, sp := range inputs {
		cols[i] = newColumn(sp, len(rows))
	}
	for r, rowV := range rows {
		row, ok := rowV.([]any)
		if !ok || len(row) != len(inputs) {
			return flavors.Batch{}, fmt.Errorf("%w: row %d: expected a list of %d values (%s)", flavors.ErrInvalidInput, r, len(inputs), flavors.SpecNames(inputs))
		}
		for i, c := range cols {
			if err := c.addRow(r, row[i]); err != nil {
				return flavors.Batch{}, err
			}
		}
	}
	return finish(cols, len(rows))
}

// decodeInstances reads TF-Serving style instances/inputs: a list of rows
// or records, or an object of named columns/tensors.
func decodeInstances(key string, v any, inputs []flavors.Spec) (flavors.Batch, error) {
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			if _, ok := x[0].(map[string]any); ok {
				return decodeRecords(x, inputs)
			}
		}
		return decodeRows(x, inputs)
	case map[string]any:
		cols := make([]*column, len(inputs))
		rows := -1
		for i, sp := range inputs {
			cols[i] = newColumn(sp, 0)
			val, ok := x[sp.Name]
			if !ok {
				if sp.Nullable {
					continue
				}
				return flavors.Batch{}, fmt.Errorf("%w: %s has no tensor %q: expected %s", flavors.ErrInvalidInput, key, sp.Name, flavors.SpecNames(inputs))
			}
			l, ok := val.([]any)
			if !ok {
				return flavors.Batch{}, fmt.Errorf("%w: %s.%s must be a list with one entry per row", flavors.ErrInvalidInput, key, sp.Name)
			}
			if rows >= 0 && len(l) != rows {
				return flavors.Batch{}, fmt.Errorf("%w: %s.%s has %d rows, other inputs have %d", flavors.ErrInvalidInput, key, sp.Name, len(l), rows)
			}
			rows = len(l)
			for r, e := range l {
				if err := cols[i].addRow(r, e); err != nil {
					return flavors.Batch{}, err
				}
			}
		}
		for i, sp := range inputs {
			if _, ok := x[sp.Name]; !ok {
				for r := 0; r < max(rows, 0); r++ {
					if err := cols[i].addNull(r); err != nil {
						return flavors.Batch{}, err
					}
				}
			}
		}
		for k := range x {
			if _, ok := flavors.FindSpec(inputs, k); !ok {
				return flavors.Batch{}, fmt.Errorf("%w: %s has unknown tensor %q: expected %s", flavors.ErrInvalidInput, key, k, flavors.SpecNames(inputs))
			}
		}
		return finish(cols, max(rows, 0))
	}
	return flavors.Batch{}, fmt.Errorf("%w: %s must be a list of rows or an object of named tensors, got a JSON %s", flavors.ErrInvalidInput, key, jsonKind(v))
}

func finish(cols []*column, rows int) (flavors.Batch, error) {
	b := flavors.Batch{Tensors: make([]flavors.Tensor, 0, len(cols))}
	for _, c := range cols {
		t := c.tensor(rows)
		if err := t.Validate(); err != nil {
			return flavors.Batch{}, fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
		}
		b.Tensors = append(b.Tensors, t)
	}
	return b, nil
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// castToInputs converts tensors to the dtypes the inputs declare, as the
// MLflow protocol does with a DataFrame's columns.
func castToInputs(b flavors.Batch, inputs []flavors.Spec) (flavors.Batch, error) {
	for i, t := range b.Tensors {
		if sp, ok := flavors.FindSpec(inputs, t.Name); ok && sp.DType != t.DType {
			c, err := flavors.Cast(t, sp.DType)
			if err != nil {
				return flavors.Batch{}, err
			}
			b.Tensors[i] = c
		}
	}
	return b, nil
}
