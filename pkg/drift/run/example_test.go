package run_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlctl/mlctl/pkg/drift/run"
)

// Compare two small CSV files: the prices moved, the colours did not.
func Example() {
	dir, _ := os.MkdirTemp("", "drift-example-")
	defer os.RemoveAll(dir)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		_ = os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	ref := write("ref.csv", "price,colour\n1,red\n2,blue\n3,red\n4,blue\n5,red\n6,blue\n7,red\n8,blue\n")
	cur := write("cur.csv", "price,colour\n11,red\n12,blue\n13,red\n14,blue\n15,red\n16,blue\n17,red\n18,blue\n")
	rep, err := run.Compare(context.Background(), run.Input{Paths: []string{ref}}, run.Input{Paths: []string{cur}}, run.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rep.Windows[0].Columns {
		fmt.Printf("%s: %s score %.4f drift %v\n", c.Name, c.Test, c.Score, c.Drift)
	}
	fmt.Println("dataset drift:", rep.Drift())
	// Output:
	// price: ks score 0.0002 drift true
	// colour: z score 1.0000 drift false
	// dataset drift: true
}
