package batch_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/batch"
)

// TestDuckDBReadsTheOutput reads a part with DuckDB, a Parquet reader
// independent of arrow-go: same rows, same values, the run's metadata.
func TestDuckDBReadsTheOutput(t *testing.T) {
	o := packExample(t, "iris_logreg", "model.pmml")
	dir := t.TempDir()
	in := filepath.Join(dir, "rows.csv")
	const n = 500
	writeRows(t, "iris_logreg", in, n, 3)
	o.Sources, o.Output = mustSources(t, in), mustDir(t, filepath.Join(dir, "out"))
	o.Keep, o.BatchRows, o.ScoredAt, o.Compression = []string{"id"}, 64, fixedTime, "snappy"
	_, err := batch.Run(context.Background(), o)
	require.NoError(t, err)

	part := filepath.Join(dir, "out", "part-00000-000.parquet")
	duck := testenv.ReadParquetWithDuckDB(t, part)
	require.Len(t, duck.Rows, n)
	require.Equal(t, o.ModelUUID, duck.Metadata["mlctl.model_uuid"])
	require.Equal(t, "2026-01-02T03:04:05.000000Z", duck.Metadata["mlctl.scored_at"])

	tbl, _ := readParquet(t, part)
	for _, col := range []string{"id", "label", "probabilities_setosa", "probabilities_virginica", batch.ColumnModelVersion} {
		want := columnValues(t, tbl, col)
		got := duck.Column(col)
		for i := range want {
			var g string
			if f, ok := got[i].(float64); ok {
				g = fmtFloat(f)
			} else {
				g = fmt.Sprint(got[i])
			}
			require.Equal(t, want[i], g, "column %s row %d", col, i)
		}
	}
}
