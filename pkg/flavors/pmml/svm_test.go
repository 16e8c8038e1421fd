package pmml

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// svmVectors is the VectorDictionary most SVM tests use: fields x, y and
// vectors v1 = (0, 0), v2 = (1, 1) (sparse) and v3 = (1, 2) (dense).
const svmVectors = `<VectorDictionary numberOfVectors="3"><VectorFields numberOfFields="2"><FieldRef field="x"/><FieldRef field="y"/></VectorFields>
 <VectorInstance id="v1"><REAL-SparseArray n="2"/></VectorInstance>
 <VectorInstance id="v2"><REAL-SparseArray n="2"><Indices>1 2</Indices><REAL-Entries>1 1</REAL-Entries></REAL-SparseArray></VectorInstance>
 <VectorInstance id="v3"><Array type="real" n="2">1 2</Array></VectorInstance>
</VectorDictionary>`

// svmRegression is one machine over support vectors with the given
// coefficients (for v1, v2, v3) and intercept b.
func svmRegression(kernel, coefs, b string) string {
	var sv, cs strings.Builder
	for i, c := range strings.Fields(coefs) {
		sv.WriteString(`<SupportVector vectorId="v` + string(rune('1'+i)) + `"/>`)
		cs.WriteString(`<Coefficient value="` + c + `"/>`)
	}
	return pmmlDoc(dictXYS + `<SupportVectorMachineModel functionName="regression">` + schemaXYS + kernel + svmVectors +
		`<SupportVectorMachine><SupportVectors>` + sv.String() + `</SupportVectors><Coefficients absoluteValue="` + b + `">` +
		cs.String() + `</Coefficients></SupportVectorMachine></SupportVectorMachineModel>`)
}

func TestSVMRegressionKernels(t *testing.T) {
	x, y := 1.0, 0.0
	tests := []struct {
		name, kernel, coefs, b string
		want                   float64
	}{
		{"linear", `<LinearKernelType/>`, "2 -1 3", "0.5", 0.5 + 2*0 - 1*(x+y) + 3*(x+2*y)},
		{"polynomial", `<PolynomialKernelType gamma="2" coef0="1" degree="2"/>`, "0 0 1", "0", math.Pow(2*(x+2*y)+1, 2)},
		{"radial basis", `<RadialBasisKernelType gamma="0.5"/>`, "2 -1 0", "0.5", 0.5 + 2*math.Exp(-0.5*(x*x+y*y)) - math.Exp(-0.5*((x-1)*(x-1)+(y-1)*(y-1)))},
		{"sigmoid", `<SigmoidKernelType gamma="1" coef0="0.5"/>`, "0 1 1", "-1", -1 + math.Tanh(x+y+0.5) + math.Tanh(x+2*y+0.5)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, svmRegression(tc.kernel, tc.coefs, tc.b))
			got := predictText(t, m, map[string][]string{"x": {"1", ""}, "y": {"0", "1"}}, outPrediction)
			if want := fmtG(tc.want); got[0] != want || got[1] != "null" {
				t.Errorf("got %v, want [%s null]", got, want)
			}
		})
	}
}

// svmCoefficients is a linear model given as coefficients on x and a
// CategoricalPredictor for s="red" (weight 2).
func svmCoefficients(fn, attrs, machines string) string {
	schema := schemaXYS
	if fn == "classification" {
		schema = schemaXYSC
	}
	return pmmlDoc(dictXYS + `<SupportVectorMachineModel functionName="` + fn + `" svmRepresentation="Coefficients" ` + attrs + `>` + schema +
		`<LinearKernelType/><VectorDictionary><VectorFields><FieldRef field="x"/><CategoricalPredictor name="s" value="red" coefficient="2"/></VectorFields></VectorDictionary>` +
		machines + `</SupportVectorMachineModel>`)
}

// svmLinear is a machine f = b + cx·x + cs·[s = red]·2.
func svmLinear(cats, b, cx, cs string) string {
	return `<SupportVectorMachine ` + cats + `><Coefficients absoluteValue="` + b + `"><Coefficient value="` + cx + `"/><Coefficient value="` + cs + `"/></Coefficients></SupportVectorMachine>`
}

func TestSVMCoefficientsRegression(t *testing.T) {
	m := mustParse(t, svmCoefficients("regression", "", svmLinear("", "1", "3", "0.5")))
	got := predictText(t, m, map[string][]string{"x": {"2", "2", "2"}, "s": {"red", "blue", ""}}, outPrediction)
	want := []string{fmtG(1 + 6 + 1), fmtG(1 + 6), "null"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestSVMClassification(t *testing.T) {
	// One against one: a|b: f = x − 1, a|z: f = x − 2, b|z: f = x − 3; target wins when f < 0.
	ovo := svmLinear(`targetCategory="a" alternateTargetCategory="b"`, "-1", "1", "0") +
		svmLinear(`targetCategory="a" alternateTargetCategory="z"`, "-2", "1", "0") +
		svmLinear(`targetCategory="b" alternateTargetCategory="z"`, "-3", "1", "0")
	// A three-way tie at x = 1: the machines vote a, z and b.
	tie := svmLinear(`targetCategory="a" alternateTargetCategory="b"`, "-2", "1", "0") +
		svmLinear(`targetCategory="a" alternateTargetCategory="z"`, "0", "1", "0") +
		svmLinear(`targetCategory="b" alternateTargetCategory="z"`, "-2", "1", "0")
	// One against all: a: f = x, b: f = −x, z: f = 0.5.
	ova := svmLinear(`targetCategory="a"`, "0", "1", "0") + svmLinear(`targetCategory="b"`, "0", "-1", "0") + svmLinear(`targetCategory="z"`, "0.5", "0", "0")
	binary := svmLinear(`targetCategory="a" alternateTargetCategory="b"`, "-1", "1", "0")
	const third, twoThirds = "0.333333333333", "0.666666666667"
	tests := []struct {
		name, attrs, machines, x string
		label                    string
		probs                    []string
	}{
		{"ovo x=0", `classificationMethod="OneAgainstOne"`, ovo, "0", "a", []string{twoThirds, third, "0"}},
		{"ovo x=1.5", `classificationMethod="OneAgainstOne"`, ovo, "1.5", "b", []string{third, twoThirds, "0"}},
		{"ovo x=2.5", `classificationMethod="OneAgainstOne"`, ovo, "2.5", "b", []string{"0", twoThirds, third}},
		{"ovo maxWins x=0", `classificationMethod="OneAgainstOne" maxWins="true"`, ovo, "0", "z", []string{"0", third, twoThirds}},
		{"ovo threshold x=0", `classificationMethod="OneAgainstOne" threshold="-1.5"`, ovo, "0", "b", []string{third, twoThirds, "0"}},
		{"ovo tie goes to the first class", `classificationMethod="OneAgainstOne"`, tie, "1", "a", []string{third, third, third}},
		{"ova lowest wins", `classificationMethod="OneAgainstAll"`, ova, "1", "b", []string{"0", "1", "0"}},
		{"ova maxWins", `classificationMethod="OneAgainstAll" maxWins="true"`, ova, "1", "a", []string{"1", "0", "0"}},
		{"ova is the default, maxWins x=0", `maxWins="true"`, ova, "0", "z", []string{"0", "0", "1"}},
		{"binary target", ``, binary, "0.5", "a", []string{"1", "0", "0"}},
		{"binary alternate", ``, binary, "1", "b", []string{"0", "1", "0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, svmCoefficients("classification", tc.attrs, tc.machines))
			cols := map[string][]string{"x": {tc.x}, "s": {"blue"}}
			if got := predictText(t, m, cols, outLabel); got[0] != tc.label {
				t.Errorf("label %s, want %s", got[0], tc.label)
			}
			if got := probRow(t, m, cols, 0); strings.Join(got, " ") != strings.Join(tc.probs, " ") {
				t.Errorf("probabilities %v, want %v", got, tc.probs)
			}
		})
	}
}

func TestSVMRefusals(t *testing.T) {
	tests := []struct {
		name, doc, want string
		kind            error
	}{
		{"no kernel", strings.Replace(svmRegression(`<LinearKernelType/>`, "1 1 1", "0"), `<LinearKernelType/>`, "", 1), "needs a kernel type", flavors.ErrInvalidInput},
		{"unknown vector", strings.Replace(svmRegression(`<LinearKernelType/>`, "1 1 1", "0"), `vectorId="v3"`, `vectorId="v9"`, 1), `vectorId="v9"> names no <VectorInstance>`, flavors.ErrInvalidInput},
		{"coefficient count", strings.Replace(svmRegression(`<LinearKernelType/>`, "1 1 1", "0"), `<Coefficient value="1"/></Coefficients>`, `</Coefficients>`, 1), "2 coefficients for 3 support vectors", flavors.ErrInvalidInput},
		{"sparse index", strings.Replace(svmRegression(`<LinearKernelType/>`, "1 1 1", "0"), `<Indices>1 2</Indices>`, `<Indices>1 3</Indices>`, 1), `index "3" is not in 1..2`, flavors.ErrInvalidInput},
		{"coefficients need linear", strings.Replace(svmCoefficients("regression", "", svmLinear("", "1", "3", "0.5")), `<LinearKernelType/>`, `<RadialBasisKernelType gamma="1"/>`, 1), "needs a LinearKernelType", flavors.ErrInvalidInput},
		{"ovo needs alternate", svmCoefficients("classification", `classificationMethod="OneAgainstOne"`, svmLinear(`targetCategory="a"`, "0", "1", "0")+svmLinear(`targetCategory="b"`, "0", "1", "0")), "needs an alternateTargetCategory", flavors.ErrInvalidInput},
		{"alternateBinaryTargetCategory", svmCoefficients("regression", `alternateBinaryTargetCategory="b"`, svmLinear("", "1", "3", "0.5")), "alternateBinaryTargetCategory", flavors.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), "line") {
				t.Errorf("got %v, want an error naming %q and its line, wrapping %v", err, tc.want, tc.kind)
			}
		})
	}
}
