package run

import (
	"encoding/json"
	"math"
	"os"
	"testing"
)

type metricsCase struct {
	Name     string      `json:"name"`
	Task     string      `json:"task"`
	Classes  []string    `json:"classes"`
	Truth    []any       `json:"truth"`
	Pred     []any       `json:"pred"`
	Probs    [][]float64 `json:"probs"`
	Accuracy float64     `json:"accuracy"`
	F1Macro  float64     `json:"f1_macro"`
	ROCAUC   float64     `json:"roc_auc"`
	RMSE     float64     `json:"rmse"`
	MAE      float64     `json:"mae"`
}

// TestMetricsMatchSklearn compares every metric with scikit-learn on the
// cases testdata/gen_metrics_oracle.py generated.
func TestMetricsMatchSklearn(t *testing.T) {
	raw, err := os.ReadFile("testdata/metrics_oracle.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []metricsCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			p := newPerf()
			for i := range tc.Truth {
				if tc.Task == "regression" {
					p.addRegression(tc.Truth[i].(float64), tc.Pred[i].(float64))
				} else {
					p.addClass(tc.Truth[i].(string), tc.Pred[i].(string), tc.Classes, tc.Probs[i])
				}
			}
			got := p.metrics()
			want := map[string]float64{"accuracy": tc.Accuracy, "f1_macro": tc.F1Macro, "roc_auc": tc.ROCAUC}
			if tc.Task == "regression" {
				want = map[string]float64{"rmse": tc.RMSE, "mae": tc.MAE}
			}
			if len(got) != len(want) {
				t.Fatalf("metrics %v, want the names of %v", got, want)
			}
			for name, w := range want {
				if g := got[name]; math.Abs(g-w) > 1e-12*max(1, math.Abs(w)) {
					t.Errorf("%s = %.17g, sklearn %.17g", name, g, w)
				}
			}
		})
	}
}

func TestROCAUCUndefinedWithOneClass(t *testing.T) {
	p := newPerf()
	for i := range 10 {
		p.addClass("a", "a", []string{"a", "b"}, []float64{1 - float64(i)/10, float64(i) / 10})
	}
	if _, ok := p.metrics()["roc_auc"]; ok {
		t.Error("roc_auc reported with no row of the positive class; sklearn refuses it")
	}
}

// TestROCAUCReservoirBounded checks that past maxScoredRows the kept rows
// stay bounded.
func TestROCAUCReservoirBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("adds 1.1M rows")
	}
	p := newPerf()
	classes := []string{"a", "b"}
	for i := range maxScoredRows + maxScoredRows/10 {
		y := "a"
		if i%3 == 0 {
			y = "b"
		}
		s := float64(i%1000) / 1000
		if y == "b" {
			s = min(1, s+0.3)
		}
		p.addClass(y, y, classes, []float64{1 - s, s})
	}
	if len(p.scored) != maxScoredRows {
		t.Fatalf("kept %d scored rows, want the cap %d", len(p.scored), maxScoredRows)
	}
	if auc := p.metrics()["roc_auc"]; !(auc > 0.6 && auc < 1) {
		t.Errorf("roc_auc %v from the reservoir, want a separating score", auc)
	}
}
