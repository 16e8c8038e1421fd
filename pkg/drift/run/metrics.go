package run

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/mlctl/mlctl/pkg/drift/report"
)

// maxScoredRows bounds the (score, truth) pairs kept for ROC AUC per
// window; past it a uniform reservoir sample stands for the rows.
const maxScoredRows = 1 << 20

// perfAccumulator gathers what quality metrics need, in bounded memory:
// a confusion count for classifiers, running sums for regressors, and
// scored rows (up to maxScoredRows) for ROC AUC.
type perfAccumulator struct {
	task      string // "classification" or "regression"; "" until known
	confusion map[[2]string]int64
	n         int64
	// regression
	sumSq, sumAbs float64
	// ROC AUC: per row, the true class and the probability of each class.
	classes []string
	scored  []scoredRow
	seen    int64
	rng     *rand.Rand
}

type scoredRow struct {
	truth string
	probs []float64 // in classes order
}

func newPerf() *perfAccumulator {
	return &perfAccumulator{confusion: map[[2]string]int64{}, rng: rand.New(rand.NewPCG(1, 2))}
}

// addClass adds a classifier's row: the true and predicted labels and,
// when known, the class probabilities in classes order.
func (p *perfAccumulator) addClass(truth, pred string, classes []string, probs []float64) {
	p.task = "classification"
	p.n++
	p.confusion[[2]string{truth, pred}]++
	if probs == nil || len(probs) != len(classes) {
		return
	}
	if p.classes == nil {
		p.classes = classes
	} else if !sameStrings(p.classes, classes) {
		return
	}
	p.seen++
	row := scoredRow{truth: truth, probs: probs}
	switch {
	case len(p.scored) < maxScoredRows:
		p.scored = append(p.scored, row)
	default:
		if j := p.rng.Int64N(p.seen); j < maxScoredRows {
			p.scored[j] = row
		}
	}
}

// addRegression adds a regressor's row.
func (p *perfAccumulator) addRegression(truth, pred float64) {
	p.task = "regression"
	p.n++
	d := pred - truth
	p.sumSq += d * d
	p.sumAbs += math.Abs(d)
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// metrics computes the task's metrics; names follow report.Metric.
func (p *perfAccumulator) metrics() map[string]float64 {
	out := map[string]float64{}
	if p == nil || p.n == 0 {
		return out
	}
	if p.task == "regression" {
		out["rmse"] = math.Sqrt(p.sumSq / float64(p.n))
		out["mae"] = p.sumAbs / float64(p.n)
		return out
	}
	out["accuracy"] = p.accuracy()
	out["f1_macro"] = p.f1Macro()
	if auc, ok := p.rocAUC(); ok {
		out["roc_auc"] = auc
	}
	return out
}

func (p *perfAccumulator) accuracy() float64 {
	var right int64
	for k, n := range p.confusion {
		if k[0] == k[1] {
			right += n
		}
	}
	return float64(right) / float64(p.n)
}

// f1Macro is sklearn's f1_score(average="macro"): the unweighted mean over
// the labels in y_true ∪ y_pred, a zero denominator counting as 0.
func (p *perfAccumulator) f1Macro() float64 {
	tp, fp, fn := map[string]float64{}, map[string]float64{}, map[string]float64{}
	labels := map[string]bool{}
	for k, n := range p.confusion {
		t, pr := k[0], k[1]
		labels[t], labels[pr] = true, true
		if t == pr {
			tp[t] += float64(n)
		} else {
			fp[pr] += float64(n)
			fn[t] += float64(n)
		}
	}
	var sum float64
	for l := range labels {
		if d := 2*tp[l] + fp[l] + fn[l]; d > 0 {
			sum += 2 * tp[l] / d
		}
	}
	return sum / float64(len(labels))
}

// rocAUC is sklearn's roc_auc_score: binary, the probability of the second
// class (sklearn's positive label, the greater one); more classes,
// one-vs-rest macro. It is undefined when a class has no positive or no
// negative rows.
func (p *perfAccumulator) rocAUC() (float64, bool) {
	if len(p.classes) < 2 || len(p.scored) == 0 {
		return 0, false
	}
	auc := func(c int) (float64, bool) {
		scores := make([]float64, len(p.scored))
		pos := make([]bool, len(p.scored))
		for i, r := range p.scored {
			scores[i], pos[i] = r.probs[c], r.truth == p.classes[c]
		}
		return binaryAUC(scores, pos)
	}
	if len(p.classes) == 2 {
		return auc(1)
	}
	var sum float64
	for c := range p.classes {
		a, ok := auc(c)
		if !ok {
			return 0, false
		}
		sum += a
	}
	return sum / float64(len(p.classes)), true
}

// binaryAUC is the Mann-Whitney U statistic over positives × negatives,
// ties counted half: equal to the area under the ROC curve with sklearn's
// trapezoids.
func binaryAUC(scores []float64, pos []bool) (float64, bool) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var nPos, nNeg, rankSum float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avgRank := float64(i+j+1) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			if pos[idx[k]] {
				nPos++
				rankSum += avgRank
			} else {
				nNeg++
			}
		}
		i = j
	}
	if nPos == 0 || nNeg == 0 {
		return 0, false
	}
	return (rankSum - nPos*(nPos+1)/2) / (nPos * nNeg), true
}

// performance compares a window's metrics with the baseline's.
func performance(label string, ref, cur *perfAccumulator) *report.Performance {
	if cur == nil || cur.n == 0 {
		return nil
	}
	rm, cm := ref.metrics(), cur.metrics()
	perf := &report.Performance{Task: cur.task, Label: label}
	order := []string{"accuracy", "f1_macro", "roc_auc"}
	if cur.task == "regression" {
		order = []string{"rmse", "mae"}
	}
	var refRows int64
	if ref != nil && ref.task == cur.task {
		refRows = ref.n
	}
	for _, name := range order {
		c, ok := cm[name]
		if !ok {
			continue
		}
		m := report.Metric{Name: name, Current: c, CurRows: cur.n}
		if r, ok := rm[name]; ok && refRows > 0 {
			m.Baseline, m.RefRows, m.Delta = r, refRows, c-r
		}
		if name == "roc_auc" {
			m.CurRows = min(cur.seen, maxScoredRows)
			if m.RefRows > 0 {
				m.RefRows = min(ref.seen, maxScoredRows)
			}
		}
		perf.Metrics = append(perf.Metrics, m)
	}
	return perf
}

// labelText is a label value as text: JSON numbers and CSV cells alike.
func labelText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func labelFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, !math.IsNaN(x) && !math.IsInf(x, 0)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}
