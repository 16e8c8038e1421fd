package pmml

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func fmtG(x float64) string { return strconv.FormatFloat(x, 'g', 12, 64) }

func TestRegressionModel(t *testing.T) {
	// y = 1 + 2·x² + 3 (s=red) + 0.5·x·y
	doc := pmmlDoc(dictXYS + `<RegressionModel functionName="regression" normalizationMethod="NORM">` + schemaXYS + `
	 <RegressionTable intercept="1">
	  <NumericPredictor name="x" exponent="2" coefficient="2"/>
	  <CategoricalPredictor name="s" value="red" coefficient="3"/>
	  <CategoricalPredictor name="s" value="blue" coefficient="0"/>
	  <PredictorTerm coefficient="0.5"><FieldRef field="x"/><FieldRef field="y"/></PredictorTerm>
	 </RegressionTable></RegressionModel>`)
	y := 1 + 2*4 + 3 + 0.5*2*3.0
	for norm, want := range map[string]float64{
		"none": y, "exp": math.Exp(y), "logit": 1 / (1 + math.Exp(-y)), "softmax": 1 / (1 + math.Exp(-y)),
		"probit": 0.5 * math.Erfc(-y/math.Sqrt2), "cloglog": 1 - math.Exp(-math.Exp(y)),
		"loglog": math.Exp(-math.Exp(-y)), "cauchit": 0.5 + math.Atan(y)/math.Pi,
	} {
		t.Run(norm, func(t *testing.T) {
			m := mustParse(t, strings.ReplaceAll(doc, "NORM", norm))
			got := predictText(t, m, map[string][]string{"x": {"2", "", "2"}, "y": {"3", "3", "3"}, "s": {"red", "red", "green"}}, outPrediction)
			if got[0] != fmtG(want) || got[1] != "null" {
				t.Errorf("got %v, want [%s null …]", got, fmtG(want))
			}
		})
	}
}

func TestRegressionClassification(t *testing.T) {
	tables := `<RegressionTable intercept="1" targetCategory="a"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
	 <RegressionTable intercept="0" targetCategory="b"><NumericPredictor name="x" coefficient="-1"/></RegressionTable>`
	three := tables + `<RegressionTable intercept="0.5" targetCategory="z"/>`
	x := 0.5
	ya, yb, yz := 1+x, -x, 0.5
	soft := math.Exp(ya) + math.Exp(yb) + math.Exp(yz)
	tests := []struct {
		norm, tables string
		want         []float64 // a, b, z
	}{
		{"softmax", three, []float64{math.Exp(ya) / soft, math.Exp(yb) / soft, math.Exp(yz) / soft}},
		{"simplemax", three, []float64{ya / (ya + yb + yz), yb / (ya + yb + yz), yz / (ya + yb + yz)}},
		{"none", three, []float64{ya, yb, yz}},
		{"logit", tables, []float64{1 / (1 + math.Exp(-ya)), 1 - 1/(1+math.Exp(-ya)), 0}},
		{"probit", tables, []float64{0.5 * math.Erfc(-ya/math.Sqrt2), 1 - 0.5*math.Erfc(-ya/math.Sqrt2), 0}},
		{"none", tables, []float64{ya, 1 - ya, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.norm, func(t *testing.T) {
			doc := pmmlDoc(dictXYS + `<RegressionModel functionName="classification" normalizationMethod="` + tc.norm + `">` + schemaXYSC + tc.tables + `</RegressionModel>`)
			m := mustParse(t, doc)
			got := probRow(t, m, map[string][]string{"x": {"0.5"}}, 0)
			for i, w := range tc.want {
				if got[i] != fmtG(w) {
					t.Errorf("class %d: got %s, want %s", i, got[i], fmtG(w))
				}
			}
			best := 0
			for i := range tc.want {
				if tc.want[i] > tc.want[best] {
					best = i
				}
			}
			if lbl := predictText(t, m, map[string][]string{"x": {"0.5"}}, outLabel)[0]; lbl != []string{"a", "b", "z"}[best] {
				t.Errorf("label %s", lbl)
			}
		})
	}
}
