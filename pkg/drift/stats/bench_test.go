package stats

import (
	"fmt"
	"testing"
)

// benchRows is the reference and the current size: 1M rows × 1 column each,
// the shape testdata/bench_scipy.py times in scipy/numpy.
const benchRows = 1_000_000

func benchNumeric(seed uint64, shift float64) []float64 {
	return genNumeric(numSpec{Seed: seed, N: benchRows, Loc: shift, Scale: 1})
}

func benchColumn(b *testing.B, ref, cur []float64, opts Options, want TestName) {
	b.ReportAllocs()
	for b.Loop() {
		r := TestNumeric(ref, cur, opts)
		if r.Test != want || !r.Tested {
			b.Fatalf("ran %s (%s), want %s", r.Test, r.Reason, want)
		}
	}
	b.ReportMetric(float64(len(ref)+len(cur))*float64(b.N)/b.Elapsed().Seconds(), "rows·features/s")
}

// Default for a large continuous column.
func BenchmarkWasserstein1M(b *testing.B) {
	benchColumn(b, benchNumeric(1, 0), benchNumeric(2, 0.1), Options{}, TestWasserstein)
}

func BenchmarkKS1M(b *testing.B) {
	benchColumn(b, benchNumeric(1, 0), benchNumeric(2, 0.1), Options{Test: TestKS}, TestKS)
}

func BenchmarkPSI1M(b *testing.B) {
	benchColumn(b, benchNumeric(1, 0), benchNumeric(2, 0.1), Options{Test: TestPSI}, TestPSI)
}

// Default for a large numeric column with ≤ 5 values.
func BenchmarkJensenShannonFewValues1M(b *testing.B) {
	ref, cur := benchNumeric(1, 0), benchNumeric(2, 0.1)
	bucket := func(x float64) float64 { return float64(min(max(int(x*1.2+2), 0), 4)) }
	for i := range ref {
		ref[i], cur[i] = bucket(ref[i]), bucket(cur[i])
	}
	benchColumn(b, ref, cur, Options{}, TestJensenShannon)
}

// Default for a large categorical column.
func BenchmarkJensenShannonCategorical1M(b *testing.B) {
	labels := make([]string, 50)
	for i := range labels {
		labels[i] = fmt.Sprintf("category-%02d", i)
	}
	mk := func(seed uint64) []string {
		g := splitmix{seed}
		out := make([]string, benchRows)
		for i := range out {
			out[i] = labels[min(g.next()%50, g.next()%50)]
		}
		return out
	}
	ref, cur := Categories{Values: mk(1)}, Categories{Values: mk(2)}
	b.ReportAllocs()
	for b.Loop() {
		if r := TestCategorical(ref, cur, Options{}); r.Test != TestJensenShannon {
			b.Fatalf("ran %s", r.Test)
		}
	}
	b.ReportMetric(float64(2*benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows·features/s")
}
