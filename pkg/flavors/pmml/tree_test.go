package pmml

import (
	"strings"
	"testing"
)

// predicateTree scores "yes" when the predicate holds, "no" otherwise.
func predicateTree(predicate string) string {
	return pmmlDoc(dictXYS + `<TreeModel functionName="classification" noTrueChildStrategy="returnLastPrediction">` + schemaXYSC + `
	 <Node score="b"><True/>
	  <Node score="a">` + predicate + `</Node>
	 </Node></TreeModel>`)
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		pred string
		x, s string
		want string // a: true, b: false or unknown
	}{
		{`<SimplePredicate field="x" operator="equal" value="1"/>`, "1", "", "a"},
		{`<SimplePredicate field="x" operator="equal" value="1"/>`, "2", "", "b"},
		{`<SimplePredicate field="x" operator="notEqual" value="1"/>`, "2", "", "a"},
		{`<SimplePredicate field="x" operator="lessThan" value="1"/>`, "1", "", "b"},
		{`<SimplePredicate field="x" operator="lessOrEqual" value="1"/>`, "1", "", "a"},
		{`<SimplePredicate field="x" operator="greaterThan" value="1"/>`, "1", "", "b"},
		{`<SimplePredicate field="x" operator="greaterOrEqual" value="1"/>`, "1", "", "a"},
		{`<SimplePredicate field="x" operator="isMissing"/>`, "", "", "a"},
		{`<SimplePredicate field="x" operator="isNotMissing"/>`, "", "", "b"},
		{`<SimplePredicate field="x" operator="lessThan" value="1"/>`, "", "", "b"},
		{`<SimplePredicate field="s" operator="equal" value="red"/>`, "1", "red", "a"},
		{`<SimpleSetPredicate field="s" booleanOperator="isIn"><Array n="2" type="string">"red" "dark blue"</Array></SimpleSetPredicate>`, "1", "dark blue", "a"},
		{`<SimpleSetPredicate field="s" booleanOperator="isNotIn"><Array n="2" type="string">red blue</Array></SimpleSetPredicate>`, "1", "blue", "b"},
		{`<SimpleSetPredicate field="x" booleanOperator="isIn"><Array n="2" type="real">1.5 2</Array></SimpleSetPredicate>`, "2.0", "", "a"},
		{`<True/>`, "1", "", "a"},
		{`<False/>`, "1", "", "b"},
		{`<CompoundPredicate booleanOperator="and"><True/><SimplePredicate field="x" operator="equal" value="1"/></CompoundPredicate>`, "1", "", "a"},
		{`<CompoundPredicate booleanOperator="and"><False/><SimplePredicate field="x" operator="equal" value="1"/></CompoundPredicate>`, "", "", "b"},
		{`<CompoundPredicate booleanOperator="or"><False/><SimplePredicate field="x" operator="equal" value="1"/></CompoundPredicate>`, "1", "", "a"},
		{`<CompoundPredicate booleanOperator="or"><True/><SimplePredicate field="x" operator="equal" value="1"/></CompoundPredicate>`, "", "", "a"},
		{`<CompoundPredicate booleanOperator="xor"><True/><SimplePredicate field="x" operator="equal" value="1"/></CompoundPredicate>`, "1", "", "b"},
		{`<CompoundPredicate booleanOperator="xor"><True/><SimplePredicate field="x" operator="equal" value="1"/></CompoundPredicate>`, "2", "", "a"},
		{`<CompoundPredicate booleanOperator="surrogate"><SimplePredicate field="x" operator="equal" value="1"/><SimplePredicate field="s" operator="equal" value="red"/></CompoundPredicate>`, "", "red", "a"},
		{`<CompoundPredicate booleanOperator="surrogate"><SimplePredicate field="x" operator="equal" value="1"/><True/></CompoundPredicate>`, "2", "", "b"},
	}
	for _, tc := range tests {
		t.Run(tc.pred+"/x="+tc.x+"/s="+tc.s, func(t *testing.T) {
			m := mustParse(t, predicateTree(tc.pred))
			got := predictText(t, m, map[string][]string{"x": {tc.x}, "s": {tc.s}}, outLabel)
			if got[0] != tc.want {
				t.Errorf("got %s, want %s", got[0], tc.want)
			}
		})
	}
}

// strategyTree splits on x and then y; node 2 has a distribution.
func strategyTree(attrs string) string {
	return pmmlDoc(dictXYS + `<TreeModel functionName="classification" ` + attrs + `>` + schemaXYSC + `
	 <Output><OutputField name="leaf" feature="entityId"/><OutputField name="pa" feature="probability" value="a"/></Output>
	 <Node id="root" score="z" recordCount="10" defaultChild="L">
	  <True/>
	  <ScoreDistribution value="a" recordCount="5"/><ScoreDistribution value="b" recordCount="3"/><ScoreDistribution value="z" recordCount="2"/>
	  <Node id="L" score="a" recordCount="6" defaultChild="LL">
	   <SimplePredicate field="x" operator="lessThan" value="0"/>
	   <ScoreDistribution value="a" recordCount="5"/><ScoreDistribution value="b" recordCount="1"/>
	   <Node id="LL" score="a" recordCount="4"><SimplePredicate field="y" operator="lessThan" value="0"/>
	    <ScoreDistribution value="a" recordCount="4"/></Node>
	   <Node id="LR" score="b" recordCount="2"><SimplePredicate field="y" operator="greaterOrEqual" value="0"/>
	    <ScoreDistribution value="a" recordCount="1"/><ScoreDistribution value="b" recordCount="1"/></Node>
	  </Node>
	  <Node id="R" score="b" recordCount="4"><SimplePredicate field="x" operator="greaterOrEqual" value="0"/>
	   <ScoreDistribution value="b" recordCount="2"/><ScoreDistribution value="z" recordCount="2"/></Node>
	 </Node></TreeModel>`)
}

func TestTreeMissingValueStrategies(t *testing.T) {
	tests := []struct {
		attrs    string
		x, y     string
		leaf, pa string
	}{
		{`missingValueStrategy="none"`, "-1", "-1", "LL", "1"},
		{`missingValueStrategy="none"`, "-1", "", "null", "null"},
		{`missingValueStrategy="none" noTrueChildStrategy="returnLastPrediction"`, "-1", "", "L", "0.833333333333"},
		{`missingValueStrategy="lastPrediction"`, "-1", "", "L", "0.833333333333"},
		{`missingValueStrategy="lastPrediction"`, "", "", "root", "0.5"},
		{`missingValueStrategy="nullPrediction"`, "-1", "", "null", "null"},
		{`missingValueStrategy="defaultChild"`, "", "", "LL", "1"},
		{`missingValueStrategy="defaultChild"`, "", "1", "LR", "0.5"},
		// weightedConfidence at L: LL·4/6 + LR·2/6 → a = (4·1 + 2·0.5)/6
		{`missingValueStrategy="weightedConfidence"`, "-1", "", "null", "0.833333333333"},
		// aggregateNodes at the root: counts of LL, LR, R summed: a 5, b 3, z 2
		{`missingValueStrategy="aggregateNodes"`, "", "", "null", "0.5"},
	}
	for _, tc := range tests {
		t.Run(tc.attrs+"/"+tc.x+","+tc.y, func(t *testing.T) {
			m := mustParse(t, strategyTree(tc.attrs))
			cols := map[string][]string{"x": {tc.x}, "y": {tc.y}}
			if got := predictText(t, m, cols, "leaf")[0]; got != tc.leaf {
				t.Errorf("leaf %s, want %s", got, tc.leaf)
			}
			if got := predictText(t, m, cols, "pa")[0]; got != tc.pa {
				t.Errorf("P(a) %s, want %s", got, tc.pa)
			}
		})
	}
}

func TestTreeRegressionAndProbabilityAttribute(t *testing.T) {
	doc := pmmlDoc(dictXYS + `<TreeModel functionName="regression">` + schemaXYS + `
	 <Node><True/>
	  <Node score="1.5"><SimplePredicate field="x" operator="lessOrEqual" value="0.5"/></Node>
	  <Node score="-2"><SimplePredicate field="x" operator="greaterThan" value="0.5"/></Node>
	 </Node></TreeModel>`)
	m := mustParse(t, doc)
	got := predictText(t, m, map[string][]string{"x": {"0.5", "0.6", ""}}, outPrediction)
	if strings.Join(got, " ") != "1.5 -2 null" {
		t.Errorf("got %v", got)
	}
	// probability attributes win over record counts
	doc = pmmlDoc(dictXYS + `<TreeModel functionName="classification">` + schemaXYSC + `
	 <Node><True/><ScoreDistribution value="a" recordCount="1" probability="0.25"/><ScoreDistribution value="b" recordCount="1" probability="0.75"/></Node>
	</TreeModel>`)
	m = mustParse(t, doc)
	if got := probRow(t, m, map[string][]string{"x": {"1"}, "y": {"1"}, "s": {"q"}}, 0); strings.Join(got, " ") != "0.25 0.75 0" {
		t.Errorf("probabilities %v, want [0.25 0.75 0] (classes a b z)", got)
	}
	if got := m.Classes(); strings.Join(got, ",") != "a,b,z" {
		t.Errorf("classes %v", got)
	}
}

func TestMathContextFloat(t *testing.T) {
	// 0.1 as float32 is 0.100000001490116…: a double 0.1 input equals the
	// float32 threshold only when compared in float32.
	doc := pmmlDoc(dictXYS + `<TreeModel functionName="regression" mathContext="float">` + schemaXYS + `
	 <Node><True/>
	  <Node score="1"><SimplePredicate field="x" operator="equal" value="0.100000001490116"/></Node>
	  <Node score="2"><True/></Node>
	 </Node></TreeModel>`)
	m := mustParse(t, doc)
	if got := predictText(t, m, map[string][]string{"x": {"0.1"}}, outPrediction)[0]; got != "1" {
		t.Errorf("float context: got %s, want 1", got)
	}
	m = mustParse(t, strings.Replace(doc, ` mathContext="float"`, "", 1))
	if got := predictText(t, m, map[string][]string{"x": {"0.1"}}, outPrediction)[0]; got != "2" {
		t.Errorf("double context: got %s, want 2", got)
	}
}
