package stats

import (
	"fmt"
	"math"
	"sort"
)

// SturgesEdges is numpy.histogram_bin_edges(values, bins='sturges') for a
// sample described by its minimum, maximum and size: Sturges' rule only
// needs those, so reference ∪ current edges can be found from two summaries.
// Bin count is ⌈ptp/width⌉ with width = ptp/(log2 n + 1), and the edges come
// from numpy.linspace's arithmetic (i·step + start, last edge = stop).
func SturgesEdges(lo, hi float64, n int) ([]float64, error) {
	if n <= 0 {
		return nil, fmt.Errorf("sturges bins: no values")
	}
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo > hi {
		return nil, fmt.Errorf("sturges bins: range [%g, %g] is not finite and ordered", lo, hi)
	}
	ptp := hi - lo
	first, last := lo, hi
	if first == last {
		first, last = first-0.5, last+0.5
	}
	bins := 1
	if width := ptp / (math.Log2(float64(n)) + 1); width != 0 {
		bins = int(math.Ceil((last - first) / width))
	}
	return Linspace(first, last, bins+1), nil
}

// Linspace is numpy.linspace(start, stop, num) with endpoint=True.
func Linspace(start, stop float64, num int) []float64 {
	if num <= 0 {
		return nil
	}
	out := make([]float64, num)
	if num == 1 {
		out[0] = start
		return out
	}
	div := float64(num - 1)
	delta := stop - start
	step := delta / div
	for i := range out {
		if step == 0 {
			out[i] = float64(float64(i)/div)*delta + start
		} else {
			// The explicit conversion keeps the compiler from fusing into an
			// FMA, which would round differently from numpy.
			out[i] = float64(float64(i)*step) + start
		}
	}
	out[num-1] = stop
	return out
}

// BinIndex is the numpy.histogram bin of v for ascending edges: bins are
// [e_i, e_i+1) except the last, which also holds its right edge. It returns
// −1 for values outside [e_0, e_last].
func BinIndex(edges []float64, v float64) int {
	last := len(edges) - 1
	if last < 1 || !(v >= edges[0] && v <= edges[last]) {
		return -1
	}
	if v == edges[last] {
		return last - 1
	}
	// First edge greater than v, minus one.
	return sort.SearchFloat64s(edges, math.Nextafter(v, math.Inf(1))) - 1
}

// Histogram is numpy.histogram(values, edges)[0] as float64 counts.
func Histogram(values, edges []float64) []float64 {
	counts := make([]float64, max(len(edges)-1, 0))
	for _, v := range values {
		if i := BinIndex(edges, v); i >= 0 {
			counts[i]++
		}
	}
	return counts
}
