package pmml

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// forestDoc writes a random forest the way scikit-learn exporters do: a
// MiningModel averaging TreeModels whose leaves carry class probabilities.
func forestDoc(trees, depth, features int, seed int64) string {
	rng := rand.New(rand.NewSource(seed))
	var b strings.Builder
	b.WriteString(`<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><DataDictionary>`)
	for f := 0; f < features; f++ {
		fmt.Fprintf(&b, `<DataField name="f%d" optype="continuous" dataType="double"/>`, f)
	}
	b.WriteString(`<DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField></DataDictionary>`)
	schema := func() {
		b.WriteString(`<MiningSchema>`)
		for f := 0; f < features; f++ {
			fmt.Fprintf(&b, `<MiningField name="f%d"/>`, f)
		}
		b.WriteString(`<MiningField name="y" usageType="predicted"/></MiningSchema>`)
	}
	b.WriteString(`<MiningModel functionName="classification">`)
	schema()
	b.WriteString(`<Segmentation multipleModelMethod="average">`)
	var node func(d int)
	node = func(d int) {
		if d == depth {
			p := []float64{rng.Float64(), rng.Float64(), rng.Float64()}
			s := p[0] + p[1] + p[2]
			for i, c := range []string{"a", "b", "c"} {
				fmt.Fprintf(&b, `<ScoreDistribution value="%s" recordCount="0" probability="%v"/>`, c, p[i]/s)
			}
			return
		}
		f, thr := rng.Intn(features), rng.NormFloat64()
		fmt.Fprintf(&b, `<Node><SimplePredicate field="f%d" operator="lessOrEqual" value="%v"/>`, f, thr)
		node(d + 1)
		fmt.Fprintf(&b, `</Node><Node><SimplePredicate field="f%d" operator="greaterThan" value="%v"/>`, f, thr)
		node(d + 1)
		b.WriteString(`</Node>`)
	}
	for t := 0; t < trees; t++ {
		fmt.Fprintf(&b, `<Segment id="%d"><True/><TreeModel functionName="classification">`, t+1)
		schema()
		b.WriteString(`<Node><True/>`)
		node(0)
		b.WriteString(`</Node></TreeModel></Segment>`)
	}
	b.WriteString(`</Segmentation></MiningModel></PMML>`)
	return b.String()
}

func forestBatch(rows, features int) flavors.Batch {
	rng := rand.New(rand.NewSource(2))
	var b flavors.Batch
	for f := 0; f < features; f++ {
		col := make([]float64, rows)
		for i := range col {
			col[i] = rng.NormFloat64()
		}
		t, _ := flavors.Column(fmt.Sprintf("f%d", f), col)
		b.Tensors = append(b.Tensors, t)
	}
	return b
}

// BenchmarkPredict scores a 100-tree, depth-8, 10-feature forest over
// batches of 1000 rows; ns/row is the figure to compare with ONNX Runtime.
func BenchmarkPredict(b *testing.B) {
	const rows, features = 1000, 10
	m, err := Parse(strings.NewReader(forestDoc(100, 8, features, 1)))
	if err != nil {
		b.Fatal(err)
	}
	batch := forestBatch(rows, features)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Predict(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}

func TestForestAveragesProbabilities(t *testing.T) {
	// The forest's probabilities are the mean of its trees' leaves.
	m, err := Parse(strings.NewReader(forestDoc(3, 2, 2, 1)))
	if err != nil {
		t.Fatal(err)
	}
	out, err := m.Predict(context.Background(), forestBatch(5, 2))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := out.Get(outProbabilities)
	probs := p.Data.([]float64)
	for r := 0; r < 5; r++ {
		sum := probs[3*r] + probs[3*r+1] + probs[3*r+2]
		if sum < 1-1e-12 || sum > 1+1e-12 {
			t.Errorf("row %d: probabilities sum to %v", r, sum)
		}
	}
}
