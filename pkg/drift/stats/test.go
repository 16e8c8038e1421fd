package stats

import (
	"fmt"
	"math"
)

// TestName names a drift test; the values are what configuration files and
// reports use.
type TestName string

// The drift tests, with Evidently's definitions (see DRIFT.md).
const (
	TestKS            TestName = "ks"            // two-sample Kolmogorov-Smirnov p-value
	TestChiSquare     TestName = "chisquare"     // chi-square goodness of fit p-value
	TestZ             TestName = "z"             // pooled two-proportion Z-test p-value
	TestPSI           TestName = "psi"           // population stability index
	TestJensenShannon TestName = "jensenshannon" // Jensen-Shannon distance, natural log
	TestWasserstein   TestName = "wasserstein"   // Wasserstein-1 / max(std_pop(ref), 0.001)
)

// Tests lists every test name.
var Tests = []TestName{TestKS, TestChiSquare, TestZ, TestPSI, TestJensenShannon, TestWasserstein}

// ParseTestName checks a test name from user input.
func ParseTestName(s string) (TestName, error) {
	for _, t := range Tests {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("unknown drift test %q: expected one of ks, chisquare, z, psi, jensenshannon, wasserstein", s)
}

// IsPValue reports whether the test's score is a p-value (drift when small)
// rather than a distance (drift when large).
func (t TestName) IsPValue() bool {
	return t == TestKS || t == TestChiSquare || t == TestZ
}

// DefaultThreshold is Evidently's threshold: 0.05 for p-values, 0.1 for
// distances.
func (t TestName) DefaultThreshold() float64 {
	if t.IsPValue() {
		return 0.05
	}
	return 0.1
}

// Drifted applies the test's decision rule: KS p ≤ threshold; chi-square and
// Z p < threshold; PSI, Jensen-Shannon and Wasserstein score ≥ threshold.
// A NaN score never drifts.
func (t TestName) Drifted(score, threshold float64) bool {
	switch t {
	case TestKS:
		return score <= threshold
	case TestChiSquare, TestZ:
		return score < threshold
	default:
		return score >= threshold
	}
}

// Kind is how a column's values are compared.
type Kind int

// Column kinds.
const (
	Numeric Kind = iota
	Categorical
)

func (k Kind) String() string {
	if k == Categorical {
		return "categorical"
	}
	return "numeric"
}

// smallSampleRows is the reference size up to which hypothesis tests are the
// default; above it, distances (p-values on large samples flag tiny shifts).
const smallSampleRows = 1000

// DefaultTest is Evidently's default test for a column: nRef reference rows
// (after dropping missing values) and nUnique distinct values in reference ∪
// current.
func DefaultTest(kind Kind, nRef, nUnique int) TestName {
	fewValues := kind == Categorical || nUnique <= 5
	switch {
	case nRef <= smallSampleRows && fewValues && nUnique > 2:
		return TestChiSquare
	case nRef <= smallSampleRows && fewValues:
		return TestZ
	case nRef <= smallSampleRows:
		return TestKS
	case fewValues:
		return TestJensenShannon
	default:
		return TestWasserstein
	}
}

// Options are a column's overrides; the zero value means Evidently's defaults.
type Options struct {
	Test      TestName // "" picks DefaultTest
	Threshold float64  // 0 or NaN uses Test.DefaultThreshold
}

func (o Options) resolve(kind Kind, nRef, nUnique int) (TestName, float64) {
	t := o.Test
	if t == "" {
		t = DefaultTest(kind, nRef, nUnique)
	}
	thr := o.Threshold
	if thr == 0 || math.IsNaN(thr) {
		thr = t.DefaultThreshold()
	}
	return t, thr
}

// Result is one column's drift test.
type Result struct {
	Test      TestName
	Kind      Kind
	Tested    bool    // false when the test could not run; Reason says why
	Statistic float64 // KS D, chi-square statistic, z, or the distance itself
	PValue    float64 // NaN for distance tests
	Score     float64 // what is compared with Threshold: PValue or the distance
	Threshold float64
	Drift     bool
	// Approximate is set when a sketch, not the exact sample, entered the
	// statistic (profile-based comparisons).
	Approximate bool
	Reason      string // empty, or a note on a special case

	RefRows, CurRows       int // values tested (after dropping missing)
	RefMissing, CurMissing int // NaN, ±Inf, null
	Unique                 int // distinct values in reference ∪ current
	Unseen                 int // current values never seen in the reference
}

func (r *Result) decide(score float64) {
	r.Tested = true
	r.Score = score
	r.Drift = r.Test.Drifted(score, r.Threshold)
}

func (r *Result) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if r.Reason == "" {
		r.Reason = msg
	} else {
		r.Reason += "; " + msg
	}
}

// DatasetResult is the dataset-level drift decision.
type DatasetResult struct {
	Columns   int     // columns given
	Tested    int     // columns whose test ran
	Drifted   int     // columns with drift
	Share     float64 // Drifted / Tested
	Threshold float64
	Drift     bool // Share ≥ Threshold
}

// DefaultDriftShare is Evidently's dataset drift threshold.
const DefaultDriftShare = 0.5

// Dataset decides dataset drift: the share of drifted columns among the
// tested ones ≥ share (0 uses DefaultDriftShare). Untested columns (empty or
// all missing) are left out of the share and counted in Columns only.
func Dataset(results []Result, share float64) DatasetResult {
	if share == 0 || math.IsNaN(share) {
		share = DefaultDriftShare
	}
	d := DatasetResult{Columns: len(results), Threshold: share}
	for _, r := range results {
		if !r.Tested {
			continue
		}
		d.Tested++
		if r.Drift {
			d.Drifted++
		}
	}
	if d.Tested > 0 {
		d.Share = float64(d.Drifted) / float64(d.Tested)
		d.Drift = d.Share >= share
	}
	return d
}
