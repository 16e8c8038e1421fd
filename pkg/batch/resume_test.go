package batch_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/batch"
)

// interrupting is an input that cancels the run once `after` bytes of it
// have been read: Ctrl-C in the middle of a part.
type interrupting struct {
	batch.Source
	after  int64
	cancel context.CancelFunc
}

func (s interrupting) Open(ctx context.Context) (io.ReadCloser, error) {
	rc, err := s.Source.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &cancelAfter{ReadCloser: rc, left: s.after, cancel: s.cancel}, nil
}

type cancelAfter struct {
	io.ReadCloser
	left   int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p[:min(len(p), 4096)])
	c.left -= int64(n)
	if c.left <= 0 {
		c.cancel()
	}
	return n, err
}

// TestResumeAfterInterrupt interrupts a run in the middle of its third
// part: no partial part is visible, the rerun scores only what is left, and
// the result is byte for byte the result of a run never interrupted.
func TestResumeAfterInterrupt(t *testing.T) {
	o := packExample(t, "iris_logreg", "model.pmml")
	dir := t.TempDir()
	var inputs []string
	for i := 0; i < 4; i++ {
		p := filepath.Join(dir, fmt.Sprintf("in-%d.csv", i))
		writeRows(t, "iris_logreg", p, 20000, int64(i))
		inputs = append(inputs, p)
	}
	o.Keep, o.BatchRows, o.Workers = []string{"id"}, 500, 3

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	interrupted := o
	interrupted.Sources = mustSources(t, inputs...)
	interrupted.Sources[2] = interrupting{Source: interrupted.Sources[2], after: 200_000, cancel: cancel}
	outA := filepath.Join(dir, "a")
	interrupted.Output = mustDir(t, outA)
	_, err := batch.Run(ctx, interrupted)
	require.ErrorIs(t, err, context.Canceled)
	require.Contains(t, err.Error(), "rerun the same command")

	man, ok, err := batch.ReadManifest(context.Background(), mustDir(t, outA), batch.Shard{})
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, visibleParts(t, outA), partNames(man), "the manifest lists exactly the visible parts")
	require.NotContains(t, visibleParts(t, outA), "part-00002-000.parquet", "the interrupted part is not visible")
	requireNoTemporaries(t, outA)

	resumed := o
	resumed.Sources = mustSources(t, inputs...)
	resumed.Output = mustDir(t, outA)
	sum, err := batch.Run(context.Background(), resumed)
	require.NoError(t, err)
	require.Equal(t, len(man.Parts), sum.PartsSkipped)
	require.Equal(t, 4, sum.Parts+sum.PartsSkipped)

	// A run never interrupted, stamped with the time the first run recorded.
	clean := o
	clean.Sources = mustSources(t, inputs...)
	outB := filepath.Join(dir, "b")
	clean.Output = mustDir(t, outB)
	clean.ScoredAt = man.ScoredAt
	_, err = batch.Run(context.Background(), clean)
	require.NoError(t, err)
	for _, name := range visibleParts(t, outB) {
		a, err := os.ReadFile(filepath.Join(outA, name))
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(outB, name))
		require.NoError(t, err)
		require.True(t, bytes.Equal(a, b), "%s differs between the resumed and the clean run", name)
	}
	require.Len(t, visibleParts(t, outB), 4)
}

func visibleParts(t *testing.T, dir string) []string {
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "part-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func requireNoTemporaries(t *testing.T, dir string) {
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		require.False(t, strings.HasPrefix(e.Name(), ".tmp-"), "temporary %s left behind", e.Name())
	}
}

func partNames(m batch.Manifest) []string {
	var out []string
	for _, p := range m.Parts {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// TestShardsAreDisjointAndCover scores CSV files and a Parquet file split
// by row groups as three shards into one output: every part is written by
// exactly one shard, and together they hold every input row once.
func TestShardsAreDisjointAndCover(t *testing.T) {
	o := packExample(t, "iris_logreg", "model.pmml")
	dir := t.TempDir()
	var inputs []string
	total := 0
	for i := 0; i < 3; i++ {
		p := filepath.Join(dir, fmt.Sprintf("in-%d.csv", i))
		writeRows(t, "iris_logreg", p, 700+i, int64(i))
		inputs = append(inputs, p)
		total += 700 + i
	}
	pq := filepath.Join(dir, "in-3.parquet")
	writeParquetRows(t, filepath.Join(dir, "in-0.csv"), pq, 150) // 700 rows in 5 row groups
	inputs = append(inputs, pq)
	total += 700
	out := filepath.Join(dir, "out")
	o.Keep, o.BatchRows, o.RowGroupsPerPart, o.ScoredAt = []string{"id"}, 64, 2, fixedTime

	owner := map[string]int{}
	var rows int64
	for i := 0; i < 3; i++ {
		s := o
		s.Sources = mustSources(t, inputs...)
		s.Output = mustDir(t, out)
		s.Shard = batch.Shard{Index: i, Count: 3}
		sum, err := batch.Run(context.Background(), s)
		require.NoError(t, err)
		rows += sum.Rows
		man, ok, err := batch.ReadManifest(context.Background(), mustDir(t, out), s.Shard)
		require.NoError(t, err)
		require.True(t, ok)
		for _, p := range man.Parts {
			prev, dup := owner[p.Name]
			require.False(t, dup, "%s written by shard %d and shard %d", p.Name, prev, i)
			owner[p.Name] = i
		}
	}
	want := []string{"part-00000-000.parquet", "part-00001-000.parquet", "part-00002-000.parquet",
		"part-00003-000.parquet", "part-00003-001.parquet", "part-00003-002.parquet"}
	require.Equal(t, want, visibleParts(t, out))
	require.Len(t, owner, len(want))
	require.EqualValues(t, total, rows)

	// The Parquet input's second part starts at its third row group.
	tbl, _ := readParquet(t, filepath.Join(out, "part-00003-001.parquet"))
	ids := stringColumn(t, tbl, "id")
	require.Len(t, ids, 300)
	require.Equal(t, "r300", ids[0])
	require.Equal(t, "r599", ids[299])
}

// writeParquetRows converts a CSV written by writeRows (id + float columns)
// into Parquet with row groups of rowGroup rows.
func writeParquetRows(t *testing.T, csvPath, pqPath string, rowGroup int64) {
	raw, err := os.ReadFile(csvPath)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	header := strings.Split(lines[0], ",")
	fields := []arrow.Field{{Name: header[0], Type: arrow.BinaryTypes.String}}
	for _, h := range header[1:] {
		fields = append(fields, arrow.Field{Name: h, Type: arrow.PrimitiveTypes.Float64})
	}
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, l := range lines[1:] {
		cells := strings.Split(l, ",")
		b.Field(0).(*array.StringBuilder).Append(cells[0])
		for k, c := range cells[1:] {
			var v float64
			fmt.Sscan(c, &v)
			b.Field(k + 1).(*array.Float64Builder).Append(v)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(pqPath)
	require.NoError(t, err)
	w, err := pqarrow.NewFileWriter(sc, f, parquet.NewWriterProperties(parquet.WithMaxRowGroupLength(rowGroup)), pqarrow.DefaultWriterProps())
	require.NoError(t, err)
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.Close())
}
