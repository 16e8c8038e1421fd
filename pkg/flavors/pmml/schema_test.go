package pmml

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// schemaDoc scores x through a model whose MiningField for x has attrs.
func schemaDoc(attrs string) string {
	return pmmlDoc(`<DataDictionary>
	 <DataField name="x" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="0" rightMargin="100"/></DataField>
	 <DataField name="k" optype="categorical" dataType="integer"><Value value="1"/><Value value="2"/><Value value="-9" property="missing"/></DataField>
	 <DataField name="t" optype="continuous" dataType="double"/>
	</DataDictionary>
	<RegressionModel functionName="regression"><MiningSchema>
	 <MiningField name="x" ` + attrs + `/><MiningField name="k" invalidValueTreatment="asMissing" missingValueReplacement="2"/><MiningField name="t" usageType="predicted"/>
	</MiningSchema>
	<RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/><NumericPredictor name="k" coefficient="1000"/></RegressionTable></RegressionModel>`)
}

func TestMiningFieldTreatments(t *testing.T) {
	tests := []struct {
		attrs string
		x, k  string
		want  string // "error" when Predict must refuse
	}{
		{``, "5", "1", "1005"},
		{``, "500", "1", "error"}, // outside the Interval: returnInvalid by default
		{``, "abc", "1", "error"},
		{`invalidValueTreatment="asMissing"`, "500", "1", "null"},
		{`invalidValueTreatment="asIs"`, "500", "1", "1500"},
		{`invalidValueTreatment="asValue" invalidValueReplacement="7"`, "500", "1", "1007"},
		{`missingValueReplacement="3"`, "", "1", "1003"},
		{`invalidValueTreatment="asMissing" missingValueReplacement="3"`, "500", "1", "1003"},
		{`missingValueTreatment="returnInvalid"`, "", "1", "error"},
		{`outliers="asExtremeValues" lowValue="2" highValue="8"`, "9", "1", "1008"},
		{`outliers="asMissingValues" lowValue="2" highValue="8"`, "1", "1", "null"},
		{``, "5", "3", "2005"},  // invalid category → asMissing → replaced by 2
		{``, "5", "-9", "2005"}, // declared missing value → replaced
		{``, "5", "1.0", "1005"},
	}
	for _, tc := range tests {
		t.Run(tc.attrs+"/"+tc.x+"/"+tc.k, func(t *testing.T) {
			m := mustParse(t, schemaDoc(tc.attrs))
			out, err := m.Predict(context.Background(), textBatch(map[string][]string{"x": {tc.x}, "k": {tc.k}}))
			if tc.want == "error" {
				if !errors.Is(err, flavors.ErrInvalidInput) || !strings.Contains(err.Error(), `"x"`) {
					t.Fatalf("got %v, want an invalid-input error naming x", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			col, _ := out.Get(outPrediction)
			if got := tensorText(col, 0); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestInputDTypes(t *testing.T) {
	m := mustParse(t, schemaDoc(""))
	mk := func(name string, data any, null []bool) flavors.Tensor {
		c, err := flavors.Column(name, data)
		if err != nil {
			t.Fatal(err)
		}
		c.Null = null
		return c
	}
	tests := []struct {
		name string
		x, k flavors.Tensor
		want string
	}{
		{"float64 and int64", mk("x", []float64{5, 6}, nil), mk("k", []int64{1, 2}, nil), "1005 2006"},
		{"float32 and int32", mk("x", []float32{5, 6}, nil), mk("k", []int32{1, 2}, nil), "1005 2006"},
		{"text", mk("x", []string{"5", " 6 "}, nil), mk("k", []string{"1", "2"}, nil), "1005 2006"},
		{"NaN is missing", mk("x", []float64{5, nanf()}, nil), mk("k", []float64{1, 2}, nil), "1005 error"},
		{"null mask", mk("x", []float64{5, 6}, []bool{false, true}), mk("k", []int64{1, 2}, []bool{true, false}), "2005 error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// a missing x has no replacement here: the row predicts null
			out, err := m.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{tc.x, tc.k}})
			if err != nil {
				t.Fatal(err)
			}
			col, _ := out.Get(outPrediction)
			got := tensorText(col, 0) + " " + tensorText(col, 1)
			want := strings.ReplaceAll(tc.want, "error", "null")
			if got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	sig := m.Signature()
	if sig.Inputs[0].DType != flavors.FP64 || sig.Inputs[1].DType != flavors.Int64 || strings.Join(sig.Inputs[1].Values, ",") != "1,2" || !sig.Inputs[0].Nullable {
		t.Errorf("signature inputs %+v", sig.Inputs)
	}
}

func TestTargets(t *testing.T) {
	reg := func(target string) string {
		return pmmlDoc(dictXYS + `<RegressionModel functionName="regression">` + schemaXYS + `<Targets>` + target + `</Targets>
		<RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable></RegressionModel>`)
	}
	tests := []struct {
		target string
		x      string
		want   string
	}{
		{`<Target field="t" rescaleFactor="2" rescaleConstant="1"/>`, "3", "7"},
		{`<Target field="t" min="0" max="2"/>`, "3", "2"},
		{`<Target field="t" castInteger="round"/>`, "2.5", "3"},
		{`<Target field="t" castInteger="floor"/>`, "2.5", "2"},
		{`<Target field="t" castInteger="ceiling"/>`, "2.1", "3"},
		{`<Target field="t"><TargetValue defaultValue="42"/></Target>`, "", "42"},
	}
	for _, tc := range tests {
		m := mustParse(t, reg(tc.target))
		if got := predictText(t, m, map[string][]string{"x": {tc.x}}, outPrediction)[0]; got != tc.want {
			t.Errorf("%s x=%s: got %s, want %s", tc.target, tc.x, got, tc.want)
		}
	}
	// priors answer when a classifier has no prediction
	doc := pmmlDoc(dictXYS + `<TreeModel functionName="classification">` + schemaXYSC + `<Targets><Target field="c">
	 <TargetValue value="a" priorProbability="0.2"/><TargetValue value="b" priorProbability="0.8"/></Target></Targets>
	 <Node><True/><Node score="a"><SimplePredicate field="x" operator="greaterThan" value="0"/></Node></Node></TreeModel>`)
	m := mustParse(t, doc)
	if got := predictText(t, m, map[string][]string{"x": {"-1", "1"}}, outLabel); strings.Join(got, " ") != "b a" {
		t.Errorf("priors: got %v, want [b a]", got)
	}
}

func TestOutputFields(t *testing.T) {
	doc := pmmlDoc(`<DataDictionary>
	 <DataField name="x" optype="continuous" dataType="double"/>
	 <DataField name="c" optype="categorical" dataType="string"><Value value="a" displayValue="Alpha"/><Value value="b"/></DataField>
	</DataDictionary>
	<TreeModel functionName="classification"><MiningSchema><MiningField name="x"/><MiningField name="c" usageType="predicted"/></MiningSchema>
	 <Output>
	  <OutputField name="pred" feature="predictedValue"/>
	  <OutputField name="shown" feature="predictedDisplayValue"/>
	  <OutputField name="pb" feature="probability" value="b"/>
	  <OutputField name="pwin" feature="probability"/>
	  <OutputField name="node" feature="entityId"/>
	  <OutputField name="odds" feature="transformedValue" dataType="double"><Apply function="/"><FieldRef field="pb"/><Apply function="-"><Constant>1</Constant><FieldRef field="pb"/></Apply></Apply></OutputField>
	 </Output>
	 <Node><True/>
	  <Node id="n1" score="a"><SimplePredicate field="x" operator="lessThan" value="0"/><ScoreDistribution value="a" recordCount="3"/><ScoreDistribution value="b" recordCount="1"/></Node>
	  <Node id="n2" score="b"><True/><ScoreDistribution value="a" recordCount="1"/><ScoreDistribution value="b" recordCount="1"/></Node>
	 </Node></TreeModel>`)
	m := mustParse(t, doc)
	// A missing x makes the first child's predicate unknown, which the
	// default strategy (none) treats as false: the row lands in n2.
	want := map[string]string{"pred": "a b b", "shown": "Alpha b b", "pb": "0.25 0.5 0.5", "pwin": "0.75 0.5 0.5", "node": "n1 n2 n2", "odds": "0.333333333333 1 1"}
	for name, w := range want {
		if got := strings.Join(predictText(t, m, map[string][]string{"x": {"-1", "1", ""}}, name), " "); got != w {
			t.Errorf("%s: got %s, want %s", name, got, w)
		}
	}
	sig := m.Signature()
	if sp, _ := sig.Output("odds"); sp.DType != flavors.FP64 {
		t.Errorf("odds dtype %s", sp.DType)
	}
	if sp, _ := sig.Output("node"); sp.DType != flavors.Bytes {
		t.Errorf("node dtype %s", sp.DType)
	}
}
