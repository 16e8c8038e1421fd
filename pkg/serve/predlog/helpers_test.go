package predlog

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/stretchr/testify/require"
)

func tensor(t testing.TB, name string, dtype flavors.DType, shape []int64, data any, null ...bool) flavors.Tensor {
	t.Helper()
	x, err := flavors.NewTensor(name, dtype, shape, data)
	require.NoError(t, err)
	if null != nil {
		x.Null = null
		require.NoError(t, x.Validate())
	}
	return x
}

func batch(ts ...flavors.Tensor) flavors.Batch { return flavors.Batch{Tensors: ts} }

// irisEntry is a one-row classifier request named id.
func irisEntry(t testing.TB, id string) Entry {
	return Entry{
		Time: time.Date(2026, 3, 4, 5, 6, 7, 890, time.UTC), RequestID: id,
		Model: "iris", Version: "2", UUID: "6f1c", Protocol: "v2-rest", Latency: 1230 * time.Microsecond,
		Inputs:  batch(tensor(t, "features", flavors.FP64, []int64{1, 4}, []float64{5.1, 3.5, 1.4, 0.2})),
		Outputs: batch(tensor(t, "label", flavors.Bytes, []int64{1}, []string{"setosa"}), tensor(t, "probabilities", flavors.FP64, []int64{1, 3}, []float64{0.9, 0.07, 0.03})),
	}
}

func readAll(t testing.TB, dir string) []Row {
	t.Helper()
	var rows []Row
	require.NoError(t, ReadDir(dir, func(r Row) error { rows = append(rows, r); return nil }))
	return rows
}

func requestIDs(rows []Row) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.RequestID
	}
	return ids
}

// onlyFile is the path of the single log file in dir.
func onlyFile(t testing.TB, dir string) string {
	t.Helper()
	names, err := logFiles(dir)
	require.NoError(t, err)
	require.Len(t, names, 1, "log files in %s", dir)
	return filepath.Join(dir, names[0])
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}
