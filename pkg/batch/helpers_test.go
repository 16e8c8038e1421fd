package batch_test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/pack"
)

var examples = filepath.Join("..", "..", "examples", "models")

// packExample packs one model file of an example into a bundle directory
// and returns batch options for it.
func packExample(t testing.TB, example, file string) batch.Options {
	t.Helper()
	if strings.HasSuffix(file, ".onnx") {
		if _, err := onnx.LibraryPath(""); err != nil {
			t.Skipf("ONNX Runtime not found: %v", err)
		}
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "bundle")
	_, err := pack.Pack(ctx, pack.Options{Models: []string{filepath.Join(examples, example, file)}, Out: dir, MlctlVersion: "test"})
	require.NoError(t, err)
	b, err := bundle.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	o, err := batch.FromBundle(ctx, b, load.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { o.Model.Close() })
	o.MlctlVersion = "test"
	return o
}

// writeRows writes n rows made from an example's input.csv: its rows in
// turn, each value nudged by a deterministic random amount, so that the
// rows differ and their order can be checked.
func writeRows(t testing.TB, example, path string, n int, seed int64) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(examples, example, "input.csv"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	header, rows := lines[0], lines[1:]
	rng := rand.New(rand.NewSource(seed))
	var sb strings.Builder
	jsonl := strings.HasSuffix(path, ".jsonl")
	names := strings.Split(header, ",")
	if !jsonl {
		sb.WriteString("id," + header + "\n")
	}
	for i := 0; i < n; i++ {
		cells := strings.Split(rows[i%len(rows)], ",")
		if jsonl {
			sb.WriteString(fmt.Sprintf(`{"id":"r%d"`, i))
		} else {
			sb.WriteString(fmt.Sprintf("r%d", i))
		}
		for k, c := range cells {
			var v float64
			fmt.Sscan(c, &v)
			v *= 1 + 0.05*(rng.Float64()-0.5)
			if jsonl {
				sb.WriteString(fmt.Sprintf(`,%q:%v`, names[k], v))
			} else {
				sb.WriteString(fmt.Sprintf(",%v", v))
			}
		}
		if jsonl {
			sb.WriteString("}")
		}
		sb.WriteString("\n")
	}
	require.NoError(t, os.WriteFile(path, []byte(sb.String()), 0o644))
}

// readParquet reads a whole part back with arrow-go's own reader.
func readParquet(t testing.TB, path string) (arrow.Table, map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	pf, err := file.NewParquetReader(f)
	require.NoError(t, err)
	defer pf.Close()
	kv := map[string]string{}
	for _, e := range pf.MetaData().KeyValueMetadata().Keys() {
		v := pf.MetaData().KeyValueMetadata().FindValue(e)
		if v != nil {
			kv[e] = *v
		}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	require.NoError(t, err)
	tbl, err := fr.ReadTable(context.Background())
	require.NoError(t, err)
	t.Cleanup(tbl.Release)
	return tbl, kv
}
