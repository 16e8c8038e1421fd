package testenv_test

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
)

// writeParquet writes a small scored batch with arrow-go, as pkg/batch does.
func writeParquet(t *testing.T, path string, kv map[string]string) {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "label", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "prediction", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "probabilities", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64)},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, math.MaxInt64}, nil)
	b.Field(1).(*array.StringBuilder).AppendValues([]string{"setosa", "", "virginica"}, []bool{true, false, true})
	b.Field(2).(*array.Float64Builder).AppendValues([]float64{0.25, math.NaN(), math.Inf(-1)}, nil)
	lb := b.Field(3).(*array.ListBuilder)
	vb := lb.ValueBuilder().(*array.Float64Builder)
	for _, probs := range [][]float64{{0.9, 0.1}, {0.5, 0.5}, {0, 1}} {
		lb.Append(true)
		vb.AppendValues(probs, nil)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()

	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := pqarrow.NewFileWriter(schema, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	require.NoError(t, err)
	for k, v := range kv {
		require.NoError(t, w.AppendKeyValueMetadata(k, v))
	}
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
}

func TestReadParquetWithDuckDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "part-00000.parquet")
	writeParquet(t, path, map[string]string{"mlctl.model_uuid": "0b6c-42", "mlctl.input": "s3://b/in.csv"})

	got := testenv.ReadParquetWithDuckDB(t, path)

	assert.Equal(t, []testenv.ParquetColumn{
		{Name: "id", Type: "BIGINT"},
		{Name: "label", Type: "VARCHAR"},
		{Name: "prediction", Type: "DOUBLE"},
		{Name: "probabilities", Type: "DOUBLE[]"},
	}, got.Columns)
	require.Len(t, got.Rows, 3)
	assert.Equal(t, []any{int64(1), int64(2), int64(math.MaxInt64)}, got.Column("id"))
	assert.Equal(t, []any{"setosa", nil, "virginica"}, got.Column("label"))
	pred := got.Column("prediction")
	assert.Equal(t, 0.25, pred[0])
	assert.True(t, math.IsNaN(pred[1].(float64)), "prediction[1] = %v, want NaN", pred[1])
	assert.Equal(t, math.Inf(-1), pred[2])
	assert.Equal(t, []any{[]any{0.9, 0.1}, []any{0.5, 0.5}, []any{0.0, 1.0}}, got.Column("probabilities"))
	assert.Equal(t, "0b6c-42", got.Metadata["mlctl.model_uuid"])
	assert.Equal(t, "s3://b/in.csv", got.Metadata["mlctl.input"])
	assert.Len(t, got.Metadata, 2, "only the metadata written (arrow-go stores no ARROW:schema by default)")
}

func TestReadParquetWithDuckDBFailsOnNonParquet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "not.parquet")
	require.NoError(t, os.WriteFile(path, []byte("id,label\n1,a\n"), 0o644))
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { recover() }()
		testenv.ReadParquetWithDuckDB(ft, path)
	}()
	assert.True(t, ft.failed, "reading a CSV file as Parquet must fail the test")
}

// fatalRecorder records Fatal instead of ending the test, so that a
// helper's failure path can itself be tested.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed = true
	f.Logf("recorded failure: "+format, args...)
	panic("fatal")
}

func (f *fatalRecorder) Fatal(args ...any) {
	f.failed = true
	panic("fatal")
}
