package pmml

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

const drugDict = `<DataDictionary>
 <DataField name="BP" optype="categorical" dataType="string"><Value value="HIGH"/><Value value="LOW"/><Value value="NORMAL"/></DataField>
 <DataField name="K" optype="continuous" dataType="double"/>
 <DataField name="Age" optype="continuous" dataType="double"/>
 <DataField name="Na" optype="continuous" dataType="double"/>
 <DataField name="$C-Drug" optype="categorical" dataType="string">
  <Value value="drugA"/><Value value="drugB"/><Value value="drugC"/><Value value="drugX"/><Value value="drugY"/></DataField>
</DataDictionary>`

const drugSchema = `<MiningSchema><MiningField name="BP"/><MiningField name="K"/><MiningField name="Age"/><MiningField name="Na"/>
 <MiningField name="$C-Drug" usageType="predicted"/></MiningSchema>`

// drugRuleSet follows the shape of the specification's RuleSet example
// (the drug data: BP, K, Age, Na; rules nested in CompoundRules; a rule
// with a ScoreDistribution), listing the selection method given first.
func drugRuleSet(method, outputs string) string {
	return `<RuleSetModel functionName="classification" modelName="NestedDrug" algorithmName="RuleSet">` + drugSchema + outputs + `
 <RuleSet defaultScore="drugY" recordCount="1000" nbCorrect="149" defaultConfidence="0.3">
  <RuleSelectionMethod criterion="` + method + `"/>
  <RuleSelectionMethod criterion="firstHit"/>
  <SimpleRule id="RULE1" score="drugB" recordCount="79" nbCorrect="76" confidence="0.9" weight="0.9">
   <CompoundPredicate booleanOperator="and">
    <SimplePredicate field="BP" operator="equal" value="HIGH"/>
    <SimplePredicate field="K" operator="greaterThan" value="0.045804001"/>
    <SimplePredicate field="Age" operator="lessOrEqual" value="50"/>
   </CompoundPredicate>
   <ScoreDistribution value="drugA" recordCount="2"/>
   <ScoreDistribution value="drugB" recordCount="76"/>
   <ScoreDistribution value="drugC" recordCount="1"/>
   <ScoreDistribution value="drugX" recordCount="0"/>
   <ScoreDistribution value="drugY" recordCount="0"/>
  </SimpleRule>
  <CompoundRule>
   <SimplePredicate field="BP" operator="equal" value="LOW"/>
   <SimpleRule id="RULE2" score="drugA" confidence="0.6" weight="0.6">
    <SimplePredicate field="K" operator="greaterThan" value="0.057"/>
   </SimpleRule>
   <CompoundRule>
    <SimplePredicate field="Age" operator="greaterThan" value="50"/>
    <SimpleRule id="RULE3" score="drugC" confidence="0.7" weight="0.7">
     <SimplePredicate field="Na" operator="lessOrEqual" value="0.6"/>
    </SimpleRule>
   </CompoundRule>
  </CompoundRule>
  <SimpleRule id="RULE4" score="drugY" confidence="0.8" weight="0.4">
   <SimplePredicate field="Na" operator="greaterThan" value="0.5"/>
  </SimpleRule>
  <SimpleRule id="RULE5" score="drugB" confidence="0.5" weight="0.3">
   <SimplePredicate field="Age" operator="lessOrEqual" value="36"/>
  </SimpleRule>
 </RuleSet>
</RuleSetModel>`
}

const drugOutputs = `<Output>
 <OutputField name="rule" feature="entityId"/>
 <OutputField name="conf" feature="confidence"/>
 <OutputField name="pB" feature="probability" value="drugB"/>
 <OutputField name="cons" feature="ruleValue" ruleFeature="consequent"/>
 <OutputField name="ruleConf" feature="ruleValue" ruleFeature="confidence"/>
 <OutputField name="second" feature="ruleValue" ruleFeature="ruleId" rank="2"/>
</Output>`

// drugRows: row 1 fires RULE1, RULE4, RULE5; row 2 RULE2, RULE3, RULE4;
// row 3 nothing (the default score); row 4 RULE4, RULE5; row 5 (BP
// missing, so the BP predicates are unknown) RULE5 only.
var drugRows = map[string][]string{
	"BP":  {"HIGH", "LOW", "NORMAL", "LOW", ""},
	"K":   {"0.0621", "0.07", "0.03", "0.05", "0.06"},
	"Age": {"36", "60", "40", "30", "20"},
	"Na":  {"0.5023", "0.55", "0.4", "0.7", "0.4"},
}

func TestRuleSetSelection(t *testing.T) {
	// Classes: drugA drugB drugC drugX drugY. Hand-computed from the rules
	// (weightedSum: each score's summed weight over the number fired).
	tests := []struct {
		method, outputs string
		want            map[string]string
		probs           [][]float64
	}{
		{"firstHit", drugOutputs, map[string]string{
			outLabel: "drugB drugA drugY drugY drugB", "rule": "RULE1 RULE2 null RULE4 RULE5",
			"conf": "0.9 0.6 0.3 0.8 0.5", "cons": "drugB drugA null drugY drugB", "ruleConf": "0.9 0.6 null 0.8 0.5",
			"second": "RULE4 RULE3 null RULE5 null", "pB": fmtG(76.0/79) + " 0 0 0 0.5"},
			[][]float64{{2.0 / 79, 76.0 / 79, 1.0 / 79, 0, 0}, {0.6, 0, 0, 0, 0}, {0, 0, 0, 0, 0.3}, {0, 0, 0, 0, 0.8}, {0, 0.5, 0, 0, 0}}},
		{"weightedMax", drugOutputs, map[string]string{
			outLabel: "drugB drugC drugY drugY drugB", "rule": "RULE1 RULE3 null RULE4 RULE5",
			"conf": "0.9 0.7 0.3 0.8 0.5", "second": "RULE4 RULE2 null RULE5 null"},
			[][]float64{{2.0 / 79, 76.0 / 79, 1.0 / 79, 0, 0}, {0, 0, 0.7, 0, 0}, {0, 0, 0, 0, 0.3}, {0, 0, 0, 0, 0.8}, {0, 0.5, 0, 0, 0}}},
		{"weightedSum", strings.Replace(drugOutputs, `<OutputField name="second" feature="ruleValue" ruleFeature="ruleId" rank="2"/>`, ``, 1), map[string]string{
			outLabel: "drugB drugC drugY drugY drugB", "rule": "RULE1 RULE3 null RULE4 RULE5",
			"conf": fmtG(1.2/3) + " " + fmtG(0.7/3) + " 0.3 0.2 0.3", "ruleConf": "0.9 0.7 null 0.8 0.5"},
			[][]float64{{0, 1.2 / 3, 0, 0, 0.4 / 3}, {0.2, 0, 0.7 / 3, 0, 0.4 / 3}, {0, 0, 0, 0, 0.3}, {0, 0.15, 0, 0, 0.2}, {0, 0.3, 0, 0, 0}}},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			m := mustParse(t, pmmlDoc(drugDict+drugRuleSet(tc.method, tc.outputs)))
			if got := strings.Join(m.Classes(), " "); got != "drugA drugB drugC drugX drugY" {
				t.Fatalf("Classes() = %q", got)
			}
			for out, want := range tc.want {
				if got := strings.Join(predictText(t, m, copyCols(drugRows), out), " "); got != want {
					t.Errorf("%s = %q, want %q", out, got, want)
				}
			}
			checkProbs(t, m, copyCols(drugRows), tc.probs)
		})
	}
}

// checkProbs compares "probabilities" row by row.
func checkProbs(t *testing.T, m *Model, cols map[string][]string, want [][]float64) {
	t.Helper()
	out, err := m.Predict(context.Background(), textBatch(fillInputs(m, cols)))
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	p, _ := out.Get(outProbabilities)
	got := p.Data.([]float64)
	w := p.RowWidth()
	for r, row := range want {
		for j, x := range row {
			if g := got[r*w+j]; math.Abs(g-x) > 1e-12 {
				t.Errorf("row %d: probabilities %v, want %v", r, got[r*w:(r+1)*w], row)
				break
			}
		}
	}
}

func TestRuleSetWithoutDefault(t *testing.T) {
	doc := strings.Replace(drugRuleSet("firstHit", ""), `defaultScore="drugY" `, ``, 1)
	m := mustParse(t, pmmlDoc(drugDict+doc))
	if got := strings.Join(predictText(t, m, copyCols(drugRows), outLabel), " "); got != "drugB drugA null drugY drugB" {
		t.Errorf("label = %q: a row no rule fires for has no prediction without a defaultScore", got)
	}
}

func TestRuleSetInMiningModel(t *testing.T) {
	// selectFirst: BP=HIGH rows go to the firstHit rule set, the others to
	// the weightedMax one.
	doc := pmmlDoc(drugDict + `<MiningModel functionName="classification">` + drugSchema + `<Segmentation multipleModelMethod="selectFirst">
	 <Segment id="high"><SimplePredicate field="BP" operator="equal" value="HIGH"/>` + drugRuleSet("firstHit", "") + `</Segment>
	 <Segment id="rest"><True/>` + drugRuleSet("weightedMax", "") + `</Segment>
	</Segmentation></MiningModel>`)
	m := mustParse(t, doc)
	if got := strings.Join(predictText(t, m, copyCols(drugRows), outLabel), " "); got != "drugB drugC drugY drugY drugB" {
		t.Errorf("label = %q", got)
	}
	checkProbs(t, m, copyCols(drugRows), [][]float64{{2.0 / 79, 76.0 / 79, 1.0 / 79, 0, 0}, {0, 0, 0.7, 0, 0}})
}

func TestRuleSetRefusals(t *testing.T) {
	base := drugRuleSet("firstHit", drugOutputs)
	tests := []struct {
		name, old, new, want string
		kind                 error
	}{
		{"regression", `functionName="classification"`, `functionName="regression"`, `functionName="regression" of RuleSetModel`, flavors.ErrUnsupported},
		{"unknown criterion", `criterion="firstHit"`, `criterion="lastHit"`, `criterion="lastHit"`, flavors.ErrUnsupported},
		{"no selection method", `<RuleSelectionMethod criterion="firstHit"/>
  <RuleSelectionMethod criterion="firstHit"/>`, ``, "needs a <RuleSelectionMethod>", flavors.ErrInvalidInput},
		{"rule without score", `<SimpleRule id="RULE4" score="drugY"`, `<SimpleRule id="RULE4"`, "needs the attribute score", flavors.ErrInvalidInput},
		{"rule without predicate", `<SimplePredicate field="Na" operator="greaterThan" value="0.5"/>`, ``, "<SimpleRule> needs a predicate", flavors.ErrInvalidInput},
		{"unknown rule child", `confidence="0.5" weight="0.3">`, `confidence="0.5" weight="0.3"><Gizmo/>`, "<Gizmo> inside <SimpleRule>", flavors.ErrUnsupported},
		{"unknown rule feature", `ruleFeature="consequent"`, `ruleFeature="lift"`, `ruleFeature="lift"`, flavors.ErrUnsupported},
		{"reason code", `feature="entityId"`, `feature="reasonCode"`, `feature="reasonCode"`, flavors.ErrUnsupported},
		{"multi-valued", `rank="2"`, `rank="2" isMultiValued="1"`, `isMultiValued="1"`, flavors.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(base, tc.old) {
				t.Fatalf("the model has no %q", tc.old)
			}
			_, err := Parse(strings.NewReader(pmmlDoc(drugDict + strings.Replace(base, tc.old, tc.new, 1))))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), "line") {
				t.Errorf("got %v, want an error naming %q and its line, wrapping %v", err, tc.want, tc.kind)
			}
		})
	}
	sum := drugRuleSet("weightedSum", drugOutputs)
	if _, err := Parse(strings.NewReader(pmmlDoc(drugDict + sum))); err == nil || !strings.Contains(err.Error(), "weightedSum") || !errors.Is(err, flavors.ErrUnsupported) {
		t.Errorf("rank 2 with weightedSum: got %v, want it refused", err)
	}
}

func FuzzRuleSet(f *testing.F) {
	for _, method := range []string{"firstHit", "weightedMax", "weightedSum"} {
		outputs := drugOutputs
		if method == "weightedSum" {
			outputs = ""
		}
		f.Add(pmmlDoc(drugDict + drugRuleSet(method, outputs)))
	}
	f.Fuzz(func(t *testing.T, doc string) { scoreFuzzed(doc) })
}
