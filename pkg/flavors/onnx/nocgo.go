//go:build !cgo

package onnx

import (
	"context"
	"fmt"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// errNoCgo says why a binary built with CGO_ENABLED=0 cannot run ONNX.
var errNoCgo = fmt.Errorf("%w: this mlctl was built without cgo (CGO_ENABLED=0), and the onnx flavor loads ONNX Runtime through cgo: use a build with cgo, or another flavor of the bundle (pmml, pickle)", flavors.ErrUnavailable)

// Flavor is the onnx flavor of a binary built without cgo: it is known by
// name, so bundles with ONNX files still open and their other flavors run,
// and it fails to load with a clear reason.
type Flavor struct{}

// Name is the flavor's key in a bundle manifest.
func (Flavor) Name() string { return "onnx" }

// Load fails: ONNX Runtime needs cgo.
func (Flavor) Load(context.Context, string, flavors.LoadOptions) (flavors.Model, error) {
	return nil, errNoCgo
}

// Version fails: ONNX Runtime needs cgo.
func Version(string) (string, error) { return "", errNoCgo }
