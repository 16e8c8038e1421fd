package pmml

import (
	"math"
	"testing"
)

func TestNaiveBayes(t *testing.T) {
	// Classes a (count 6) and b (count 4); s categorical, x Gaussian.
	doc := pmmlDoc(dictXYS + `<NaiveBayesModel functionName="classification" threshold="0.01">` + schemaXYSC + `
	 <BayesInputs>
	  <BayesInput fieldName="s">
	   <PairCounts value="red"><TargetValueCounts><TargetValueCount value="a" count="4"/><TargetValueCount value="b" count="1"/></TargetValueCounts></PairCounts>
	   <PairCounts value="blue"><TargetValueCounts><TargetValueCount value="a" count="2"/><TargetValueCount value="b" count="0"/></TargetValueCounts></PairCounts>
	   <PairCounts value="green"><TargetValueCounts><TargetValueCount value="a" count="0"/><TargetValueCount value="b" count="3"/></TargetValueCounts></PairCounts>
	  </BayesInput>
	  <BayesInput fieldName="x"><TargetValueStats>
	   <TargetValueStat value="a"><GaussianDistribution mean="0" variance="1"/></TargetValueStat>
	   <TargetValueStat value="b"><GaussianDistribution mean="2" variance="4"/></TargetValueStat>
	  </TargetValueStats></BayesInput>
	 </BayesInputs>
	 <BayesOutput fieldName="c"><TargetValueCounts><TargetValueCount value="a" count="6"/><TargetValueCount value="b" count="4"/></TargetValueCounts></BayesOutput>
	</NaiveBayesModel>`)
	m := mustParse(t, doc)
	gauss := func(x, mu, v float64) float64 { return math.Exp(-(x-mu)*(x-mu)/(2*v)) / math.Sqrt(2*math.Pi*v) }
	norm := func(a, b float64) []float64 { return []float64{a / (a + b), b / (a + b), 0} }
	tests := []struct {
		name, s, x string
		want       []float64
	}{
		{"both", "red", "1", norm(6*4.0/6*gauss(1, 0, 1), 4*1.0/4*gauss(1, 2, 4))},
		{"zero count takes threshold", "blue", "1", norm(6*2.0/6*gauss(1, 0, 1), 4*0.01*gauss(1, 2, 4))},
		{"missing categorical skipped", "", "1", norm(6*gauss(1, 0, 1), 4*gauss(1, 2, 4))},
		{"unseen level skipped", "purple", "", norm(6, 4)},
		{"missing continuous skipped", "green", "", norm(6*0.01, 4*3.0/4)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := probRow(t, m, map[string][]string{"s": {tc.s}, "x": {tc.x}}, 0)
			for i, w := range tc.want {
				if got[i] != fmtG(w) {
					t.Errorf("class %d: got %s, want %s", i, got[i], fmtG(w))
				}
			}
		})
	}
}
