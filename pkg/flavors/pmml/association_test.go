package pmml

import (
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// assocDoc has items a, b, c and rules
//
//	1: {a}→{b}    support 0.3, confidence 0.6, lift 1.2
//	2: {a}→{c}    support 0.4, confidence 0.5, no lift, id "x2"
//	3: {a,b}→{c}  support 0.1, confidence 0.9, lift 2
//	4: {b}→{c}    support 0.2, confidence 0.7, lift 1.5
func assocDoc(outputs string) string {
	return pmmlDoc(`<DataDictionary><DataField name="tx" optype="categorical" dataType="string"/><DataField name="item" optype="categorical" dataType="string"/></DataDictionary>
	<AssociationModel functionName="associationRules" numberOfTransactions="10" minimumSupport="0.1" minimumConfidence="0.5">
	 <MiningSchema><MiningField name="tx" usageType="group"/><MiningField name="item"/></MiningSchema>` + outputs + `
	 <Item id="1" value="a"/><Item id="2" value="b"/><Item id="3" value="c"/>
	 <Itemset id="s1"><ItemRef itemRef="1"/></Itemset><Itemset id="s2"><ItemRef itemRef="2"/></Itemset>
	 <Itemset id="s3"><ItemRef itemRef="3"/></Itemset><Itemset id="s4"><ItemRef itemRef="1"/><ItemRef itemRef="2"/></Itemset>
	 <AssociationRule antecedent="s1" consequent="s2" support="0.3" confidence="0.6" lift="1.2"/>
	 <AssociationRule antecedent="s1" consequent="s3" support="0.4" confidence="0.5" id="x2"/>
	 <AssociationRule antecedent="s4" consequent="s3" support="0.1" confidence="0.9" lift="2" leverage="0.05"/>
	 <AssociationRule antecedent="s2" consequent="s3" support="0.2" confidence="0.7" lift="1.5"/>
	</AssociationModel>`)
}

func TestAssociationRules(t *testing.T) {
	// Baskets by first appearance: T1 {a,b}, T2 {a,c} (+ an unknown and a
	// missing item), T3 {c}, T4 {a,b,c}.
	in := map[string][]string{
		"tx":   {"T1", "T2", "T1", "T3", "T2", "T2", "T4", "T4", "T4", "T2"},
		"item": {"a", "a", "b", "c", "c", "zz", "a", "b", "c", ""},
	}
	tests := []struct {
		name, field string
		want        string // per basket T1 T2 T3 T4
	}{
		// recommendation: antecedent in the basket; by confidence, descending.
		{"recommended rule", `ruleFeature="ruleId"`, "3 1 null 3"},
		{"second recommendation", `ruleFeature="rule" rank="2"`, "{b}->{c} {a}->{c} null {b}->{c}"},
		{"antecedent", `ruleFeature="antecedent"`, "{a,b} {a} null {a,b}"},
		{"consequent", `ruleFeature="consequent"`, "{c} {b} null {c}"},
		{"ascending support", `ruleFeature="ruleId" rankBasis="support" rankOrder="ascending"`, "3 1 null 3"},
		// exclusiveRecommendation: and the consequent not in it.
		{"exclusive by support", `ruleFeature="ruleId" algorithm="exclusiveRecommendation" rankBasis="support"`, "x2 1 null null"},
		{"exclusive lift absent", `ruleFeature="lift" algorithm="exclusiveRecommendation" rankBasis="support"`, "null 1.2 null null"},
		// ruleAssociation: both in it; a rule without the basis ranks last.
		{"association by lift", `ruleFeature="ruleId" algorithm="ruleAssociation" rankBasis="lift"`, "1 x2 null 3"},
		{"association rank 4", `ruleFeature="ruleId" algorithm="ruleAssociation" rankBasis="lift" rank="4"`, "null null null x2"},
		{"support", `ruleFeature="support" algorithm="ruleAssociation" rankBasis="lift" rank="2"`, "null null null 0.2"},
		{"confidence", `ruleFeature="confidence"`, "0.9 0.6 null 0.9"},
		{"leverage", `ruleFeature="leverage"`, "0.05 null null 0.05"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, assocDoc(`<Output><OutputField name="out" feature="ruleValue" `+tc.field+`/></Output>`))
			got := predictText(t, m, in, "out")
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %v, want %s", got, tc.want)
			}
			if g := predictText(t, m, in, "tx"); strings.Join(g, " ") != "T1 T2 T3 T4" {
				t.Errorf("group column %v, want T1 T2 T3 T4", g)
			}
		})
	}
}

func TestAssociationRefuses(t *testing.T) {
	out := `<Output><OutputField name="out" feature="ruleValue" ruleFeature="ruleId"/></Output>`
	tests := []struct {
		name, doc, want string
		kind            error
	}{
		{"no output", assocDoc(""), "without <Output>", flavors.ErrUnsupported},
		{"other feature", assocDoc(`<Output><OutputField name="out" feature="probability"/></Output>`), `feature="probability"`, flavors.ErrUnsupported},
		{"bad rank", assocDoc(`<Output><OutputField name="out" feature="ruleValue" rank="0"/></Output>`), "rank", flavors.ErrInvalidInput},
		{"multi-valued", assocDoc(`<Output><OutputField name="out" feature="ruleValue" isMultiValued="1"/></Output>`), "isMultiValued", flavors.ErrUnsupported},
		{"unknown itemset", strings.Replace(assocDoc(out), `antecedent="s4"`, `antecedent="s9"`, 1), `"s9"`, flavors.ErrInvalidInput},
		{"no group", strings.Replace(assocDoc(out), `usageType="group"`, `usageType="supplementary"`, 1), "group", flavors.ErrUnsupported},
		{"group elsewhere", pmmlDoc(dictXYS + `<TreeModel functionName="regression"><MiningSchema><MiningField name="x" usageType="group"/><MiningField name="t" usageType="predicted"/></MiningSchema><Node score="1"><True/></Node></TreeModel>`), "group", flavors.ErrUnsupported},
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

func TestAssociationMissingGroup(t *testing.T) {
	m := mustParse(t, assocDoc(`<Output><OutputField name="out" feature="ruleValue" ruleFeature="ruleId"/></Output>`))
	_, err := m.Predict(t.Context(), textBatch(map[string][]string{"tx": {"T1", ""}, "item": {"a", "b"}}))
	if !errors.Is(err, flavors.ErrInvalidInput) || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("got %v, want an invalid-input error naming row 1", err)
	}
}
