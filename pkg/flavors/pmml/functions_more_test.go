package pmml

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// exprFloat scores one expression (as exprDoc's "out") for x and returns
// it as a number; NaN when it is missing.
func exprFloat(t *testing.T, expr string, x string) float64 {
	t.Helper()
	m := mustParse(t, exprDoc(expr))
	out, err := m.Predict(context.Background(), textBatch(fillInputs(m, map[string][]string{"x": {x}})))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	col, _ := out.Get("out")
	if col.IsNull(0) {
		return math.NaN()
	}
	d, ok := col.Data.([]float64)
	if !ok {
		t.Fatalf("out is %T, want []float64", col.Data)
	}
	return d[0]
}

func closeTo(got, want, rel float64) bool {
	if math.IsInf(want, 0) || want == 0 {
		return got == want || math.Abs(got-want) < 1e-300
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// The expected values come from /usr/bin/python3 with scipy 1.10.1
// (scipy.stats.norm.ppf/cdf/pdf) and Python's math.erf.
func TestNormalFunctionsMatchScipy(t *testing.T) {
	tests := []struct {
		fn   string
		x    string
		want float64
	}{
		{"stdNormalIDF", "1e-300", -37.0470962993612},
		{"stdNormalIDF", "1e-20", -9.262340089798409},
		{"stdNormalIDF", "1e-10", -6.361340902404056},
		{"stdNormalIDF", "0.001", -3.090232306167813},
		{"stdNormalIDF", "0.025", -1.9599639845400545},
		{"stdNormalIDF", "0.3", -0.5244005127080409},
		{"stdNormalIDF", "0.5", 0},
		{"stdNormalIDF", "0.75", 0.6744897501960817},
		{"stdNormalIDF", "0.975", 1.959963984540054},
		{"stdNormalIDF", "0.999999", 4.753424308817087},
		{"stdNormalIDF", "0", math.Inf(-1)},
		{"stdNormalIDF", "1", math.Inf(1)},
		{"stdNormalIDF", "1.5", math.NaN()},
		{"stdNormalCDF", "-8", 6.22096057427174e-16},
		{"stdNormalCDF", "-1.5", 0.06680720126885807},
		{"stdNormalCDF", "0", 0.5},
		{"stdNormalCDF", "0.5", 0.6914624612740131},
		{"stdNormalCDF", "3", 0.9986501019683699},
		{"stdNormalPDF", "-8", 5.052271083536893e-15},
		{"stdNormalPDF", "-1.5", 0.12951759566589174},
		{"stdNormalPDF", "0", 0.3989422804014327},
		{"stdNormalPDF", "3", 0.004431848411938008},
		{"stdNormalPDF", "10", 7.69459862670642e-23},
		{"erf", "-2", -0.9953222650189527},
		{"erf", "-0.5", -0.5204998778130465},
		{"erf", "0", 0},
		{"erf", "0.1", 0.1124629160182849},
		{"erf", "1", 0.8427007929497149},
		{"erf", "3", 0.9999779095030014},
	}
	for _, tc := range tests {
		t.Run(tc.fn+"("+tc.x+")", func(t *testing.T) {
			got := exprFloat(t, `<Apply function="`+tc.fn+`"><FieldRef field="x"/></Apply>`, tc.x)
			if math.IsNaN(tc.want) != math.IsNaN(got) || (!math.IsNaN(got) && !closeTo(got, tc.want, 1e-13)) {
				t.Errorf("got %.17g, want %.17g", got, tc.want)
			}
		})
	}
	three := []struct {
		fn   string
		want float64
	}{ // (x=12, mu=10, sigma=4); normalIDF with p=0.9
		{"normalCDF", 0.6914624612740131},
		{"normalPDF", 0.08801633169107487},
		{"normalIDF", 15.126206262178401},
	}
	for _, tc := range three {
		x := "12"
		if tc.fn == "normalIDF" {
			x = "0.9"
		}
		got := exprFloat(t, `<Apply function="`+tc.fn+`"><FieldRef field="x"/><Constant>10</Constant><Constant>4</Constant></Apply>`, x)
		if !closeTo(got, tc.want, 1e-13) {
			t.Errorf("%s: got %.17g, want %.17g", tc.fn, got, tc.want)
		}
	}
}

func TestMoreBuiltins(t *testing.T) {
	tests := []struct {
		name string
		expr string
		x, s string
		want string
	}{
		// modulo follows the spec's floored definition x - y*floor(x/y):
		// the result takes the divisor's sign.
		{"modulo", `<Apply function="modulo"><FieldRef field="x"/><Constant>3</Constant></Apply>`, "11", "", "2"},
		{"modulo negative dividend", `<Apply function="modulo"><FieldRef field="x"/><Constant>3</Constant></Apply>`, "-11", "", "1"},
		{"modulo negative divisor", `<Apply function="modulo"><FieldRef field="x"/><Constant>-3</Constant></Apply>`, "11", "", "-1"},
		{"x-modulo", `<Apply function="x-modulo"><FieldRef field="x"/><Constant>4</Constant></Apply>`, "10", "", "2"},
		{"median odd", `<Apply function="median"><FieldRef field="x"/><Constant>1</Constant><Constant>7</Constant></Apply>`, "3", "", "3"},
		{"median even", `<Apply function="median"><FieldRef field="x"/><Constant>1</Constant><Constant>7</Constant><Constant>4</Constant></Apply>`, "3", "", "3.5"},
		{"x-atan2", `<Apply function="x-atan2"><FieldRef field="x"/><Constant>0</Constant></Apply>`, "1", "", "1.57079632679"},
		{"x-expm1", `<Apply function="x-expm1"><FieldRef field="x"/></Apply>`, "0", "", "0"},
		{"x-ln1p", `<Apply function="x-ln1p"><FieldRef field="x"/></Apply>`, "0", "", "0"},
		{"x-rint half to even", `<Apply function="x-rint"><FieldRef field="x"/></Apply>`, "2.5", "", "2"},
		{"x-hypot", `<Apply function="x-hypot"><FieldRef field="x"/><Constant>4</Constant></Apply>`, "3", "", "5"},
		{"x-tanh", `<Apply function="x-tanh"><FieldRef field="x"/></Apply>`, "0", "", "0"},
		{"matches anywhere", `<Apply function="matches"><FieldRef field="s"/><Constant>b+c</Constant></Apply>`, "1", "abbcd", "true"},
		{"matches no", `<Apply function="matches"><FieldRef field="s"/><Constant>^c</Constant></Apply>`, "1", "abbcd", "false"},
		{"matches pattern from data", `<Apply function="matches"><Constant>abc</Constant><FieldRef field="s"/></Apply>`, "1", "b.", "true"},
		{"matches bad pattern from data", `<Apply function="matches"><Constant>abc</Constant><FieldRef field="s"/></Apply>`, "1", "(", "null"},
		{"replace with group", `<Apply function="replace"><FieldRef field="s"/><Constant>(\w+)@(\w+)</Constant><Constant>$2 at $1</Constant></Apply>`, "1", "me@home", "home at me"},
		{"replace all", `<Apply function="replace"><FieldRef field="s"/><Constant>[aeiou]</Constant><Constant>_</Constant></Apply>`, "1", "banana", "b_n_n_"},
		{"formatNumber %.2f", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%.2f</Constant></Apply>`, "3.14159", "", "3.14"},
		{"formatNumber %d", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>n=%d!</Constant></Apply>`, "42", "", "n=42!"},
		{"formatNumber %d fraction", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%d</Constant></Apply>`, "4.5", "", "null"},
		{"formatNumber %05.1f", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%05.1f</Constant></Apply>`, "3.14159", "", "003.1"},
		{"formatNumber %e", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%e</Constant></Apply>`, "1234.5", "", "1.234500e+03"},
		{"formatNumber %g", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%g</Constant></Apply>`, "100000", "", "100000"},
		{"formatNumber %s %%", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%s%%</Constant></Apply>`, "12", "", "12%"},
		{"formatNumber %ld", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%ld</Constant></Apply>`, "-7", "", "-7"},
		{"stringLength", `<Apply function="stringLength"><FieldRef field="s"/></Apply>`, "1", "héllo", "5"},
		{"isValid present", `<Apply function="isValid"><FieldRef field="x"/></Apply>`, "1", "", "true"},
		{"isValid missing", `<Apply function="isValid"><FieldRef field="x"/></Apply>`, "", "", "false"},
		{"isNotValid missing", `<Apply function="isNotValid"><FieldRef field="x"/></Apply>`, "", "", "false"},
		{"isNotValid present", `<Apply function="isNotValid"><FieldRef field="x"/></Apply>`, "1", "", "false"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, exprDoc(tc.expr))
			got := predictText(t, m, map[string][]string{"x": {tc.x}, "s": {tc.s}}, "out")
			if got[0] != tc.want {
				t.Errorf("got %s, want %s", got[0], tc.want)
			}
		})
	}
}

// An invalid value kept by invalidValueTreatment="asIs" is what isNotValid
// detects.
func TestIsValidOnInvalidInput(t *testing.T) {
	doc := pmmlDoc(`<DataDictionary>
	 <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="n/a" property="missing"/></DataField>
	 <DataField name="t" optype="continuous" dataType="double"/>
	</DataDictionary>
	<RegressionModel functionName="regression">
	 <MiningSchema><MiningField name="c" invalidValueTreatment="asIs"/><MiningField name="t" usageType="target"/></MiningSchema>
	 <Output>
	  <OutputField name="valid" feature="transformedValue"><Apply function="isValid"><FieldRef field="c"/></Apply></OutputField>
	  <OutputField name="invalid" feature="transformedValue"><Apply function="isNotValid"><FieldRef field="c"/></Apply></OutputField>
	 </Output>
	 <RegressionTable intercept="1"/>
	</RegressionModel>`)
	m := mustParse(t, doc)
	in := map[string][]string{"c": {"a", "zzz", "n/a", ""}}
	valid := predictText(t, m, in, "valid")
	invalid := predictText(t, m, in, "invalid")
	wantValid := []string{"true", "false", "false", "false"}
	wantInvalid := []string{"false", "true", "false", "false"}
	for i := range wantValid {
		if valid[i] != wantValid[i] || invalid[i] != wantInvalid[i] {
			t.Errorf("row %d (%q): isValid %s isNotValid %s, want %s %s", i, in["c"][i], valid[i], invalid[i], wantValid[i], wantInvalid[i])
		}
	}
}

func TestFunctionPatternsRefused(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"backreference", `<Apply function="matches"><FieldRef field="s"/><Constant>(a)\1</Constant></Apply>`, "not an RE2"},
		{"lookahead", `<Apply function="replace"><FieldRef field="s"/><Constant>a(?=b)</Constant><Constant>x</Constant></Apply>`, "not an RE2"},
		{"long pattern", `<Apply function="matches"><FieldRef field="s"/><Constant>` + strings.Repeat("a", MaxPatternLength+1) + `</Constant></Apply>`, "limit"},
		{"format two conversions", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%d %d</Constant></Apply>`, "more than one conversion"},
		{"format no conversion", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>abc</Constant></Apply>`, "no conversion"},
		{"format %n", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%n</Constant></Apply>`, "unsupported conversion"},
		{"format huge width", `<Apply function="formatNumber"><FieldRef field="x"/><Constant>%1000000d</Constant></Apply>`, "width or precision"},
		{"datetime unknown conversion", `<Apply function="formatDatetime"><FieldRef field="x"/><Constant>%Q</Constant></Apply>`, "not supported"},
		{"unknown function", `<Apply function="weightedSum"><FieldRef field="x"/></Apply>`, `function "weightedSum"`},
		{"arity", `<Apply function="matches"><FieldRef field="s"/></Apply>`, "takes 2 arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(exprDoc(tc.expr)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if !errors.Is(err, flavors.ErrUnsupported) && !errors.Is(err, flavors.ErrInvalidInput) {
				t.Errorf("error %v wraps neither ErrUnsupported nor ErrInvalidInput", err)
			}
		})
	}
}
