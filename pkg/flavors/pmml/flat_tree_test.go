package pmml

import (
	"math/rand"
	"strings"
	"testing"
)

// TestFlatTreeMatchesSplits walks the same rows through the flattened trees
// and through the split records they were compiled from, for every
// comparison operator, both mathContexts, and rows sitting exactly on the
// thresholds (where < and <= part).
func TestFlatTreeMatchesSplits(t *testing.T) {
	const features = 4
	for _, tc := range []struct{ name, le, gt, mc string }{
		{"le-gt", "lessOrEqual", "greaterThan", "double"},
		{"lt-ge", "lessThan", "greaterOrEqual", "double"},
		{"ge-lt", "greaterOrEqual", "lessThan", "double"},
		{"gt-le", "greaterThan", "lessOrEqual", "double"},
		{"le-gt float", "lessOrEqual", "greaterThan", "float"},
		{"lt-ge float", "lessThan", "greaterOrEqual", "float"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := forestDoc(5, 4, features, 7)
			doc = strings.NewReplacer(`operator="lessOrEqual"`, `operator="`+tc.le+`"`, `operator="greaterThan"`, `operator="`+tc.gt+`"`).Replace(doc)
			doc = strings.ReplaceAll(doc, `functionName="classification">`, `functionName="classification" mathContext="`+tc.mc+`">`)
			m := mustParse(t, doc)
			mm := m.root.impl.(*mining)
			var thresholds []float64
			for _, h := range mm.hot {
				for _, sp := range h.tree.splits {
					if sp.kind == splitBinary {
						thresholds = append(thresholds, sp.num)
					}
				}
			}
			rng := rand.New(rand.NewSource(3))
			for i, h := range mm.hot {
				ft, ok := flatten(h.tree)
				if !ok {
					t.Fatalf("tree %d did not flatten", i)
				}
				const rows = 2000
				x := make([]float64, rows*features)
				for j := range x {
					if rng.Intn(2) == 0 {
						x[j] = thresholds[rng.Intn(len(thresholds))]
					} else {
						x[j] = rng.NormFloat64()
					}
				}
				for r := 0; r < rows; r++ {
					row := x[r*features : (r+1)*features]
					want := h.tree.fastLeafRow(row)
					if got := ft.leaf(row); got != want {
						t.Fatalf("tree %d row %v: flat leaf %d, split walk %d", i, row, got, want)
					}
				}
			}
		})
	}
}

func TestFlattenRefusesOtherSplits(t *testing.T) {
	doc := strings.Replace(forestDoc(2, 2, 2, 1), `operator="lessOrEqual"`, `operator="equal"`, 1)
	m := mustParse(t, doc)
	mm := m.root.impl.(*mining)
	if _, ok := flatten(mm.hot[0].tree); ok {
		t.Error("a tree with an equal split flattened")
	}
	if _, ok := flatten(mm.hot[1].tree); !ok {
		t.Error("a tree of lessOrEqual/greaterThan splits did not flatten")
	}
}
