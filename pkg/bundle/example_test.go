package bundle_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors"
)

func Example() {
	dir, _ := os.MkdirTemp("", "bundle-example")
	defer os.RemoveAll(dir)
	_ = os.MkdirAll(filepath.Join(dir, "flavors", "pmml"), 0o755)
	_ = os.WriteFile(filepath.Join(dir, "flavors", "pmml", "model.pmml"), []byte("<PMML/>"), 0o644)

	m := &bundle.Manifest{
		Format: bundle.Format, UUID: "0b9e8f52-7a57-4c1e-9a43-4c1f7d3c2a10", Name: "demo", Version: "1",
		Signature: flavors.Signature{Inputs: []flavors.Spec{{Name: "x", DType: flavors.FP64, Shape: []int64{-1}}}},
		Flavors:   []bundle.Flavor{{Name: "pmml", Path: "flavors/pmml/model.pmml"}},
	}
	if err := bundle.Seal(dir, m); err != nil {
		fmt.Println(err)
		return
	}
	b, err := bundle.Open(dir)
	fmt.Println(b.Manifest.Name, len(b.Manifest.Files), err)

	// Any change to a listed file is caught on open.
	_ = os.WriteFile(filepath.Join(dir, "flavors", "pmml", "model.pmml"), []byte("<pmml/>"), 0o644)
	_, err = bundle.Open(dir)
	fmt.Println(err != nil)
	// Output:
	// demo 1 <nil>
	// true
}
