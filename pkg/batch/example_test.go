package batch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/pack"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "batch-example-")
	defer os.RemoveAll(dir)
	model := filepath.Join("..", "..", "examples", "models", "iris_logreg", "model.pmml")
	if _, err := pack.Pack(ctx, pack.Options{Models: []string{model}, Out: filepath.Join(dir, "iris")}); err != nil {
		fmt.Println(err)
		return
	}
	b, _ := bundle.Open(filepath.Join(dir, "iris"))
	defer b.Close()

	rows := filepath.Join(dir, "rows.csv")
	os.WriteFile(rows, []byte("id,sepal_length,sepal_width,petal_length,petal_width\na,5.1,3.5,1.4,0.2\nb,6.3,3.3,6.0,2.5\n"), 0o644)

	o, err := batch.FromBundle(ctx, b, load.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer o.Model.Close()
	o.Sources, _ = batch.LocalSources(rows)
	o.Output, _ = batch.NewLocalDir(filepath.Join(dir, "scored"))
	o.Keep = []string{"id"}
	sum, err := batch.Run(ctx, o)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.Rows, "rows in", sum.Parts, "part")
	// Output: 2 rows in 1 part
}
