package pmml

import (
	"context"
	"strings"
	"testing"
)

// FuzzExpression checks that no expression (built-in functions, dates,
// patterns, user-defined functions, TextIndex) makes Parse or Predict
// panic or hang. The fragment is scored as an Output field next to three
// DefineFunctions; x and s are the row's inputs. The seed corpus is in
// testdata/fuzz/FuzzExpression.
func FuzzExpression(f *testing.F) {
	seeds := []string{
		`<Apply function="formatNumber"><FieldRef field="x"/><FieldRef field="s"/></Apply>`,
		`<Apply function="formatDatetime"><FieldRef field="s"/><Constant>%F %T %j</Constant></Apply>`,
		`<Apply function="dateDaysSinceYear"><FieldRef field="s"/><FieldRef field="x"/></Apply>`,
		`<Apply function="dateSecondsSinceMidnight"><FieldRef field="s"/></Apply>`,
		`<Apply function="matches"><FieldRef field="s"/><FieldRef field="s"/></Apply>`,
		`<Apply function="replace"><FieldRef field="s"/><Constant>(a+)</Constant><FieldRef field="s"/></Apply>`,
		`<Apply function="stdNormalIDF"><FieldRef field="x"/></Apply>`,
		`<Apply function="normalIDF"><FieldRef field="x"/><Constant>1</Constant><FieldRef field="x"/></Apply>`,
		`<Apply function="median"><FieldRef field="x"/><Constant>2</Constant></Apply>`,
		`<Apply function="isNotValid"><FieldRef field="c"/></Apply>`,
		`<Apply function="twice"><Apply function="twice"><FieldRef field="x"/></Apply></Apply>`,
		`<Apply function="join"><FieldRef field="s"/><FieldRef field="x"/></Apply>`,
		`<TextIndex textField="s" maxLevenshteinDistance="2" countHits="bestHits"><FieldRef field="s"/></TextIndex>`,
		`<TextIndex textField="s" localTermWeights="augmentedNormalizedTermFrequency"><TextIndexNormalization recursive="true"><InlineTable><row><string>a</string><stem>a a</stem></row></InlineTable></TextIndexNormalization><Constant>a</Constant></TextIndex>`,
	}
	for _, s := range seeds {
		f.Add(s, "1.5", "2003-04-01T10:00:00")
	}
	f.Fuzz(func(t *testing.T, fragment, x, s string) {
		doc := pmmlDoc(dictXYS + `<TransformationDictionary>
		 <DefineFunction name="twice" optype="continuous" dataType="double"><ParameterField name="v"/><Apply function="*"><FieldRef field="v"/><Constant>2</Constant></Apply></DefineFunction>
		 <DefineFunction name="join" optype="categorical" dataType="string"><ParameterField name="a"/><ParameterField name="b"/><Apply function="concat"><FieldRef field="a"/><FieldRef field="b"/></Apply></DefineFunction>
		</TransformationDictionary>
		<RegressionModel functionName="regression">` + schemaXYS + `<Output><OutputField name="out" feature="transformedValue">` + fragment +
			`</OutputField></Output><RegressionTable intercept="0"/></RegressionModel>`)
		m, err := Parse(strings.NewReader(doc))
		if err != nil {
			return
		}
		_, _ = m.Predict(context.Background(), textBatch(fillInputs(m, map[string][]string{"x": {x}, "s": {s}})))
	})
}
