//go:build cgo

package onnx

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// requireRuntime skips the test when no ONNX Runtime library can be found,
// saying how to get one.
func requireRuntime(t testing.TB) {
	t.Helper()
	if _, err := Version(""); err != nil {
		if errors.Is(err, flavors.ErrUnavailable) {
			t.Skipf("ONNX Runtime not available: %v", err)
		}
		t.Fatal(err)
	}
}

// load loads a model, failing the test on error, and closes it at the end.
func load(t testing.TB, path string, opts flavors.LoadOptions) *Model {
	t.Helper()
	requireRuntime(t)
	m, err := Flavor{}.Load(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m.(*Model)
}

// moduleTestData is the onnxruntime_go module's own test_data directory.
func moduleTestData(t testing.TB, name string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/yalue/onnxruntime_go").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("onnxruntime_go module directory not found (go list: %v)", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "test_data", name)
}

func mustTensor(t testing.TB, name string, dt flavors.DType, shape []int64, data any) flavors.Tensor {
	t.Helper()
	x, err := flavors.NewTensor(name, dt, shape, data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func predict(t testing.TB, m *Model, ts ...flavors.Tensor) flavors.Batch {
	t.Helper()
	out, err := m.Predict(context.Background(), flavors.Batch{Tensors: ts})
	if err != nil {
		t.Fatalf("Predict: %v", err)
	}
	return out
}

func output(t testing.TB, b flavors.Batch, name string) flavors.Tensor {
	t.Helper()
	x, ok := b.Get(name)
	if !ok {
		t.Fatalf("output %q missing; got %v", name, b.Names())
	}
	return x
}
