package run

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/drift/report"
	"github.com/mlctl/mlctl/pkg/drift/stats"
	"github.com/mlctl/mlctl/pkg/flavors"
)

var t0 = time.Date(2026, 3, 4, 5, 0, 0, 0, time.UTC)

func column(t *testing.T, w report.Window, name string) report.Column {
	t.Helper()
	for _, c := range w.Columns {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no column %q in %v", name, names(w))
	return report.Column{}
}

func names(w report.Window) []string {
	var out []string
	for _, c := range w.Columns {
		out = append(out, c.Name)
	}
	return out
}

// TestMatchesStatsOnRawValues: a comparison through profiles equals the
// stats package on the raw columns, for every default test.
func TestMatchesStatsOnRawValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name       string
		nRef, nCur int
		gen        func(shift float64) float64
	}{
		{"ks", 300, 200, func(s float64) float64 { return rng.NormFloat64() + s }},
		{"wasserstein", 3000, 500, func(s float64) float64 { return rng.NormFloat64() + s }},
		{"chisquare", 300, 200, func(s float64) float64 { return float64(rng.IntN(4)) + math.Round(s) }},
		{"z", 300, 200, func(s float64) float64 { return float64(rng.IntN(2)) }},
		{"jensenshannon", 3000, 400, func(s float64) float64 { return float64(rng.IntN(5)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := make([]float64, tc.nRef)
			cur := make([]float64, tc.nCur)
			for i := range ref {
				ref[i] = tc.gen(0)
			}
			for i := range cur {
				cur[i] = tc.gen(0.3)
			}
			rep, err := Compare(context.Background(),
				Input{Paths: []string{writeCSV(t, "x", floatRows(ref))}},
				Input{Paths: []string{writeCSV(t, "x", floatRows(cur))}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := column(t, rep.Windows[0], "x")
			want := stats.TestNumeric(ref, cur, stats.Options{})
			if got.Test != string(want.Test) || got.Test != tc.name {
				t.Fatalf("test %s, stats chose %s, want %s", got.Test, want.Test, tc.name)
			}
			if got.Score != want.Score || got.Drift != want.Drift || got.Approximate {
				t.Errorf("score %v drift %v approx %v; stats: score %v drift %v", got.Score, got.Drift, got.Approximate, want.Score, want.Drift)
			}
			if (got.PValue != nil) != want.Test.IsPValue() {
				t.Errorf("p_value %v for %s", got.PValue, got.Test)
			}
			checkHistogram(t, got)
		})
	}
}

func checkHistogram(t *testing.T, c report.Column) {
	t.Helper()
	h := c.Histogram
	if len(h.Ref) != len(h.Cur) || len(h.Ref) == 0 {
		t.Fatalf("histogram of %s: %d ref and %d cur bins", c.Name, len(h.Ref), len(h.Cur))
	}
	if h.Edges != nil && len(h.Edges) != len(h.Ref)+1 {
		t.Errorf("histogram of %s: %d edges for %d bins", c.Name, len(h.Edges), len(h.Ref))
	}
	if h.Labels != nil && len(h.Labels) != len(h.Ref) {
		t.Errorf("histogram of %s: %d labels for %d bins", c.Name, len(h.Labels), len(h.Ref))
	}
	for _, side := range [][]float64{h.Ref, h.Cur} {
		var s float64
		for _, v := range side {
			s += v
		}
		if math.Abs(s-1) > 1e-9 {
			t.Errorf("histogram of %s: shares sum to %v", c.Name, s)
		}
	}
}

// TestWindows splits a log into hourly windows, reports the hour with no
// rows as empty, and honours --since/--until.
func TestWindows(t *testing.T) {
	var rows []logRow
	add := func(at time.Time, n int, shift float64) {
		for i := range n {
			rows = append(rows, logRow{TS: at.Add(time.Duration(i) * time.Second), RequestID: "r", Inputs: map[string]any{"x": float64(i%50) + shift}})
		}
	}
	add(t0.Add(10*time.Minute), 100, 0)
	add(t0.Add(70*time.Minute), 100, 30) // hour 2 shifted
	add(t0.Add(190*time.Minute), 100, 0) // hour 3 empty, hour 4 back
	dir := writeLog(t, rows)
	base := make([]float64, 200)
	for i := range base {
		base[i] = float64(i % 50)
	}
	baseline := Input{Paths: []string{writeCSV(t, "x", floatRows(base))}}
	rep, err := Compare(context.Background(), baseline, Input{Paths: []string{dir}}, Options{Window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Windows) != 4 {
		t.Fatalf("%d windows, want 4 (one empty)", len(rep.Windows))
	}
	wantDrift := []bool{false, true, false, false}
	wantRows := []int64{100, 100, 0, 100}
	for i, w := range rep.Windows {
		if !w.Start.Equal(t0.Add(time.Duration(i)*time.Hour)) || w.End.Sub(*w.Start) != time.Hour {
			t.Errorf("window %d: %v – %v", i, w.Start, w.End)
		}
		if w.Rows != wantRows[i] || w.Dataset.Drift != wantDrift[i] {
			t.Errorf("window %d: %d rows drift %v, want %d rows drift %v", i, w.Rows, w.Dataset.Drift, wantRows[i], wantDrift[i])
		}
		if (w.Empty != "") != (wantRows[i] == 0) {
			t.Errorf("window %d: empty %q", i, w.Empty)
		}
	}
	if !rep.Drift() || rep.Current.Rows != 300 {
		t.Errorf("report drift %v rows %d", rep.Drift(), rep.Current.Rows)
	}

	since, until := t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	rep, err = Compare(context.Background(), baseline, Input{Paths: []string{dir}}, Options{Since: &since, Until: &until})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Windows) != 1 || rep.Windows[0].Rows != 100 || rep.Drift() {
		t.Errorf("since/until: %d windows, first %+v", len(rep.Windows), rep.Windows[0].Dataset)
	}

	since = t0.Add(24 * time.Hour)
	_, err = Compare(context.Background(), baseline, Input{Paths: []string{dir}}, Options{Since: &since})
	if err == nil || !strings.Contains(err.Error(), "no rows since 2026-03-05T05:00:00Z") {
		t.Errorf("empty range: %v", err)
	}
}

// TestFlatten names list elements by the bundle (classes, signature
// fields) and by position without one.
func TestFlatten(t *testing.T) {
	var rows []logRow
	for i := range 50 {
		f := float64(i)
		rows = append(rows, logRow{TS: t0, RequestID: "r", Inputs: map[string]any{"features": []any{f, f / 2, nil}},
			Outputs: map[string]any{"label": "b", "probabilities": []any{0.25, 0.75}}})
	}
	dir := writeLog(t, rows)
	m := &bundle.Manifest{
		Classes: []string{"a", "b"},
		Signature: flavors.Signature{
			Inputs:  []flavors.Spec{{Name: "f1", DType: flavors.FP64, Shape: []int64{-1}}, {Name: "f2", DType: flavors.FP64, Shape: []int64{-1}}, {Name: "f3", DType: flavors.FP64, Shape: []int64{-1}}},
			Outputs: []flavors.Spec{{Name: "label", DType: flavors.Bytes, Shape: []int64{-1}}, {Name: "probabilities", DType: flavors.FP64, Shape: []int64{-1, 2}}},
		},
		Flavors: []bundle.Flavor{{Name: "onnx", Signature: &flavors.Signature{Inputs: []flavors.Spec{{Name: "features", DType: flavors.FP32, Shape: []int64{-1, 3}}}}}},
	}
	for _, tc := range []struct {
		name   string
		bundle *bundle.Manifest
		want   []string
	}{
		{"bundle", m, []string{"f1", "f2", "f3", "label", "probabilities[a]", "probabilities[b]"}},
		{"positions", nil, []string{"features[0]", "features[1]", "features[2]", "label", "probabilities[0]", "probabilities[1]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, rowsRead, err := Profile(context.Background(), Input{Paths: []string{dir}}, Options{Bundle: tc.bundle})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range p.Columns {
				got = append(got, c.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") || rowsRead != 50 {
				t.Fatalf("columns %v (%d rows), want %v", got, rowsRead, tc.want)
			}
			third := p.Columns[2]
			if third.Missing != 50 || third.Rows != 0 {
				t.Errorf("%s: %d missing %d rows, want all 50 missing", third.Name, third.Missing, third.Rows)
			}
			if p.Columns[3].Kind != "categorical" || p.Columns[4].Kind != "numeric" {
				t.Errorf("kinds %s, %s", p.Columns[3].Kind, p.Columns[4].Kind)
			}
			// The all-missing column is reported, untested, with why.
			rep, err := Compare(context.Background(), Input{Paths: []string{dir}}, Input{Paths: []string{dir}}, Options{Bundle: tc.bundle})
			if err != nil {
				t.Fatal(err)
			}
			c := column(t, rep.Windows[0], tc.want[2])
			if c.Tested || !strings.Contains(c.Reason, "all 50 missing") {
				t.Errorf("all-missing column: tested %v, reason %q", c.Tested, c.Reason)
			}
			if c := column(t, rep.Windows[0], tc.want[4]); c.Role != RolePrediction || !c.Tested || c.Drift {
				t.Errorf("%s: role %s tested %v drift %v (%s)", c.Name, c.Role, c.Tested, c.Drift, c.Reason)
			}
		})
	}
}

// TestLabels joins a labels file on request_id and row, and reads a
// label column from a data set, for performance metrics.
func TestLabels(t *testing.T) {
	var rows []logRow
	var labels []string
	for i := range 40 {
		pred := "a"
		if i%4 == 0 {
			pred = "b"
		}
		for r := range 2 {
			rows = append(rows, logRow{TS: t0, RequestID: "q" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Row: r,
				Inputs: map[string]any{"x": float64(i)}, Outputs: map[string]any{"label": pred, "probabilities": []any{0.6, 0.4}}})
		}
		// row 0 labelled right, row 1 always "a".
		labels = append(labels, rows[len(rows)-2].RequestID+",0,"+pred, rows[len(rows)-1].RequestID+",1,a")
	}
	dir := writeLog(t, rows)
	labelsFile := writeCSV(t, "request_id,row,label", labels)
	rep, err := Compare(context.Background(), Input{Paths: []string{dir}}, Input{Paths: []string{dir}}, Options{LabelsFile: labelsFile})
	if err != nil {
		t.Fatal(err)
	}
	perf := rep.Windows[0].Performance
	if perf == nil || perf.Task != "classification" {
		t.Fatalf("performance %+v", perf)
	}
	acc := perf.Metrics[0]
	// 80 rows: 40 row-0 right, row-1 right when pred is "a" (30 of 40).
	if acc.Name != "accuracy" || acc.Current != 70.0/80 || acc.Baseline != acc.Current || acc.CurRows != 80 || acc.Delta != 0 {
		t.Errorf("accuracy %+v", acc)
	}

	// A label column on data sets with prediction columns.
	ref := writeCSV(t, "x,y,label,probabilities[n],probabilities[p]", []string{"1,p,p,0.2,0.8", "2,n,n,0.7,0.3", "3,p,n,0.6,0.4", "4,n,n,0.9,0.1"})
	cur := writeCSV(t, "x,y,label,probabilities[n],probabilities[p]", []string{"1,p,n,0.6,0.4", "2,n,p,0.3,0.7", "3,p,n,0.6,0.4", "4,n,n,0.9,0.1"})
	rep, err = Compare(context.Background(), Input{Paths: []string{ref}}, Input{Paths: []string{cur}}, Options{LabelColumn: "y"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]report.Metric{}
	for _, m := range rep.Windows[0].Performance.Metrics {
		got[m.Name] = m
	}
	// sklearn: accuracy 0.75 → 0.25; roc_auc (positive "p") 1.0 → 0.5.
	if got["accuracy"].Baseline != 0.75 || got["accuracy"].Current != 0.25 || got["roc_auc"].Baseline != 1 || got["roc_auc"].Current != 0.5 {
		t.Errorf("metrics %+v", got)
	}
	for _, c := range rep.Windows[0].Columns {
		if c.Name == "y" {
			t.Error("the label column was tested as a feature")
		}
	}
}

// TestSchemaErrors: mismatched columns and kinds name the file and column.
func TestSchemaErrors(t *testing.T) {
	ref := writeCSV(t, "a,b", []string{"1,x", "2,y"})
	for _, tc := range []struct {
		name, header string
		rows         []string
		opts         Options
		want         string
	}{
		{"missing column", "a", []string{"1"}, Options{}, `column "b" is in baseline`},
		{"extra column", "a,b,c", []string{"1,x,3"}, Options{}, `column "c" is in current`},
		{"kind", "a,b", []string{"1,x", "z,y"}, Options{}, `row 1: column "a": value "z" is not a number`},
		{"unknown --columns", "a,b", []string{"1,x"}, Options{Columns: []string{"nope"}}, `--columns: no column "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur := writeCSV(t, tc.header, tc.rows)
			_, err := Compare(context.Background(), Input{Paths: []string{ref}}, Input{Paths: []string{cur}}, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// TestUnseenAndConstant: unseen categories and constant columns are
// explained.
func TestUnseenAndConstant(t *testing.T) {
	ref := writeCSV(t, "c,k", []string{"a,1", "b,1", "a,1", "b,1"})
	cur := writeCSV(t, "c,k", []string{"a,1", "z,1", "a,1", "b,1"})
	rep, err := Compare(context.Background(), Input{Paths: []string{ref}}, Input{Paths: []string{cur}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := rep.Windows[0]
	if c := column(t, w, "c"); c.Unseen != 1 || !strings.Contains(c.Reason, "never seen") || !c.Drift {
		t.Errorf("unseen: %+v", c)
	}
	if c := column(t, w, "k"); !strings.Contains(c.Reason, "one value on both sides") || c.Drift {
		t.Errorf("constant: %+v", c)
	}
	if b, err := json.Marshal(rep); err != nil || !strings.Contains(string(b), `"format":"mlctl.drift.report/v1"`) {
		t.Errorf("json: %v", err)
	}
	if w.Columns[0].Name != "c" {
		t.Errorf("drifted column not first: %v", names(w))
	}
}

// TestProfileMerge: profiles of shards merge to the profile of the whole.
func TestProfileMerge(t *testing.T) {
	a := writeCSV(t, "x,c", []string{"1,a", "2,b"})
	b := writeCSV(t, "x,c", []string{"3,a", "4,c"})
	dir := t.TempDir()
	var paths []string
	for i, p := range []string{a, b} {
		prof, _, err := Profile(context.Background(), Input{Paths: []string{p}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "p"+string(rune('0'+i))+".json")
		f, _ := os.Create(out)
		if err := prof.Encode(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, out)
	}
	merged, rows, err := Profile(context.Background(), Input{Kind: KindProfile, Paths: paths}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	whole, _, err := Profile(context.Background(), Input{Paths: []string{a, b}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mj, _ := json.Marshal(merged)
	wj, _ := json.Marshal(whole)
	if string(mj) != string(wj) || rows != 4 {
		t.Errorf("merged %s (%d rows)\nwhole  %s", mj, rows, wj)
	}
}
