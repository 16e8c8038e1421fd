package pmml

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// generalOnly turns off the tree-ensemble fast paths of a parsed model, so
// that every row is scored by the general evaluation.
func generalOnly(m *Model) {
	if mm, ok := m.root.impl.(*mining); ok {
		for i := range mm.hot {
			mm.hot[i].tree = nil
		}
	}
}

func TestEnsembleFastPathMatchesGeneralPath(t *testing.T) {
	regression := strings.NewReplacer(`functionName="classification"`, `functionName="regression"`,
		`multipleModelMethod="average"`, `multipleModelMethod="sum"`,
		`<DataField name="y" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>`,
		`<DataField name="y" optype="continuous" dataType="double"/>`)
	cases := []struct {
		name string
		doc  string
	}{
		{"classification forest", forestDoc(20, 5, 4, 3)},
		{"weighted forest", strings.ReplaceAll(forestDoc(20, 5, 4, 4), `multipleModelMethod="average"`, `multipleModelMethod="weightedAverage"`)},
		{"regression sum", scoreLeaves(regression.Replace(forestDoc(20, 5, 4, 5)))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fast, err := Parse(strings.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			general, err := Parse(strings.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			generalOnly(general)
			in := forestBatch(200, 4)
			// Some rows miss a value: those take the general path even in fast.
			col := in.Tensors[1].Data.([]float64)
			for r := 0; r < len(col); r += 7 {
				col[r] = math.NaN()
			}
			want, err := general.Predict(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fast.Predict(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			// Printed, so that NaN equals NaN; %v round-trips every float.
			if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
				t.Errorf("the fast path's output differs from the general path's:\n got %.300s\nwant %.300s", g, w)
			}
		})
	}
}

// scoreLeaves gives each leaf of forestDoc a numeric score (its last
// class's probability) in place of its class distribution, making a
// regression forest.
func scoreLeaves(doc string) string {
	var b strings.Builder
	for {
		i := strings.Index(doc, `<ScoreDistribution value="a"`)
		if i < 0 {
			b.WriteString(doc)
			return b.String()
		}
		j := i + strings.Index(doc[i:], `<ScoreDistribution value="c"`)
		k := j + strings.Index(doc[j:], `/>`) + 2
		score := doc[j+len(`<ScoreDistribution value="c" recordCount="0" probability="`) : k-3]
		open := strings.LastIndex(doc[:i], `<Node>`)
		b.WriteString(doc[:open])
		b.WriteString(`<Node score="` + score + `">`)
		b.WriteString(doc[open+len(`<Node>`) : i])
		doc = doc[k:]
	}
}
