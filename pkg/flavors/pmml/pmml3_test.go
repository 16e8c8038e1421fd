package pmml

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// pmml3Regression and pmml3Tree are PMML 3.2 documents written the way
// 3.x producers wrote them (Extension elements in odd places,
// usageType="predicted", a DataField without dataType); twin44 rewrites
// them as PMML 4.4. Both must score the same.
const pmml3Regression = `<?xml version="1.0" encoding="UTF-8"?>
<PMML version="3.2" xmlns="http://www.dmg.org/PMML-3_2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <Header copyright="none" description="linear regression"><Application name="Rattle/PMML" version="1.1"/><Timestamp>2008-01-01</Timestamp></Header>
 <DataDictionary numberOfFields="3">
  <DataField name="y" optype="continuous" dataType="double"/>
  <DataField name="a" optype="continuous"/>
  <DataField name="color" optype="categorical" dataType="string"><Value value="red"/><Value value="blue"/></DataField>
 </DataDictionary>
 <RegressionModel modelName="lm" functionName="regression" algorithmName="least squares" modelType="linearRegression" targetFieldName="y">
  <Extension name="producer" value="R"/>
  <MiningSchema>
   <MiningField name="y" usageType="predicted"/>
   <MiningField name="a"/>
   <MiningField name="color"/>
   <Extension><X-Custom/></Extension>
  </MiningSchema>
  <RegressionTable intercept="1.5">
   <NumericPredictor name="a" exponent="1" coefficient="2"/>
   <CategoricalPredictor name="color" value="red" coefficient="-0.5"/>
   <CategoricalPredictor name="color" value="blue" coefficient="0.25"/>
  </RegressionTable>
 </RegressionModel>
</PMML>`

const pmml3Tree = `<?xml version="1.0"?>
<PMML version="3.0" xmlns="http://www.dmg.org/PMML-3_0">
 <Header/>
 <DataDictionary numberOfFields="3">
  <DataField name="y" optype="categorical" dataType="string"><Value value="no"/><Value value="yes"/></DataField>
  <DataField name="a" optype="continuous" dataType="double"/>
  <DataField name="color" optype="categorical" dataType="string"><Value value="red"/><Value value="blue"/></DataField>
 </DataDictionary>
 <TreeModel modelName="t" functionName="classification" splitCharacteristic="binarySplit">
  <MiningSchema><MiningField name="y" usageType="predicted"/><MiningField name="a"/><MiningField name="color"/></MiningSchema>
  <Node score="no" recordCount="10"><True/>
   <ScoreDistribution value="no" recordCount="6"/><ScoreDistribution value="yes" recordCount="4"/>
   <Node score="yes" recordCount="4">
    <CompoundPredicate booleanOperator="and">
     <SimplePredicate field="a" operator="greaterThan" value="2"/>
     <SimpleSetPredicate field="color" booleanOperator="isIn"><Array n="1" type="string">red</Array></SimpleSetPredicate>
    </CompoundPredicate>
    <ScoreDistribution value="no" recordCount="1"/><ScoreDistribution value="yes" recordCount="3"/>
   </Node>
   <Node score="no" recordCount="6"><True/>
    <ScoreDistribution value="no" recordCount="5"/><ScoreDistribution value="yes" recordCount="1"/>
   </Node>
  </Node>
 </TreeModel>
</PMML>`

// twin44 turns a 3.x document into its PMML 4.4 form.
func twin44(doc string) string {
	r := strings.NewReplacer(
		`version="3.2" xmlns="http://www.dmg.org/PMML-3_2"`, `version="4.4" xmlns="http://www.dmg.org/PMML-4_4"`,
		`version="3.0" xmlns="http://www.dmg.org/PMML-3_0"`, `version="4.4" xmlns="http://www.dmg.org/PMML-4_4"`,
		`<DataField name="a" optype="continuous"/>`, `<DataField name="a" optype="continuous" dataType="double"/>`,
		`usageType="predicted"`, `usageType="target"`,
	)
	return r.Replace(doc)
}

func TestPMML3MatchesItsPMML44Twin(t *testing.T) {
	in := map[string][]string{"a": {"0", "1.5", "3", "-2", "", "4"}, "color": {"red", "blue", "red", "blue", "red", ""}}
	for _, tc := range []struct{ name, doc, output string }{
		{"regression", pmml3Regression, outPrediction},
		{"tree label", pmml3Tree, outLabel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			twin := twin44(tc.doc)
			if twin == tc.doc || !strings.Contains(twin, "PMML-4_4") {
				t.Fatal("the twin is not a PMML 4.4 document")
			}
			got := predictText(t, mustParse(t, tc.doc), pmml3CopyCols(in), tc.output)
			want := predictText(t, mustParse(t, twin), pmml3CopyCols(in), tc.output)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("PMML 3: %v, PMML 4.4: %v", got, want)
			}
		})
	}
	// The regression, by hand: 1.5 + 2a + (-0.5 red | 0.25 blue).
	got := predictText(t, mustParse(t, pmml3Regression), map[string][]string{"a": {"0", "3"}, "color": {"red", "blue"}}, outPrediction)
	if strings.Join(got, ",") != "1,7.75" {
		t.Errorf("regression: got %v, want [1 7.75]", got)
	}
	got = predictText(t, mustParse(t, pmml3Tree), map[string][]string{"a": {"3", "3", "1"}, "color": {"red", "blue", "red"}}, outLabel)
	if strings.Join(got, ",") != "yes,no,no" {
		t.Errorf("tree: got %v, want [yes no no]", got)
	}
}

func pmml3CopyCols(in map[string][]string) map[string][]string {
	out := make(map[string][]string, len(in))
	for k, v := range in {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func TestNamespaces(t *testing.T) {
	body := `<Header/>` + dictXYS + `<RegressionModel functionName="regression">` + schemaXYS + `<RegressionTable intercept="2"/></RegressionModel></PMML>`
	for _, ns := range []string{"", "http://www.dmg.org/PMML-3_0", "http://www.dmg.org/PMML-3_1", "http://www.dmg.org/PMML-3_2",
		"http://www.dmg.org/PMML-4_0", "http://www.dmg.org/PMML-4_1", "http://www.dmg.org/PMML-4_2", "http://www.dmg.org/PMML-4_3", "http://www.dmg.org/PMML-4_4"} {
		doc := `<PMML version="4.4" xmlns="` + ns + `">` + body
		if ns == "" {
			doc = `<PMML version="4.4">` + body
		}
		m := mustParse(t, doc)
		if got := predictText(t, m, map[string][]string{"x": {"1"}}, outPrediction); got[0] != "2" {
			t.Errorf("namespace %q: got %v", ns, got)
		}
	}
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown namespace", `<PMML version="4.4" xmlns="http://example.com/not-pmml">` + body, "namespace"},
		{"foreign element", `<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4" xmlns:o="urn:other"><o:Header/>` + strings.TrimPrefix(body, `<Header/>`), "namespace"},
		{"version 2", `<PMML version="2.1">` + body, "version"},
	} {
		_, err := Parse(strings.NewReader(tc.doc))
		if !errors.Is(err, flavors.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an unsupported error about %s", tc.name, err, tc.want)
		}
	}
}
