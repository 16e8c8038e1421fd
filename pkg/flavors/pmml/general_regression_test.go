package pmml

import (
	"context"
	"errors"
	"fmt"
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
		{"contrast of a covariate", `modelType="regression"`, `<ParameterList/><CovariateList><Predictor name="x"><Matrix><Array type="real">1</Array></Matrix></Predictor></CovariateList>`, "<Matrix> inside a covariate"},
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

// helmert is the Helmert contrast matrix of three levels, rows u, v, w.
var helmert = [3][2]float64{{-1, -1}, {1, -1}, {0, 2}}

// contrastGRM: p0 intercept, p1 and p2 the two contrast columns of s
// (PPCell values u and v: columns 1 and 2), p3 = x · column 1.
func contrastGRM(matrix string) string {
	return pmmlDoc(`<DataDictionary><DataField name="x" optype="continuous" dataType="double"/>
	 <DataField name="s" optype="categorical" dataType="string"/><DataField name="t" optype="continuous" dataType="double"/></DataDictionary>
	 <GeneralRegressionModel functionName="regression" modelType="generalLinear">
	 <MiningSchema><MiningField name="x"/><MiningField name="s"/><MiningField name="t" usageType="predicted"/></MiningSchema>
	 <ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/></ParameterList>
	 <FactorList><Predictor name="s" contrastMatrixType="helmert"><Categories><Category value="u"/><Category value="v"/><Category value="w"/></Categories>` +
		matrix + `</Predictor></FactorList>
	 <CovariateList><Predictor name="x"/></CovariateList>
	 <PPMatrix><PPCell value="u" predictorName="s" parameterName="p1"/><PPCell value="v" predictorName="s" parameterName="p2"/>
	  <PPCell value="u" predictorName="s" parameterName="p3"/><PPCell value="1" predictorName="x" parameterName="p3"/></PPMatrix>
	 <ParamMatrix><PCell parameterName="p0" beta="10"/><PCell parameterName="p1" beta="2"/><PCell parameterName="p2" beta="-3"/><PCell parameterName="p3" beta="0.5"/></ParamMatrix>
	 </GeneralRegressionModel>`)
}

func TestGeneralRegressionContrastMatrix(t *testing.T) {
	want := func(x float64, level int) string {
		c := helmert[level]
		return fmtG(10 + 2*c[0] - 3*c[1] + 0.5*x*c[0])
	}
	matrices := map[string]string{
		"arrays": `<Matrix nbRows="3" nbCols="2"><Array n="2" type="real">-1 -1</Array><Array n="2" type="real">1 -1</Array><Array n="2" type="real">0 2</Array></Matrix>`,
		"cells": `<Matrix nbRows="3" nbCols="2" offDiagDefault="0"><MatCell row="1" col="1">-1</MatCell><MatCell row="1" col="2">-1</MatCell>
		 <MatCell row="2" col="1">1</MatCell><MatCell row="2" col="2">-1</MatCell><MatCell row="3" col="2">2</MatCell></Matrix>`,
	}
	for name, matrix := range matrices {
		t.Run(name, func(t *testing.T) {
			m := mustParse(t, contrastGRM(matrix))
			got := predictText(t, m, map[string][]string{"x": {"3", "3", "-2", "1", "1"}, "s": {"u", "v", "w", "q", ""}}, outPrediction)
			// q is not a category of the contrast: no prediction.
			w := []string{want(3, 0), want(3, 1), want(-2, 2), "null", "null"}
			if strings.Join(got, " ") != strings.Join(w, " ") {
				t.Errorf("got %v, want %v", got, w)
			}
		})
	}
}

func TestGeneralRegressionMatrixKinds(t *testing.T) {
	tests := []struct {
		name, matrix string
		want         [][]float64
	}{
		{"diagonal", `<Matrix kind="diagonal"><Array type="real">1 2</Array></Matrix>`, [][]float64{{1, 0}, {0, 2}}},
		{"symmetric", `<Matrix kind="symmetric"><Array type="real">1</Array><Array type="real">5 2</Array></Matrix>`, [][]float64{{1, 5}, {5, 2}}},
		{"cells with defaults", `<Matrix nbRows="2" nbCols="2" diagDefault="1" offDiagDefault="0"><MatCell row="1" col="2">7</MatCell></Matrix>`, [][]float64{{1, 7}, {0, 1}}},
		{"symmetric cells", `<Matrix kind="symmetric" nbRows="2" nbCols="2" diagDefault="1"><MatCell row="2" col="1">3</MatCell></Matrix>`, [][]float64{{1, 3}, {3, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, err := parseDocument(strings.NewReader(tc.matrix))
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseMatrix(root)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	bad := map[string]string{
		"ragged":      `<Matrix><Array type="real">1 2</Array><Array type="real">1</Array></Matrix>`,
		"no default":  `<Matrix nbRows="2" nbCols="2"><MatCell row="1" col="1">1</MatCell></Matrix>`,
		"outside":     `<Matrix nbRows="1" nbCols="1"><MatCell row="2" col="1">1</MatCell></Matrix>`,
		"no size":     `<Matrix><MatCell row="1" col="1">1</MatCell></Matrix>`,
		"huge":        `<Matrix nbRows="100000" nbCols="100000" diagDefault="1" offDiagDefault="0"/>`,
		"both":        `<Matrix nbRows="1" nbCols="1"><Array type="real">1</Array><MatCell row="1" col="1">1</MatCell></Matrix>`,
		"nbRows":      `<Matrix nbRows="2"><Array type="real">1</Array></Matrix>`,
		"symmetric":   `<Matrix kind="symmetric"><Array type="real">1 2</Array></Matrix>`,
		"not numbers": `<Matrix><Array type="real">1 x</Array></Matrix>`,
	}
	for name, doc := range bad {
		root, err := parseDocument(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parseMatrix(root); !errors.Is(err, flavors.ErrInvalidInput) || !strings.Contains(err.Error(), "line") {
			t.Errorf("%s: got %v, want an invalid-input error with its line", name, err)
		}
	}
}

func TestGeneralRegressionContrastRefusals(t *testing.T) {
	cells := `<Matrix nbRows="3" nbCols="2"><Array type="real">-1 -1</Array><Array type="real">1 -1</Array><Array type="real">0 2</Array></Matrix>`
	tests := []struct {
		name, doc, want string
		kind            error
	}{
		{"type without a matrix", strings.Replace(contrastGRM(cells), cells, ``, 1), `contrastMatrixType="helmert" of <Predictor> without a <Matrix>`, flavors.ErrUnsupported},
		{"no categories", strings.Replace(contrastGRM(cells), `<Categories><Category value="u"/><Category value="v"/><Category value="w"/></Categories>`, ``, 1), "needs <Categories>", flavors.ErrInvalidInput},
		{"rows and categories", strings.Replace(contrastGRM(cells), `<Category value="w"/>`, ``, 1), "has 3 rows, the <Categories> 2", flavors.ErrInvalidInput},
		{"cell category", strings.Replace(contrastGRM(cells), `<PPCell value="v"`, `<PPCell value="q"`, 1), `value "q" is not one of the factor's <Categories>`, flavors.ErrInvalidInput},
		{"cell column", strings.Replace(contrastGRM(cells), `<PPCell value="v"`, `<PPCell value="w"`, 1), `the contrast <Matrix> has 2 columns`, flavors.ErrInvalidInput},
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

func TestGeneralRegressionPPCellPerCategory(t *testing.T) {
	// Category a's p1 is x² (its own PPCells), b's p1 is x (the shared ones).
	doc := pmmlDoc(dictXYS + `<GeneralRegressionModel functionName="classification" modelType="multinomialLogistic">` + schemaXYSC + `
	 <ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList><CovariateList><Predictor name="x"/></CovariateList>
	 <PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/><PPCell value="2" predictorName="x" parameterName="p1" targetCategory="a"/></PPMatrix>
	 <ParamMatrix><PCell targetCategory="a" parameterName="p0" beta="-1"/><PCell targetCategory="a" parameterName="p1" beta="0.5"/>
	  <PCell targetCategory="b" parameterName="p0" beta="0.25"/><PCell targetCategory="b" parameterName="p1" beta="-1"/></ParamMatrix>
	</GeneralRegressionModel>`)
	m := mustParse(t, doc)
	for _, x := range []float64{3, -0.5} {
		ea, eb := math.Exp(-1+0.5*x*x), math.Exp(0.25-x)
		sum := 1 + ea + eb
		want := []string{fmtG(ea / sum), fmtG(eb / sum), fmtG(1 / sum)}
		if got := probRow(t, m, map[string][]string{"x": {fmtG(x)}}, 0); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("x=%v: got %v, want %v", x, got, want)
		}
	}
	noShared := strings.Replace(doc, `<PPCell value="1" predictorName="x" parameterName="p1"/>`, ``, 1)
	if _, err := Parse(strings.NewReader(noShared)); err == nil || !strings.Contains(err.Error(), `category "b" has no <PPCell>s of its own`) {
		t.Errorf("no shared PPCells: got %v", err)
	}
	unknown := strings.Replace(doc, `targetCategory="a"/></PPMatrix>`, `targetCategory="q"/></PPMatrix>`, 1)
	if _, err := Parse(strings.NewReader(unknown)); err == nil || !strings.Contains(err.Error(), `targetCategory "q"`) {
		t.Errorf("unknown targetCategory: got %v", err)
	}
}

// irisCells, irisRows and irisProbs come from scikit-learn 1.2.1:
//
//	clf = LogisticRegression(multi_class="multinomial", C=10, max_iter=5000).fit(*load_iris(return_X_y=True))
//
// with each class's coefficients and intercept less virginica's (the
// reference category, whose linear predictor is then 0), and
// clf.predict_proba of iris rows 0, 60, 120, 77 and 133.
const irisCells = `<PCell targetCategory="setosa" parameterName="p0" beta="31.737171443964808"/>
<PCell targetCategory="setosa" parameterName="p1" beta="0.2569305967876313"/>
<PCell targetCategory="setosa" parameterName="p2" beta="4.02210946195668"/>
<PCell targetCategory="setosa" parameterName="p3" beta="-9.034774701053694"/>
<PCell targetCategory="setosa" parameterName="p4" beta="-6.402080454770919"/>
<PCell targetCategory="versicolor" parameterName="p0" beta="20.51547204626033"/>
<PCell targetCategory="versicolor" parameterName="p1" beta="1.6889715591931476"/>
<PCell targetCategory="versicolor" parameterName="p2" beta="1.9531496101017498"/>
<PCell targetCategory="versicolor" parameterName="p3" beta="-5.219834533088132"/>
<PCell targetCategory="versicolor" parameterName="p4" beta="-6.628210709510228"/>`

var irisRows = [][4]float64{{5.1, 3.5, 1.4, 0.2}, {5.0, 2.0, 3.5, 1.0}, {6.9, 3.2, 5.7, 2.3}, {6.7, 3.0, 5.0, 1.7}, {6.3, 2.8, 5.1, 1.5}}
var irisProbs = [][3]float64{{0.9971680669311238, 0.0028319330688724295, 3.819580165777845e-15}, {0.007195399461910638, 0.9924611834551162, 0.00034341708297311194},
	{2.409980959587232e-09, 0.001388021535399798, 0.9986119760546192}, {1.1188316710491361e-05, 0.5802677910125121, 0.41972102067077743},
	{7.602558023896455e-06, 0.5153261744050406, 0.4846662230369356}}

func TestGeneralRegressionMultinomialMatchesScikitLearn(t *testing.T) {
	doc := pmmlDoc(`<DataDictionary><DataField name="x1" optype="continuous" dataType="double"/><DataField name="x2" optype="continuous" dataType="double"/>
	 <DataField name="x3" optype="continuous" dataType="double"/><DataField name="x4" optype="continuous" dataType="double"/>
	 <DataField name="species" optype="categorical" dataType="string"><Value value="setosa"/><Value value="versicolor"/><Value value="virginica"/></DataField></DataDictionary>
	 <GeneralRegressionModel functionName="classification" modelType="multinomialLogistic" targetReferenceCategory="virginica">
	 <MiningSchema><MiningField name="x1"/><MiningField name="x2"/><MiningField name="x3"/><MiningField name="x4"/><MiningField name="species" usageType="predicted"/></MiningSchema>
	 <ParameterList><Parameter name="p0"/><Parameter name="p1"/><Parameter name="p2"/><Parameter name="p3"/><Parameter name="p4"/></ParameterList>
	 <CovariateList><Predictor name="x1"/><Predictor name="x2"/><Predictor name="x3"/><Predictor name="x4"/></CovariateList>
	 <PPMatrix><PPCell value="1" predictorName="x1" parameterName="p1"/><PPCell value="1" predictorName="x2" parameterName="p2"/>
	  <PPCell value="1" predictorName="x3" parameterName="p3"/><PPCell value="1" predictorName="x4" parameterName="p4"/></PPMatrix>
	 <ParamMatrix>` + irisCells + `</ParamMatrix></GeneralRegressionModel>`)
	m := mustParse(t, doc)
	cols := map[string][]float64{}
	for _, r := range irisRows {
		for j, v := range r {
			name := fmt.Sprintf("x%d", j+1)
			cols[name] = append(cols[name], v)
		}
	}
	var in flavors.Batch
	for j := 1; j <= 4; j++ {
		col, err := flavors.Column(fmt.Sprintf("x%d", j), cols[fmt.Sprintf("x%d", j)])
		if err != nil {
			t.Fatal(err)
		}
		in.Tensors = append(in.Tensors, col)
	}
	out, err := m.Predict(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := out.Get(outProbabilities)
	got := p.Data.([]float64)
	for r, want := range irisProbs {
		for c, w := range want {
			if g := got[r*3+c]; math.Abs(g-w) > 1e-12*math.Max(1, math.Abs(w)) && math.Abs(g-w) > 1e-15 {
				t.Errorf("row %d class %d: got %v, scikit-learn %v", r, c, g, w)
			}
		}
	}
}

// FuzzParseMatrix feeds arbitrary <Matrix> elements to the parser: it must
// return a rectangular matrix or an error, never panic or allocate without bound.
func FuzzParseMatrix(f *testing.F) {
	for _, s := range []string{
		`<Matrix><Array type="real">1 2</Array><Array type="real">3 4</Array></Matrix>`,
		`<Matrix kind="diagonal"><Array type="real">1 2</Array></Matrix>`,
		`<Matrix kind="symmetric"><Array type="real">1</Array><Array type="real">5 2</Array></Matrix>`,
		`<Matrix kind="symmetric" nbRows="2" nbCols="2" diagDefault="1" offDiagDefault="0"><MatCell row="2" col="1">3</MatCell></Matrix>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		root, err := parseDocument(strings.NewReader(doc))
		if err != nil {
			return
		}
		m, err := parseMatrix(root)
		if err != nil {
			return
		}
		for _, r := range m {
			if len(r) != len(m[0]) {
				t.Fatalf("ragged matrix %v", m)
			}
		}
	})
}
