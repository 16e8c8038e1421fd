package stats

import (
	"fmt"
	"math"
	"slices"
)

// wassersteinMinStd keeps the normalisation finite for a constant reference.
const wassersteinMinStd = 0.001

// WassersteinDistance is scipy.stats.wasserstein_distance(u, v): the L1
// distance between the two empirical CDFs. The inputs are not modified.
func WassersteinDistance(u, v []float64) (float64, error) {
	if len(u) == 0 || len(v) == 0 {
		return math.NaN(), fmt.Errorf("wasserstein: empty sample (reference %d values, current %d)", len(u), len(v))
	}
	a, b := slices.Clone(u), slices.Clone(v)
	slices.Sort(a)
	slices.Sort(b)
	return WassersteinSorted(a, b), nil
}

// WassersteinSorted is WassersteinDistance on non-empty samples sorted ascending.
func WassersteinSorted(a, b []float64) float64 {
	na, nb := float64(len(a)), float64(len(b))
	var i, j int
	var acc kahan
	prev := math.NaN()
	for i < len(a) || j < len(b) {
		var x float64
		if j == len(b) || (i < len(a) && a[i] <= b[j]) {
			x = a[i]
		} else {
			x = b[j]
		}
		if !math.IsNaN(prev) {
			// CDFs are constant on [prev, x): they count values ≤ prev.
			acc.add(math.Abs(float64(i)/na-float64(j)/nb) * (x - prev))
		}
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		prev = x
	}
	return acc.sum()
}

// WassersteinNormed is Evidently's normed Wasserstein score:
// wasserstein_distance(ref, cur) / max(std_pop(ref), 0.001).
func WassersteinNormed(ref, cur []float64) (float64, error) {
	w, err := WassersteinDistance(ref, cur)
	if err != nil {
		return math.NaN(), err
	}
	return w / max(StdPop(ref), wassersteinMinStd), nil
}

// StdPop is numpy.std(x) (ddof 0), two-pass with compensated sums.
func StdPop(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s kahan
	for _, v := range x {
		s.add(v)
	}
	mean := s.sum() / float64(len(x))
	var ss kahan
	for _, v := range x {
		d := v - mean
		ss.add(d * d)
	}
	return math.Sqrt(ss.sum() / float64(len(x)))
}

// kahan is Neumaier's compensated sum; numpy's pairwise sum has a similar
// error bound, so long sums agree far below the tests' tolerance.
type kahan struct{ s, c float64 }

func (k *kahan) add(x float64) {
	t := k.s + x
	if math.Abs(k.s) >= math.Abs(x) {
		k.c += (k.s - t) + x
	} else {
		k.c += (x - t) + k.s
	}
	k.s = t
}

func (k *kahan) sum() float64 { return k.s + k.c }
