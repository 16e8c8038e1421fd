package pickle

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// benchBatches are the batch sizes of the flavor benchmark in BENCHMARKS.md.
var benchBatches = []int{1, 256, 4096}

// irisBatch cycles the iris rows into an [n,4] FP64 tensor.
func irisBatch(tb testing.TB, n int) flavors.Batch {
	rows := expected(tb, "iris_np.pkl").Rows
	cycled := make([][]float64, n)
	for i := range cycled {
		cycled[i] = rows[i%len(rows)]
	}
	return matrix(cycled)
}

// BenchmarkPredict times Predict through the sidecar on the iris
// LogisticRegression; BenchmarkScikitLearnInProcess times the same work in
// Python. Run both in one go and divide rows/s at each batch size:
//
//	go test ./pkg/flavors/pickle -run '^$' -bench 'Predict|InProcess' -count 5
func BenchmarkPredict(b *testing.B) {
	m := load(b, "iris_np.pkl", flavors.LoadOptions{})
	for _, n := range benchBatches {
		in := irisBatch(b, n)
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := m.Predict(b.Context(), in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkScikitLearnInProcess runs testdata/bench_inprocess.py, which
// times predict + predict_proba inside Python for at least a second, and
// reports its per-call time as ns/op so the two benchmarks line up. The
// script picks its own repetitions, so one run of this function (b.N = 1,
// longer than the default -benchtime) is the whole measurement.
func BenchmarkScikitLearnInProcess(b *testing.B) {
	model := filepath.Join(models(b), "iris_np.pkl")
	for _, n := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			out, err := exec.Command(defaultPython, filepath.Join("testdata", "bench_inprocess.py"), model, strconv.Itoa(n)).Output()
			if err != nil {
				b.Fatalf("bench_inprocess.py: %v", err)
			}
			var ns float64
			for _, field := range strings.Fields(string(out)) {
				if v, ok := strings.CutPrefix(field, "ns_per_call="); ok {
					ns, err = strconv.ParseFloat(v, 64)
				}
			}
			if err != nil || ns == 0 {
				b.Fatalf("bench_inprocess.py printed %q", out)
			}
			b.ReportMetric(ns, "ns/op")
			b.ReportMetric(float64(n)*1e9/ns, "rows/s")
		})
	}
}
