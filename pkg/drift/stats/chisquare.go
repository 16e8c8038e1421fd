package stats

import (
	"fmt"
	"math"
)

// ChiSquareResult is Pearson's chi-square goodness-of-fit test.
type ChiSquareResult struct {
	Statistic float64
	DF        int
	PValue    float64
}

// ChiSquare is scipy.stats.chisquare(observed, expected): statistic
// Σ (o−e)²/e with len−1 degrees of freedom. An expected count of 0 with an
// observed count above 0 gives an infinite statistic and p = 0, as in scipy.
func ChiSquare(observed, expected []float64) (ChiSquareResult, error) {
	if len(observed) != len(expected) {
		return ChiSquareResult{}, fmt.Errorf("chi-square: %d observed counts but %d expected", len(observed), len(expected))
	}
	if len(observed) == 0 {
		return ChiSquareResult{}, fmt.Errorf("chi-square: no categories")
	}
	stat := 0.0
	for i, o := range observed {
		e := expected[i]
		d := o - e
		stat += d * d / e
	}
	df := len(observed) - 1
	p := math.NaN()
	if df > 0 {
		p = ChiSquareSF(stat, float64(df))
	}
	return ChiSquareResult{Statistic: stat, DF: df, PValue: p}, nil
}

// ChiSquareFromCounts is Evidently's chi-square drift test on aligned
// per-category counts: expected = reference count × n_cur/n_ref.
func ChiSquareFromCounts(ref, cur []float64) (ChiSquareResult, error) {
	nRef, nCur := sum(ref), sum(cur)
	if nRef == 0 || nCur == 0 {
		return ChiSquareResult{}, fmt.Errorf("chi-square: empty side (reference %g rows, current %g)", nRef, nCur)
	}
	k := nCur / nRef
	expected := make([]float64, len(ref))
	for i, r := range ref {
		expected[i] = r * k
	}
	return ChiSquare(cur, expected)
}

// ZTestResult is the pooled two-proportion Z-test.
type ZTestResult struct {
	Z      float64
	PValue float64
}

// ZTestProportions compares the share x1/n1 with x2/n2 with a pooled
// two-proportion Z-test; p = 2(1 − Φ(|z|)), Evidently's formula (so p
// underflows to 0 the same way). When the pooled share is 0 or 1 there is
// nothing to compare and p = 1.
func ZTestProportions(x1, n1, x2, n2 float64) (ZTestResult, error) {
	if n1 <= 0 || n2 <= 0 {
		return ZTestResult{}, fmt.Errorf("z-test: empty side (reference %g rows, current %g)", n1, n2)
	}
	p1, p2 := x1/n1, x2/n2
	pooled := (p1*n1 + p2*n2) / (n1 + n2)
	if pooled == 0 || pooled == 1 {
		return ZTestResult{Z: 0, PValue: 1}, nil
	}
	z := (p1 - p2) / math.Sqrt(pooled*(1-pooled)*(1/n1+1/n2))
	return ZTestResult{Z: z, PValue: 2 * (1 - NormalCDF(math.Abs(z)))}, nil
}

// ZTestFromCounts is Evidently's Z-test on aligned per-key counts whose first
// entry is the smallest key: the proportion tested is x ≠ smallest key.
func ZTestFromCounts(ref, cur []float64) (ZTestResult, error) {
	if len(ref) == 0 || len(ref) != len(cur) {
		return ZTestResult{}, fmt.Errorf("z-test: %d reference counts, %d current", len(ref), len(cur))
	}
	nRef, nCur := sum(ref), sum(cur)
	return ZTestProportions(nRef-ref[0], nRef, nCur-cur[0], nCur)
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}
