package pmml

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// constTree is a regression tree that always scores v.
func constTree(v string) string {
	return `<TreeModel functionName="regression">` + schemaXYS + `<Node score="` + v + `"><True/></Node></TreeModel>`
}

// classTree is a classification tree with one distribution over a, b.
func classTree(pa, pb string) string {
	return `<TreeModel functionName="classification">` + schemaXYSC + `<Node><True/>
	 <ScoreDistribution value="a" recordCount="0" probability="` + pa + `"/><ScoreDistribution value="b" recordCount="0" probability="` + pb + `"/></Node></TreeModel>`
}

func segments(method string, segs ...string) string {
	var b strings.Builder
	for i, s := range segs {
		w := []string{"1", "2", "1", "3"}[i%4]
		b.WriteString(`<Segment id="` + itoa(i+1) + `" weight="` + w + `"><True/>` + s + `</Segment>`)
	}
	return `<Segmentation multipleModelMethod="` + method + `">` + b.String() + `</Segmentation>`
}

func TestMiningRegression(t *testing.T) {
	trees := []string{constTree("1"), constTree("4"), constTree("2.5")} // weights 1, 2, 1
	tests := map[string]string{
		"sum": "7.5", "average": "2.5", "weightedAverage": "2.875", "median": "2.5", "max": "4", "selectFirst": "1", "modelChain": "2.5",
	}
	for method, want := range tests {
		t.Run(method, func(t *testing.T) {
			doc := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + segments(method, trees...) + `</MiningModel>`)
			if got := predictText(t, mustParse(t, doc), map[string][]string{"x": {"1"}}, outPrediction)[0]; got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}

func TestMiningClassification(t *testing.T) {
	trees := []string{classTree("0.9", "0.1"), classTree("0.4", "0.6"), classTree("0.3", "0.7")} // weights 1, 2, 1
	tests := []struct {
		method, label string
		probs         string // a b z
	}{
		{"average", "a", "0.533333333333 0.466666666667 0"},
		{"weightedAverage", "b", "0.5 0.5 0"}, // (0.9+0.8+0.3)/4 = 0.5: tie goes to the first class
		{"majorityVote", "b", "0.333333333333 0.666666666667 0"},
		{"weightedMajorityVote", "b", "0.25 0.75 0"},
		{"max", "a", "0.9 0.1 0"},
		{"selectFirst", "a", "0.9 0.1 0"},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			doc := pmmlDoc(dictXYS + `<MiningModel functionName="classification">` + schemaXYSC + segments(tc.method, trees...) + `</MiningModel>`)
			m := mustParse(t, doc)
			cols := map[string][]string{"x": {"1"}}
			if got := strings.Join(probRow(t, m, cols, 0), " "); got != tc.probs {
				t.Errorf("probabilities %s, want %s", got, tc.probs)
			}
			want := tc.label
			if tc.method == "weightedAverage" {
				want = "a"
			}
			if got := predictText(t, m, cols, outLabel)[0]; got != want {
				t.Errorf("label %s, want %s", got, want)
			}
		})
	}
}

func TestMiningSegmentPredicatesNestingAndChain(t *testing.T) {
	// Segment predicates pick a tree; a nested segmentation sums two trees;
	// a model chain feeds one segment's output to the next.
	nested := `<MiningModel functionName="regression">` + schemaXYS + segments("sum", constTree("10"), constTree("20")) + `</MiningModel>`
	doc := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + `<Segmentation multipleModelMethod="selectFirst">
	 <Segment><SimplePredicate field="x" operator="lessThan" value="0"/>` + constTree("-1") + `</Segment>
	 <Segment><True/>` + nested + `</Segment></Segmentation></MiningModel>`)
	m := mustParse(t, doc)
	if got := strings.Join(predictText(t, m, map[string][]string{"x": {"-5", "5"}}, outPrediction), " "); got != "-1 30" {
		t.Errorf("selectFirst/nested: got %s, want -1 30", got)
	}
	chain := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + `<Segmentation multipleModelMethod="modelChain">
	 <Segment><True/><RegressionModel functionName="regression">` + schemaXYS + `<Output><OutputField name="first" feature="predictedValue"/></Output>
	  <RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable></RegressionModel></Segment>
	 <Segment><True/><RegressionModel functionName="regression">` + schemaXYS + `
	  <RegressionTable intercept="0"><NumericPredictor name="first" coefficient="10"/></RegressionTable></RegressionModel></Segment>
	</Segmentation></MiningModel>`)
	m = mustParse(t, chain)
	if got := predictText(t, m, map[string][]string{"x": {"2"}}, outPrediction)[0]; got != "50" {
		t.Errorf("modelChain: got %s, want 50", got)
	}
}

func TestMiningMissingPrediction(t *testing.T) {
	tree := `<TreeModel functionName="regression">` + schemaXYS + `<Node><True/><Node score="3"><SimplePredicate field="x" operator="greaterThan" value="0"/></Node></Node></TreeModel>`
	for treatment, want := range map[string]string{"returnMissing": "null", "skipSegment": "1"} {
		doc := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS +
			`<Segmentation multipleModelMethod="average" missingPredictionTreatment="` + treatment + `">
			<Segment><True/>` + tree + `</Segment><Segment><True/>` + constTree("1") + `</Segment></Segmentation></MiningModel>`)
		if got := predictText(t, mustParse(t, doc), map[string][]string{"x": {"-1"}}, outPrediction)[0]; got != want {
			t.Errorf("%s: got %s, want %s", treatment, got, want)
		}
	}
}

// segmentsAttrs is segments with extra attributes on the <Segmentation>.
func segmentsAttrs(method, attrs string, segs ...string) string {
	return strings.Replace(segments(method, segs...), `">`, `" `+attrs+`>`, 1)
}

// missTree is a regression tree with no prediction where x ≤ 0.
func missTree(v string) string {
	return `<TreeModel functionName="regression">` + schemaXYS + `<Node><True/><Node score="` + v + `"><SimplePredicate field="x" operator="greaterThan" value="0"/></Node></Node></TreeModel>`
}

// missClassTree votes for class a where x > 0 and has no prediction elsewhere.
const missClassTree = `<TreeModel functionName="classification">` + schemaXYSC + `<Node><True/><Node score="a"><SimplePredicate field="x" operator="greaterThan" value="0"/>
 <ScoreDistribution value="a" recordCount="0" probability="1"/><ScoreDistribution value="b" recordCount="0" probability="0"/></Node></Node></TreeModel>`

func TestMiningWeightedMethods(t *testing.T) {
	// Values 1, 4, 2.5, 10 with weights 1, 2, 1, 3. Sorted: 1(1) 2.5(1) 4(2)
	// 10(3); half the weight is 3.5, first reached at 4. The plain median is 3.25.
	trees := []string{constTree("1"), constTree("4"), constTree("2.5"), constTree("10")}
	tests := map[string]string{
		"weightedSum": "41.5", "x-weightedSum": "41.5", "weightedMedian": "4", "x-weightedMedian": "4",
		"median": "3.25", "max": "10", "sum": "17.5", "weightedAverage": "5.92857142857",
	}
	for method, want := range tests {
		t.Run(method, func(t *testing.T) {
			doc := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + segments(method, trees...) + `</MiningModel>`)
			if got := predictText(t, mustParse(t, doc), map[string][]string{"x": {"1"}}, outPrediction)[0]; got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
	// Weights 1, 2, 1 over 1, 4, 2.5: half of 4 is 2, reached at 2.5 exactly.
	doc := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + segments("weightedMedian", trees[:3]...) + `</MiningModel>`)
	if got := predictText(t, mustParse(t, doc), map[string][]string{"x": {"1"}}, outPrediction)[0]; got != "2.5" {
		t.Errorf("weightedMedian reaching half exactly: got %s, want 2.5", got)
	}
}

func TestMiningClassificationMedianAndMax(t *testing.T) {
	tests := []struct {
		name, method string
		trees        [][2]string
		label, probs string
	}{
		// Per class medians a 0.4, b 0.6: b wins; the segment closest to 0.6 on b is the second.
		{"median odd", "median", [][2]string{{"0.9", "0.1"}, {"0.4", "0.6"}, {"0.3", "0.7"}}, "b", "0.4 0.6 0"},
		// Medians a 0.5, b 0.5: a wins the tie; 0.375 and 0.625 are equally close to 0.5 and averaged.
		{"median even", "median", [][2]string{{"0.875", "0.125"}, {"0.375", "0.625"}, {"0.25", "0.75"}, {"0.625", "0.375"}}, "a", "0.5 0.5 0"},
		// Per class maxima a 0.9, b 0.7: a wins, from the first segment.
		{"max", "max", [][2]string{{"0.9", "0.1"}, {"0.4", "0.6"}, {"0.3", "0.7"}}, "a", "0.9 0.1 0"},
		// Two segments share the winning maximum: their distributions are averaged.
		{"max tie", "max", [][2]string{{"0.75", "0.25"}, {"0.25", "0.75"}, {"0.75", "0.25"}, {"0.5", "0.5"}}, "a", "0.75 0.25 0"},
		{"max tie averaged", "max", [][2]string{{"0.25", "0.75"}, {"0.5", "0.5"}, {"0.125", "0.875"}, {"0.875", "0.125"}}, "a", "0.875 0.125 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var trees []string
			for _, p := range tc.trees {
				trees = append(trees, classTree(p[0], p[1]))
			}
			m := mustParse(t, pmmlDoc(dictXYS+`<MiningModel functionName="classification">`+schemaXYSC+segments(tc.method, trees...)+`</MiningModel>`))
			cols := map[string][]string{"x": {"1"}}
			if got := strings.Join(probRow(t, m, cols, 0), " "); got != tc.probs {
				t.Errorf("probabilities %s, want %s", got, tc.probs)
			}
			if got := predictText(t, m, cols, outLabel)[0]; got != tc.label {
				t.Errorf("label %s, want %s", got, tc.label)
			}
		})
	}
}

func TestMiningMaxTieAveragesContributors(t *testing.T) {
	// a's maximum 0.75 is reached by two segments with different b and z:
	// the result is their average.
	three := func(pa, pb, pz string) string {
		return `<TreeModel functionName="classification">` + schemaXYSC + `<Node><True/>
		 <ScoreDistribution value="a" recordCount="0" probability="` + pa + `"/><ScoreDistribution value="b" recordCount="0" probability="` + pb + `"/>
		 <ScoreDistribution value="z" recordCount="0" probability="` + pz + `"/></Node></TreeModel>`
	}
	m := mustParse(t, pmmlDoc(dictXYS+`<MiningModel functionName="classification">`+schemaXYSC+
		segments("max", three("0.75", "0.25", "0"), three("0.75", "0", "0.25"), three("0", "0.5", "0.5"))+`</MiningModel>`))
	if got := strings.Join(probRow(t, m, map[string][]string{"x": {"1"}}, 0), " "); got != "0.75 0.125 0.125" {
		t.Errorf("probabilities %s, want 0.75 0.125 0.125", got)
	}
}

func TestMiningMissingTreatments(t *testing.T) {
	// Regression segments (weights 1, 2, 1): no prediction where x ≤ 0, 1, 3.
	reg := []string{missTree("5"), constTree("1"), constTree("3")}
	// Classification segments (weights 1, 2, 1): missing, a, missing where x ≤ 0.
	cls := []string{missClassTree, classTree("1", "0"), missClassTree}
	tests := []struct {
		name, fn, method, attrs string
		segs                    []string
		want                    string // prediction or label
	}{
		{"returnMissing", "regression", "average", `missingPredictionTreatment="returnMissing"`, reg, "null"},
		{"continue averages", "regression", "average", `missingPredictionTreatment="continue"`, reg, "null"},
		{"skipSegment", "regression", "average", `missingPredictionTreatment="skipSegment"`, reg, "2"},
		{"skip under the threshold", "regression", "weightedAverage", `missingPredictionTreatment="skipSegment" missingThreshold="0.25"`, reg, "1.66666666667"},
		{"skip over the threshold", "regression", "average", `missingPredictionTreatment="skipSegment" missingThreshold="0.2"`, reg, "null"},
		{"skip median", "regression", "median", `missingPredictionTreatment="skipSegment"`, reg, "2"},
		{"skip weightedMedian", "regression", "weightedMedian", `missingPredictionTreatment="skipSegment"`, reg, "1"},
		{"median returnMissing", "regression", "median", ``, reg, "null"},
		{"vote skip", "classification", "majorityVote", `missingPredictionTreatment="skipSegment"`, cls, "a"},
		{"vote returnMissing", "classification", "majorityVote", ``, cls, "null"},
		// Two missing votes beat one for a.
		{"vote continue", "classification", "majorityVote", `missingPredictionTreatment="continue"`, cls, "null"},
		// Weighted, the missing votes (1 + 1) only tie a's weight 2.
		{"weighted vote continue", "classification", "weightedMajorityVote", `missingPredictionTreatment="continue"`, cls, "a"},
		{"vote continue over the threshold", "classification", "weightedMajorityVote", `missingPredictionTreatment="continue" missingThreshold="0.4"`, cls, "null"},
		{"average continue", "classification", "average", `missingPredictionTreatment="continue"`, cls, "null"},
		{"average skip", "classification", "average", `missingPredictionTreatment="skipSegment"`, cls, "a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			schema, out := schemaXYS, outPrediction
			if tc.fn == "classification" {
				schema, out = schemaXYSC, outLabel
			}
			doc := pmmlDoc(dictXYS + `<MiningModel functionName="` + tc.fn + `">` + schema + segmentsAttrs(tc.method, tc.attrs, tc.segs...) + `</MiningModel>`)
			m := mustParse(t, doc)
			if got := predictText(t, m, map[string][]string{"x": {"-1"}}, out)[0]; got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
			if tc.fn == "classification" && tc.want == "null" {
				if p := strings.Join(probRow(t, m, map[string][]string{"x": {"-1"}}, 0), " "); p != "null null null" {
					t.Errorf("probabilities %s, want nulls", p)
				}
			}
		})
	}
}

func TestMiningModelChainScopes(t *testing.T) {
	// decision = 2x + 1 feeds the predicates of the next two segments, each
	// a classifier declaring the output "pb"; the last selected one is the result.
	classifier := func(pa, pb string) string {
		return `<TreeModel functionName="classification">` + schemaXYSC + `<Output><OutputField name="pb" feature="probability" value="b"/></Output>
		 <Node><True/><ScoreDistribution value="a" recordCount="0" probability="` + pa + `"/><ScoreDistribution value="b" recordCount="0" probability="` + pb + `"/></Node></TreeModel>`
	}
	doc := pmmlDoc(dictXYS + `<MiningModel functionName="classification">` + schemaXYSC + `
	 <Output><OutputField name="twice" feature="transformedValue"><Apply function="*"><FieldRef field="pb"/><Constant>2</Constant></Apply></OutputField>
	  <OutputField name="label" feature="predictedValue"/></Output>
	 <Segmentation multipleModelMethod="modelChain">
	 <Segment id="score"><True/><RegressionModel functionName="regression">` + schemaXYS + `<Output><OutputField name="decision" feature="predictedValue"/></Output>
	  <RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable></RegressionModel></Segment>
	 <Segment id="high"><SimplePredicate field="decision" operator="greaterThan" value="0"/>` + classifier("0.25", "0.75") + `</Segment>
	 <Segment id="low"><SimplePredicate field="decision" operator="lessOrEqual" value="0"/>` + classifier("0.875", "0.125") + `</Segment>
	</Segmentation></MiningModel>`)
	_, err := Parse(strings.NewReader(doc))
	if err == nil || !strings.Contains(err.Error(), `"label" collides`) {
		t.Errorf("an Output field named label: got %v, want a collision error", err)
	}
	m := mustParse(t, strings.Replace(doc, `<OutputField name="label" feature="predictedValue"/>`, ``, 1))
	var names []string
	for _, sp := range m.Signature().Outputs {
		names = append(names, sp.Name)
	}
	if got := strings.Join(names, " "); got != "label probabilities decision pb twice" {
		t.Errorf("outputs %q, want the chain's outputs exposed before the model's own", got)
	}
	cols := map[string][]string{"x": {"1", "-1", ""}}
	want := map[string]string{"label": "b a null", "decision": "3 -1 null", "pb": "0.75 0.125 null", "twice": "1.5 0.25 null"}
	for out, w := range want {
		if got := strings.Join(predictText(t, m, cols, out), " "); got != w {
			t.Errorf("%s: got %q, want %q", out, got, w)
		}
	}
}

func TestMiningNestedPredicatesAndTransformations(t *testing.T) {
	// A selectFirst over every kind of predicate, one of them on a field of
	// the Segmentation's LocalTransformations, one segment a nested
	// weightedMedian MiningModel with its own LocalTransformations.
	nested := `<MiningModel functionName="regression">` + schemaXYS + `<LocalTransformations>
	 <DerivedField name="neg" optype="continuous" dataType="double"><Apply function="*"><FieldRef field="x"/><Constant>-1</Constant></Apply></DerivedField></LocalTransformations>
	 <Segmentation multipleModelMethod="weightedMedian">
	  <Segment weight="1"><True/>` + constTree("20") + `</Segment>
	  <Segment weight="3"><SimplePredicate field="neg" operator="greaterThan" value="0"/>` + constTree("30") + `</Segment>
	  <Segment weight="1"><True/>` + constTree("10") + `</Segment></Segmentation></MiningModel>`
	doc := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + `<Segmentation multipleModelMethod="selectFirst">
	 <LocalTransformations><DerivedField name="dx" optype="continuous" dataType="double"><Apply function="*"><FieldRef field="x"/><Constant>2</Constant></Apply></DerivedField></LocalTransformations>
	 <Segment><False/>` + constTree("100") + `</Segment>
	 <Segment><CompoundPredicate booleanOperator="and"><SimplePredicate field="x" operator="greaterThan" value="0"/>
	  <SimpleSetPredicate field="s" booleanOperator="isIn"><Array type="string">u v</Array></SimpleSetPredicate></CompoundPredicate>` + constTree("1") + `</Segment>
	 <Segment><SimpleSetPredicate field="s" booleanOperator="isIn"><Array type="string">w</Array></SimpleSetPredicate>` + nested + `</Segment>
	 <Segment><SimplePredicate field="dx" operator="greaterThan" value="10"/>` + constTree("7") + `</Segment>
	 <Segment><True/>` + constTree("0") + `</Segment></Segmentation></MiningModel>`)
	m := mustParse(t, doc)
	got := predictText(t, m, map[string][]string{"x": {"1", "-1", "1", "6", "1"}, "s": {"u", "w", "w", "q", "q"}}, outPrediction)
	// x=-1 in w: weights 1, 3, 1 over 20, 30, 10 → sorted 10(1) 20(1) 30(3), half 2.5 reached at 30.
	// x=1 in w: only 20 and 10 → half 1 reached at 10.
	if w := "1 30 10 7 0"; strings.Join(got, " ") != w {
		t.Errorf("got %v, want %s", got, w)
	}
}

func TestMiningWeightedSumFastPath(t *testing.T) {
	regression := strings.NewReplacer(`functionName="classification"`, `functionName="regression"`,
		`multipleModelMethod="average"`, `multipleModelMethod="weightedSum"`,
		`<DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>`,
		`<DataField name="y" optype="continuous" dataType="double"/>`)
	doc := scoreLeaves(regression.Replace(forestDoc(12, 4, 4, 9)))
	doc = strings.Replace(doc, `<Segment id="2">`, `<Segment id="2" weight="3">`, 1)
	fast := mustParse(t, doc)
	if mm, ok := fast.root.impl.(*mining); !ok || !mm.treeEnsemble() {
		t.Fatal("a weightedSum of trees does not take the ensemble path")
	}
	general := mustParse(t, doc)
	generalOnly(general)
	in := forestBatch(100, 4)
	want, err := general.Predict(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fast.Predict(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
		t.Errorf("fast path differs:\n got %.300s\nwant %.300s", g, w)
	}
}

func TestMiningRefusals(t *testing.T) {
	reg := func(seg string) string {
		return pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + seg + `</MiningModel>`)
	}
	cls := func(seg string) string {
		return pmmlDoc(dictXYS + `<MiningModel functionName="classification">` + schemaXYSC + seg + `</MiningModel>`)
	}
	tests := []struct {
		name, doc, want string
		kind            error
	}{
		{"selectAll", reg(segments("selectAll", constTree("1"))), `"selectAll"`, flavors.ErrUnsupported},
		{"classification sum", cls(segments("sum", classTree("1", "0"))), `"sum" applies to regression`, flavors.ErrUnsupported},
		{"classification weightedMedian", cls(segments("weightedMedian", classTree("1", "0"))), `"weightedMedian" applies to regression`, flavors.ErrUnsupported},
		{"regression vote", reg(segments("majorityVote", constTree("1"))), `"majorityVote" applies to classification`, flavors.ErrUnsupported},
		{"unknown method", reg(segments("mode", constTree("1"))), `multipleModelMethod="mode"`, flavors.ErrUnsupported},
		{"threshold", reg(segmentsAttrs("average", `missingThreshold="1.5"`, constTree("1"))), "missingThreshold", flavors.ErrInvalidInput},
		{"negative weight", reg(`<Segmentation multipleModelMethod="weightedAverage"><Segment weight="-1"><True/>` + constTree("1") + `</Segment></Segmentation>`), "weight of <Segment>", flavors.ErrInvalidInput},
		{"variable weight", reg(`<Segmentation multipleModelMethod="weightedAverage"><Segment><True/>` + constTree("1") + `<VariableWeight field="x"/></Segment></Segmentation>`), "<VariableWeight>", flavors.ErrUnsupported},
		{"chain ends in a regression", cls(segments("modelChain", classTree("1", "0"), constTree("1"))), "last segment of a modelChain", flavors.ErrInvalidInput},
		{"no segments", reg(`<Segmentation multipleModelMethod="sum"/>`), "no segments", flavors.ErrInvalidInput},
		{"no predicate", reg(`<Segmentation multipleModelMethod="sum"><Segment>` + constTree("1") + `</Segment></Segmentation>`), "needs a predicate", flavors.ErrInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), "line") {
				t.Errorf("got %v, want an error naming %q and its line, wrapping %v", err, tc.want, tc.kind)
			}
		})
	}
}
