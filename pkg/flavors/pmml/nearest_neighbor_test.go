package pmml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// knnOracle is testdata/gen/knn_sklearn.json, written by knn_sklearn.py.
type knnOracle struct {
	K        int
	Iris     knnDataset
	Diabetes knnDataset
}

type knnDataset struct {
	Fields  []string
	Classes []string
	Train   [][]float64
	Target  json.RawMessage
	Query   [][]float64
	Cases   []struct {
		Measure, Weights string
		Queries          []int
		Neighbors        [][]int
		Ordered          []bool
		Labels           []string
		Probabilities    [][]float64
		Predictions      []float64
	}
}

// knnDoc writes a NearestNeighborModel over a data set: columns prefixed
// "data:", instance ids "r1", "r2", ..., entityId outputs n1..nK.
func knnDoc(ds *knnDataset, k int, classification bool, measure, weights string) string {
	var b strings.Builder
	b.WriteString(`<DataDictionary>`)
	for _, f := range ds.Fields {
		fmt.Fprintf(&b, `<DataField name="%s" optype="continuous" dataType="double"/>`, f)
	}
	var targets []string
	if classification {
		b.WriteString(`<DataField name="y" optype="categorical" dataType="string">`)
		for _, c := range ds.Classes {
			fmt.Fprintf(&b, `<Value value="%s"/>`, c)
		}
		b.WriteString(`</DataField>`)
		_ = json.Unmarshal(ds.Target, &targets)
	} else {
		b.WriteString(`<DataField name="y" optype="continuous" dataType="double"/>`)
		var ys []float64
		_ = json.Unmarshal(ds.Target, &ys)
		for _, y := range ys {
			targets = append(targets, strconv.FormatFloat(y, 'g', -1, 64))
		}
	}
	b.WriteString(`</DataDictionary>`)
	fn, scoring := "regression", `continuousScoringMethod="average"`
	if weights == "distance" {
		scoring = `continuousScoringMethod="weightedAverage"`
	}
	if classification {
		fn, scoring = "classification", `categoricalScoringMethod="majorityVote"`
		if weights == "distance" {
			scoring = `categoricalScoringMethod="weightedMajorityVote"`
		}
	}
	fmt.Fprintf(&b, `<NearestNeighborModel functionName="%s" numberOfNeighbors="%d" %s threshold="0" instanceIdVariable="rowid"><MiningSchema>`, fn, k, scoring)
	for _, f := range ds.Fields {
		fmt.Fprintf(&b, `<MiningField name="%s"/>`, f)
	}
	b.WriteString(`<MiningField name="y" usageType="predicted"/></MiningSchema><Output>`)
	for i := 1; i <= k; i++ {
		fmt.Fprintf(&b, `<OutputField name="n%d" feature="entityId" rank="%d"/>`, i, i)
	}
	b.WriteString(`</Output><TrainingInstances><InstanceFields>`)
	for _, f := range append([]string{"rowid", "y"}, ds.Fields...) {
		fmt.Fprintf(&b, `<InstanceField field="%s" column="data:%s"/>`, f, f)
	}
	b.WriteString(`</InstanceFields><InlineTable xmlns:data="http://example.com/data">`)
	for r, row := range ds.Train {
		fmt.Fprintf(&b, "<row><data:rowid>r%d</data:rowid><data:y>%s</data:y>", r+1, targets[r])
		for i, x := range row {
			fmt.Fprintf(&b, `<data:%s>%s</data:%s>`, ds.Fields[i], strconv.FormatFloat(x, 'g', -1, 64), ds.Fields[i])
		}
		b.WriteString("</row>\n")
	}
	b.WriteString(`</InlineTable></TrainingInstances><ComparisonMeasure kind="distance">`)
	if measure == "minkowski" {
		b.WriteString(`<minkowski p-parameter="3"/>`)
	} else {
		fmt.Fprintf(&b, `<%s/>`, measure)
	}
	b.WriteString(`</ComparisonMeasure><KNNInputs>`)
	for _, f := range ds.Fields {
		fmt.Fprintf(&b, `<KNNInput field="%s"/>`, f)
	}
	b.WriteString(`</KNNInputs></NearestNeighborModel>`)
	return pmmlDoc(b.String())
}

func loadKNNOracle(t *testing.T) *knnOracle {
	t.Helper()
	raw, err := os.ReadFile("testdata/gen/knn_sklearn.json")
	if err != nil {
		t.Fatalf("read the scikit-learn oracle: %v (regenerate it with testdata/gen/knn_sklearn.py)", err)
	}
	var o knnOracle
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("decode the scikit-learn oracle: %v", err)
	}
	return &o
}

// knnQuery builds the batch of the chosen query rows.
func knnQuery(ds *knnDataset, rows []int) flavors.Batch {
	var b flavors.Batch
	for i, f := range ds.Fields {
		col := make([]float64, len(rows))
		for j, r := range rows {
			col[j] = ds.Query[r][i]
		}
		b.Tensors = append(b.Tensors, flavors.Tensor{Name: f, DType: flavors.FP64, Shape: []int64{int64(len(rows))}, Data: col})
	}
	return b
}

func knnClose(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestNearestNeighborMatchesScikitLearn(t *testing.T) {
	o := loadKNNOracle(t)
	for _, set := range []struct {
		name           string
		ds             *knnDataset
		classification bool
	}{{"iris", &o.Iris, true}, {"diabetes", &o.Diabetes, false}} {
		for _, tc := range set.ds.Cases {
			t.Run(set.name+"/"+tc.Measure+"/"+tc.Weights, func(t *testing.T) {
				m := mustParse(t, knnDoc(set.ds, o.K, set.classification, tc.Measure, tc.Weights))
				out, err := m.Predict(context.Background(), knnQuery(set.ds, tc.Queries))
				if err != nil {
					t.Fatalf("Predict: %v", err)
				}
				for i, nb := range tc.Neighbors {
					if !tc.Ordered[i] {
						continue
					}
					for r, j := range nb {
						col, _ := out.Get(fmt.Sprintf("n%d", r+1))
						if got := col.Data.([]string)[i]; got != fmt.Sprintf("r%d", j) {
							t.Errorf("query %d: neighbour %d is %s, scikit-learn's is r%d", tc.Queries[i], r+1, got, j)
						}
					}
				}
				if !set.classification {
					pred, _ := out.Get(outPrediction)
					for i, want := range tc.Predictions {
						if got := pred.Data.([]float64)[i]; !knnClose(got, want) {
							t.Errorf("query %d: prediction %v, scikit-learn %v", tc.Queries[i], got, want)
						}
					}
					return
				}
				labels, _ := out.Get(outLabel)
				probs, _ := out.Get(outProbabilities)
				p := probs.Data.([]float64)
				for i, want := range tc.Labels {
					if got := labels.Data.([]string)[i]; got != want {
						t.Errorf("query %d: label %s, scikit-learn %s", tc.Queries[i], got, want)
					}
					for c, w := range tc.Probabilities[i] {
						if got := p[i*3+c]; !knnClose(got, w) {
							t.Errorf("query %d: probabilities %v, scikit-learn %v", tc.Queries[i], p[i*3:i*3+3], tc.Probabilities[i])
							break
						}
					}
				}
			})
		}
	}
}

// smallKNN has four instances over x and s (a category); the target t or c.
func smallKNN(fn, attrs, measure, inputs, outputs string) string {
	target := "t"
	if fn == "classification" {
		target = "c"
	}
	return pmmlDoc(dictXYS + `<NearestNeighborModel functionName="` + fn + `" ` + attrs + `>
	 <MiningSchema><MiningField name="x"/><MiningField name="y"/><MiningField name="s"/><MiningField name="` + target + `" usageType="predicted"/></MiningSchema>` + outputs + `
	 <TrainingInstances isTransformed="true"><InstanceFields>
	  <InstanceField field="x" column="x"/><InstanceField field="y" column="y"/><InstanceField field="s" column="s"/>
	  <InstanceField field="t" column="t"/><InstanceField field="c" column="c"/>
	 </InstanceFields><InlineTable>
	  <row><x>0</x><y>1</y><s>red</s><t>10</t><c>a</c></row>
	  <row><x>1</x><y>0</y><s>blue</s><t>20</t><c>b</c></row>
	  <row><x>3</x><y>1</y><s>red</s><t>30</t><c>b</c></row>
	  <row><x>7</x><y>0</y><s>blue</s><t>70</t><c>z</c></row>
	 </InlineTable></TrainingInstances>
	 <ComparisonMeasure kind="` + map[bool]string{true: "similarity", false: "distance"}[strings.Contains("simpleMatching jaccard tanimoto binarySimilarity", strings.Fields(strings.Trim(measure, "</>"))[0])] + `">` + measure + `</ComparisonMeasure>
	 <KNNInputs>` + inputs + `</KNNInputs></NearestNeighborModel>`)
}

const knnEntities = `<Output><OutputField name="n1" feature="entityId"/><OutputField name="n2" feature="entityId" rank="2"/><OutputField name="n3" feature="entityId" rank="3"/></Output>`

// knnEntitiesUpTo asks for the ids of the k nearest neighbours, at most 3.
func knnEntitiesUpTo(attrs string) string {
	k := 3
	fmt.Sscanf(attrs[strings.Index(attrs, `numberOfNeighbors="`)+len(`numberOfNeighbors="`):], "%d", &k)
	return strings.Join(strings.SplitAfter(knnEntities, "/>")[:min(k, 3)], "") + "</Output>"
}

func TestNearestNeighborHandComputed(t *testing.T) {
	xOnly := `<KNNInput field="x"/>`
	tests := []struct {
		name, fn, attrs, measure, inputs string
		cols                             map[string][]string
		out, want                        string
	}{
		// x = 2: distances 2, 1, 1, 5 → neighbours 2, 3 (the tie keeps
		// document order), 1.
		{"average", "regression", `numberOfNeighbors="3"`, `<euclidean/>`, xOnly, map[string][]string{"x": {"2"}}, outPrediction, "20"},
		{"neighbour ids", "regression", `numberOfNeighbors="3"`, `<euclidean/>`, xOnly, map[string][]string{"x": {"2"}}, "n1 n2 n3", "2 3 1"},
		{"median of an even count", "regression", `numberOfNeighbors="2" continuousScoringMethod="median"`, `<cityBlock/>`, xOnly, map[string][]string{"x": {"2.4"}}, outPrediction, "25"},
		{"median", "regression", `numberOfNeighbors="3" continuousScoringMethod="median"`, `<squaredEuclidean/>`, xOnly, map[string][]string{"x": {"6"}}, outPrediction, "30"},
		// 1/(d + 0.001): neighbours at 1 (t 20) and 1 (t 30), 2 (t 10).
		{"weighted average, default threshold", "regression", `numberOfNeighbors="3" continuousScoringMethod="weightedAverage"`, `<euclidean/>`, xOnly,
			map[string][]string{"x": {"2"}}, outPrediction, fmtG((20/1.001 + 30/1.001 + 10/2.001) / (2/1.001 + 1/2.001))},
		// x=2, y=0: squared distances 4+1, 1+0, 1+1, 25 → 2, 3, 1.
		{"two inputs", "regression", `numberOfNeighbors="1"`, `<squaredEuclidean/>`, xOnly + `<KNNInput field="y"/>`, map[string][]string{"x": {"2"}, "y": {"0"}}, "n1", "2"},
		{"field weight", "regression", `numberOfNeighbors="1"`, `<squaredEuclidean/>`, `<KNNInput field="x" fieldWeight="0.01"/><KNNInput field="y"/>`,
			map[string][]string{"x": {"2"}, "y": {"1"}}, "n1", "3"},
		// s compared by delta: red matches instances 1 and 3.
		{"categorical input", "regression", `numberOfNeighbors="2"`, `<cityBlock/>`, `<KNNInput field="s" compareFunction="delta"/>`,
			map[string][]string{"s": {"red"}}, outPrediction, "20"},
		{"missing input left out", "regression", `numberOfNeighbors="1"`, `<euclidean/>`, xOnly + `<KNNInput field="y"/>`, map[string][]string{"x": {"6.9"}, "y": {""}}, "n1", "4"},
		{"no input at all", "regression", `numberOfNeighbors="1"`, `<euclidean/>`, xOnly, map[string][]string{"x": {""}}, outPrediction, "null"},
		// Classes a b z: neighbours of x=2 are b (2), b (3), a (1).
		{"majority vote", "classification", `numberOfNeighbors="3"`, `<euclidean/>`, xOnly, map[string][]string{"x": {"2"}}, outLabel, "b"},
		// x=0.5: neighbours 1 (a) and 2 (b) tie: the first class wins.
		{"vote tie goes to the first class", "classification", `numberOfNeighbors="2"`, `<euclidean/>`, xOnly, map[string][]string{"x": {"0.5"}}, outLabel, "a"},
		// x=0.4, threshold 0: a weighs 1/0.4, b 1/0.6.
		{"weighted vote", "classification", `numberOfNeighbors="2" categoricalScoringMethod="weightedMajorityVote" threshold="0"`, `<euclidean/>`, xOnly,
			map[string][]string{"x": {"0.6"}}, outLabel, "b"},
		// Binary x>0, y: the row (1, 1) against (0,1) (1,0) (1,1) (1,0):
		// jaccard 1/2, 1/2, 1, 1/2 → instance 3 first, then 1 and 2.
		{"jaccard", "regression", `numberOfNeighbors="3"`, `<jaccard/>`, xOnly + `<KNNInput field="y"/>`, map[string][]string{"x": {"5"}, "y": {"1"}}, "n1 n2 n3", "3 1 2"},
		// simpleMatching of (0, 0): 1/2, 1/2, 0, 1/2 → 1, 2, 4.
		{"simple matching", "regression", `numberOfNeighbors="3"`, `<simpleMatching/>`, xOnly + `<KNNInput field="y"/>`, map[string][]string{"x": {"0"}, "y": {"0"}}, "n1 n2 n3", "1 2 4"},
		{"tanimoto", "regression", `numberOfNeighbors="1"`, `<tanimoto/>`, xOnly + `<KNNInput field="y"/>`, map[string][]string{"x": {"0"}, "y": {"1"}}, "n1", "1"},
		{"binary similarity", "regression", `numberOfNeighbors="1"`,
			`<binarySimilarity c00-parameter="0" c01-parameter="0" c10-parameter="1" c11-parameter="0" d00-parameter="1" d01-parameter="1" d10-parameter="1" d11-parameter="1"/>`,
			xOnly + `<KNNInput field="y"/>`, map[string][]string{"x": {"1"}, "y": {"0"}}, "n1", "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, smallKNN(tc.fn, tc.attrs, tc.measure, tc.inputs, knnEntitiesUpTo(tc.attrs)))
			var got []string
			for _, out := range strings.Fields(tc.out) {
				got = append(got, predictText(t, m, copyCols(tc.cols), out)...)
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("%s = %q, want %q", tc.out, g, tc.want)
			}
		})
	}
	m := mustParse(t, smallKNN("classification", `numberOfNeighbors="3"`, `<euclidean/>`, xOnly, ""))
	if got := strings.Join(probRow(t, m, map[string][]string{"x": {"2"}}, 0), " "); got != fmtG(1.0/3)+" "+fmtG(2.0/3)+" 0" {
		t.Errorf("probabilities %s, want the vote shares 1/3 2/3 0", got)
	}
}

func TestNearestNeighborInMiningModel(t *testing.T) {
	knn := smallKNN("regression", `numberOfNeighbors="3"`, `<euclidean/>`, `<KNNInput field="x"/>`, "")
	knn = knn[strings.Index(knn, "<NearestNeighborModel"):strings.Index(knn, "</PMML>")]
	doc := pmmlDoc(dictXYS + `<MiningModel functionName="regression">` + schemaXYS + `<Segmentation multipleModelMethod="average">
	 <Segment><True/>` + knn + `</Segment>
	 <Segment><True/><RegressionModel functionName="regression">` + schemaXYS + `<RegressionTable intercept="0"/></RegressionModel></Segment>
	</Segmentation></MiningModel>`)
	m := mustParse(t, doc)
	if got := predictText(t, m, map[string][]string{"x": {"2"}}, outPrediction)[0]; got != "10" {
		t.Errorf("prediction %s, want (20 + 0) / 2", got)
	}
}

func TestNearestNeighborRefusals(t *testing.T) {
	doc := smallKNN("regression", `numberOfNeighbors="3"`, `<euclidean/>`, `<KNNInput field="x"/>`, knnEntities)
	tests := []struct {
		name, old, new, want string
		kind                 error
	}{
		{"no neighbours", `numberOfNeighbors="3"`, `numberOfNeighbors="0"`, `numberOfNeighbors="0"`, flavors.ErrInvalidInput},
		{"rank past k", `rank="3"`, `rank="4"`, "asks for neighbour 4", flavors.ErrInvalidInput},
		{"unknown measure", `<euclidean/>`, `<mahalanobis/>`, "comparison measure <mahalanobis>", flavors.ErrUnsupported},
		{"gaussSim", `<KNNInput field="x"/>`, `<KNNInput field="x" compareFunction="gaussSim"/>`, `compareFunction="gaussSim"`, flavors.ErrUnsupported},
		{"table locator", `<InlineTable>`, `<TableLocator/><InlineTable>`, "<TableLocator>", flavors.ErrUnsupported},
		{"unknown cell", `<row><x>0</x>`, `<row><q>0</q><x>0</x>`, "cell <q> of training instance 1", flavors.ErrInvalidInput},
		{"missing target", `<t>20</t>`, ``, "training instance 2 has no value", flavors.ErrInvalidInput},
		{"input without column", `<KNNInput field="x"/>`, `<KNNInput field="x"/><KNNInput field="nope"/>`, `field "nope"`, flavors.ErrInvalidInput},
		{"weighted distance", `numberOfNeighbors="3"`, `numberOfNeighbors="3" continuousScoringMethod="weightedAverage"`, "", nil},
		{"unknown scoring", `numberOfNeighbors="3"`, `numberOfNeighbors="3" continuousScoringMethod="mode"`, `continuousScoringMethod="mode"`, flavors.ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(doc, tc.old) {
				t.Fatalf("the model has no %q", tc.old)
			}
			_, err := Parse(strings.NewReader(strings.Replace(doc, tc.old, tc.new, 1)))
			if tc.kind == nil {
				if err != nil {
					t.Errorf("got %v, want it accepted", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), "line") {
				t.Errorf("got %v, want an error naming %q and its line, wrapping %v", err, tc.want, tc.kind)
			}
		})
	}
	sim := smallKNN("regression", `numberOfNeighbors="2" continuousScoringMethod="weightedAverage"`, `<jaccard/>`, `<KNNInput field="x"/>`, "")
	if _, err := Parse(strings.NewReader(sim)); err == nil || !errors.Is(err, flavors.ErrUnsupported) {
		t.Errorf("weightedAverage with jaccard: got %v, want it refused", err)
	}
}

func FuzzNearestNeighbor(f *testing.F) {
	f.Add(smallKNN("regression", `numberOfNeighbors="3" continuousScoringMethod="weightedAverage"`, `<euclidean/>`, `<KNNInput field="x"/><KNNInput field="s" compareFunction="delta"/>`, knnEntities))
	f.Add(smallKNN("classification", `numberOfNeighbors="2" instanceIdVariable="s"`, `<minkowski p-parameter="3"/>`, `<KNNInput field="x" fieldWeight="2"/>`, knnEntities))
	f.Add(smallKNN("regression", `numberOfNeighbors="3"`, `<jaccard/>`, `<KNNInput field="x"/><KNNInput field="y"/>`, knnEntities))
	f.Fuzz(func(t *testing.T, doc string) { scoreFuzzed(doc) })
}
