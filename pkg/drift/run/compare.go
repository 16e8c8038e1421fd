package run

import (
	"math"
	"sort"
	"strconv"

	"github.com/mlctl/mlctl/pkg/drift/profile"
	"github.com/mlctl/mlctl/pkg/drift/report"
	"github.com/mlctl/mlctl/pkg/drift/stats"
)

// maxHistogramBins bounds a column's histogram in the report: categorical
// columns keep their most frequent categories and sum the rest into one
// bin.
const maxHistogramBins = 30

// otherLabel is the histogram bin of categories past maxHistogramBins, or
// past the profile's category cap.
const otherLabel = "(other)"

// compareColumn tests one column and fills its report entry.
func compareColumn(name, role string, ref, cur *profile.Column, opts stats.Options) report.Column {
	res := profile.Compare(ref, cur, opts)
	col := report.Column{
		Name: name, Role: role, Kind: ref.Kind, Test: string(res.Test),
		Tested: res.Tested, Statistic: finite(res.Statistic), Score: finite(res.Score),
		Threshold: res.Threshold, Drift: res.Drift, Approximate: res.Approximate, Reason: res.Reason,
		RefRows: res.RefRows, CurRows: res.CurRows, RefMissing: res.RefMissing, CurMissing: res.CurMissing,
		Unique: res.Unique, Unseen: res.Unseen,
	}
	if res.Test.IsPValue() && res.Tested && !math.IsNaN(res.PValue) {
		p := res.PValue
		col.PValue = &p
	}
	if ref.Kind == stats.Categorical.String() {
		col.Histogram = categoricalHistogram(ref, cur)
	} else {
		col.Histogram = numericHistogram(ref, cur, res.Test)
	}
	return col
}

// missingColumn reports a column one side lacks.
func missingColumn(name, role, kind, reason string) report.Column {
	return report.Column{Name: name, Role: role, Kind: kind, Reason: reason}
}

func finite(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0 // JSON has no NaN; Tested and Reason say why
	}
	return v
}

// numericHistogram bins both sides as the test does: one bin per value
// for the count tests (chi-square, Z) and for PSI / Jensen-Shannon on a
// column with at most 20 distinct reference values; numpy's Sturges edges
// over reference ∪ current otherwise (the binned tests' own bins, and the
// plot for KS and Wasserstein).
func numericHistogram(ref, cur *profile.Column, test stats.TestName) report.Histogram {
	rd, cd := ref.Distribution(), cur.Distribution()
	if len(rd.Values) == 0 && len(cd.Values) == 0 {
		return report.Histogram{Ref: []float64{}, Cur: []float64{}}
	}
	perValue := test == stats.TestChiSquare || test == stats.TestZ ||
		((test == stats.TestPSI || test == stats.TestJensenShannon) && len(rd.Values) <= 20)
	if perValue {
		keys, rc, cc := alignValues(rd, cd)
		if len(keys) <= maxHistogramBins*4 {
			labels := make([]string, len(keys))
			for i, k := range keys {
				labels[i] = strconv.FormatFloat(k, 'g', -1, 64)
			}
			return report.Histogram{Labels: labels, Ref: shares(rc), Cur: shares(cc)}
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, d := range []stats.Distribution{rd, cd} {
		if len(d.Values) > 0 {
			lo, hi = min(lo, d.Values[0]), max(hi, d.Values[len(d.Values)-1])
		}
	}
	edges, err := stats.SturgesEdges(lo, hi, int(rd.N()+cd.N()))
	if err != nil {
		return report.Histogram{Ref: []float64{}, Cur: []float64{}}
	}
	return report.Histogram{Edges: edges, Ref: shares(stats.HistogramDistribution(rd, edges)), Cur: shares(stats.HistogramDistribution(cd, edges))}
}

func alignValues(a, b stats.Distribution) (keys, ca, cb []float64) {
	m := map[float64][2]float64{}
	for i, v := range a.Values {
		x := m[v]
		x[0] += a.Counts[i]
		m[v] = x
	}
	for i, v := range b.Values {
		x := m[v]
		x[1] += b.Counts[i]
		m[v] = x
	}
	for k := range m {
		keys = append(keys, k)
	}
	sort.Float64s(keys)
	for _, k := range keys {
		ca, cb = append(ca, m[k][0]), append(cb, m[k][1])
	}
	return keys, ca, cb
}

// categoricalHistogram is the share of each category on both sides: the
// most frequent maxHistogramBins−1 (by reference + current share), the
// rest as one "(other)" bin.
func categoricalHistogram(ref, cur *profile.Column) report.Histogram {
	rc, cc := copyCounts(ref.Counts), copyCounts(cur.Counts)
	if ref.Other > 0 {
		rc[otherLabel] += ref.Other
	}
	if cur.Other > 0 {
		cc[otherLabel] += cur.Other
	}
	keys, rv, cv := stats.AlignCounts(rc, cc)
	rs, cs := shares(rv), shares(cv)
	if len(keys) <= maxHistogramBins {
		return report.Histogram{Labels: keys, Ref: rs, Cur: cs}
	}
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rs[idx[a]]+cs[idx[a]] > rs[idx[b]]+cs[idx[b]] })
	keep := idx[:maxHistogramBins-1]
	sort.Ints(keep)
	h := report.Histogram{}
	var ro, co float64
	kept := map[int]bool{}
	for _, i := range keep {
		kept[i] = true
		h.Labels, h.Ref, h.Cur = append(h.Labels, keys[i]), append(h.Ref, rs[i]), append(h.Cur, cs[i])
	}
	for i := range keys {
		if !kept[i] {
			ro, co = ro+rs[i], co+cs[i]
		}
	}
	h.Labels, h.Ref, h.Cur = append(h.Labels, otherLabel), append(h.Ref, ro), append(h.Cur, co)
	return h
}

func copyCounts(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// shares are counts / total, all 0 when the total is (JSON has no NaN).
func shares(counts []float64) []float64 {
	var total float64
	for _, c := range counts {
		total += c
	}
	out := make([]float64, len(counts))
	if total > 0 {
		for i, c := range counts {
			out[i] = c / total
		}
	}
	return out
}
