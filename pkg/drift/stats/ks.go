package stats

import (
	"fmt"
	"math"
	"slices"
)

// ksExactMaxN is scipy's MAX_AUTO_N: method='auto' is exact when both
// samples have at most this many values.
const ksExactMaxN = 10000

// KSResult is a two-sample, two-sided Kolmogorov-Smirnov test.
type KSResult struct {
	D      float64 // sup |F_ref − F_cur|
	PValue float64
	Exact  bool // exact null distribution (false: kstwo asymptotic)
}

// KSTwoSample is scipy.stats.ks_2samp(ref, cur) with alternative='two-sided'
// and method='auto'. Neither sample may be empty or hold NaN. The inputs are
// not modified.
func KSTwoSample(ref, cur []float64) (KSResult, error) {
	if len(ref) == 0 || len(cur) == 0 {
		return KSResult{}, fmt.Errorf("ks: empty sample (reference %d values, current %d)", len(ref), len(cur))
	}
	a := slices.Clone(ref)
	b := slices.Clone(cur)
	slices.Sort(a)
	slices.Sort(b)
	return KSSorted(a, b)
}

// KSSorted is KSTwoSample on samples already sorted ascending.
func KSSorted(a, b []float64) (KSResult, error) {
	n1, n2 := len(a), len(b)
	if n1 == 0 || n2 == 0 {
		return KSResult{}, fmt.Errorf("ks: empty sample (reference %d values, current %d)", n1, n2)
	}
	if math.IsNaN(a[0]) || math.IsNaN(a[n1-1]) || math.IsNaN(b[0]) || math.IsNaN(b[n2-1]) {
		return KSResult{}, fmt.Errorf("ks: sample holds NaN")
	}
	d := ksStatistic(a, b)
	return KSFromStatistic(d, n1, n2), nil
}

// ksStatistic evaluates both empirical CDFs right after each distinct value,
// as scipy does with searchsorted(side='right') over the pooled sample.
func ksStatistic(a, b []float64) float64 {
	n1, n2 := float64(len(a)), float64(len(b))
	var i, j int
	maxS, minS := math.Inf(-1), math.Inf(1)
	for i < len(a) || j < len(b) {
		var v float64
		switch {
		case j == len(b) || (i < len(a) && a[i] <= b[j]):
			v = a[i]
		default:
			v = b[j]
		}
		for i < len(a) && a[i] <= v {
			i++
		}
		for j < len(b) && b[j] <= v {
			j++
		}
		diff := float64(i)/n1 - float64(j)/n2
		maxS = max(maxS, diff)
		minS = min(minS, diff)
	}
	lo := min(max(-minS, 0), 1)
	if lo > maxS {
		return lo
	}
	return maxS
}

// KSFromStatistic is the two-sided p-value of a KS statistic d for sample
// sizes n1 and n2 with scipy's method='auto': exact when max(n1, n2) ≤ 10000
// (falling back to the asymptotic form when the exact one fails numerically),
// else kstwo.sf(d, round(n1·n2/(n1+n2))). In the exact case D is snapped to
// the lattice h/lcm(n1, n2) as scipy does.
func KSFromStatistic(d float64, n1, n2 int) KSResult {
	if max(n1, n2) <= ksExactMaxN {
		if dd, p, ok := ksExact(n1, n2, d); ok {
			return KSResult{D: dd, PValue: p, Exact: true}
		}
	}
	m, n := float64(max(n1, n2)), float64(min(n1, n2))
	en := m * n / (m + n)
	p := KolmogorovSF(int(math.RoundToEven(en)), d)
	return KSResult{D: d, PValue: clip01(p)}
}

func ksExact(n1, n2 int, d float64) (float64, float64, bool) {
	g := gcd(n1, n2)
	lcm := (n1 / g) * n2
	h := int(math.RoundToEven(d * float64(lcm)))
	d = float64(h) / float64(lcm)
	if h == 0 {
		return d, 1, true
	}
	var p float64
	if n1 == n2 {
		p = probOutsideSquare(n1, h)
	} else {
		p = outerProbInside(n1, n2, g, h)
	}
	if !(p >= 0 && p <= 1) {
		return d, p, false
	}
	return d, p, true
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// probOutsideSquare is P(D_{n,n} ≥ h/n): the alternating sum
// 2·Σ_k (−1)^(k−1)·C(2n, n−kh)/C(2n, n) evaluated Horner-style from the
// innermost term so no large binomials appear (scipy's
// _compute_prob_outside_square).
func probOutsideSquare(n, h int) float64 {
	p := 0.0
	for k := n / h; k >= 0; k-- {
		p1 := 1.0
		for j := range h {
			p1 = float64(n-k*h-j) * p1 / float64(n+k*h+j+1)
		}
		p = p1 * (1 - p)
	}
	return 2 * p
}

// outerProbInside is 1 − P(paths from (0,0) to (m,n) stay strictly inside
// |x/m − y/n| < h/lcm), computed directly as a probability with Viehmann's
// recursion (arXiv:2102.08037) over a sliding column window, as scipy's
// _compute_outer_prob_inside_method does.
func outerProbInside(m, n, g, h int) float64 {
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	minj, maxj := 0, min(int(math.Ceil(float64(h)/float64(mg))), n+1)
	curlen := maxj - minj
	lenA := min(2*maxj+2, n+1)
	a := make([]float64, lenA)
	for i := range a {
		a[i] = 1
	}
	for i := minj; i < maxj; i++ {
		a[i] = 0
	}
	for i := 1; i <= m; i++ {
		lastminj, lastlen := minj, curlen
		minj = max(int(math.Floor(float64(ng*i-h)/float64(mg)))+1, 0)
		minj = min(minj, n)
		maxj = min(int(math.Ceil(float64(ng*i+h)/float64(mg))), n+1)
		if maxj <= minj {
			return 1
		}
		val := 1.0
		if minj == 0 {
			val = 0
		}
		fi := float64(i)
		for jj := range maxj - minj {
			j := jj + minj
			k := jj + minj - lastminj
			if k < 0 || k >= lenA {
				return math.NaN()
			}
			val = (a[k]*fi + val*float64(j)) / (fi + float64(j))
			a[jj] = val
		}
		curlen = maxj - minj
		if lastlen > curlen {
			for t := curlen; t < lastlen && t < lenA; t++ {
				a[t] = 1
			}
		}
	}
	return a[maxj-minj-1]
}

func clip01(p float64) float64 {
	if math.IsNaN(p) {
		return p
	}
	return min(max(p, 0), 1)
}
