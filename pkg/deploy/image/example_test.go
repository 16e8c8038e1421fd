package image_test

import (
	"context"
	"fmt"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/image"
)

// Build an image for a bundle on the glibc base read from an OCI layout;
// the same bundle and binary always give the same digest.
func ExampleBuild() {
	b, err := bundle.Open("iris.mlb")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer b.Close()
	base, err := image.BaseFromPath("./glibc-base-layout")
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := image.Build(context.Background(), image.Options{Bundle: b, Base: base})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(image.Tag(&b.Manifest), img.ID, img.Digest)
}
