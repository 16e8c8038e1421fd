//go:build cgo

package onnx

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestPredictInvalidInput(t *testing.T) {
	m := load(t, "testdata/regressor.onnx", flavors.LoadOptions{Task: flavors.TaskRegression})
	ok := mustTensor(t, "X", flavors.FP32, []int64{2, 4}, make([]float32, 8))
	nulls := ok
	nulls.Null = []bool{false, false, false, false, false, true, false, false}
	tests := []struct {
		name  string
		batch []flavors.Tensor
		want  []string // all must appear in the error
	}{
		{"wrong dtype", []flavors.Tensor{mustTensor(t, "X", flavors.FP64, []int64{2, 4}, make([]float64, 8))}, []string{`"X"`, "expected FP32, got FP64"}},
		{"wrong fixed dim", []flavors.Tensor{mustTensor(t, "X", flavors.FP32, []int64{2, 3}, make([]float32, 6))}, []string{`"X"`, "expected shape [-1,4], got [2,3]"}},
		{"wrong rank", []flavors.Tensor{mustTensor(t, "X", flavors.FP32, []int64{8}, make([]float32, 8))}, []string{`"X"`, "expected shape [-1,4]"}},
		{"missing input", nil, []string{`input "X" is missing`}},
		{"unknown input", []flavors.Tensor{ok, mustTensor(t, "Y", flavors.FP32, []int64{1}, []float32{1})}, []string{`unknown input "Y"`, "expected inputs X"}},
		{"twice", []flavors.Tensor{ok, ok}, []string{`"X" appears twice`}},
		{"nulls", []flavors.Tensor{nulls}, []string{`"X"`, "row 1 is missing"}},
		{"data does not fit shape", []flavors.Tensor{{Name: "X", DType: flavors.FP32, Shape: []int64{2, 4}, Data: make([]float32, 7)}}, []string{`"X"`, "needs 8 elements, data has 7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Predict(context.Background(), flavors.Batch{Tensors: tt.batch})
			if !errors.Is(err, flavors.ErrInvalidInput) {
				t.Fatalf("Predict = %v, want ErrInvalidInput", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	if _, err := m.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{ok}}); err != nil {
		t.Errorf("the valid batch failed: %v", err)
	}
}

func TestLoadBadFiles(t *testing.T) {
	requireRuntime(t)
	good, err := os.ReadFile("testdata/dtypes.onnx")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	files := map[string][]byte{
		"random.onnx":    random,
		"truncated.onnx": good[:len(good)/2],
		"empty.onnx":     {},
		"text.onnx":      []byte("this is not a model\n"),
	}
	for name, content := range files {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Flavor{}.Load(context.Background(), path, flavors.LoadOptions{})
			if err == nil {
				t.Fatal("Load succeeded on a corrupt file")
			}
			if !errors.Is(err, flavors.ErrUnsupported) || !strings.Contains(err.Error(), path) {
				t.Errorf("Load = %v, want ErrUnsupported naming %s", err, path)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(dir, "absent.onnx")
		_, err := Flavor{}.Load(context.Background(), path, flavors.LoadOptions{})
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("Load = %v, want a not-exist error naming %s", err, path)
		}
	})
}

func TestDevice(t *testing.T) {
	requireRuntime(t)
	for _, bad := range []string{"gpu", "cuda:", "cuda:x", "cuda:-1", "CPU", "tpu:0"} {
		t.Run(bad, func(t *testing.T) {
			_, err := Flavor{}.Load(context.Background(), "testdata/regressor.onnx", flavors.LoadOptions{Device: bad})
			if !errors.Is(err, flavors.ErrInvalidInput) || !strings.Contains(err.Error(), `"cpu", "cuda" or "cuda:N"`) {
				t.Errorf("Load(device %q) = %v, want an error listing the accepted devices", bad, err)
			}
		})
	}
	t.Run("cpu", func(t *testing.T) {
		load(t, "testdata/regressor.onnx", flavors.LoadOptions{Device: "cpu"})
	})
	t.Run("cuda:0", func(t *testing.T) {
		m, err := Flavor{}.Load(context.Background(), "testdata/regressor.onnx", flavors.LoadOptions{Device: "cuda:0", Task: flavors.TaskRegression})
		if err != nil {
			// A CPU-only library or no GPU: the error must say so and how to fix it.
			for _, w := range []string{"cuda:0", "CUDA", "--device cpu", "onnxruntime-linux-x64-gpu", EnvLibrary} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if !errors.Is(err, flavors.ErrUnavailable) {
				t.Errorf("Load = %v, want ErrUnavailable", err)
			}
			return
		}
		// A CUDA build with a GPU: the result must match the CPU's.
		defer m.Close()
		x := mustTensor(t, "X", flavors.FP32, []int64{2, 4}, []float32{1, 1, 1, 1, 0, 0.5, 0, -1})
		out, err := m.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{x}})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Tensors[0].Data.([]float64); got[0] != 10.5 || got[1] != -2.5 {
			t.Errorf("prediction on cuda:0 = %v, want [10.5 -2.5]", got)
		}
	})
}

func TestLibraryPath(t *testing.T) {
	// An empty cache and environment, so only what each case sets is found.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv(EnvLibrary, "")
	t.Setenv("LD_LIBRARY_PATH", "")
	actionable := []string{"scripts/setup.sh", EnvLibrary, "--ort-lib", "onnxruntime-node", "bin/napi-v6/linux/x64/libonnxruntime.so.1"}

	t.Run("explicit path that does not exist", func(t *testing.T) {
		bogus := filepath.Join(home, "nope", "libonnxruntime.so")
		_, err := LibraryPath(bogus)
		if !errors.Is(err, flavors.ErrUnavailable) || !strings.Contains(err.Error(), bogus) {
			t.Fatalf("LibraryPath = %v, want ErrUnavailable naming %s", err, bogus)
		}
		for _, w := range actionable {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	})
	t.Run("environment", func(t *testing.T) {
		lib := filepath.Join(home, "env", "libonnxruntime.so.1")
		writeFile(t, lib)
		t.Setenv(EnvLibrary, lib)
		if got, err := LibraryPath(""); err != nil || got != lib {
			t.Errorf("LibraryPath = %q, %v, want %s", got, err, lib)
		}
		t.Setenv(EnvLibrary, lib+".missing")
		if _, err := LibraryPath(""); !errors.Is(err, flavors.ErrUnavailable) || !strings.Contains(err.Error(), EnvLibrary) {
			t.Errorf("LibraryPath with a bad %s = %v", EnvLibrary, err)
		}
	})
	t.Run("explicit wins over environment", func(t *testing.T) {
		env := filepath.Join(home, "e", "libonnxruntime.so")
		flag := filepath.Join(home, "f", "libonnxruntime.so")
		writeFile(t, env)
		writeFile(t, flag)
		t.Setenv(EnvLibrary, env)
		if got, err := LibraryPath(flag); err != nil || got != flag {
			t.Errorf("LibraryPath = %q, %v, want %s", got, err, flag)
		}
	})
	t.Run("user cache", func(t *testing.T) {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Skip(err)
		}
		lib := filepath.Join(cache, "mlctl", "onnxruntime", "libonnxruntime.so")
		writeFile(t, lib)
		if got, err := LibraryPath(""); err != nil || got != lib {
			t.Errorf("LibraryPath = %q, %v, want %s", got, err, lib)
		}
		os.Remove(lib)
	})
	t.Run("LD_LIBRARY_PATH", func(t *testing.T) {
		dir := filepath.Join(home, "ld")
		writeFile(t, filepath.Join(dir, "libonnxruntime.so.1"))
		t.Setenv("LD_LIBRARY_PATH", "/nonexistent:"+dir)
		got, err := LibraryPath("")
		if err != nil || (got != filepath.Join(dir, "libonnxruntime.so.1") && !strings.HasPrefix(got, "/usr/")) {
			t.Errorf("LibraryPath = %q, %v, want the one in LD_LIBRARY_PATH", got, err)
		}
	})
	t.Run("nothing anywhere", func(t *testing.T) {
		got, err := LibraryPath("")
		if err == nil {
			t.Skipf("a system-wide library exists at %s", got)
		}
		if !errors.Is(err, flavors.ErrUnavailable) {
			t.Errorf("LibraryPath = %v, want ErrUnavailable", err)
		}
		for _, w := range actionable {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	})
}

// TestNotALibrary loads a file that is not a shared library, in a child
// process: a process loads ONNX Runtime once, and this one may have already.
func TestNotALibrary(t *testing.T) {
	if os.Getenv("MLCTL_ONNX_TEST_CHILD") != "" {
		_, err := Version("")
		fmt.Print(err)
		return
	}
	fake := filepath.Join(t.TempDir(), "libonnxruntime.so")
	writeFile(t, fake)
	cmd := exec.Command(os.Args[0], "-test.run=^TestNotALibrary$")
	cmd.Env = append(os.Environ(), "MLCTL_ONNX_TEST_CHILD=1", EnvLibrary+"="+fake)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, w := range []string{"runtime unavailable", "loading ONNX Runtime from " + fake, "scripts/setup.sh"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("child said %q, want it to say %q", out, w)
		}
	}
}

func writeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("not really a library"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestVersion(t *testing.T) {
	requireRuntime(t)
	v, err := Version("")
	if err != nil || !strings.HasPrefix(v, "1.") {
		t.Errorf("Version = %q, %v, want 1.x", v, err)
	}
	// Loaded once per process: another library cannot replace it.
	other := filepath.Join(t.TempDir(), "libonnxruntime.so")
	writeFile(t, other)
	if _, err := Version(other); !errors.Is(err, flavors.ErrUnavailable) || !strings.Contains(err.Error(), "already loaded") {
		t.Errorf("Version(other library) = %v, want an already-loaded error", err)
	}
}
