package pmml

import (
	"strings"
	"testing"
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
