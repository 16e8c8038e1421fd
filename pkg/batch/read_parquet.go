package batch

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// parquetFile is an open Parquet input.
type parquetFile struct {
	ra  ReaderAtCloser
	pf  *file.Reader
	far *pqarrow.FileReader
}

func openParquetFile(ctx context.Context, src Source, chunkRows int, counter *atomic.Int64) (*parquetFile, error) {
	ra, err := src.OpenAt(ctx)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", src.Name(), err)
	}
	sr := io.NewSectionReader(&countingReaderAt{r: ra, n: counter}, 0, src.Size())
	pf, err := file.NewParquetReader(sr)
	if err != nil {
		ra.Close()
		return nil, fmt.Errorf("%w: input %s: not a readable Parquet file: %v", flavors.ErrInvalidInput, src.Name(), err)
	}
	props := pqarrow.ArrowReadProperties{BatchSize: int64(max(chunkRows, 1))}
	far, err := pqarrow.NewFileReader(pf, props, memory.DefaultAllocator)
	if err != nil {
		pf.Close()
		ra.Close()
		return nil, fmt.Errorf("%w: input %s: %v", flavors.ErrInvalidInput, src.Name(), err)
	}
	return &parquetFile{ra: ra, pf: pf, far: far}, nil
}

func (p *parquetFile) Close() error {
	p.pf.Close()
	return p.ra.Close()
}

// columns lists the top-level column names.
func (p *parquetFile) columns() ([]string, error) {
	sc, err := p.far.Schema()
	if err != nil {
		return nil, err
	}
	names := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		names[i] = f.Name
	}
	return names, nil
}

// rowGroupRows lists the row count of every row group.
func (p *parquetFile) rowGroupRows() []int64 {
	md := p.pf.MetaData()
	out := make([]int64, p.pf.NumRowGroups())
	for i := range out {
		out[i] = md.RowGroup(i).NumRows()
	}
	return out
}

type parquetChunks struct {
	name  string
	file  *parquetFile
	rr    pqarrow.RecordReader
	cols  []string
	rows  int64
	outSc *arrow.Schema
}

func openParquet(ctx context.Context, src Source, rs readSpec) (chunkReader, error) {
	pf, err := openParquetFile(ctx, src, rs.chunkRows, rs.bytesRead)
	if err != nil {
		return nil, err
	}
	c, err := newParquetChunks(ctx, src.Name(), pf, rs)
	if err != nil {
		pf.Close()
		return nil, err
	}
	return c, nil
}

func newParquetChunks(ctx context.Context, name string, pf *parquetFile, rs readSpec) (*parquetChunks, error) {
	have, err := pf.columns()
	if err != nil {
		return nil, fmt.Errorf("%w: input %s: %v", flavors.ErrInvalidInput, name, err)
	}
	if err := missingColumns(name, rs.columns, have); err != nil {
		return nil, err
	}
	sc := pf.pf.MetaData().Schema
	leaves := make([]int, len(rs.columns))
	for i, c := range rs.columns {
		leaves[i] = sc.ColumnIndexByName(c)
		if leaves[i] < 0 {
			return nil, fmt.Errorf("%w: input %s: column %q is nested (a list, map or struct); batch reads flat columns", flavors.ErrInvalidInput, name, c)
		}
	}
	var first int64
	if len(rs.rowGroups) > 0 {
		counts := pf.rowGroupRows()
		for rg := 0; rg < rs.rowGroups[0]; rg++ {
			first += counts[rg]
		}
	}
	rr, err := pf.far.GetRecordReader(ctx, leaves, rs.rowGroups)
	if err != nil {
		return nil, fmt.Errorf("%w: input %s: %v", flavors.ErrInvalidInput, name, err)
	}
	return &parquetChunks{name: name, file: pf, rr: rr, cols: rs.columns, rows: first}, nil
}

func (p *parquetChunks) Next() (chunk, error) {
	if !p.rr.Next() {
		if err := p.rr.Err(); err != nil && err != io.EOF {
			return chunk{}, fmt.Errorf("%w: input %s: after row %d: %v", flavors.ErrInvalidInput, p.name, p.rows, err)
		}
		return chunk{}, io.EOF
	}
	rec := p.rr.RecordBatch()
	// The reader returns columns in file order; put them in the asked order.
	if p.outSc == nil {
		fields := make([]arrow.Field, len(p.cols))
		for i, c := range p.cols {
			idx := rec.Schema().FieldIndices(c)
			if len(idx) == 0 {
				return chunk{}, fmt.Errorf("input %s: column %q not read", p.name, c)
			}
			fields[i] = rec.Schema().Field(idx[0])
		}
		p.outSc = arrow.NewSchema(fields, nil)
	}
	arrs := make([]arrow.Array, len(p.cols))
	for i, c := range p.cols {
		arrs[i] = rec.Column(rec.Schema().FieldIndices(c)[0])
	}
	out := array.NewRecordBatch(p.outSc, arrs, rec.NumRows())
	ch := chunk{rec: out, firstRow: p.rows}
	p.rows += rec.NumRows()
	return ch, nil
}

func (p *parquetChunks) Digest() string { return "" }

func (p *parquetChunks) Close() error {
	p.rr.Release()
	return p.file.Close()
}

// countingReaderAt adds what it reads to n, for progress.
type countingReaderAt struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}
