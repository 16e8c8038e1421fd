package objstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlctl/mlctl/pkg/objstore"
)

func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "objstore-example")
	defer os.RemoveAll(dir)
	st := objstore.New(objstore.Options{})

	for _, name := range []string{"b.csv", "a.csv", "notes.txt"} {
		loc, _ := objstore.Parse(filepath.Join(dir, "in", name))
		w, err := st.Create(ctx, loc)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Fprintln(w, "x,y")
		if err := w.Commit(); err != nil {
			fmt.Println(err)
			return
		}
	}

	inputs, _ := objstore.Parse(filepath.Join(dir, "in", "*.csv"))
	objs, err := st.List(ctx, inputs)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range objs {
		fmt.Println(o.Name, o.Size)
	}

	loc, _ := objstore.Parse("s3://my-bucket/scores/")
	fmt.Println(loc.Join("part-00000.parquet"))
	// Output:
	// a.csv 4
	// b.csv 4
	// s3://my-bucket/scores/part-00000.parquet
}
