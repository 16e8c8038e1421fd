package stats

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func repeatValues(counts []int) []float64 {
	var out []float64
	for i, c := range counts {
		for range c {
			out = append(out, float64(i+1))
		}
	}
	return out
}

func repeatStrings(vals []string, times int) []string {
	var out []string
	for range times {
		out = append(out, vals...)
	}
	return out
}

// The public test vectors in DRIFT.md, from Evidently's own tests.
func TestPublicVectors(t *testing.T) {
	ref := repeatValues([]int{16, 18, 16, 14, 12, 12})
	cur := repeatValues([]int{16, 16, 16, 16, 16, 8})
	refTwice := append(append([]float64{}, ref...), ref...)
	tests := []struct {
		name      string
		got       Result
		test      TestName
		score     float64
		tolerance float64
		drift     bool
	}{
		{"chi-square 1..6", TestNumeric(ref, cur, Options{Test: TestChiSquare}), TestChiSquare, 0.67309, 5e-6, false},
		{"chi-square doubled reference", TestNumeric(refTwice, cur, Options{Test: TestChiSquare}), TestChiSquare, 0.67309, 5e-6, false},
		{"abc against itself", TestCategorical(Categories{Values: repeatStrings([]string{"a", "b", "c"}, 10)},
			Categories{Values: repeatStrings([]string{"a", "b", "c"}, 10)}, Options{}), TestChiSquare, 1, 0, false},
		{"ab against itself", TestCategorical(Categories{Values: repeatStrings([]string{"a", "b"}, 10)},
			Categories{Values: repeatStrings([]string{"a", "b"}, 10)}, Options{}), TestZ, 1, 0, false},
		{"psi", TestNumeric([]float64{3, 2, 2}, []float64{1, 2, 3}, Options{Test: TestPSI}), TestPSI, 2.93, 0.01, true},
		{"default on [1,2,3] vs [5,8,3]", TestNumeric([]float64{1, 2, 3}, []float64{5, 8, 3}, Options{}), TestChiSquare, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.got
			if r.Test != tt.test || !r.Tested {
				t.Fatalf("test %q tested=%t (%s), want %q", r.Test, r.Tested, r.Reason, tt.test)
			}
			if math.Abs(r.Score-tt.score) > tt.tolerance {
				t.Errorf("score %v, want %v ± %v", r.Score, tt.score, tt.tolerance)
			}
			if r.Drift != tt.drift {
				t.Errorf("drift %t, want %t", r.Drift, tt.drift)
			}
		})
	}
}

func TestDefaultTest(t *testing.T) {
	tests := []struct {
		kind          Kind
		nRef, nUnique int
		want          TestName
	}{
		{Numeric, 1000, 5, TestChiSquare},
		{Numeric, 1000, 3, TestChiSquare},
		{Numeric, 1000, 2, TestZ},
		{Numeric, 1000, 1, TestZ},
		{Numeric, 1000, 6, TestKS},
		{Numeric, 1001, 5, TestJensenShannon},
		{Numeric, 1001, 6, TestWasserstein},
		{Categorical, 10, 50, TestChiSquare},
		{Categorical, 10, 2, TestZ},
		{Categorical, 5000, 50, TestJensenShannon},
		{Categorical, 5000, 2, TestJensenShannon},
	}
	for _, tt := range tests {
		if got := DefaultTest(tt.kind, tt.nRef, tt.nUnique); got != tt.want {
			t.Errorf("DefaultTest(%v, %d, %d) = %s, want %s", tt.kind, tt.nRef, tt.nUnique, got, tt.want)
		}
	}
}

func TestDriftedThresholds(t *testing.T) {
	tests := []struct {
		test  TestName
		score float64
		want  bool
	}{
		{TestKS, 0.05, true}, {TestKS, 0.0500001, false},
		{TestChiSquare, 0.05, false}, {TestChiSquare, 0.0499, true},
		{TestZ, 0.05, false}, {TestZ, 0.01, true},
		{TestPSI, 0.1, true}, {TestPSI, 0.0999, false},
		{TestJensenShannon, 0.1, true}, {TestWasserstein, 0.09, false},
		{TestKS, math.NaN(), false}, {TestPSI, math.NaN(), false},
	}
	for _, tt := range tests {
		if got := tt.test.Drifted(tt.score, tt.test.DefaultThreshold()); got != tt.want {
			t.Errorf("%s score %v: drift %t, want %t", tt.test, tt.score, got, tt.want)
		}
	}
}

func TestSpecialColumns(t *testing.T) {
	inf := math.Inf(1)
	nan := math.NaN()
	tests := []struct {
		name       string
		got        Result
		tested     bool
		drift      bool
		reason     string // substring of Reason
		refMissing int
	}{
		{"all missing reference", TestNumeric([]float64{nan, inf, -inf}, []float64{1, 2}, Options{}), false, false, "all 3 missing", 3},
		{"empty current", TestNumeric([]float64{1, 2}, nil, Options{}), false, false, "current is empty", 0},
		{"inf dropped", TestNumeric([]float64{1, 2, inf, 3, 4, 5, 6}, []float64{1, 2, 3, 4, 5, 6}, Options{}), true, false, "", 1},
		{"same constant", TestNumeric([]float64{7, 7, 7}, []float64{7, 7}, Options{}), true, false, "reference is constant", 0},
		{"constant vs other constant", TestNumeric([]float64{7, 7, 7, 7, 7, 7, 7, 7}, []float64{8, 8, 8, 8, 8, 8, 8, 8}, Options{}), true, true, "reference is constant", 0},
		{"constant wasserstein", TestNumeric([]float64{7, 7, 7}, []float64{7, 7.0001}, Options{Test: TestWasserstein}), true, false, "below 0.001", 0},
		{"unseen category", TestCategorical(Categories{Values: []string{"a", "b", "c", "a"}}, Categories{Values: []string{"a", "b", "c", "d"}}, Options{}), true, true, "1 current values never seen", 0},
		{"ks on categorical", TestCategorical(Categories{Values: []string{"a"}}, Categories{Values: []string{"a"}}, Options{Test: TestKS}), false, false, "needs numeric", 0},
		{"single value chi-square", TestCategorical(Categories{Values: []string{"a"}}, Categories{Values: []string{"a"}}, Options{Test: TestChiSquare}), true, false, "one value on both sides", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.got
			if r.Tested != tt.tested || r.Drift != tt.drift {
				t.Errorf("tested=%t drift=%t (%v), want tested=%t drift=%t", r.Tested, r.Drift, r, tt.tested, tt.drift)
			}
			if !strings.Contains(r.Reason, tt.reason) {
				t.Errorf("reason %q does not mention %q", r.Reason, tt.reason)
			}
			if r.RefMissing != tt.refMissing {
				t.Errorf("reference missing %d, want %d", r.RefMissing, tt.refMissing)
			}
		})
	}
}

func TestOptionsOverride(t *testing.T) {
	ref := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	cur := []float64{1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5}
	def := TestNumeric(ref, cur, Options{})
	if def.Test != TestKS || def.Threshold != 0.05 {
		t.Fatalf("default: %s threshold %v, want ks 0.05", def.Test, def.Threshold)
	}
	over := TestNumeric(ref, cur, Options{Test: TestWasserstein, Threshold: 0.5})
	if over.Test != TestWasserstein || over.Threshold != 0.5 {
		t.Fatalf("override: %s threshold %v", over.Test, over.Threshold)
	}
	// W1 = 0.5, std_pop(ref) = √5.25.
	if want := 0.5 / math.Sqrt(5.25); math.Abs(over.Score-want) > 1e-15 || over.Drift {
		t.Errorf("wasserstein normed %v drift %t, want %v no drift", over.Score, over.Drift, want)
	}
	if _, err := ParseTestName("kolmogorov"); err == nil {
		t.Error("unknown test name accepted")
	}
}

func TestDataset(t *testing.T) {
	cols := []Result{{Tested: true, Drift: true}, {Tested: true}, {Tested: false}, {Tested: true, Drift: true}, {Tested: true}}
	d := Dataset(cols, 0)
	if d.Tested != 4 || d.Drifted != 2 || d.Share != 0.5 || !d.Drift || d.Columns != 5 {
		t.Errorf("dataset %+v, want 2 of 4 tested drifted, share 0.5, drift", d)
	}
	if d := Dataset(cols, 0.6); d.Drift {
		t.Errorf("share 0.5 < 0.6 but drift")
	}
	if d := Dataset(nil, 0); d.Drift || d.Tested != 0 {
		t.Errorf("empty dataset %+v", d)
	}
}

func TestHistogramEdges(t *testing.T) {
	edges := []float64{0, 1, 2, 3}
	tests := []struct {
		v    float64
		want int
	}{{-0.1, -1}, {0, 0}, {0.999, 0}, {1, 1}, {2.5, 2}, {3, 2}, {3.0001, -1}, {math.NaN(), -1}}
	for _, tt := range tests {
		if got := BinIndex(edges, tt.v); got != tt.want {
			t.Errorf("BinIndex(%v) = %d, want %d", tt.v, got, tt.want)
		}
	}
	// One value: numpy widens the range by ±0.5 and uses one bin.
	e, err := SturgesEdges(4, 4, 10)
	if err != nil || len(e) != 2 || e[0] != 3.5 || e[1] != 4.5 {
		t.Errorf("SturgesEdges(4,4,10) = %v, %v", e, err)
	}
	if _, err := SturgesEdges(math.Inf(-1), 1, 3); err == nil {
		t.Error("infinite range accepted")
	}
}

func TestKSErrors(t *testing.T) {
	if _, err := KSTwoSample(nil, []float64{1}); err == nil {
		t.Error("empty sample accepted")
	}
	if _, err := KSTwoSample([]float64{math.NaN()}, []float64{1}); err == nil {
		t.Error("NaN accepted")
	}
}

func TestSortFloats(t *testing.T) {
	g := splitmix{9}
	x := make([]float64, 3*radixMinLen)
	for i := range x {
		switch i % 5 {
		case 0:
			x[i] = -float64(g.next()>>11) * 0x1p-40
		case 1:
			x[i] = math.Copysign(0, -1)
		case 2:
			x[i] = math.MaxFloat64 * float64(g.next()%3) / 2
		default:
			x[i] = float64(g.next()>>11)*0x1p-30 - 1e6
		}
	}
	want := append([]float64(nil), x...)
	slices.Sort(want)
	sortFloats(x)
	for i := range x {
		if x[i] != want[i] {
			t.Fatalf("index %d: %v, want %v", i, x[i], want[i])
		}
	}
}
