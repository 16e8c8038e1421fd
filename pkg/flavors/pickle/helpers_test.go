package pickle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// The test models are made once per test binary by testdata/make_models.py
// with the real interpreter and scikit-learn.
var (
	modelsOnce sync.Once
	modelsDir  string
	modelsErr  error
	tempRoot   string
)

func TestMain(m *testing.M) {
	// mlctl_testmodels (the misbehaving estimators) must be importable by
	// the script and by every sidecar the tests start.
	if abs, err := filepath.Abs(filepath.Join("testdata", "python")); err == nil {
		os.Setenv("PYTHONPATH", abs)
	}
	code := m.Run()
	if tempRoot != "" {
		os.RemoveAll(tempRoot)
	}
	os.Exit(code)
}

// models returns the directory holding the generated models, skipping the
// test when /usr/bin/python3 cannot import scikit-learn.
func models(tb testing.TB) string {
	tb.Helper()
	modelsOnce.Do(func() {
		if out, err := exec.Command(defaultPython, "-c", "import sklearn, joblib, pandas").CombinedOutput(); err != nil {
			modelsErr = fmt.Errorf("skip: %s cannot import scikit-learn, joblib and pandas (install Debian's python3-sklearn): %v: %s", defaultPython, err, out)
			return
		}
		tempRoot, modelsErr = os.MkdirTemp("", "mlctl-pickle-test-")
		if modelsErr != nil {
			return
		}
		modelsDir = tempRoot
		cmd := exec.Command(defaultPython, filepath.Join("testdata", "make_models.py"), modelsDir, filepath.Join(modelsDir, "marker-created"))
		if out, err := cmd.CombinedOutput(); err != nil {
			modelsErr = fmt.Errorf("make_models.py: %v: %s", err, out)
		}
	})
	if modelsErr != nil {
		if bytes.HasPrefix([]byte(modelsErr.Error()), []byte("skip: ")) {
			tb.Skip(modelsErr.Error())
		}
		tb.Fatal(modelsErr)
	}
	return modelsDir
}

// expectation is what scikit-learn itself predicted for one model.
type expectation struct {
	Rows          [][]float64 `json:"rows"`
	Features      []string    `json:"features"`
	Label         []any       `json:"label"`
	Probabilities [][]float64 `json:"probabilities"`
	Classes       []string    `json:"classes"`
	Prediction    []float64   `json:"prediction"`
}

func expected(tb testing.TB, model string) expectation {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(models(tb), "expected.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var all map[string]expectation
	if err := json.Unmarshal(raw, &all); err != nil {
		tb.Fatal(err)
	}
	e, ok := all[model]
	if !ok {
		tb.Fatalf("expected.json has no entry for %s", model)
	}
	return e
}

// load loads a generated model and closes it when the test ends.
func load(tb testing.TB, name string, opts flavors.LoadOptions) *Model {
	tb.Helper()
	m, err := LoadModel(context.Background(), filepath.Join(models(tb), name), opts)
	if err != nil {
		tb.Fatalf("loading %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("closing %s: %v", name, err)
		}
	})
	return m
}

// matrix is rows as one [N,K] FP64 tensor.
func matrix(rows [][]float64) flavors.Batch {
	k := len(rows[0])
	data := make([]float64, 0, len(rows)*k)
	for _, r := range rows {
		data = append(data, r...)
	}
	return flavors.Batch{Tensors: []flavors.Tensor{{Name: "input", DType: flavors.FP64, Shape: []int64{int64(len(rows)), int64(k)}, Data: data}}}
}

// columns is rows as one FP64 column per name.
func columns(rows [][]float64, names []string) flavors.Batch {
	var b flavors.Batch
	for j, name := range names {
		col := make([]float64, len(rows))
		for i, r := range rows {
			col[i] = r[j]
		}
		b.Tensors = append(b.Tensors, flavors.Tensor{Name: name, DType: flavors.FP64, Shape: []int64{int64(len(rows))}, Data: col})
	}
	return b
}

func closeRel(a, b, rel float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= rel*math.Max(math.Abs(a), math.Abs(b))
}

// checkAgainst compares a Predict result with scikit-learn's own answer for
// rows [from, from+n).
func checkAgainst(t *testing.T, out flavors.Batch, e expectation, from, n int) {
	t.Helper()
	if e.Label != nil {
		label, ok := out.Get("label")
		if !ok {
			t.Fatalf("no label output in %v", out.Names())
		}
		for i := range n {
			want := e.Label[from+i]
			var got any
			switch d := label.Data.(type) {
			case []int64:
				got = float64(d[i]) // JSON numbers decode as float64
			case []string:
				got = d[i]
			default:
				t.Fatalf("label data is %T", label.Data)
			}
			if got != want {
				t.Fatalf("row %d: label %v, scikit-learn says %v", from+i, got, want)
			}
		}
		proba, ok := out.Get("probabilities")
		if !ok {
			t.Fatalf("no probabilities output in %v", out.Names())
		}
		p := proba.Data.([]float64)
		c := len(e.Classes)
		if len(proba.Shape) != 2 || proba.Shape[1] != int64(c) {
			t.Fatalf("probabilities shape %v, expected [%d,%d]", proba.Shape, n, c)
		}
		for i := range n {
			for j := range c {
				if !closeRel(p[i*c+j], e.Probabilities[from+i][j], 1e-12) {
					t.Fatalf("row %d class %d: probability %v, scikit-learn says %v", from+i, j, p[i*c+j], e.Probabilities[from+i][j])
				}
			}
		}
		return
	}
	pred, ok := out.Get("prediction")
	if !ok {
		t.Fatalf("no prediction output in %v", out.Names())
	}
	p := pred.Data.([]float64)
	for i := range n {
		if !closeRel(p[i], e.Prediction[from+i], 1e-12) {
			t.Fatalf("row %d: prediction %v, scikit-learn says %v", from+i, p[i], e.Prediction[from+i])
		}
	}
}

// logBuffer is a concurrency-safe sink for a test's logger.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
