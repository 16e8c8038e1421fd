package batch

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	arrowcsv "github.com/apache/arrow-go/v18/arrow/csv"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// maxHeaderBytes bounds a CSV header row.
const maxHeaderBytes = 1 << 20

// csvChunks reads CSV through arrow's reader in chunks of many rows (its
// default of one row per record is ten times slower). Every column is read
// as text and typed by convert, so that a bad cell names its row and
// column and can be skipped: arrow's typed parse stops the whole file at
// the first bad cell and does not say where.
type csvChunks struct {
	name   string
	header []string
	pick   []int // the header position of each column asked for
	out    *arrow.Schema
	r      *arrowcsv.Reader
	rows   int64
}

func newCSVChunks(r io.Reader, name string, rs readSpec) (*csvChunks, error) {
	br := bufio.NewReaderSize(r, maxHeaderBytes)
	header, err := peekCSVHeader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: input %s: %v", flavors.ErrInvalidInput, name, err)
	}
	if err := missingColumns(name, rs.columns, header); err != nil {
		return nil, err
	}
	// An explicit schema of every column: arrow's inferring reader, which
	// could read a subset, panics on a file with a header and no rows.
	fields := make([]arrow.Field, len(header))
	for i, h := range header {
		fields[i] = arrow.Field{Name: h, Type: arrow.BinaryTypes.String}
	}
	pick := make([]int, len(rs.columns))
	outFields := make([]arrow.Field, len(rs.columns))
	for i, c := range rs.columns {
		pick[i] = index(header, c)
		outFields[i] = arrow.Field{Name: c, Type: arrow.BinaryTypes.String}
	}
	ar := arrowcsv.NewReader(br, arrow.NewSchema(fields, nil),
		arrowcsv.WithHeader(true),
		arrowcsv.WithChunk(max(rs.chunkRows, 2)),
	)
	return &csvChunks{name: name, header: header, r: ar, pick: pick, out: arrow.NewSchema(outFields, nil)}, nil
}

// peekCSVHeader parses the header row without consuming it.
func peekCSVHeader(br *bufio.Reader) ([]string, error) {
	buf, err := br.Peek(maxHeaderBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if bytes.HasPrefix(buf, []byte("\ufeff")) {
		// A byte-order mark (Excel writes one) is not part of the first name.
		br.Discard(3)
		buf = buf[3:]
	}
	if len(buf) == 0 {
		return nil, errors.New("the file is empty: expected a header row naming the columns")
	}
	header, err := csv.NewReader(bytes.NewReader(buf)).Read()
	if err != nil {
		return nil, fmt.Errorf("header row: %v", err)
	}
	return header, nil
}

func (c *csvChunks) Next() (chunk, error) {
	if !c.r.Next() {
		if err := c.r.Err(); err != nil {
			return chunk{}, c.wrap(err)
		}
		return chunk{}, io.EOF
	}
	if err := c.r.Err(); err != nil {
		return chunk{}, c.wrap(err)
	}
	rec := c.r.RecordBatch()
	cols := make([]arrow.Array, len(c.pick))
	for i, p := range c.pick {
		cols[i] = rec.Column(p)
	}
	ch := chunk{rec: array.NewRecordBatch(c.out, cols, rec.NumRows()), firstRow: c.rows}
	c.rows += rec.NumRows()
	return ch, nil
}

func (c *csvChunks) wrap(err error) error {
	return fmt.Errorf("%w: input %s: after row %d: %v", flavors.ErrInvalidInput, c.name, c.rows, err)
}

func (c *csvChunks) Digest() string { return "" }

func (c *csvChunks) Close() error {
	c.r.Release()
	return nil
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
