package pmml

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// grmParams: p0 intercept, p1 = x², p2 = [s=red], p3 = x·[s=red].
const grmParams = `<ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/></ParameterList>
 <FactorList><Predictor name="s"/></FactorList><CovariateList><Predictor name="x"/></CovariateList>
 <PPMatrix><PPCell value="2" predictorName="x" parameterName="p1"/><PPCell value="red" predictorName="s" parameterName="p2"/>
  <PPCell value="1" predictorName="x" parameterName="p3"/><PPCell value="red" predictorName="s" parameterName="p3"/></PPMatrix>`

func TestGeneralRegressionRegression(t *testing.T) {
	cells := `<ParamMatrix><PCell parameterName="p0" beta="1"/><PCell parameterName="p1" beta="0.5"/>
	 <PCell parameterName="p2" beta="-2"/><PCell parameterName="p3" beta="0.25"/></ParamMatrix>`
	x := 2.0
	red := 1 + 0.5*x*x - 2 + 0.25*x // s=red
	blue := 1 + 0.5*x*x             // s=blue
	tests := []struct {
		attrs     string
		red, blue float64
	}{
		{`modelType="regression"`, red, blue},
		{`modelType="generalLinear"`, red, blue},
		{`modelType="generalizedLinear" linkFunction="identity"`, red, blue},
		{`modelType="generalizedLinear" linkFunction="log"`, math.Exp(red), math.Exp(blue)},
		{`modelType="generalizedLinear" linkFunction="logc"`, 1 - math.Exp(red), 1 - math.Exp(blue)},
		{`modelType="generalizedLinear" linkFunction="power" linkParameter="0.5"`, red * red, blue * blue},
		{`modelType="generalizedLinear" linkFunction="power" linkParameter="0"`, math.Exp(red), math.Exp(blue)},
		{`modelType="generalizedLinear" linkFunction="log" offsetValue="1" trialsValue="3"`, 3 * math.Exp(red+1), 3 * math.Exp(blue+1)},
		{`modelType="generalizedLinear" linkFunction="oddspower" linkParameter="1"`, (1 + red) / (2 + red), (1 + blue) / (2 + blue)},
		{`modelType="generalizedLinear" linkFunction="negbin" distParameter="2"`, 1 / (2 * (math.Exp(-red) - 1)), 1 / (2 * (math.Exp(-blue) - 1))},
	}
	for _, tc := range tests {
		t.Run(tc.attrs, func(t *testing.T) {
			m := mustParse(t, pmmlDoc(dictXYS+`<GeneralRegressionModel functionName="regression" `+tc.attrs+`>`+schemaXYS+grmParams+cells+`</GeneralRegressionModel>`))
			got := predictText(t, m, map[string][]string{"x": {"2", "2", "", "2"}, "s": {"red", "blue", "red", ""}}, outPrediction)
			want := []string{fmtG(tc.red), fmtG(tc.blue), "null", "null"}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestGeneralRegressionClassification(t *testing.T) {
	// Linear predictors at x=2, s=red: η_a = 1 + 4·0.5 = 3 ... per category below.
	cellsA := `<PCell targetCategory="a" parameterName="p0" beta="-1"/><PCell targetCategory="a" parameterName="p1" beta="0.5"/>`
	cellsB := `<PCell targetCategory="b" parameterName="p0" beta="0.5"/><PCell targetCategory="b" parameterName="p2" beta="-1"/>`
	etaA := -1 + 0.5*4.0 // 1
	etaB := 0.5 - 1.0    // -0.5
	sm := 1 + math.Exp(etaA) + math.Exp(etaB)
	logistic := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	probit := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	// Ordinal: thresholds per category, a shared slope on x² (cells without targetCategory).
	ordinal := `<PCell targetCategory="a" parameterName="p0" beta="-1"/><PCell targetCategory="b" parameterName="p0" beta="1"/><PCell parameterName="p1" beta="0.25"/>`
	cumA, cumB := logistic(-1+1), logistic(1+1)
	tests := []struct {
		name, attrs, cells string
		want               []float64 // a, b, z
	}{
		{"multinomial", `modelType="multinomialLogistic"`, cellsA + cellsB,
			[]float64{math.Exp(etaA) / sm, math.Exp(etaB) / sm, 1 / sm}},
		{"logit", `modelType="generalizedLinear" linkFunction="logit" targetReferenceCategory="z"`, cellsA,
			[]float64{logistic(etaA), 0, 1 - logistic(etaA)}},
		{"probit", `modelType="generalizedLinear" linkFunction="probit" targetReferenceCategory="b"`, cellsA,
			[]float64{probit(etaA), 1 - probit(etaA), 0}},
		{"cloglog", `modelType="generalizedLinear" linkFunction="cloglog" targetReferenceCategory="b"`, cellsA,
			[]float64{1 - math.Exp(-math.Exp(etaA)), math.Exp(-math.Exp(etaA)), 0}},
		{"ordinal", `modelType="ordinalMultinomial" cumulativeLink="logit"`, ordinal,
			[]float64{cumA, cumB - cumA, 1 - cumB}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, pmmlDoc(dictXYS+`<GeneralRegressionModel functionName="classification" `+tc.attrs+`>`+schemaXYSC+grmParams+
				`<ParamMatrix>`+tc.cells+`</ParamMatrix></GeneralRegressionModel>`))
			in := map[string][]string{"x": {"2"}, "s": {"red"}}
			got := probRow(t, m, in, 0)
			best := 0
			for i, w := range tc.want {
				if got[i] != fmtG(w) {
					t.Errorf("class %d: got %s, want %s", i, got[i], fmtG(w))
				}
				if w > tc.want[best] {
					best = i
				}
			}
			if lbl := predictText(t, m, in, outLabel)[0]; lbl != []string{"a", "b", "z"}[best] {
				t.Errorf("label %s, want %s", lbl, []string{"a", "b", "z"}[best])
			}
		})
	}
}

func TestGeneralRegressionRefuses(t *testing.T) {
	tests := []struct{ name, attrs, body, want string }{
		{"contrast", `modelType="regression"`, `<ParameterList/><FactorList><Predictor name="s" contrastMatrixType="helmert"/></FactorList>`, "contrastMatrixType"},
		{"pp target", `modelType="regression"`, `<ParameterList><Parameter name="p0"/></ParameterList><CovariateList><Predictor name="x"/></CovariateList><PPMatrix><PPCell value="1" predictorName="x" parameterName="p0" targetCategory="a"/></PPMatrix>`, "targetCategory of <PPCell>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(pmmlDoc(dictXYS + `<GeneralRegressionModel functionName="regression" ` + tc.attrs + `>` + schemaXYS + tc.body + `<ParamMatrix/></GeneralRegressionModel>`)))
			if !errors.Is(err, flavors.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "line") {
				t.Errorf("got %v, want an unsupported error naming %q and its line", err, tc.want)
			}
		})
	}
}
