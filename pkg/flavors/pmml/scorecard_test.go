package pmml

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// specScorecard is the Scorecard example of the PMML 4.4 specification:
// three characteristics, reason codes RC1..RC3, points below the baseline.
const specScorecard = `<DataDictionary>
 <DataField name="department" dataType="string" optype="categorical"/>
 <DataField name="age" dataType="integer" optype="continuous"/>
 <DataField name="income" dataType="double" optype="continuous"/>
 <DataField name="overallScore" dataType="double" optype="continuous"/>
</DataDictionary>
<Scorecard modelName="SampleScorecard" functionName="regression" useReasonCodes="true" reasonCodeAlgorithm="pointsBelow" initialScore="0" baselineMethod="other">
 <MiningSchema>
  <MiningField name="department" usageType="active" invalidValueTreatment="asMissing"/>
  <MiningField name="age" usageType="active" invalidValueTreatment="asMissing"/>
  <MiningField name="income" usageType="active" invalidValueTreatment="asMissing"/>
  <MiningField name="overallScore" usageType="predicted"/>
 </MiningSchema>
 <Output>
  <OutputField name="Final Score" feature="predictedValue" dataType="double" optype="continuous"/>
  <OutputField name="Reason Code 1" rank="1" feature="reasonCode" dataType="string" optype="categorical"/>
  <OutputField name="Reason Code 2" rank="2" feature="reasonCode" dataType="string" optype="categorical"/>
  <OutputField name="Reason Code 3" rank="3" feature="reasonCode" dataType="string" optype="categorical"/>
 </Output>
 <Characteristics>
  <Characteristic name="departmentScore" reasonCode="RC1" baselineScore="19">
   <Attribute partialScore="-9"><SimplePredicate field="department" operator="isMissing"/></Attribute>
   <Attribute partialScore="19"><SimplePredicate field="department" operator="equal" value="marketing"/></Attribute>
   <Attribute partialScore="3"><SimplePredicate field="department" operator="equal" value="engineering"/></Attribute>
   <Attribute partialScore="6"><SimplePredicate field="department" operator="equal" value="business"/></Attribute>
  </Characteristic>
  <Characteristic name="ageScore" reasonCode="RC2" baselineScore="18">
   <Attribute partialScore="-1"><SimplePredicate field="age" operator="isMissing"/></Attribute>
   <Attribute partialScore="-3"><SimplePredicate field="age" operator="lessOrEqual" value="18"/></Attribute>
   <Attribute partialScore="0"><CompoundPredicate booleanOperator="and">
     <SimplePredicate field="age" operator="greaterThan" value="18"/><SimplePredicate field="age" operator="lessOrEqual" value="29"/></CompoundPredicate></Attribute>
   <Attribute partialScore="12"><CompoundPredicate booleanOperator="and">
     <SimplePredicate field="age" operator="greaterThan" value="29"/><SimplePredicate field="age" operator="lessOrEqual" value="39"/></CompoundPredicate></Attribute>
   <Attribute partialScore="18"><SimplePredicate field="age" operator="greaterThan" value="39"/></Attribute>
  </Characteristic>
  <Characteristic name="incomeScore" reasonCode="RC3" baselineScore="10">
   <Attribute partialScore="5"><SimplePredicate field="income" operator="isMissing"/></Attribute>
   <Attribute partialScore="26"><SimplePredicate field="income" operator="lessOrEqual" value="1000"/></Attribute>
   <Attribute partialScore="5"><CompoundPredicate booleanOperator="and">
     <SimplePredicate field="income" operator="greaterThan" value="1000"/><SimplePredicate field="income" operator="lessOrEqual" value="2500"/></CompoundPredicate></Attribute>
   <Attribute partialScore="-3"><SimplePredicate field="income" operator="greaterThan" value="2500"/></Attribute>
  </Characteristic>
 </Characteristics>
</Scorecard>`

// scorecardRows are the inputs every variant is scored on.
var scorecardRows = map[string][]string{
	"department": {"engineering", "marketing", "", "sales", "business"},
	"age":        {"25", "45", "", "30", "35"},
	"income":     {"500", "4000", "1500", "500", ""},
}

func TestScorecardSpecExample(t *testing.T) {
	// Expected values worked by hand from the specification's rules:
	// score = Σ partial scores; points of a code = baseline − partial score
	// (pointsBelow) or partial − baseline (pointsAbove), summed over the
	// characteristics that share the code; codes ranked by points, highest
	// first, ties in the order of the characteristics, negative points left
	// out. Row 1: 3+0+26 = 29, RC1 19−3=16, RC2 18−0=18, RC3 10−26=−16.
	// Row 2: 19+18−3 = 34, RC1 0, RC2 0, RC3 13. Row 3: −9−1+5 = −5, RC1 28,
	// RC2 19, RC3 5. Row 4: "sales" matches no attribute: no score.
	// Row 5: 6+12+5 = 23, RC1 13, RC2 6, RC3 5.
	tests := []struct {
		name, old, new string
		score          string
		codes          [3]string
	}{
		{"spec example", "", "", "29 34 -5 null 23",
			[3]string{"RC2 RC3 RC1 null RC1", "RC1 RC1 RC2 null RC2", "null RC2 RC3 null RC3"}},
		{"points above", `reasonCodeAlgorithm="pointsBelow"`, `reasonCodeAlgorithm="pointsAbove"`, "29 34 -5 null 23",
			// Row 1: RC1 −16, RC2 −18, RC3 16. Row 2: 0, 0, −13. Row 3: −28, −19, −5. Row 5: −13, −6, −5.
			[3]string{"RC3 RC1 null null null", "null RC2 null null null", "null null null null null"}},
		{"shared reason code sums", `reasonCode="RC3" baselineScore="10"`, `reasonCode="RC1" baselineScore="10"`, "29 34 -5 null 23",
			// Row 1: RC1 16−16=0, RC2 18. Row 2: RC1 0+13, RC2 0. Row 3: RC1 28+5, RC2 19. Row 5: RC1 13+5, RC2 6.
			[3]string{"RC2 RC1 RC1 null RC1", "RC1 RC2 RC2 null RC2", "null null null null null"}},
		{"attribute reason code overrides", `<Attribute partialScore="0">`, `<Attribute partialScore="0" reasonCode="RC2_3">`, "29 34 -5 null 23",
			[3]string{"RC2_3 RC3 RC1 null RC1", "RC1 RC1 RC2 null RC2", "null RC2 RC3 null RC3"}},
		{"initial score", `initialScore="0"`, `initialScore="100"`, "129 134 95 null 123",
			[3]string{"RC2 RC3 RC1 null RC1", "RC1 RC1 RC2 null RC2", "null RC2 RC3 null RC3"}},
		{"complex partial score", `<Attribute partialScore="-3"><SimplePredicate field="income" operator="greaterThan" value="2500"/>`,
			`<Attribute><SimplePredicate field="income" operator="greaterThan" value="2500"/><ComplexPartialScore><Apply function="*"><FieldRef field="income"/><Constant>-0.001</Constant></Apply></ComplexPartialScore>`,
			// Row 2: income 4000 scores −4: 19+18−4 = 33, RC3 14.
			"29 33 -5 null 23",
			[3]string{"RC2 RC3 RC1 null RC1", "RC1 RC1 RC2 null RC2", "null RC2 RC3 null RC3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := specScorecard
			if tc.old != "" {
				if !strings.Contains(doc, tc.old) {
					t.Fatalf("the example has no %q", tc.old)
				}
				doc = strings.Replace(doc, tc.old, tc.new, 1)
			}
			m := mustParse(t, pmmlDoc(doc))
			for _, out := range []string{outPrediction, "Final Score"} {
				if got := strings.Join(predictText(t, m, copyCols(scorecardRows), out), " "); got != tc.score {
					t.Errorf("%s = %q, want %q", out, got, tc.score)
				}
			}
			for i, want := range tc.codes {
				out := "Reason Code " + string(rune('1'+i))
				if got := strings.Join(predictText(t, m, copyCols(scorecardRows), out), " "); got != want {
					t.Errorf("%s = %q, want %q", out, got, want)
				}
			}
		})
	}
}

// copyCols copies test columns (fillInputs adds to the map it is given).
func copyCols(cols map[string][]string) map[string][]string {
	out := make(map[string][]string, len(cols))
	for k, v := range cols {
		out[k] = append([]string(nil), v...)
	}
	return out
}

func TestScorecardBaselineAtScorecardLevel(t *testing.T) {
	doc := strings.NewReplacer(` baselineScore="19"`, ``, ` baselineScore="18"`, ``, ` baselineScore="10"`, ``,
		`initialScore="0"`, `initialScore="0" baselineScore="10"`).Replace(specScorecard)
	m := mustParse(t, pmmlDoc(doc))
	// Row 1: RC1 10−3=7, RC2 10−0=10, RC3 10−26=−16.
	if got := strings.Join(predictText(t, m, map[string][]string{"department": {"engineering"}, "age": {"25"}, "income": {"500"}}, "Reason Code 1"), " "); got != "RC2" {
		t.Errorf("Reason Code 1 = %q, want RC2", got)
	}
	if got := strings.Join(predictText(t, m, map[string][]string{"department": {"engineering"}, "age": {"25"}, "income": {"500"}}, "Reason Code 2"), " "); got != "RC1" {
		t.Errorf("Reason Code 2 = %q, want RC1", got)
	}
}

func TestScorecardInMiningModel(t *testing.T) {
	// The scorecard's characteristics, without reason codes, summed with a
	// constant regression: 29 + 1 for the first spec row.
	body := strings.NewReplacer(`useReasonCodes="true" reasonCodeAlgorithm="pointsBelow" `, `useReasonCodes="false" `,
		`<Output>`, `<!--`, `</Output>`, `-->`).Replace(specScorecard)
	dd := body[:strings.Index(body, "<Scorecard")]
	card := body[strings.Index(body, "<Scorecard"):]
	schema := `<MiningSchema><MiningField name="department"/><MiningField name="age"/><MiningField name="income"/><MiningField name="overallScore" usageType="predicted"/></MiningSchema>`
	doc := pmmlDoc(dd + `<MiningModel functionName="regression">` + schema + `<Segmentation multipleModelMethod="sum">
	 <Segment id="card"><True/>` + card + `</Segment>
	 <Segment id="one"><True/><RegressionModel functionName="regression">` + schema + `<RegressionTable intercept="1"/></RegressionModel></Segment>
	</Segmentation></MiningModel>`)
	m := mustParse(t, doc)
	if got := strings.Join(predictText(t, m, copyCols(scorecardRows), outPrediction), " "); got != "30 35 -4 null 24" {
		t.Errorf("prediction = %q, want \"30 35 -4 null 24\"", got)
	}
}

func TestScorecardRefusals(t *testing.T) {
	tests := []struct {
		name, old, new, want string
		kind                 error
	}{
		{"no reason code", `<Characteristic name="ageScore" reasonCode="RC2"`, `<Characteristic name="ageScore"`, "needs a reasonCode", flavors.ErrInvalidInput},
		{"no baseline", `reasonCode="RC2" baselineScore="18"`, `reasonCode="RC2"`, "needs a baselineScore", flavors.ErrInvalidInput},
		{"reason codes off", `useReasonCodes="true"`, `useReasonCodes="false"`, `asks for a reason code`, flavors.ErrInvalidInput},
		{"classification", `functionName="regression"`, `functionName="classification"`, `functionName="classification" of Scorecard`, flavors.ErrUnsupported},
		{"unknown algorithm", `reasonCodeAlgorithm="pointsBelow"`, `reasonCodeAlgorithm="pointsSideways"`, `reasonCodeAlgorithm="pointsSideways"`, flavors.ErrUnsupported},
		{"unknown attribute child", `<Attribute partialScore="6">`, `<Attribute partialScore="6"><Gizmo/>`, "<Gizmo> inside <Attribute>", flavors.ErrUnsupported},
		{"no partial score", `<Attribute partialScore="6">`, `<Attribute>`, "needs a partialScore", flavors.ErrInvalidInput},
		{"no attributes", `<Characteristic name="incomeScore" reasonCode="RC3" baselineScore="10">`, `<Characteristic name="x" reasonCode="RC3" baselineScore="10"/><Characteristic name="incomeScore" reasonCode="RC3" baselineScore="10">`, "needs an <Attribute>", flavors.ErrInvalidInput},
		{"bad rank", `rank="3"`, `rank="0"`, `rank="0"`, flavors.ErrInvalidInput},
		{"multi-valued", `rank="3"`, `rank="3" isMultiValued="1"`, `isMultiValued="1"`, flavors.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(specScorecard, tc.old) {
				t.Fatalf("the example has no %q", tc.old)
			}
			_, err := Parse(strings.NewReader(pmmlDoc(strings.Replace(specScorecard, tc.old, tc.new, 1))))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), "line") {
				t.Errorf("got %v, want an error naming %q and its line, wrapping %v", err, tc.want, tc.kind)
			}
		})
	}
}

// scoreFuzzed parses a fuzzed document and, when it compiles, scores three
// rows through it: neither may panic.
func scoreFuzzed(doc string) {
	m, err := Parse(strings.NewReader(doc))
	if err != nil {
		return
	}
	var b flavors.Batch
	for _, sp := range m.Signature().Inputs {
		b.Tensors = append(b.Tensors, flavors.Tensor{Name: sp.Name, DType: flavors.Bytes, Shape: []int64{3},
			Data: []string{"1", "engineering", ""}, Null: []bool{false, false, true}})
	}
	_, _ = m.Predict(context.Background(), b)
}

func FuzzScorecard(f *testing.F) {
	f.Add(pmmlDoc(specScorecard))
	f.Add(pmmlDoc(strings.Replace(specScorecard, `reasonCodeAlgorithm="pointsBelow"`, `reasonCodeAlgorithm="pointsAbove"`, 1)))
	f.Fuzz(func(t *testing.T, doc string) { scoreFuzzed(doc) })
}
