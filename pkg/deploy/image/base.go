package image

import (
	"fmt"
	"os"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Base images built locally by scripts/testenv/docker.sh (no registry is
// needed to make them).
const (
	// BaseGlibc holds glibc, libgcc and libstdc++ only: enough for the
	// cgo-linked mlctl binary and for ONNX Runtime.
	BaseGlibc = "mlctl-base/glibc:bookworm"
	// BasePythonSklearn is Debian minbase with python3-sklearn, for the
	// pickle flavor's sidecar.
	BasePythonSklearn = "mlctl-base/python-sklearn:bookworm"
	// Scratch is the empty base. mlctl is linked against glibc, so a
	// scratch image runs only with a static mlctl binary.
	Scratch = "scratch"
)

// DefaultBase is the base image a flavor needs: pmml and onnx run on the
// glibc(+libstdc++) base, pickle needs Python with scikit-learn.
func DefaultBase(flavor string) string {
	if flavor == "pickle" {
		return BasePythonSklearn
	}
	return BaseGlibc
}

// IsScratch reports whether ref names the empty base.
func IsScratch(ref string) bool { return ref == "" || ref == Scratch }

// BaseFromPath reads a base image from disk: an OCI image layout directory
// (its single image) or a tarball as `docker save` writes it. The scratch
// base is empty.Image.
func BaseFromPath(p string) (v1.Image, error) {
	if IsScratch(p) {
		return empty.Image, nil
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", p, err)
	}
	if !st.IsDir() {
		img, err := tarball.ImageFromPath(p, nil)
		if err != nil {
			return nil, fmt.Errorf("base image tarball %s: %w", p, err)
		}
		return img, nil
	}
	idx, err := layout.ImageIndexFromPath(p)
	if err != nil {
		return nil, fmt.Errorf("base image OCI layout %s: %w", p, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("base image OCI layout %s: %w", p, err)
	}
	if len(m.Manifests) != 1 {
		return nil, fmt.Errorf("base image OCI layout %s: holds %d manifests, expected exactly one image", p, len(m.Manifests))
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		return nil, fmt.Errorf("base image OCI layout %s: %w", p, err)
	}
	return img, nil
}

// IsPath reports whether ref names a file or directory rather than an image
// reference the engine knows: it starts with / or . or exists on disk.
func IsPath(ref string) bool {
	if strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, ".") {
		return true
	}
	_, err := os.Stat(ref)
	return err == nil
}
