package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
)

// sturgesMinRefUnique: numeric columns with more distinct reference values
// than this are binned with Sturges' rule for PSI and Jensen-Shannon; others
// get one bin per value.
const sturgesMinRefUnique = 20

// TestNumeric tests one numeric column. NaN and ±Inf are missing and
// dropped; the inputs are not modified.
func TestNumeric(ref, cur []float64, opts Options) Result {
	// Building the distributions (sorting) dominates; do both sides at once.
	var b Distribution
	var curMissing int
	done := make(chan struct{})
	go func() {
		b, curMissing = distributionOf(cur)
		close(done)
	}()
	a, refMissing := distributionOf(ref)
	<-done
	return TestDistributions(a, b, refMissing, curMissing, opts)
}

// fewValuesMax is how many distinct values distributionOf counts directly
// before giving up and sorting.
const fewValuesMax = 32

// distributionOf drops non-finite values and collapses the rest. Columns with
// few distinct values (flags, codes, ratings) are counted in one pass without
// sorting.
func distributionOf(x []float64) (Distribution, int) {
	if d, missing, ok := fewValues(x); ok {
		return d, missing
	}
	sorted, missing := finiteSorted(x)
	return NewDistribution(sorted), missing
}

func fewValues(x []float64) (Distribution, int, bool) {
	var vals, counts []float64
	missing, last := 0, -1
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			missing++
			continue
		}
		if last >= 0 && vals[last] == v {
			counts[last]++
			continue
		}
		last = slices.Index(vals, v)
		if last < 0 {
			if len(vals) == fewValuesMax {
				return Distribution{}, 0, false
			}
			vals, counts = append(vals, v), append(counts, 0)
			last = len(vals) - 1
		}
		counts[last]++
	}
	idx := make([]int, len(vals))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int { return cmp.Compare(vals[i], vals[j]) })
	d := Distribution{Values: make([]float64, len(vals)), Counts: make([]float64, len(vals))}
	for k, i := range idx {
		d.Values[k], d.Counts[k] = vals[i], counts[i]
	}
	return d, missing, true
}

// Categories is one side of a categorical column: its non-missing values and
// how many were missing (null).
type Categories struct {
	Values  []string
	Missing int
}

// TestCategorical tests one categorical column.
func TestCategorical(ref, cur Categories, opts Options) Result {
	r := Result{Kind: Categorical, RefRows: len(ref.Values), CurRows: len(cur.Values), RefMissing: ref.Missing, CurMissing: cur.Missing}
	if !r.checkRows() {
		r.Test, r.Threshold = opts.resolve(Categorical, r.RefRows, 0)
		return r
	}
	refMap := countStrings(ref.Values)
	curMap := countStrings(cur.Values)
	keys, refCounts, curCounts := AlignCounts(refMap, curMap)
	r.Unique = len(keys)
	r.Test, r.Threshold = opts.resolve(Categorical, r.RefRows, r.Unique)
	return r.finishCategorical(refCounts, curCounts)
}

// TestCategoryCounts tests a categorical column given as counts per category
// (the form a profile keeps). Missing counts are not tested, only reported.
func TestCategoryCounts(ref, cur map[string]float64, refMissing, curMissing int, opts Options) Result {
	keys, refCounts, curCounts := AlignCounts(ref, cur)
	r := Result{Kind: Categorical, RefRows: int(sum(refCounts)), CurRows: int(sum(curCounts)), RefMissing: refMissing, CurMissing: curMissing, Unique: len(keys)}
	r.Test, r.Threshold = opts.resolve(Categorical, r.RefRows, r.Unique)
	if !r.checkRows() {
		return r
	}
	return r.finishCategorical(refCounts, curCounts)
}

func (r Result) finishCategorical(refCounts, curCounts []float64) Result {
	for i := range refCounts {
		if refCounts[i] == 0 {
			r.Unseen++
		}
	}
	switch r.Test {
	case TestKS, TestWasserstein:
		r.note("%s needs numeric values; a categorical column takes chisquare, z, psi or jensenshannon", r.Test)
		return r
	}
	r.countsTest(refCounts, curCounts)
	return r
}

// AlignCounts lines up two count maps over the sorted union of their keys;
// the first key is the smallest, as the Z-test needs.
func AlignCounts(ref, cur map[string]float64) (keys []string, refCounts, curCounts []float64) {
	for k := range ref {
		keys = append(keys, k)
	}
	for k := range cur {
		if _, ok := ref[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	refCounts = make([]float64, len(keys))
	curCounts = make([]float64, len(keys))
	for i, k := range keys {
		refCounts[i], curCounts[i] = ref[k], cur[k]
	}
	return keys, refCounts, curCounts
}

func (r *Result) checkRows() bool {
	switch {
	case r.RefRows == 0 && r.RefMissing > 0:
		r.note("reference has no values: all %d missing", r.RefMissing)
	case r.RefRows == 0:
		r.note("reference is empty")
	}
	switch {
	case r.CurRows == 0 && r.CurMissing > 0:
		r.note("current has no values: all %d missing", r.CurMissing)
	case r.CurRows == 0:
		r.note("current is empty")
	}
	return r.RefRows > 0 && r.CurRows > 0
}

// countsTest runs a count-based test on aligned per-value (or per-bin)
// counts whose first entry is the smallest key.
func (r *Result) countsTest(refCounts, curCounts []float64) {
	if r.Unseen > 0 && r.Test == TestChiSquare {
		r.note("%d current values never seen in the reference: expected count 0, so chi-square p = 0", r.Unseen)
	}
	switch r.Test {
	case TestChiSquare:
		if len(refCounts) < 2 {
			r.note("one value on both sides: nothing to compare, p = 1")
			r.Statistic, r.PValue = 0, 1
			r.decide(1)
			return
		}
		c, err := ChiSquareFromCounts(refCounts, curCounts)
		if err != nil {
			r.note("%v", err)
			return
		}
		r.Statistic, r.PValue = c.Statistic, c.PValue
		r.decide(c.PValue)
	case TestZ:
		if len(refCounts) > 2 {
			r.note("%d values: z-test compares the smallest value against all others", len(refCounts))
		}
		z, err := ZTestFromCounts(refCounts, curCounts)
		if err != nil {
			r.note("%v", err)
			return
		}
		if len(refCounts) == 1 {
			r.note("one value on both sides: nothing to compare, p = 1")
		}
		r.Statistic, r.PValue = z.Z, z.PValue
		r.decide(z.PValue)
	case TestPSI:
		psi, err := PSI(refCounts, curCounts)
		if err != nil {
			r.note("%v", err)
			return
		}
		r.Statistic, r.PValue = psi, math.NaN()
		r.decide(psi)
	case TestJensenShannon:
		js, err := JensenShannon(refCounts, curCounts)
		if err != nil {
			r.note("%v", err)
			return
		}
		r.Statistic, r.PValue = js, math.NaN()
		r.decide(js)
	default:
		r.note("test %q cannot run on counts", r.Test)
	}
}

// finiteSorted copies the finite values of x, sorted, and counts the rest.
func finiteSorted(x []float64) ([]float64, int) {
	out := make([]float64, 0, len(x))
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out = append(out, v)
		}
	}
	sortFloats(out)
	return out, len(x) - len(out)
}

func countStrings(values []string) map[string]float64 {
	m := make(map[string]float64)
	for _, v := range values {
		m[v]++
	}
	return m
}

// String summarises a result in one line.
func (r Result) String() string {
	if !r.Tested {
		return fmt.Sprintf("%s: not tested (%s)", r.Test, r.Reason)
	}
	return fmt.Sprintf("%s=%.6g threshold=%g drift=%t", r.Test, r.Score, r.Threshold, r.Drift)
}
