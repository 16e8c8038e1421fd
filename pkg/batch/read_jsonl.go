package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// maxLineBytes bounds one JSON line.
const maxLineBytes = 16 << 20

// jsonlChunks reads one JSON object per line into text columns: a string
// value as itself, a number, boolean, list or object as its JSON text, and
// null or an absent key as null. convert types them, as it does CSV cells,
// so both formats accept and refuse the same values. A line that is not a
// JSON object is a rejected row, not the end of the file.
type jsonlChunks struct {
	name   string
	br     *bufio.Reader
	schema *arrow.Schema
	cols   []string
	chunk  int
	rows   int64
	line   []byte
	fields map[string]json.RawMessage
}

func newJSONLChunks(r io.Reader, name string, rs readSpec) (*jsonlChunks, error) {
	fields := make([]arrow.Field, len(rs.columns))
	for i, c := range rs.columns {
		fields[i] = arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	return &jsonlChunks{
		name:   name,
		br:     bufio.NewReaderSize(r, 1<<20),
		schema: arrow.NewSchema(fields, nil),
		cols:   rs.columns,
		chunk:  rs.chunkRows,
	}, nil
}

// nextLine returns the next non-blank line; too long means it was cut.
func (j *jsonlChunks) nextLine() (line []byte, tooLong bool, err error) {
	for {
		j.line = j.line[:0]
		for {
			part, err := j.br.ReadSlice('\n')
			if len(j.line)+len(part) > maxLineBytes {
				tooLong = true
			} else {
				j.line = append(j.line, part...)
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, false, err
			}
			if len(bytes.TrimSpace(j.line)) > 0 || tooLong {
				return j.line, tooLong, nil
			}
			if err != nil {
				return nil, false, io.EOF
			}
			break
		}
	}
}

func (j *jsonlChunks) Next() (chunk, error) {
	bld := array.NewRecordBuilder(memory.DefaultAllocator, j.schema)
	defer bld.Release()
	builders := make([]*array.StringBuilder, len(j.cols))
	for i := range builders {
		builders[i] = bld.Field(i).(*array.StringBuilder)
		builders[i].Reserve(j.chunk)
	}
	ch := chunk{firstRow: j.rows}
	n := 0
	for n < j.chunk {
		line, tooLong, err := j.nextLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return chunk{}, fmt.Errorf("input %s: %w", j.name, err)
		}
		row := j.rows + int64(n)
		if reason := j.parse(line, tooLong); reason != "" {
			ch.bad = append(ch.bad, rowError{Row: row, Reason: reason})
			for _, b := range builders {
				b.AppendNull()
			}
		} else {
			for i, c := range j.cols {
				appendJSONText(builders[i], j.fields[c])
			}
		}
		n++
	}
	if n == 0 {
		return chunk{}, io.EOF
	}
	j.rows += int64(n)
	ch.rec = bld.NewRecordBatch()
	return ch, nil
}

// parse decodes a line into j.fields and says why it cannot, or "".
func (j *jsonlChunks) parse(line []byte, tooLong bool) string {
	if tooLong {
		return fmt.Sprintf("line longer than %d bytes", maxLineBytes)
	}
	clear(j.fields)
	if err := json.Unmarshal(line, &j.fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return fmt.Sprintf("expected a JSON object of column values, got a JSON %s", typeErr.Value)
		}
		return fmt.Sprintf("not valid JSON: %v", err)
	}
	return ""
}

func appendJSONText(b *array.StringBuilder, raw json.RawMessage) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0, string(raw) == "null":
		b.AppendNull()
	case raw[0] == '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			b.Append(s)
		} else {
			b.AppendNull()
		}
	default:
		b.Append(string(raw))
	}
}

func (j *jsonlChunks) Digest() string { return "" }
func (j *jsonlChunks) Close() error   { return nil }

// jsonlColumns lists the keys of the first JSON line, in their order.
func jsonlColumns(r io.Reader, name string) ([]string, error) {
	j := &jsonlChunks{br: bufio.NewReaderSize(r, 1<<20)}
	line, tooLong, err := j.nextLine()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil || tooLong {
		return nil, fmt.Errorf("input %s: first line: cannot read column names", name)
	}
	d := json.NewDecoder(bytes.NewReader(line))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("input %s: first line is not a JSON object", name)
	}
	var keys []string
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("input %s: first line: %v", name, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := d.Decode(&skip); err != nil {
			return nil, fmt.Errorf("input %s: first line: %v", name, err)
		}
	}
	return keys, nil
}
