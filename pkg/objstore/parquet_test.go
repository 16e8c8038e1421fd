package objstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/objstore"
)

// TestS3Parquet writes a Parquet file through an S3 Writer in several row
// groups, reads it back through ranged GETs with arrow-go, and has DuckDB
// read the same bytes: the path pkg/batch takes for s3:// outputs.
func TestS3Parquet(t *testing.T) {
	e := newS3Env(t, objstore.Options{ReadAhead: 16 << 10})
	ctx := context.Background()
	loc := e.loc(t, "scores/part-00000.parquet")

	const rows, perGroup = 50_000, 10_000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "prediction", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	w, err := e.st.Create(ctx, loc)
	require.NoError(t, err)
	defer w.Abort()
	pw, err := pqarrow.NewFileWriter(schema, w, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	require.NoError(t, err)
	require.NoError(t, pw.AppendKeyValueMetadata("mlctl.input", "s3://in/x.csv"))
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for start := 0; start < rows; start += perGroup {
		for i := start; i < start+perGroup; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.Float64Builder).Append(float64(i) / 4)
		}
		rec := b.NewRecordBatch()
		require.NoError(t, pw.Write(rec))
		rec.Release()
	}
	require.NoError(t, pw.Close())
	require.NoError(t, w.Commit())

	r, err := e.st.OpenRandom(ctx, loc)
	require.NoError(t, err)
	defer r.Close()
	pf, err := file.NewParquetReader(r)
	require.NoError(t, err)
	defer pf.Close()
	assert.Equal(t, int64(rows), pf.NumRows())
	assert.Equal(t, rows/perGroup, pf.NumRowGroups())
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	require.NoError(t, err)
	tbl, err := fr.ReadTable(ctx)
	require.NoError(t, err)
	defer tbl.Release()
	ids := tbl.Column(0).Data().Chunks()
	last := ids[len(ids)-1].(*array.Int64)
	assert.Equal(t, int64(rows-1), last.Value(last.Len()-1))

	data, err := objstore.New(objstore.Options{
		S3Endpoint: e.srv.Endpoint, S3Credentials: e.srv.Credentials(),
	}).Get(ctx, loc)
	require.NoError(t, err)
	local := filepath.Join(t.TempDir(), "part-00000.parquet")
	require.NoError(t, os.WriteFile(local, data, 0o644))
	got := testenv.ReadParquetWithDuckDB(t, local)
	require.Len(t, got.Rows, rows)
	assert.Equal(t, int64(12345), got.Rows[12345]["id"])
	assert.Equal(t, 12345.0/4, got.Rows[12345]["prediction"])
	assert.Equal(t, "s3://in/x.csv", got.Metadata["mlctl.input"])
}
