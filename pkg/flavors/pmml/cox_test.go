package pmml

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// coxDoc is a CoxRegression ending at time y: p0 = x (referencePoint 1,
// β 0.5) and, when factor, p1 = [s=red] (referencePoint 0.5, β 1).
func coxDoc(attrs string, factor bool, tables string) string {
	params := `<ParameterList><Parameter name="p0" referencePoint="1"/></ParameterList><CovariateList><Predictor name="x"/></CovariateList>
	 <PPMatrix><PPCell value="1" predictorName="x" parameterName="p0"/></PPMatrix><ParamMatrix><PCell parameterName="p0" beta="0.5"/></ParamMatrix>`
	if factor {
		params = `<ParameterList><Parameter name="p0" referencePoint="1"/><Parameter name="p1" referencePoint="0.5"/></ParameterList>
		 <FactorList><Predictor name="s"/></FactorList><CovariateList><Predictor name="x"/></CovariateList>
		 <PPMatrix><PPCell value="1" predictorName="x" parameterName="p0"/><PPCell value="red" predictorName="s" parameterName="p1"/></PPMatrix>
		 <ParamMatrix><PCell parameterName="p0" beta="0.5"/><PCell parameterName="p1" beta="1"/></ParamMatrix>`
	}
	return pmmlDoc(dictXYS + `<GeneralRegressionModel functionName="regression" modelType="CoxRegression" endTimeVariable="y" ` + attrs + `>` +
		schemaXYS + params + tables + `</GeneralRegressionModel>`)
}

func TestCoxRegression(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		in   map[string][]string
		want []float64 // NaN: null
	}{
		{
			"one table, centred factor and covariate",
			coxDoc(`statusVariable="t"`, true, `<EventValues><Value value="1"/></EventValues><BaseCumHazardTables maxTime="5">
			 <BaselineCell time="1" cumHazard="0.1"/><BaselineCell time="3" cumHazard="0.3"/></BaseCumHazardTables>`),
			map[string][]string{"x": {"3", "3", "3", "3", "3", ""}, "s": {"red", "red", "red", "red", "blue", "red"}, "y": {"2", "0.5", "3", "6", "3", "2"}},
			// r − r̄ = 0.5·(3−1) + 1·([red]−0.5): 1.5 for red, 0.5 for blue.
			[]float64{0.1 * math.Exp(1.5), 0, 0.3 * math.Exp(1.5), math.NaN(), 0.3 * math.Exp(0.5), math.NaN()},
		},
		{
			"strata",
			coxDoc(`baselineStrataVariable="s"`, false, `<BaseCumHazardTables>
			 <BaselineStratum value="red" maxTime="4"><BaselineCell time="1" cumHazard="0.2"/></BaselineStratum>
			 <BaselineStratum value="blue" maxTime="10"><BaselineCell time="2" cumHazard="0.4"/></BaselineStratum></BaseCumHazardTables>`),
			map[string][]string{"x": {"3", "3", "3", "3", "3", "3"}, "s": {"red", "blue", "blue", "green", "red", ""}, "y": {"1", "1", "10", "1", "5", "1"}},
			[]float64{0.2 * math.E, 0, 0.4 * math.E, math.NaN(), math.NaN(), math.NaN()},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := predictText(t, mustParse(t, tc.doc), tc.in, outPrediction)
			for i, w := range tc.want {
				want := "null"
				if !math.IsNaN(w) {
					want = fmtG(w)
				}
				if got[i] != want {
					t.Errorf("row %d: got %s, want %s", i, got[i], want)
				}
			}
		})
	}
}

func TestCoxRegressionRefuses(t *testing.T) {
	cells := `<BaseCumHazardTables maxTime="5"><BaselineCell time="1" cumHazard="0.1"/></BaseCumHazardTables>`
	tests := []struct {
		name, doc, want string
		kind            error
	}{
		{"no tables", coxDoc("", false, ""), "BaseCumHazardTables", flavors.ErrInvalidInput},
		{"no end time", strings.Replace(coxDoc("", false, cells), `endTimeVariable="y"`, "", 1), "endTimeVariable", flavors.ErrInvalidInput},
		{"decreasing times", coxDoc("", false, `<BaseCumHazardTables maxTime="5"><BaselineCell time="2" cumHazard="0.1"/><BaselineCell time="1" cumHazard="0.2"/></BaseCumHazardTables>`), "must not decrease", flavors.ErrInvalidInput},
		{"no maxTime", coxDoc("", false, `<BaseCumHazardTables><BaselineCell time="1" cumHazard="0.1"/></BaseCumHazardTables>`), "maxTime", flavors.ErrInvalidInput},
		{"referencePoint outside Cox", pmmlDoc(dictXYS + `<GeneralRegressionModel functionName="regression" modelType="regression">` + schemaXYS +
			`<ParameterList><Parameter name="p0" referencePoint="1"/></ParameterList><ParamMatrix/></GeneralRegressionModel>`), "referencePoint", flavors.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "line") {
				t.Errorf("got %v, want a %v naming %q and its line", err, tc.kind, tc.want)
			}
		})
	}
}
