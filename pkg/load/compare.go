package load

import (
	"fmt"
	"math"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors"
)

// Compare checks got against want output by output, for every output name
// both hold. Text and integer labels must be equal; floats within tol.
func Compare(flavor string, got, want flavors.Batch, tol bundle.Tolerance) []bundle.Comparison {
	var out []bundle.Comparison
	for _, w := range want.Tensors {
		g, ok := got.Get(w.Name)
		if !ok {
			continue
		}
		c := bundle.Comparison{Flavor: flavor, Output: w.Name}
		switch {
		case g.Len() != w.Len() || g.Rows() != w.Rows():
			c.Mismatches = max(g.Len(), w.Len())
			c.MaxAbs, c.MaxRel = math.Inf(1), math.Inf(1)
		case w.DType.IsFloat() || g.DType.IsFloat():
			compareFloats(&c, g, w, tol)
		default:
			gs, ws := g.Strings(), w.Strings()
			for i := range ws {
				if gs[i] != ws[i] {
					c.Mismatches++
				}
			}
		}
		c.Passed = c.Mismatches == 0
		out = append(out, c)
	}
	return out
}

func compareFloats(c *bundle.Comparison, g, w flavors.Tensor, tol bundle.Tolerance) {
	gf, err1 := g.Float64s()
	wf, err2 := w.Float64s()
	if err1 != nil || err2 != nil {
		c.Mismatches = w.Len()
		return
	}
	for i := range wf {
		if !tol.Within(gf[i], wf[i]) {
			c.Mismatches++
		}
		if math.IsNaN(gf[i]) || math.IsNaN(wf[i]) {
			continue
		}
		d := math.Abs(gf[i] - wf[i])
		c.MaxAbs = math.Max(c.MaxAbs, d)
		if wf[i] != 0 {
			c.MaxRel = math.Max(c.MaxRel, d/math.Abs(wf[i]))
		}
	}
}

// Failures describes the comparisons that did not pass, for an error text.
func Failures(cs []bundle.Comparison, tol bundle.Tolerance) []string {
	var out []string
	for _, c := range cs {
		if c.Passed {
			continue
		}
		out = append(out, fmt.Sprintf("flavor %s output %q: %d values differ (max abs diff %.3g, max rel diff %.3g; tolerance rel %g abs %g)",
			c.Flavor, c.Output, c.Mismatches, c.MaxAbs, c.MaxRel, tol.Rel, tol.Abs))
	}
	return out
}
