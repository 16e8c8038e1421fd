package profile

import (
	"fmt"
	"math"

	"github.com/mlctl/mlctl/pkg/drift/stats"
)

// otherKey stands for every category past the cap; the NUL keeps it apart
// from real labels.
const otherKey = "\x00other"

// Compare tests the current column against the reference column, both
// profiles (the current one typically built from a window of a stream).
// When both are exact the result equals stats.TestNumeric /
// stats.TestCategorical on the raw values; when a sketch or an Other bucket
// is involved the statistic is computed from it and Result.Approximate is
// set.
func Compare(ref, cur *Column, opts stats.Options) stats.Result {
	if ref.Kind != cur.Kind {
		return stats.Result{Reason: fmt.Sprintf("column %q is %s in the reference but %s in the current data", ref.Name, ref.Kind, cur.Kind)}
	}
	if ref.Kind == stats.Categorical.String() {
		return compareCategorical(ref, cur, opts)
	}
	r := stats.TestDistributions(ref.Distribution(), cur.Distribution(), int(ref.Missing), int(cur.Missing), opts)
	if ref.Exact() && cur.Exact() {
		return r
	}
	r.Approximate = true
	switch r.Test {
	case stats.TestChiSquare, stats.TestZ:
		r.Tested, r.Drift, r.Score, r.PValue, r.Statistic = false, false, math.NaN(), math.NaN(), math.NaN()
		return withReason(r, "%s compares single values, but a KLL sketch replaced the values of a column with more than %d distinct ones", r.Test, ref.limits.MaxValues)
	}
	return withReason(r, "approximate: computed from a KLL sketch (k=%d, rank error about %.1f%%)", sketchK(ref, cur), 170/float64(sketchK(ref, cur)))
}

func sketchK(cols ...*Column) int {
	k := math.MaxInt
	for _, c := range cols {
		if c.Sketch != nil {
			k = min(k, c.Sketch.K)
		}
	}
	return k
}

func compareCategorical(ref, cur *Column, opts stats.Options) stats.Result {
	if ref.Exact() && cur.Exact() {
		return stats.TestCategoryCounts(ref.Counts, cur.Counts, int(ref.Missing), int(cur.Missing), opts)
	}
	// Categories the reference could not keep cannot be told apart: compare
	// them, and current categories the reference did not keep, as one bucket.
	rc := map[string]float64{}
	for k, v := range ref.Counts {
		rc[k] = v
	}
	cc := map[string]float64{}
	for k, v := range cur.Counts {
		if _, ok := ref.Counts[k]; ok || ref.Other == 0 {
			cc[k] += v
		} else {
			cc[otherKey] += v
		}
	}
	if ref.Other > 0 {
		rc[otherKey] = ref.Other
	}
	if cur.Other > 0 {
		cc[otherKey] += cur.Other
	}
	r := stats.TestCategoryCounts(rc, cc, int(ref.Missing), int(cur.Missing), opts)
	r.Approximate = true
	return withReason(r, "approximate: categories past the cap of %d compared as one 'other' bucket", ref.limits.MaxCategories)
}

func withReason(r stats.Result, format string, args ...any) stats.Result {
	msg := fmt.Sprintf(format, args...)
	if r.Reason != "" {
		msg = r.Reason + "; " + msg
	}
	r.Reason = msg
	return r
}

// Distribution is the column's values with counts: exact, or the sketch's
// retained items weighted 2^level (their weights sum to Rows).
func (c *Column) Distribution() stats.Distribution {
	if c.Sketch == nil {
		keys := sortedKeys(c.Values)
		counts := make([]float64, len(keys))
		for i, k := range keys {
			counts[i] = c.Values[k]
		}
		return stats.Distribution{Values: keys, Counts: counts}
	}
	w := c.Sketch.sorted()
	d := stats.Distribution{Values: w.values, Counts: make([]float64, len(w.values))}
	prev := 0.0
	for i, cum := range w.cum {
		d.Counts[i] = cum - prev
		prev = cum
	}
	return d
}
