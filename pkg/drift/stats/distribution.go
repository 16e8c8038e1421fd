package stats

import (
	"fmt"
	"math"
)

// Distribution is a numeric sample as its distinct values, ascending, and
// how often each occurs: the exact form a profile keeps, and what the numeric
// tests run on (KS, Wasserstein and the binned tests depend only on it).
type Distribution struct {
	Values []float64
	Counts []float64
}

// NewDistribution collapses a sorted, finite sample.
// The values are compacted in place: sorted's storage becomes d.Values.
func NewDistribution(sorted []float64) Distribution {
	d := Distribution{Values: sorted[:0], Counts: make([]float64, 0, len(sorted))}
	for i, v := range sorted {
		if i > 0 && v == sorted[i-1] {
			d.Counts[len(d.Counts)-1]++
			continue
		}
		d.Values = append(d.Values, v)
		d.Counts = append(d.Counts, 1)
	}
	return d
}

// N is the sample size.
func (d Distribution) N() float64 { return sum(d.Counts) }

// Validate checks that values are finite and strictly ascending and counts
// positive whole numbers.
func (d Distribution) Validate() error {
	if len(d.Values) != len(d.Counts) {
		return fmt.Errorf("distribution: %d values but %d counts", len(d.Values), len(d.Counts))
	}
	for i, v := range d.Values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("distribution: value %d is %v, expected a finite number", i, v)
		}
		if i > 0 && !(v > d.Values[i-1]) {
			return fmt.Errorf("distribution: value %d (%v) not above the previous (%v)", i, v, d.Values[i-1])
		}
		if c := d.Counts[i]; !(c >= 1) || c != math.Trunc(c) || c > 1<<53 {
			return fmt.Errorf("distribution: count %d is %v, expected a positive whole number", i, c)
		}
	}
	return nil
}

// StdPop is the population standard deviation (numpy.std) of the sample.
func (d Distribution) StdPop() float64 {
	n := d.N()
	if n == 0 {
		return math.NaN()
	}
	var s kahan
	for i, v := range d.Values {
		s.add(v * d.Counts[i])
	}
	mean := s.sum() / n
	var ss kahan
	for i, v := range d.Values {
		dv := v - mean
		ss.add(dv * dv * d.Counts[i])
	}
	return math.Sqrt(ss.sum() / n)
}

// mergedCDF walks the distinct values of a ∪ b calling f with each value and
// both empirical CDFs (counts ≤ value / n), like scipy's
// searchsorted(side='right').
func mergedCDF(a, b Distribution, f func(v, fa, fb float64)) {
	na, nb := a.N(), b.N()
	var i, j int
	var ca, cb float64
	for i < len(a.Values) || j < len(b.Values) {
		var v float64
		if j == len(b.Values) || (i < len(a.Values) && a.Values[i] <= b.Values[j]) {
			v = a.Values[i]
		} else {
			v = b.Values[j]
		}
		if i < len(a.Values) && a.Values[i] == v {
			ca += a.Counts[i]
			i++
		}
		if j < len(b.Values) && b.Values[j] == v {
			cb += b.Counts[j]
			j++
		}
		f(v, ca/na, cb/nb)
	}
}

// KSDistributions is KSTwoSample on two distributions.
func KSDistributions(a, b Distribution) KSResult {
	maxS, minS := math.Inf(-1), math.Inf(1)
	mergedCDF(a, b, func(_, fa, fb float64) {
		d := fa - fb
		maxS, minS = max(maxS, d), min(minS, d)
	})
	d := maxS
	if lo := min(max(-minS, 0), 1); lo > maxS {
		d = lo
	}
	return KSFromStatistic(d, int(a.N()), int(b.N()))
}

// WassersteinDistributions is scipy.stats.wasserstein_distance on two
// distributions.
func WassersteinDistributions(a, b Distribution) float64 {
	var acc kahan
	prev, fa0, fb0, first := 0.0, 0.0, 0.0, true
	mergedCDF(a, b, func(v, fa, fb float64) {
		if !first {
			acc.add(math.Abs(fa0-fb0) * (v - prev))
		}
		prev, fa0, fb0, first = v, fa, fb, false
	})
	return acc.sum()
}

// HistogramDistribution is numpy.histogram counts of a distribution.
func HistogramDistribution(d Distribution, edges []float64) []float64 {
	counts := make([]float64, max(len(edges)-1, 0))
	for i, v := range d.Values {
		if b := BinIndex(edges, v); b >= 0 {
			counts[b] += d.Counts[i]
		}
	}
	return counts
}

// alignDistributions lines up per-value counts over the union of values.
func alignDistributions(a, b Distribution) (keys, ca, cb []float64) {
	i, j := 0, 0
	for i < len(a.Values) || j < len(b.Values) {
		var v float64
		if j == len(b.Values) || (i < len(a.Values) && a.Values[i] <= b.Values[j]) {
			v = a.Values[i]
		} else {
			v = b.Values[j]
		}
		var x, y float64
		if i < len(a.Values) && a.Values[i] == v {
			x = a.Counts[i]
			i++
		}
		if j < len(b.Values) && b.Values[j] == v {
			y = b.Counts[j]
			j++
		}
		keys, ca, cb = append(keys, v), append(ca, x), append(cb, y)
	}
	return keys, ca, cb
}

// TestDistributions tests a numeric column given as two distributions;
// missing counts are reported only. TestNumeric is this after sorting.
func TestDistributions(ref, cur Distribution, refMissing, curMissing int, opts Options) Result {
	r := Result{Kind: Numeric, RefRows: int(ref.N()), CurRows: int(cur.N()), RefMissing: refMissing, CurMissing: curMissing}
	if !r.checkRows() {
		r.Test, r.Threshold = opts.resolve(Numeric, r.RefRows, 0)
		return r
	}
	r.Unique, r.Unseen = unionSize(ref, cur)
	r.Test, r.Threshold = opts.resolve(Numeric, r.RefRows, r.Unique)
	if len(ref.Values) == 1 {
		r.note("reference is constant (%g)", ref.Values[0])
	}
	switch r.Test {
	case TestKS:
		ks := KSDistributions(ref, cur)
		r.Statistic, r.PValue = ks.D, ks.PValue
		r.decide(ks.PValue)
	case TestWasserstein:
		std := ref.StdPop()
		if std < wassersteinMinStd {
			r.note("reference std %g below %g: distance divided by %g", std, wassersteinMinStd, wassersteinMinStd)
		}
		w := WassersteinDistributions(ref, cur) / max(std, wassersteinMinStd)
		r.Statistic, r.PValue = w, math.NaN()
		r.decide(w)
	case TestPSI, TestJensenShannon:
		var refBins, curBins []float64
		if len(ref.Values) <= sturgesMinRefUnique {
			_, refBins, curBins = alignDistributions(ref, cur)
		} else {
			lo := min(ref.Values[0], cur.Values[0])
			hi := max(ref.Values[len(ref.Values)-1], cur.Values[len(cur.Values)-1])
			edges, err := SturgesEdges(lo, hi, r.RefRows+r.CurRows)
			if err != nil {
				r.note("%v", err)
				return r
			}
			refBins, curBins = HistogramDistribution(ref, edges), HistogramDistribution(cur, edges)
		}
		r.countsTest(refBins, curBins)
	default:
		_, refCounts, curCounts := alignDistributions(ref, cur)
		r.countsTest(refCounts, curCounts)
	}
	return r
}

// unionSize counts the distinct values of a ∪ b, and those only in b.
func unionSize(a, b Distribution) (union, onlyB int) {
	i, j := 0, 0
	for i < len(a.Values) && j < len(b.Values) {
		switch {
		case a.Values[i] < b.Values[j]:
			i++
		case a.Values[i] > b.Values[j]:
			j++
			onlyB++
		default:
			i++
			j++
		}
		union++
	}
	onlyB += len(b.Values) - j
	return union + len(a.Values) - i + len(b.Values) - j, onlyB
}
