package pmml

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// FuzzParse checks that no document makes Parse or Predict panic or hang.
// The seed corpus is in testdata/fuzz/FuzzParse; these seeds add the unit
// test documents.
func FuzzParse(f *testing.F) {
	f.Add(strategyTree(`missingValueStrategy="weightedConfidence"`))
	f.Add(exprDoc(`<Apply function="if"><FieldRef field="x"/><Constant>1</Constant></Apply>`))
	f.Add(schemaDoc(`outliers="asExtremeValues" lowValue="2" highValue="8"`))
	f.Add(nnRegression("radialBasis", `altitude="1.5"`))
	f.Add(pmmlDoc(dictXYS + `<GeneralRegressionModel functionName="regression" modelType="regression">` + schemaXYS + grmParams +
		`<ParamMatrix><PCell parameterName="p0" beta="1"/><PCell parameterName="p3" beta="2"/></ParamMatrix></GeneralRegressionModel>`))
	f.Add(pmmlDoc(dictXYS + `<MiningModel functionName="classification">` + schemaXYSC + segments("majorityVote", classTree("0.1", "0.9")) + `</MiningModel>`))
	f.Add(coxDoc(`baselineStrataVariable="s"`, true, `<BaseCumHazardTables><BaselineStratum value="red" maxTime="4"><BaselineCell time="1" cumHazard="0.2"/></BaselineStratum></BaseCumHazardTables>`))
	f.Add(assocDoc(`<Output><OutputField name="out" feature="ruleValue" ruleFeature="rule" algorithm="exclusiveRecommendation" rankBasis="lift"/></Output>`))
	f.Add(svmRegression(`<RadialBasisKernelType gamma="0.5"/>`, "2 -1 3", "0.5"))
	f.Add(clusterDoc(`<minkowski p-parameter="3"/>`, `compareFunction="gaussSim" similarityScale="2"`, `fieldWeight="2"`, clusterOutputs))
	if files, _ := filepath.Glob("testdata/*.pmml"); len(files) > 0 {
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Fuzz(func(t *testing.T, doc string) {
		m, err := Parse(strings.NewReader(doc))
		if err != nil {
			return
		}
		var b flavors.Batch
		for _, sp := range m.Signature().Inputs {
			b.Tensors = append(b.Tensors, flavors.Tensor{Name: sp.Name, DType: flavors.Bytes, Shape: []int64{3},
				Data: []string{"1", "a", ""}, Null: []bool{false, false, true}})
		}
		_, _ = m.Predict(context.Background(), b)
	})
}
