package pmml

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// clusterDoc has three clusters over x and y: c1 "near" at (0, 0), the
// second (no id, so "2") "far" at (3, 4) and c3 at (1, 1).
func clusterDoc(measure, xAttrs, yAttrs, outputs string) string {
	return pmmlDoc(dictXYS + `<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="3">
	 <MiningSchema><MiningField name="x"/><MiningField name="y"/></MiningSchema>` + outputs + `
	 <ComparisonMeasure kind="distance">` + measure + `</ComparisonMeasure>
	 <ClusteringField field="x" ` + xAttrs + `/><ClusteringField field="y" ` + yAttrs + `/>
	 <Cluster id="c1" name="near"><Array n="2" type="real">0 0</Array></Cluster>
	 <Cluster name="far"><Array n="2" type="real">3 4</Array></Cluster>
	 <Cluster id="c3"><Array n="2" type="real">1 1</Array></Cluster>
	</ClusteringModel>`)
}

const clusterOutputs = `<Output><OutputField name="id" feature="predictedValue"/><OutputField name="name" feature="predictedDisplayValue"/>
 <OutputField name="entity" feature="entityId"/><OutputField name="index" feature="clusterId"/>
 <OutputField name="affinity" feature="affinity"/><OutputField name="toC1" feature="clusterAffinity" value="c1"/>
 <OutputField name="toFar" feature="clusterAffinity" value="2"/></Output>`

func TestClusteringMeasures(t *testing.T) {
	tests := []struct {
		name, measure, xAttrs, yAttrs, x, y string
		id                                  string
		toC1, toFar                         float64
	}{
		{"euclidean", `<euclidean/>`, ``, ``, "1", "2", "c3", math.Sqrt(5), math.Sqrt(8)},
		{"squaredEuclidean", `<squaredEuclidean/>`, ``, ``, "1", "2", "c3", 5, 8},
		{"cityBlock", `<cityBlock/>`, ``, ``, "1", "2", "c3", 3, 4},
		{"chebychev", `<chebychev/>`, ``, ``, "1", "2", "c3", 2, 2},
		{"minkowski", `<minkowski p-parameter="3"/>`, ``, ``, "1", "2", "c3", math.Cbrt(9), math.Cbrt(16)},
		{"field weight", `<cityBlock/>`, ``, `fieldWeight="2"`, "1", "2", "c3", 1 + 4, 2 + 4},
		{"far point", `<squaredEuclidean/>`, ``, ``, "3", "3.9", "2", 9 + 3.9*3.9, 0.01},
		{"missing field scales the rest", `<squaredEuclidean/>`, ``, ``, "1", "", "c3", 1 * 2, 4 * 2},
		{"gaussSim", `<squaredEuclidean/>`, `compareFunction="gaussSim" similarityScale="1"`, ``, "1", "2", "c3", 0.25 + 4, math.Pow(math.Exp(-math.Ln2*4), 2) + 4},
		{"delta", `<squaredEuclidean/>`, `compareFunction="delta"`, ``, "1", "2", "c3", 1 + 4, 1 + 4},
		{"equal", `<squaredEuclidean/>`, `compareFunction="equal"`, ``, "1", "2", "c3", 0 + 4, 0 + 4},
		{"tie goes to the first cluster", `<cityBlock/>`, ``, ``, "0.5", "0.5", "c1", 1, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, clusterDoc(tc.measure, tc.xAttrs, tc.yAttrs, clusterOutputs))
			cols := map[string][]string{"x": {tc.x}, "y": {tc.y}}
			if got := predictText(t, m, cols, "id")[0]; got != tc.id {
				t.Errorf("cluster %s, want %s", got, tc.id)
			}
			if got := predictText(t, m, cols, "toC1")[0]; got != fmtG(tc.toC1) {
				t.Errorf("distance to c1 %s, want %s", got, fmtG(tc.toC1))
			}
			if got := predictText(t, m, cols, "toFar")[0]; got != fmtG(tc.toFar) {
				t.Errorf("distance to the second cluster %s, want %s", got, fmtG(tc.toFar))
			}
		})
	}
}

func TestClusteringOutputs(t *testing.T) {
	m := mustParse(t, clusterDoc(`<euclidean/>`, ``, ``, clusterOutputs))
	if m.Classes() != nil {
		t.Errorf("Classes() = %v, want nil for a clustering model", m.Classes())
	}
	var names []string
	for _, sp := range m.Signature().Outputs {
		names = append(names, sp.Name)
	}
	if got := strings.Join(names, " "); got != "id name entity index affinity toC1 toFar" {
		t.Errorf("outputs %q, want the Output fields only", got)
	}
	cols := map[string][]string{"x": {"0.1", "3", ""}, "y": {"0", "4", ""}}
	want := map[string]string{
		"id": "c1 2 null", "name": "near far null", "entity": "c1 2 null", "index": "1 2 null",
		"affinity": "0.1 0 null", "toC1": "0.1 5 null",
	}
	for out, w := range want {
		if got := strings.Join(predictText(t, m, cols, out), " "); got != w {
			t.Errorf("%s: got %q, want %q", out, got, w)
		}
	}

	bare := mustParse(t, clusterDoc(`<euclidean/>`, ``, ``, ``))
	if got := strings.Join(predictText(t, bare, map[string][]string{"x": {"3", "1"}, "y": {"4", "1"}}, outCluster), " "); got != "2 c3" {
		t.Errorf("without Output fields, %q = %q, want \"2 c3\"", outCluster, got)
	}
}

func TestClusteringRefusals(t *testing.T) {
	doc := clusterDoc(`<euclidean/>`, ``, ``, ``)
	tests := []struct {
		name, doc, want string
		kind            error
	}{
		{"distribution based", strings.Replace(doc, `modelClass="centerBased"`, `modelClass="distributionBased"`, 1), `modelClass="distributionBased"`, flavors.ErrUnsupported},
		{"similarity measure as a distance", strings.Replace(doc, `<euclidean/>`, `<jaccard/>`, 1), `kind="distance"> does not fit the measure <jaccard>`, flavors.ErrInvalidInput},
		{"unknown measure", strings.Replace(doc, `<euclidean/>`, `<mahalanobis/>`, 1), "comparison measure <mahalanobis>", flavors.ErrUnsupported},
		{"binarySimilarity parameters", strings.Replace(strings.Replace(doc, `<euclidean/>`, `<binarySimilarity c11-parameter="1"/>`, 1), `kind="distance"`, `kind="similarity"`, 1), "needs the attribute c10-parameter", flavors.ErrInvalidInput},
		{"table compare", strings.Replace(doc, `<ClusteringField field="x" />`, `<ClusteringField field="x" compareFunction="table"/>`, 1), `compareFunction="table"`, flavors.ErrUnsupported},
		{"center size", strings.Replace(doc, `n="2" type="real">3 4`, `n="3" type="real">3 4 5`, 1), "holds 3 values, the vector has 2 fields", flavors.ErrInvalidInput},
		{"unknown field", strings.Replace(doc, `<ClusteringField field="x" />`, `<ClusteringField field="nope"/>`, 1), `field "nope"`, flavors.ErrInvalidInput},
		{"clustering function on another model", pmmlDoc(dictXYS + `<RegressionModel functionName="clustering">` + schemaXYS + `<RegressionTable intercept="0"/></RegressionModel>`), `functionName="clustering" of RegressionModel`, flavors.ErrUnsupported},
		{"unknown cluster affinity", clusterDoc(`<euclidean/>`, ``, ``, `<Output><OutputField name="a" feature="clusterAffinity" value="c9"/></Output>`), `cluster "c9"`, flavors.ErrInvalidInput},
		{"missing value weights size", strings.Replace(doc, `<Cluster id="c1"`, `<MissingValueWeights><Array n="3" type="real">1 1 1</Array></MissingValueWeights><Cluster id="c1"`, 1), "holds 3 values", flavors.ErrInvalidInput},
		{"negative missing value weight", strings.Replace(doc, `<Cluster id="c1"`, `<MissingValueWeights><Array n="2" type="real">1 -1</Array></MissingValueWeights><Cluster id="c1"`, 1), "<MissingValueWeights> holds -1", flavors.ErrInvalidInput},
		{"center fields", strings.Replace(doc, `<Cluster id="c1"`, `<CenterFields/><Cluster id="c1"`, 1), "<CenterFields>", flavors.ErrUnsupported},
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

func TestClusteringMissingValueWeights(t *testing.T) {
	// Weights 1 (x) and 3 (y): a missing field scales the rest by 4 / (present weight).
	doc := strings.Replace(clusterDoc(`<squaredEuclidean/>`, ``, ``, clusterOutputs), `<Cluster id="c1"`,
		`<MissingValueWeights><Array n="2" type="real">1 3</Array></MissingValueWeights><Cluster id="c1"`, 1)
	m := mustParse(t, doc)
	cols := map[string][]string{"x": {"1", "", "1"}, "y": {"", "2", "2"}}
	want := map[string]string{
		"toC1":  fmtG(1*4.0) + " " + fmtG(4*4.0/3) + " 5",
		"toFar": fmtG(4*4.0) + " " + fmtG(4*4.0/3) + " 8",
		"id":    "c3 c3 c3",
	}
	for out, w := range want {
		if got := strings.Join(predictText(t, m, cols, out), " "); got != w {
			t.Errorf("%s: got %q, want %q", out, got, w)
		}
	}
}

func TestClusteringSimilarityMeasures(t *testing.T) {
	// Binary views of the centers: c1 (0, 0), the second (1, 1), c3 (1, 1).
	// Row (1, 0) against c1: a10 = a00 = 1; against the others a11 = a01 = 1.
	binary := `<binarySimilarity c11-parameter="2" c10-parameter="0" c01-parameter="0" c00-parameter="1" d11-parameter="1" d10-parameter="1" d01-parameter="1" d00-parameter="1"/>`
	tests := []struct {
		measure, x, y, id string
		toC1, toFar       float64
	}{
		{`<simpleMatching/>`, "1", "0", "c1", 0.5, 0.5},
		{`<jaccard/>`, "1", "0", "2", 0, 0.5},
		{`<tanimoto/>`, "1", "0", "c1", 1.0 / 3, 1.0 / 3},
		{binary, "1", "0", "2", 0.5, 1},
		{`<jaccard/>`, "0", "0", "c1", 0, 0},      // 0/0 against c1 counts as 0
		{`<simpleMatching/>`, "5", "", "2", 0, 1}, // a missing field is left out
	}
	for _, tc := range tests {
		t.Run(tc.measure+tc.x+tc.y, func(t *testing.T) {
			doc := strings.Replace(clusterDoc(tc.measure, ``, ``, clusterOutputs), `kind="distance"`, `kind="similarity"`, 1)
			m := mustParse(t, doc)
			cols := map[string][]string{"x": {tc.x}, "y": {tc.y}}
			if got := predictText(t, m, cols, "id")[0]; got != tc.id {
				t.Errorf("cluster %s, want %s", got, tc.id)
			}
			if got := predictText(t, m, cols, "toC1")[0]; got != fmtG(tc.toC1) {
				t.Errorf("similarity to c1 %s, want %s", got, fmtG(tc.toC1))
			}
			if got := predictText(t, m, cols, "toFar")[0]; got != fmtG(tc.toFar) {
				t.Errorf("similarity to the second cluster %s, want %s", got, fmtG(tc.toFar))
			}
		})
	}
}
