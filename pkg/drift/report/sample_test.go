package report

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// sampleReport has one of every case a renderer must handle: each test,
// a drifted and a stable column of each kind, an untested column, NaN and
// infinite numbers, unseen categories, an approximate score, a long name,
// a name with control characters and markup, performance metrics, and an
// empty window.
func sampleReport() *Report {
	edges := []float64{0, 10, 20, 30, 40, 50}
	return &Report{
		Format:    Format,
		Generated: at("2026-03-01T12:00:00Z"),
		Baseline:  Source{Kind: "dataset", Paths: []string{"data/train.parquet"}, Rows: 1000},
		Current: Source{
			Kind: "log", Paths: []string{"logs/iris/"}, Rows: 640,
			Since: ptr(at("2026-03-01T00:00:00Z")), Until: ptr(at("2026-03-01T12:00:00Z")),
		},
		Model: &Model{Name: "iris-classifier", Version: "3", UUID: "6f1c9a52-0a44-4b8e-9d0e-5b0b1f6a7c11"},
		Windows: []Window{
			{
				Start: ptr(at("2026-03-01T00:00:00Z")), End: ptr(at("2026-03-01T12:00:00Z")), Rows: 640,
				Dataset: Dataset{Columns: 7, Tested: 6, Drifted: 3, Share: 0.5, Threshold: 0.5, Drift: true},
				Columns: []Column{
					{
						Name: "sepal_width", Role: "feature", Kind: "numeric", Test: "wasserstein", Tested: true,
						Statistic: 0.042, Score: 0.042, Threshold: 0.1, RefRows: 1000, CurRows: 640, Unique: 23,
						Histogram: Histogram{Edges: edges, Ref: []float64{0.1, 0.2, 0.4, 0.2, 0.1}, Cur: []float64{0.12, 0.18, 0.38, 0.22, 0.1}},
					},
					{
						Name: "sepal_length", Role: "feature", Kind: "numeric", Test: "ks", Tested: true,
						Statistic: 0.21, PValue: ptr(0.0012), Score: 0.0012, Threshold: 0.05, Drift: true,
						RefRows: 1000, CurRows: 630, CurMissing: 10, Unique: 35,
						Histogram: Histogram{Edges: edges, Ref: []float64{0.1, 0.2, 0.4, 0.2, 0.1}, Cur: []float64{0.02, 0.08, 0.3, 0.35, 0.25}},
					},
					{
						Name: "species_hint", Role: "feature", Kind: "categorical", Test: "chisquare", Tested: true,
						Statistic: math.Inf(1), PValue: ptr(0.0), Score: 0, Threshold: 0.05, Drift: true,
						Reason:  "2 current values never seen in the reference: expected count 0, so chi-square p = 0",
						RefRows: 1000, CurRows: 640, Unique: 5, Unseen: 2,
						Histogram: Histogram{Labels: []string{"setosa", "versicolor", "virginica", "<b>new</b>", "other"}, Ref: []float64{0.34, 0.33, 0.33, 0, 0}, Cur: []float64{0.3, 0.3, 0.3, 0.05, 0.05}},
					},
					{
						Name: "is_weekend", Role: "feature", Kind: "categorical", Test: "z", Tested: true,
						Statistic: 0.8, PValue: ptr(0.4237), Score: 0.4237, Threshold: 0.05,
						RefRows: 1000, CurRows: 640, Unique: 2,
						Histogram: Histogram{Labels: []string{"false", "true"}, Ref: []float64{0.71, 0.29}, Cur: []float64{0.69, 0.31}},
					},
					{
						Name: "a_very_long_feature_name_from_a_one_hot_encoder_petal_width_bucket_17", Role: "feature", Kind: "numeric", Test: "psi", Tested: true,
						Statistic: 0.07, Score: 0.07, Threshold: 0.1, RefRows: 1000, CurRows: 640, Unique: 6,
						Histogram: Histogram{Edges: []float64{math.Inf(-1), 1, 2, math.Inf(1)}, Ref: []float64{0.3, 0.4, 0.3}, Cur: []float64{0.25, 0.45, 0.3}},
					},
					{
						Name: "label", Role: "prediction", Kind: "categorical", Test: "jensenshannon", Tested: true,
						Statistic: 0.183, Score: 0.183, Threshold: 0.1, Drift: true, Approximate: true,
						RefRows: 1000, CurRows: 640, Unique: 3,
						Histogram: Histogram{Labels: []string{"setosa", "versicolor", "virginica"}, Ref: []float64{0.33, 0.34, 0.33}, Cur: []float64{0.2, 0.5, 0.3}},
					},
					{
						Name: "notes\x1b[31m\n", Role: "feature", Kind: "categorical", Test: "chisquare", Tested: false,
						Statistic: math.NaN(), PValue: ptr(math.NaN()), Score: math.NaN(), Threshold: 0.05,
						Reason: "current is empty", RefRows: 1000, CurMissing: 640,
						Histogram: Histogram{Labels: []string{"a"}, Ref: []float64{1}, Cur: []float64{0}},
					},
				},
				Performance: &Performance{
					Task: "classification", Label: "species",
					Metrics: []Metric{
						{Name: "accuracy", Baseline: 0.96, Current: 0.81, Delta: -0.15, RefRows: 1000, CurRows: 120},
						{Name: "f1_macro", Baseline: 0.9589, Current: 0.8, Delta: -0.1589, RefRows: 1000, CurRows: 120},
						{Name: "roc_auc", Baseline: 0.99, Current: math.NaN(), Delta: math.NaN(), RefRows: 1000, CurRows: 120},
					},
				},
			},
			{
				Start: ptr(at("2026-03-01T12:00:00Z")), End: ptr(at("2026-03-02T00:00:00Z")),
				Empty: "no rows logged between 2026-03-01T12:00:00Z and 2026-03-02T00:00:00Z",
			},
		},
	}
}

// wideReport is a report of n numeric and categorical columns with
// realistic bin counts, for size limits and the screenshot.
func wideReport(n int) *Report {
	r := sampleReport()
	w := &r.Windows[0]
	w.Columns = nil
	for i := range n {
		c := Column{Name: "feature_" + strconv.Itoa(i), Role: "feature", Tested: true, RefRows: 5000, CurRows: 4000, Threshold: 0.1}
		shift := float64(i%7) / 10
		if i%2 == 0 {
			c.Kind, c.Test = "numeric", "wasserstein"
			const bins = 14 // Sturges for 9000 rows
			for k := range bins + 1 {
				c.Histogram.Edges = append(c.Histogram.Edges, float64(k)*0.5-3.5)
			}
			c.Histogram.Ref = normalShares(bins, 0)
			c.Histogram.Cur = normalShares(bins, shift)
		} else {
			c.Kind, c.Test = "categorical", "jensenshannon"
			for k := range 12 {
				c.Histogram.Labels = append(c.Histogram.Labels, "category_"+strconv.Itoa(k))
			}
			c.Histogram.Ref = normalShares(12, 0)
			c.Histogram.Cur = normalShares(12, -shift)
		}
		c.Score = shift / 2
		c.Statistic = c.Score
		c.Drift = c.Score >= c.Threshold
		w.Columns = append(w.Columns, c)
	}
	return r
}

func normalShares(n int, shift float64) []float64 {
	out := make([]float64, n)
	sum := 0.0
	for i := range out {
		x := (float64(i)-float64(n-1)/2)/(float64(n)/6) - shift*3
		out[i] = math.Exp(-x * x / 2)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}
