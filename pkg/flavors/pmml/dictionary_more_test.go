package pmml

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestTransformationsMore(t *testing.T) {
	discretize := `<Discretize field="x" defaultValue="out" mapMissingTo="none">
	 <DiscretizeBin binValue="low"><Interval closure="closedOpen" leftMargin="0" rightMargin="1"/></DiscretizeBin>
	 <DiscretizeBin binValue="mid"><Interval closure="closedClosed" leftMargin="1" rightMargin="2"/></DiscretizeBin>
	 <DiscretizeBin binValue="high"><Interval closure="openOpen" leftMargin="2" rightMargin="3"/></DiscretizeBin>
	</Discretize>`
	mapValues := `<MapValues outputColumn="out" defaultValue="other" mapMissingTo="nothing">
	 <FieldColumnPair field="s" column="a"/><FieldColumnPair field="x" column="b"/>
	 <InlineTable>
	  <row><a>red</a><b>1</b><out>R1</out></row>
	  <row><a>red</a><b>2</b><out>R2</out></row>
	  <row><a>blue</a><b>1</b><out>B1</out></row>
	 </InlineTable>
	</MapValues>`
	tests := []struct {
		name, expr string
		x, s       string
		want       string
	}{
		{"Discretize closedOpen left edge", discretize, "0", "", "low"},
		{"Discretize closedOpen right edge goes on", discretize, "1", "", "mid"},
		{"Discretize closedClosed right edge", discretize, "2", "", "mid"},
		{"Discretize openOpen", discretize, "2.5", "", "high"},
		{"Discretize openOpen right edge is outside", discretize, "3", "", "out"},
		{"Discretize below every bin", discretize, "-1", "", "out"},
		{"Discretize missing", discretize, "", "", "none"},
		{"MapValues two columns", mapValues, "2", "red", "R2"},
		{"MapValues two columns numeric key", mapValues, "1.0", "blue", "B1"},
		{"MapValues no row", mapValues, "2", "blue", "other"},
		{"MapValues one input missing", mapValues, "", "red", "nothing"},
		{"NormDiscrete mapMissingTo", `<NormDiscrete field="s" value="red" mapMissingTo="0.5"/>`, "1", "", "0.5"},
		{"NormContinuous mapMissingTo", `<NormContinuous field="x" mapMissingTo="9"><LinearNorm orig="0" norm="0"/><LinearNorm orig="1" norm="1"/></NormContinuous>`, "", "", "9"},
		{"NormContinuous asExtremeValues above", `<NormContinuous field="x" outliers="asExtremeValues"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "50", "", "1"},
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

func TestTransformationsRefused(t *testing.T) {
	tests := []struct{ name, expr, want string }{
		{"Aggregate", `<Aggregate field="x" function="sum"/>`, "Aggregate"},
		{"Lag", `<Lag field="x" n="1"/>`, "Lag"},
		{"TextIndex without a term", `<TextIndex textField="s"/>`, "needs an expression"},
		{"Interval without closure", `<Discretize field="x"><DiscretizeBin binValue="a"><Interval leftMargin="0"/></DiscretizeBin></Discretize>`, "closure"},
		{"Interval reversed", `<Discretize field="x"><DiscretizeBin binValue="a"><Interval closure="openOpen" leftMargin="2" rightMargin="1"/></DiscretizeBin></Discretize>`, "greater than rightMargin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(exprDoc(tc.expr)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// dictDoc scores field "f" (declared by field) through a FieldRef output.
func dictDoc(field, mining string) string {
	return pmmlDoc(`<DataDictionary>` + field + `<DataField name="t" optype="continuous" dataType="double"/></DataDictionary>
	<RegressionModel functionName="regression">
	 <MiningSchema><MiningField name="f" ` + mining + `/><MiningField name="t" usageType="target"/></MiningSchema>
	 <Output><OutputField name="out" feature="transformedValue" dataType="string"><FieldRef field="f"/></OutputField></Output>
	 <RegressionTable intercept="0"/>
	</RegressionModel>`)
}

func TestDataDictionarySemantics(t *testing.T) {
	tests := []struct {
		name, field, mining string
		in                  []string
		want                []string
	}{
		{"integer from 1.0", `<DataField name="f" optype="continuous" dataType="integer"/>`, ``,
			[]string{"1.0", "7"}, []string{"1", "7"}},
		{"boolean from true and 1", `<DataField name="f" optype="categorical" dataType="boolean"/>`, ``,
			[]string{"true", "1", "0", "FALSE"}, []string{"true", "true", "false", "false"}},
		{"missing value code", `<DataField name="f" optype="continuous" dataType="double"><Value value="-999" property="missing"/></DataField>`, `missingValueReplacement="5"`,
			[]string{"-999", "-999.0", "3"}, []string{"5", "5", "3"}},
		{"invalid value asMissing", `<DataField name="f" optype="continuous" dataType="double"><Interval closure="openClosed" leftMargin="0" rightMargin="10"/></DataField>`,
			`invalidValueTreatment="asMissing" missingValueReplacement="1"`,
			[]string{"0", "10", "11", "0.5"}, []string{"1", "10", "1", "0.5"}},
		{"invalid value asValue", `<DataField name="f" optype="categorical" dataType="string"><Value value="a"/><Value value="b" displayValue="Bee"/><Value value="zz" property="invalid"/></DataField>`,
			`invalidValueTreatment="asValue" invalidValueReplacement="a"`,
			[]string{"b", "zz", "q"}, []string{"b", "a", "a"}},
		{"invalid value asIs", `<DataField name="f" optype="categorical" dataType="string"><Value value="a"/></DataField>`,
			`invalidValueTreatment="asIs"`,
			[]string{"a", "q"}, []string{"a", "q"}},
		{"dataType derived from optype (PMML 3)", `<DataField name="f" optype="continuous"/>`, ``,
			[]string{"2.50"}, []string{"2.5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, dictDoc(tc.field, tc.mining))
			got := predictText(t, m, map[string][]string{"f": tc.in}, "out")
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDataDictionaryRefused(t *testing.T) {
	tests := []struct {
		name, field string
		kind        error
		want        string
	}{
		{"Taxonomy", `<DataField name="f" optype="categorical" dataType="string" taxonomy="tx"/>`, flavors.ErrUnsupported, "taxonomy"},
		{"isCyclic", `<DataField name="f" optype="ordinal" dataType="integer" isCyclic="1"/>`, flavors.ErrUnsupported, "isCyclic"},
		{"no dataType nor optype", `<DataField name="f"/>`, flavors.ErrInvalidInput, "needs a dataType"},
		{"integer value not an integer", `<DataField name="f" optype="categorical" dataType="integer"><Value value="1.5"/></DataField>`, flavors.ErrInvalidInput, "not a valid integer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(dictDoc(tc.field, "")))
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v containing %q", err, tc.kind, tc.want)
			}
		})
	}
	_, err := Parse(strings.NewReader(pmmlDoc(`<DataDictionary><DataField name="f" optype="categorical" dataType="string"/><Taxonomy name="tx"/></DataDictionary>`)))
	if !errors.Is(err, flavors.ErrUnsupported) || !strings.Contains(err.Error(), "Taxonomy") {
		t.Errorf("Taxonomy element: got %v", err)
	}
}

// An ordinal field compares in the order of its Values: "low" < "medium" <
// "high", although "high" < "low" as text.
func TestOrdinalComparison(t *testing.T) {
	doc := pmmlDoc(`<DataDictionary>
	 <DataField name="level" optype="ordinal" dataType="string"><Value value="low"/><Value value="medium"/><Value value="high"/></DataField>
	 <DataField name="t" optype="continuous" dataType="double"/>
	</DataDictionary>
	<TreeModel functionName="regression">
	 <MiningSchema><MiningField name="level"/><MiningField name="t" usageType="target"/></MiningSchema>
	 <Node score="0"><True/>
	  <Node score="1"><SimplePredicate field="level" operator="lessThan" value="medium"/></Node>
	  <Node score="2"><SimplePredicate field="level" operator="lessOrEqual" value="medium"/></Node>
	  <Node score="3"><SimplePredicate field="level" operator="greaterThan" value="medium"/></Node>
	 </Node>
	</TreeModel>`)
	m := mustParse(t, doc)
	got := predictText(t, m, map[string][]string{"level": {"low", "medium", "high"}}, outPrediction)
	if strings.Join(got, ",") != "1,2,3" {
		t.Errorf("got %v, want [1 2 3]", got)
	}
	bad := strings.Replace(doc, `operator="greaterThan" value="medium"`, `operator="greaterThan" value="extreme"`, 1)
	if _, err := Parse(strings.NewReader(bad)); !errors.Is(err, flavors.ErrInvalidInput) || !strings.Contains(err.Error(), "ordinal") {
		t.Errorf("unknown ordinal value: got %v", err)
	}
	apply := strings.Replace(doc, `<SimplePredicate field="level" operator="greaterThan" value="medium"/>`,
		`<SimplePredicate field="above" operator="equal" value="true"/>`, 1)
	apply = strings.Replace(apply, `<TreeModel functionName="regression">`, `<TransformationDictionary>
	 <DerivedField name="above" optype="categorical" dataType="boolean"><Apply function="greaterThan"><FieldRef field="level"/><Constant>medium</Constant></Apply></DerivedField>
	</TransformationDictionary><TreeModel functionName="regression">`, 1)
	got = predictText(t, mustParse(t, apply), map[string][]string{"level": {"low", "medium", "high"}}, outPrediction)
	if strings.Join(got, ",") != "1,2,3" {
		t.Errorf("Apply greaterThan on an ordinal field: got %v, want [1 2 3]", got)
	}
}
