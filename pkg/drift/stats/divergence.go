package stats

import (
	"fmt"
	"math"
)

// Shares divides counts by their total.
func Shares(counts []float64) []float64 {
	total := sum(counts)
	out := make([]float64, len(counts))
	for i, c := range counts {
		out[i] = c / total
	}
	return out
}

// FillEmptyShares replaces zero shares, in place, by Evidently's floor: the
// smallest non-zero share / 1e6 when that share is ≤ 1e-4, else 1e-4. There
// is no renormalisation afterwards, as in Evidently.
func FillEmptyShares(shares []float64) {
	minNonZero := math.Inf(1)
	for _, s := range shares {
		if s != 0 {
			minNonZero = min(minNonZero, s)
		}
	}
	if math.IsInf(minNonZero, 1) {
		return
	}
	fill := 1e-4
	if minNonZero <= 1e-4 {
		fill = minNonZero / 1e6
	}
	for i, s := range shares {
		if s == 0 {
			shares[i] = fill
		}
	}
}

// PSI is the population stability index Σ (r − c)·ln(r/c) over aligned bin
// counts, with empty bins filled as FillEmptyShares does.
func PSI(refCounts, curCounts []float64) (float64, error) {
	if err := checkAligned("psi", refCounts, curCounts); err != nil {
		return math.NaN(), err
	}
	r, c := Shares(refCounts), Shares(curCounts)
	FillEmptyShares(r)
	FillEmptyShares(c)
	psi := 0.0
	for i := range r {
		psi += (r[i] - c[i]) * math.Log(r[i]/c[i])
	}
	return psi, nil
}

// JensenShannon is scipy.spatial.distance.jensenshannon(p, q) with the
// natural log: the square root of the Jensen-Shannon divergence of the two
// count vectors after normalising each (at most √ln2).
func JensenShannon(refCounts, curCounts []float64) (float64, error) {
	if err := checkAligned("jensen-shannon", refCounts, curCounts); err != nil {
		return math.NaN(), err
	}
	p, q := Shares(refCounts), Shares(curCounts)
	left, right := 0.0, 0.0
	for i := range p {
		m := (p[i] + q[i]) / 2
		left += relEntr(p[i], m)
		right += relEntr(q[i], m)
	}
	return math.Sqrt((left + right) / 2), nil
}

// relEntr is scipy.special.rel_entr.
func relEntr(x, y float64) float64 {
	switch {
	case x > 0 && y > 0:
		return x * math.Log(x/y)
	case x == 0 && y >= 0:
		return 0
	default:
		return math.Inf(1)
	}
}

func checkAligned(test string, ref, cur []float64) error {
	if len(ref) != len(cur) {
		return fmt.Errorf("%s: %d reference bins but %d current bins", test, len(ref), len(cur))
	}
	if len(ref) == 0 {
		return fmt.Errorf("%s: no bins", test)
	}
	if sum(ref) <= 0 || sum(cur) <= 0 {
		return fmt.Errorf("%s: an empty side (reference %g rows, current %g)", test, sum(ref), sum(cur))
	}
	return nil
}
