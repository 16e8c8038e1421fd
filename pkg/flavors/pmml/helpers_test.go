package pmml

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// dictXYS declares the fields most unit tests use.
const dictXYS = `<DataDictionary>
 <DataField name="x" optype="continuous" dataType="double"/>
 <DataField name="y" optype="continuous" dataType="double"/>
 <DataField name="s" optype="categorical" dataType="string"/>
 <DataField name="t" optype="continuous" dataType="double"/>
 <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="z"/></DataField>
</DataDictionary>`

const schemaXYS = `<MiningSchema>
 <MiningField name="x"/><MiningField name="y"/><MiningField name="s"/><MiningField name="t" usageType="predicted"/>
</MiningSchema>`

const schemaXYSC = `<MiningSchema>
 <MiningField name="x"/><MiningField name="y"/><MiningField name="s"/><MiningField name="c" usageType="predicted"/>
</MiningSchema>`

func pmmlDoc(body string) string {
	return `<?xml version="1.0"?><PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><Header/>` + body + `</PMML>`
}

// exprDoc scores one expression as an Output field named "out".
func exprDoc(expr string) string {
	return pmmlDoc(dictXYS + `<RegressionModel functionName="regression">` + schemaXYS +
		`<Output><OutputField name="out" feature="transformedValue">` + expr + `</OutputField></Output>
		<RegressionTable intercept="0"/></RegressionModel>`)
}

func mustParse(t *testing.T, doc string) *Model {
	t.Helper()
	m, err := Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

// textBatch builds BYTES columns; "" is a missing value.
func textBatch(cols map[string][]string) flavors.Batch {
	var b flavors.Batch
	names := make([]string, 0, len(cols))
	for n := range cols {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		vals := cols[n]
		null := make([]bool, len(vals))
		for i, v := range vals {
			null[i] = v == ""
		}
		b.Tensors = append(b.Tensors, flavors.Tensor{Name: n, DType: flavors.Bytes, Shape: []int64{int64(len(vals))}, Data: vals, Null: null})
	}
	return b
}

// predictText scores rows given as text and returns one output as text
// ("null" for a missing value).
func predictText(t *testing.T, m *Model, cols map[string][]string, output string) []string {
	t.Helper()
	out, err := m.Predict(context.Background(), textBatch(fillInputs(m, cols)))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	col, ok := out.Get(output)
	if !ok {
		t.Fatalf("no output %q in %v", output, out.Names())
	}
	res := make([]string, col.Rows())
	for i := range res {
		res[i] = tensorText(col, i)
	}
	return res
}

func tensorText(col flavors.Tensor, i int) string {
	if col.IsNull(i) {
		return "null"
	}
	switch d := col.Data.(type) {
	case []float64:
		return strconv.FormatFloat(d[i], 'g', 12, 64)
	case []string:
		return d[i]
	}
	return "?"
}

// probRow returns one row of "probabilities" as text.
func probRow(t *testing.T, m *Model, cols map[string][]string, row int) []string {
	t.Helper()
	out, err := m.Predict(context.Background(), textBatch(fillInputs(m, cols)))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	p, _ := out.Get(outProbabilities)
	w := p.RowWidth()
	res := make([]string, w)
	for j := range res {
		res[j] = tensorText(p, row*w+j)
	}
	return res
}

// fillInputs adds an all-missing column for every input cols lacks.
func fillInputs(m *Model, cols map[string][]string) map[string][]string {
	n := 1
	for _, v := range cols {
		n = len(v)
	}
	for _, sp := range m.Signature().Inputs {
		if _, ok := cols[sp.Name]; !ok {
			cols[sp.Name] = make([]string, n)
		}
	}
	return cols
}

func nanf() float64 { return math.NaN() }
