package profile

import (
	"bytes"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/drift/stats"
)

type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func (r *rng) float() float64 { return float64(r.next()>>11) * 0x1p-53 }

func (r *rng) normal() float64 {
	s := 0.0
	for range 12 {
		s += r.float()
	}
	return s - 6
}

func buildNumeric(t *testing.T, limits Limits, values []float64) *Column {
	t.Helper()
	p := New(limits)
	c, err := p.Column("x", stats.Numeric)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range values {
		c.AddFloat(v)
	}
	return c
}

func TestMergeShardsEqualsWhole(t *testing.T) {
	r := rng{1}
	var values []float64
	var labels []string
	for range 5000 {
		values = append(values, math.Round(r.normal()*20)/4) // a few hundred distinct
		labels = append(labels, string(rune('a'+r.next()%7)))
	}
	values = append(values, math.NaN(), math.Inf(1))
	whole := New(DefaultLimits)
	shards := []*Profile{New(DefaultLimits), New(DefaultLimits), New(DefaultLimits)}
	add := func(p *Profile, i int) {
		x, _ := p.Column("x", stats.Numeric)
		x.AddFloat(values[i])
		if i < len(labels) {
			y, _ := p.Column("label", stats.Categorical)
			y.AddString(labels[i])
		}
	}
	for i := range values {
		add(whole, i)
		add(shards[i%3], i)
	}
	merged := New(DefaultLimits)
	for _, s := range shards {
		if err := merged.Merge(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"x", "label"} {
		w, m := whole.Lookup(name), merged.Lookup(name)
		if w.Rows != m.Rows || w.Missing != m.Missing || w.Min != m.Min || w.Max != m.Max {
			t.Errorf("%s: counts/range differ: whole %d/%d [%v,%v], merged %d/%d [%v,%v]", name, w.Rows, w.Missing, w.Min, w.Max, m.Rows, m.Missing, m.Min, m.Max)
		}
		if !reflect.DeepEqual(w.Values, m.Values) || !reflect.DeepEqual(w.Counts, m.Counts) {
			t.Errorf("%s: exact distributions differ", name)
		}
		if math.Abs(w.Mean-m.Mean) > 1e-12 || math.Abs(w.M2-m.M2) > 1e-9*w.M2 {
			t.Errorf("%s: moments differ: %v/%v vs %v/%v", name, w.Mean, w.M2, m.Mean, m.M2)
		}
	}
	if w := whole.Lookup("x"); w.Missing != 2 || w.Rows != 5000 {
		t.Errorf("rows %d missing %d, want 5000 and 2", w.Rows, w.Missing)
	}
}

func TestCompareExactEqualsStats(t *testing.T) {
	r := rng{2}
	var ref, cur []float64
	for range 800 {
		ref = append(ref, r.normal())
		cur = append(cur, r.normal()+0.2)
	}
	rc, cc := buildNumeric(t, DefaultLimits, ref), buildNumeric(t, DefaultLimits, cur)
	for _, test := range []stats.TestName{"", stats.TestKS, stats.TestWasserstein, stats.TestPSI, stats.TestJensenShannon} {
		got := Compare(rc, cc, stats.Options{Test: test})
		want := stats.TestNumeric(ref, cur, stats.Options{Test: test})
		if got.Approximate || got.Test != want.Test || math.Abs(got.Score-want.Score) > 1e-12*math.Abs(want.Score) || got.Drift != want.Drift {
			t.Errorf("%q: profile %v, raw %v", test, got, want)
		}
	}
}

// The sketch's rank error stays within KLL's bound (≈1.7/k at 99%; 3/k
// allows for the fixed seed's luck either way) and KS/Wasserstein from it
// come out close and flagged approximate.
func TestSketchAccuracy(t *testing.T) {
	r := rng{3}
	limits := Limits{MaxValues: 1000, MaxCategories: 10, SketchK: 200}
	var ref []float64
	for range 200000 {
		ref = append(ref, r.normal())
	}
	c := buildNumeric(t, limits, ref)
	if c.Sketch == nil {
		t.Fatal("no sketch past the cap")
	}
	sorted := append([]float64(nil), ref...)
	sort.Float64s(sorted)
	worst := 0.0
	for q := 0.01; q < 1; q += 0.01 {
		v := c.Sketch.Quantile(q)
		trueRank := float64(sort.SearchFloat64s(sorted, math.Nextafter(v, math.Inf(1)))) / float64(len(sorted))
		worst = max(worst, math.Abs(trueRank-q))
	}
	if bound := 3.0 / float64(limits.SketchK); worst > bound {
		t.Errorf("worst rank error %.4f > %.4f", worst, bound)
	}
	var cur []float64
	for range 5000 {
		cur = append(cur, r.normal()+0.1)
	}
	cc := buildNumeric(t, limits, cur)
	for _, test := range []stats.TestName{stats.TestKS, stats.TestWasserstein} {
		got := Compare(c, cc, stats.Options{Test: test})
		want := stats.TestNumeric(ref, cur, stats.Options{Test: test})
		if !got.Approximate || !strings.Contains(got.Reason, "approximate") {
			t.Errorf("%s: not flagged approximate: %+v", test, got)
		}
		if math.Abs(got.Statistic-want.Statistic) > 0.02 {
			t.Errorf("%s: sketch statistic %v, exact %v", test, got.Statistic, want.Statistic)
		}
	}
	if got := Compare(c, cc, stats.Options{Test: stats.TestChiSquare}); got.Tested {
		t.Errorf("chi-square ran on a sketch: %v", got)
	}
}

func TestCategoricalOtherBucket(t *testing.T) {
	p := New(Limits{MaxCategories: 2})
	ref, _ := p.Column("c", stats.Categorical)
	for _, v := range []string{"a", "a", "b", "c", "d"} {
		ref.AddString(v)
	}
	if ref.Other != 2 || ref.Exact() {
		t.Fatalf("other %v exact %t, want 2 and false", ref.Other, ref.Exact())
	}
	q := New(Limits{MaxCategories: 2})
	cur, _ := q.Column("c", stats.Categorical)
	for _, v := range []string{"a", "b", "e", "e", "a"} {
		cur.AddString(v)
	}
	got := Compare(ref, cur, stats.Options{})
	if !got.Approximate || !got.Tested || got.Unique != 3 {
		t.Errorf("got %+v, want approximate test over a, b, other", got)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	r := rng{4}
	p := New(Limits{MaxValues: 50, MaxCategories: 3, SketchK: 64})
	x, _ := p.Column("x", stats.Numeric)
	y, _ := p.Column("y", stats.Numeric)
	z, _ := p.Column("z", stats.Categorical)
	for i := range 3000 {
		x.AddFloat(r.normal())
		y.AddFloat(float64(i % 7))
		z.AddString(string(rune('a' + i%5)))
	}
	z.AddMissing()
	var buf bytes.Buffer
	if err := p.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"format":"`+Format+`"`) {
		t.Fatalf("no format field in %.80s", buf.String())
	}
	q, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x", "y", "z"} {
		a, b := p.Lookup(name), q.Lookup(name)
		if b == nil {
			t.Fatalf("column %s lost", name)
		}
		ra := Compare(a, a, stats.Options{})
		rb := Compare(b, b, stats.Options{})
		if a.Rows != b.Rows || a.Missing != b.Missing || !reflect.DeepEqual(a.Values, b.Values) || !reflect.DeepEqual(a.Counts, b.Counts) ||
			!reflect.DeepEqual(a.Sketch, b.Sketch) || ra.Score != rb.Score {
			t.Errorf("column %s differs after round trip", name)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"no format", `{"columns":[]}`, "not an mlctl drift profile"},
		{"bad limits", `{"format":"` + Format + `","limits":{"MaxValues":0,"MaxCategories":1,"SketchK":64}}`, "limits"},
		{"counts mismatch", `{"format":"` + Format + `","limits":{"MaxValues":10,"MaxCategories":10,"SketchK":64},"columns":[{"name":"x","kind":"numeric","rows":3,"min":1,"max":2,"values":[1,2],"value_counts":[1,1]}]}`, "sum to 2, rows 3"},
		{"unsorted", `{"format":"` + Format + `","limits":{"MaxValues":10,"MaxCategories":10,"SketchK":64},"columns":[{"name":"x","kind":"numeric","rows":2,"min":1,"max":2,"values":[2,1],"value_counts":[1,1]}]}`, "not above"},
		{"bad kind", `{"format":"` + Format + `","limits":{"MaxValues":10,"MaxCategories":10,"SketchK":64},"columns":[{"name":"x","kind":"text"}]}`, "kind"},
		{"duplicate", `{"format":"` + Format + `","limits":{"MaxValues":10,"MaxCategories":10,"SketchK":64},"columns":[{"name":"x","kind":"categorical"},{"name":"x","kind":"categorical"}]}`, "twice"},
	}
	for _, tt := range tests {
		_, err := Decode([]byte(tt.json))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to mention %q", tt.name, err, tt.want)
		}
	}
}
