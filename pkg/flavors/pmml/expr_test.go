package pmml

import (
	"testing"
)

func TestExpressions(t *testing.T) {
	tests := []struct {
		name string
		expr string
		x, y string // inputs; "" is missing
		s    string
		want string
	}{
		{"constant number", `<Constant>2.5</Constant>`, "1", "1", "", "2.5"},
		{"constant string", `<Constant dataType="string">abc</Constant>`, "1", "1", "", "abc"},
		{"field ref", `<FieldRef field="x"/>`, "3", "1", "", "3"},
		{"field ref missing", `<FieldRef field="x"/>`, "", "1", "", "null"},
		{"field ref mapMissingTo", `<FieldRef field="x" mapMissingTo="7"/>`, "", "1", "", "7"},
		{"plus", `<Apply function="+"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "1", "2", "", "3"},
		{"minus", `<Apply function="-"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "1", "2", "", "-1"},
		{"times", `<Apply function="*"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "3", "2", "", "6"},
		{"divide", `<Apply function="/"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "3", "2", "", "1.5"},
		{"missing argument", `<Apply function="+"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "", "2", "", "null"},
		{"mapMissingTo", `<Apply function="+" mapMissingTo="-1"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "", "2", "", "-1"},
		{"defaultValue", `<Apply function="ln" defaultValue="0"><FieldRef field="x"/></Apply>`, "-1", "2", "", "0"},
		{"min", `<Apply function="min"><FieldRef field="x"/><FieldRef field="y"/><Constant>0.5</Constant></Apply>`, "3", "2", "", "0.5"},
		{"max", `<Apply function="max"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "3", "2", "", "3"},
		{"sum", `<Apply function="sum"><FieldRef field="x"/><FieldRef field="y"/><Constant>1</Constant></Apply>`, "3", "2", "", "6"},
		{"avg", `<Apply function="avg"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "3", "2", "", "2.5"},
		{"log10", `<Apply function="log10"><FieldRef field="x"/></Apply>`, "1000", "2", "", "3"},
		{"ln", `<Apply function="ln"><FieldRef field="x"/></Apply>`, "1", "2", "", "0"},
		{"exp", `<Apply function="exp"><FieldRef field="x"/></Apply>`, "0", "2", "", "1"},
		{"sqrt", `<Apply function="sqrt"><FieldRef field="x"/></Apply>`, "9", "2", "", "3"},
		{"abs", `<Apply function="abs"><FieldRef field="x"/></Apply>`, "-9", "2", "", "9"},
		{"pow", `<Apply function="pow"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "3", "2", "", "9"},
		{"threshold above", `<Apply function="threshold"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "3", "2", "", "1"},
		{"threshold equal", `<Apply function="threshold"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "2", "2", "", "0"},
		{"floor", `<Apply function="floor"><FieldRef field="x"/></Apply>`, "-1.5", "2", "", "-2"},
		{"ceil", `<Apply function="ceil"><FieldRef field="x"/></Apply>`, "1.2", "2", "", "2"},
		{"round half up", `<Apply function="round"><FieldRef field="x"/></Apply>`, "2.5", "2", "", "3"},
		{"isMissing", `<Apply function="isMissing"><FieldRef field="x"/></Apply>`, "", "2", "", "true"},
		{"isNotMissing", `<Apply function="isNotMissing"><FieldRef field="x"/></Apply>`, "", "2", "", "false"},
		{"equal", `<Apply function="equal"><FieldRef field="x"/><Constant>2</Constant></Apply>`, "2", "2", "", "true"},
		{"notEqual", `<Apply function="notEqual"><FieldRef field="x"/><Constant>2</Constant></Apply>`, "2", "2", "", "false"},
		{"lessThan", `<Apply function="lessThan"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "1", "2", "", "true"},
		{"lessOrEqual", `<Apply function="lessOrEqual"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "2", "2", "", "true"},
		{"greaterThan", `<Apply function="greaterThan"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "2", "2", "", "false"},
		{"greaterOrEqual", `<Apply function="greaterOrEqual"><FieldRef field="x"/><FieldRef field="y"/></Apply>`, "2", "2", "", "true"},
		{"and", `<Apply function="and"><Apply function="lessThan"><FieldRef field="x"/><FieldRef field="y"/></Apply><Constant dataType="boolean">true</Constant></Apply>`, "1", "2", "", "true"},
		{"or", `<Apply function="or"><Apply function="lessThan"><FieldRef field="y"/><FieldRef field="x"/></Apply><Constant dataType="boolean">false</Constant></Apply>`, "1", "2", "", "false"},
		{"not", `<Apply function="not"><Apply function="lessThan"><FieldRef field="x"/><FieldRef field="y"/></Apply></Apply>`, "1", "2", "", "false"},
		{"isIn", `<Apply function="isIn"><FieldRef field="s"/><Constant>p</Constant><Constant>q</Constant></Apply>`, "1", "2", "q", "true"},
		{"isNotIn", `<Apply function="isNotIn"><FieldRef field="s"/><Constant>p</Constant><Constant>q</Constant></Apply>`, "1", "2", "q", "false"},
		{"if then", `<Apply function="if"><Apply function="lessThan"><FieldRef field="x"/><FieldRef field="y"/></Apply><Constant>10</Constant><Constant>20</Constant></Apply>`, "1", "2", "", "10"},
		{"if else", `<Apply function="if"><Apply function="lessThan"><FieldRef field="x"/><FieldRef field="y"/></Apply><Constant>10</Constant><Constant>20</Constant></Apply>`, "3", "2", "", "20"},
		{"if no else", `<Apply function="if"><Apply function="lessThan"><FieldRef field="x"/><FieldRef field="y"/></Apply><Constant>10</Constant></Apply>`, "3", "2", "", "null"},
		{"concat", `<Apply function="concat"><FieldRef field="s"/><Constant dataType="string">-</Constant><FieldRef field="x"/></Apply>`, "3", "2", "ab", "ab-3"},
		{"lowercase", `<Apply function="lowercase"><FieldRef field="s"/></Apply>`, "1", "2", "AbC", "abc"},
		{"uppercase", `<Apply function="uppercase"><FieldRef field="s"/></Apply>`, "1", "2", "AbC", "ABC"},
		{"substring", `<Apply function="substring"><FieldRef field="s"/><Constant>2</Constant><Constant>3</Constant></Apply>`, "1", "2", "abcdef", "bcd"},
		{"trimBlanks", `<Apply function="trimBlanks"><FieldRef field="s"/></Apply>`, "1", "2", "  ab ", "ab"},
		{"NormContinuous inside", `<NormContinuous field="x"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/><LinearNorm orig="20" norm="3"/></NormContinuous>`, "15", "2", "", "2"},
		{"NormContinuous extrapolates asIs", `<NormContinuous field="x"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "20", "2", "", "2"},
		{"NormContinuous asExtremeValues", `<NormContinuous field="x" outliers="asExtremeValues"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "-5", "2", "", "0"},
		{"NormContinuous asMissingValues", `<NormContinuous field="x" outliers="asMissingValues"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "20", "2", "", "null"},
		{"NormContinuous mapMissingTo", `<NormContinuous field="x" mapMissingTo="0.5"><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="1"/></NormContinuous>`, "", "2", "", "0.5"},
		{"NormDiscrete match", `<NormDiscrete field="s" value="red"/>`, "1", "2", "red", "1"},
		{"NormDiscrete other", `<NormDiscrete field="s" value="red"/>`, "1", "2", "blue", "0"},
		{"MapValues hit", `<MapValues outputColumn="out"><FieldColumnPair field="s" column="in"/><InlineTable><row><in>a</in><out>A</out></row><row><in>b</in><out>B</out></row></InlineTable></MapValues>`, "1", "2", "b", "B"},
		{"MapValues default", `<MapValues outputColumn="out" defaultValue="?"><FieldColumnPair field="s" column="in"/><InlineTable><row><in>a</in><out>A</out></row></InlineTable></MapValues>`, "1", "2", "c", "?"},
		{"MapValues numeric key", `<MapValues outputColumn="out" dataType="double"><FieldColumnPair field="x" column="in"/><InlineTable><row><in>8</in><out>0.5</out></row></InlineTable></MapValues>`, "8.0", "2", "", "0.5"},
		{"Discretize", `<Discretize field="x"><DiscretizeBin binValue="low"><Interval closure="openClosed" rightMargin="1"/></DiscretizeBin><DiscretizeBin binValue="high"><Interval closure="openOpen" leftMargin="1"/></DiscretizeBin></Discretize>`, "1", "2", "", "low"},
		{"Discretize upper", `<Discretize field="x"><DiscretizeBin binValue="low"><Interval closure="openClosed" rightMargin="1"/></DiscretizeBin><DiscretizeBin binValue="high"><Interval closure="openOpen" leftMargin="1"/></DiscretizeBin></Discretize>`, "1.5", "2", "", "high"},
		{"Discretize missing", `<Discretize field="x" mapMissingTo="none"><DiscretizeBin binValue="low"><Interval closure="openClosed" rightMargin="1"/></DiscretizeBin></Discretize>`, "", "2", "", "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, exprDoc(tc.expr))
			got := predictText(t, m, map[string][]string{"x": {tc.x}, "y": {tc.y}, "s": {tc.s}}, "out")
			if got[0] != tc.want {
				t.Errorf("got %s, want %s", got[0], tc.want)
			}
		})
	}
}

func TestDerivedFields(t *testing.T) {
	// A derived field in the TransformationDictionary used by a local one,
	// declared after it, and cast to the declared dataType.
	doc := pmmlDoc(dictXYS + `<TransformationDictionary>
	 <DerivedField name="twice" optype="continuous" dataType="double"><Apply function="*"><FieldRef field="x"/><Constant>2</Constant></Apply></DerivedField>
	</TransformationDictionary>
	<RegressionModel functionName="regression">` + schemaXYS + `
	 <LocalTransformations>
	  <DerivedField name="plus1" optype="continuous" dataType="integer"><Apply function="+"><FieldRef field="twice"/><FieldRef field="one"/></Apply></DerivedField>
	  <DerivedField name="one" optype="continuous" dataType="double"><Constant>1</Constant></DerivedField>
	 </LocalTransformations>
	 <RegressionTable intercept="0"><NumericPredictor name="plus1" coefficient="1"/></RegressionTable>
	</RegressionModel>`)
	m := mustParse(t, doc)
	got := predictText(t, m, map[string][]string{"x": {"3", ""}}, outPrediction)
	if got[0] != "7" || got[1] != "null" {
		t.Errorf("got %v, want [7 null]", got)
	}
}
