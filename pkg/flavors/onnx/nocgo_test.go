//go:build !cgo

package onnx

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Run with CGO_ENABLED=0 go test ./pkg/flavors/onnx (scripts/test.sh does).
func TestWithoutCgoLoadSaysWhy(t *testing.T) {
	_, err := Flavor{}.Load(context.Background(), "model.onnx", flavors.LoadOptions{})
	if !errors.Is(err, flavors.ErrUnavailable) || !strings.Contains(err.Error(), "built without cgo") {
		t.Errorf("Load = %v, want ErrUnavailable saying the binary was built without cgo", err)
	}
	if _, err := Version(""); !errors.Is(err, flavors.ErrUnavailable) {
		t.Errorf("Version = %v, want ErrUnavailable", err)
	}
}
