package registry_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/mlctl/mlctl/pkg/deploy/registry"
)

// Push an image to a registry on loopback (plain HTTP is allowed there),
// then pull it back by digest.
func Example() {
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	ctx := context.Background()

	img, err := mutate.Config(empty.Image, v1.Config{Labels: map[string]string{"io.mlctl.bundle.name": "iris"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	ref := host + "/models/iris:3"
	digest, err := registry.Push(ctx, img, ref, registry.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	digestRef, _ := registry.DigestRef(ref, digest)
	pulled, err := registry.Pull(ctx, digestRef, registry.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	got, _ := pulled.Digest()
	fmt.Println(strings.TrimPrefix(digestRef, host))
	fmt.Println("same digest:", got.String() == digest)
	// Output:
	// /models/iris@sha256:52c311ff14ebd76ee5d304f55df605a7e929106a5fd4f1ad18bc33b2efb82a27
	// same digest: true
}
