package stats_test

import (
	"fmt"

	"github.com/mlctl/mlctl/pkg/drift/stats"
)

func Example() {
	ref := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	cur := []float64{6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	r := stats.TestNumeric(ref, cur, stats.Options{})
	fmt.Printf("%s D=%.2f p=%.4f drift=%t\n", r.Test, r.Statistic, r.PValue, r.Drift)

	colour := stats.TestCategorical(
		stats.Categories{Values: []string{"red", "red", "blue", "green"}},
		stats.Categories{Values: []string{"red", "blue", "blue", "blue"}, Missing: 1},
		stats.Options{})
	fmt.Printf("%s p=%.4f drift=%t missing=%d\n", colour.Test, colour.PValue, colour.Drift, colour.CurMissing)

	d := stats.Dataset([]stats.Result{r, colour}, 0)
	fmt.Printf("dataset drift=%t share=%.2f\n", d.Drift, d.Share)
	// Output:
	// ks D=0.50 p=0.1678 drift=false
	// chisquare p=0.0639 drift=false missing=1
	// dataset drift=false share=0.00
}
