package pickle

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestPredictMatchesScikitLearn(t *testing.T) {
	tests := []struct {
		model string
		batch func(e expectation) flavors.Batch
	}{
		{"iris_df.joblib", func(e expectation) flavors.Batch { return columns(e.Rows, e.Features) }},
		{"iris_df.joblib", func(e expectation) flavors.Batch { return matrix(e.Rows) }},
		{"iris_np.pkl", func(e expectation) flavors.Batch { return matrix(e.Rows) }},
		{"iris_str.pkl", func(e expectation) flavors.Batch { return matrix(e.Rows) }},
		{"diabetes_rf.pkl", func(e expectation) flavors.Batch { return matrix(e.Rows) }},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			e := expected(t, tt.model)
			m := load(t, tt.model, flavors.LoadOptions{})
			out, err := m.Predict(t.Context(), tt.batch(e))
			if err != nil {
				t.Fatal(err)
			}
			checkAgainst(t, out, e, 0, len(e.Rows))
		})
	}
}

func TestSignatureAndInfo(t *testing.T) {
	irisFeatures := []string{"sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"}
	bundleInputs := []flavors.Spec{{Name: "a", DType: flavors.FP32, Shape: []int64{-1}}, {Name: "b", DType: flavors.FP32, Shape: []int64{-1}}}
	tests := []struct {
		model       string
		opts        flavors.LoadOptions
		wantInputs  []string
		inputShape  []int64
		wantOutputs []flavors.Spec
		wantClasses []string
		wantInfo    Info
	}{
		{
			model: "iris_df.joblib", wantInputs: irisFeatures, inputShape: []int64{-1},
			wantOutputs: []flavors.Spec{{Name: "label", DType: flavors.Int64, Shape: []int64{-1}}, {Name: "probabilities", DType: flavors.FP64, Shape: []int64{-1, 3}}},
			wantClasses: []string{"0", "1", "2"},
			wantInfo:    Info{Estimator: "LogisticRegression", FeatureNames: irisFeatures, NFeatures: 4, LabelDType: flavors.Int64, HasPredictProba: true, IsClassifier: true},
		},
		{
			model: "iris_str.pkl", wantInputs: []string{"input"}, inputShape: []int64{-1, 4},
			wantOutputs: []flavors.Spec{{Name: "label", DType: flavors.Bytes, Shape: []int64{-1}}, {Name: "probabilities", DType: flavors.FP64, Shape: []int64{-1, 3}}},
			wantClasses: []string{"setosa", "versicolor", "virginica"},
			wantInfo:    Info{Estimator: "LogisticRegression", NFeatures: 4, LabelDType: flavors.Bytes, HasPredictProba: true, IsClassifier: true},
		},
		{
			model: "diabetes_rf.pkl", wantInputs: []string{"input"}, inputShape: []int64{-1, 10},
			wantOutputs: []flavors.Spec{{Name: "prediction", DType: flavors.FP64, Shape: []int64{-1}}},
			wantInfo:    Info{Estimator: "RandomForestRegressor", NFeatures: 10, IsRegressor: true, NOutputs: 1},
		},
		{
			model: "tricky.pkl", opts: flavors.LoadOptions{Inputs: bundleInputs}, wantInputs: []string{"a", "b"}, inputShape: []int64{-1},
			wantOutputs: []flavors.Spec{{Name: "label", DType: flavors.Int64, Shape: []int64{-1}}, {Name: "probabilities", DType: flavors.FP64, Shape: []int64{-1, 2}}},
			wantClasses: []string{"0", "1"},
			wantInfo:    Info{Estimator: "Tricky", NFeatures: 2, LabelDType: flavors.Int64, HasPredictProba: true, IsClassifier: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			m := load(t, tt.model, tt.opts)
			sig := m.Signature()
			if got := sig.InputNames(); !slices.Equal(got, tt.wantInputs) {
				t.Errorf("inputs %v, expected %v", got, tt.wantInputs)
			}
			for _, in := range sig.Inputs {
				if !slices.Equal(in.Shape, tt.inputShape) {
					t.Errorf("input %q shape %v, expected %v", in.Name, in.Shape, tt.inputShape)
				}
			}
			if !reflect.DeepEqual(sig.Outputs, tt.wantOutputs) {
				t.Errorf("outputs %+v, expected %+v", sig.Outputs, tt.wantOutputs)
			}
			if got := m.Classes(); !slices.Equal(got, tt.wantClasses) {
				t.Errorf("classes %v, expected %v", got, tt.wantClasses)
			}
			info := m.Info()
			info.Module, info.Classes = "", nil
			if info.NOutputs == 1 && !tt.wantInfo.IsRegressor {
				info.NOutputs = 0
			}
			if !reflect.DeepEqual(info, tt.wantInfo) {
				t.Errorf("info %+v, expected %+v", info, tt.wantInfo)
			}
		})
	}
}

func TestEnvironmentReportsVersions(t *testing.T) {
	m := load(t, "iris_np.pkl", flavors.LoadOptions{})
	env := m.Environment()
	want, err := exec.Command(defaultPython, "-c", "import platform, sklearn, numpy, pandas, joblib; print(platform.python_version(), sklearn.__version__, numpy.__version__, pandas.__version__, joblib.__version__)").Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join([]string{env["python"], env["scikit-learn"], env["numpy"], env["pandas"], env["joblib"]}, " ")
	if got != strings.TrimSpace(string(want)) {
		t.Errorf("environment %v, the interpreter says %s", env, want)
	}
}

func TestRequirements(t *testing.T) {
	tests := []struct {
		name       string
		req        map[string]string
		strict     bool
		wantErr    bool
		wantInLogs string
	}{
		{name: "prefix matches", req: map[string]string{"python": "3", "scikit-learn": "1.2"}, strict: true},
		{name: "mismatch warns", req: map[string]string{"scikit-learn": "0.24"}, wantInLogs: "scikit-learn 0.24 is required"},
		{name: "mismatch refused when strict", req: map[string]string{"scikit-learn": "0.24"}, strict: true, wantErr: true},
		{name: "missing package refused", req: map[string]string{"no-such-distribution": "1.0"}, strict: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs logBuffer
			opts := flavors.LoadOptions{Requirements: tt.req, StrictRequirements: tt.strict, Logger: logs.logger()}
			m, err := LoadModel(t.Context(), filepath.Join(models(t), "iris_np.pkl"), opts)
			if tt.wantErr {
				if !errors.Is(err, flavors.ErrUnavailable) {
					t.Fatalf("error %v, expected one wrapping ErrUnavailable", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if !strings.Contains(logs.String(), tt.wantInLogs) {
				t.Errorf("logs lack %q:\n%s", tt.wantInLogs, logs.String())
			}
			if tt.wantInLogs == "" && strings.Contains(logs.String(), "requirement not met") {
				t.Errorf("unexpected warning:\n%s", logs.String())
			}
		})
	}
}

func TestCheckRequirements(t *testing.T) {
	have := map[string]string{"python": "3.11.2", "scikit-learn": "1.2.1"}
	tests := []struct {
		req  map[string]string
		want int
	}{
		{map[string]string{"python": "3.11"}, 0},
		{map[string]string{"python": "3.11.2"}, 0},
		{map[string]string{"python": "3.1"}, 1},
		{map[string]string{"python": "3.11.20"}, 1},
		{map[string]string{"scikit-learn": "==1.2.1"}, 0},
		{map[string]string{"scikit-learn": "1.3", "xgboost": "1.7"}, 2},
	}
	for _, tt := range tests {
		if got := checkRequirements(tt.req, have); len(got) != tt.want {
			t.Errorf("checkRequirements(%v) = %q, expected %d mismatches", tt.req, got, tt.want)
		}
	}
}

func TestConcurrentPredict(t *testing.T) {
	e := expected(t, "iris_df.joblib")
	m := load(t, "iris_df.joblib", flavors.LoadOptions{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 10 {
				from := (g*10 + i) % (len(e.Rows) - 5)
				out, err := m.Predict(t.Context(), columns(e.Rows[from:from+5], e.Features))
				if err != nil {
					t.Error(err)
					return
				}
				checkAgainst(t, out, e, from, 5)
			}
		})
	}
	wg.Wait()
}

// trickyInput is a one-row [1,2] batch whose first value picks what
// mlctl_testmodels.Tricky does.
func trickyInput(first float64) flavors.Batch {
	return matrix([][]float64{{first, 0}})
}

func trickyOK(t *testing.T, m *Model) {
	t.Helper()
	out, err := m.Predict(t.Context(), trickyInput(1))
	if err != nil {
		t.Fatalf("predict after recovery: %v", err)
	}
	if label, _ := out.Get("label"); label.Data.([]int64)[0] != 1 {
		t.Fatalf("label %v, expected [1]", label.Data)
	}
}

func TestCrashThenRecovery(t *testing.T) {
	m := load(t, "tricky.pkl", flavors.LoadOptions{})
	trickyOK(t, m)
	_, err := m.Predict(t.Context(), trickyInput(666))
	if err == nil {
		t.Fatal("predict of a crashing model succeeded")
	}
	for _, want := range []string{"crashed", "exit status 3", "Tricky: exiting on purpose"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	trickyOK(t, m)
}

func TestKilledThenRecovery(t *testing.T) {
	m := load(t, "tricky.pkl", flavors.LoadOptions{})
	pid := m.proc.cmd.Process.Pid
	done := make(chan error, 1)
	go func() {
		_, err := m.Predict(t.Context(), trickyInput(777)) // sleeps 30 s
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // let the request reach Python; killing earlier fails the same way
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "crashed") || !strings.Contains(err.Error(), "signal: killed") {
		t.Fatalf("error %v, expected a crash report naming signal: killed", err)
	}
	trickyOK(t, m)
}

func TestTimeoutThenRecovery(t *testing.T) {
	m := load(t, "tricky.pkl", flavors.LoadOptions{})
	t.Run("context deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		_, err := m.Predict(ctx, trickyInput(777))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v, expected one wrapping context.DeadlineExceeded", err)
		}
		trickyOK(t, m)
	})
	t.Run("default timeout", func(t *testing.T) {
		m.timeout = 300 * time.Millisecond // stands in for the 60 s default
		_, err := m.Predict(context.Background(), trickyInput(777))
		m.timeout = defaultTimeout
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "default") {
			t.Fatalf("error %v, expected the default timeout", err)
		}
		trickyOK(t, m)
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(200*time.Millisecond, cancel)
		_, err := m.Predict(ctx, trickyInput(777))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, expected one wrapping context.Canceled", err)
		}
		trickyOK(t, m)
	})
}

func TestPythonExceptions(t *testing.T) {
	tests := []struct {
		model       string
		in          flavors.Batch
		wantInvalid bool
		wantText    []string
	}{
		{"iris_np.pkl", matrix([][]float64{{1, 2, 3}}), true, []string{"ValueError", "3 features"}},
		{"diabetes_rf.pkl", nullRow(), true, []string{"ValueError", "NaN"}},
		{"tricky.pkl", trickyInput(555), false, []string{"RuntimeError", "raising on purpose"}},
	}
	for _, tt := range tests {
		t.Run(tt.model, func(t *testing.T) {
			m := load(t, tt.model, flavors.LoadOptions{})
			pid := m.proc.cmd.Process.Pid
			_, err := m.Predict(t.Context(), tt.in)
			if err == nil {
				t.Fatal("predict succeeded")
			}
			if errors.Is(err, flavors.ErrInvalidInput) != tt.wantInvalid {
				t.Errorf("error %v: wraps ErrInvalidInput = %v, expected %v", err, !tt.wantInvalid, tt.wantInvalid)
			}
			var pyErr *PythonError
			if !errors.As(err, &pyErr) {
				t.Errorf("error %v is not a *PythonError", err)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if m.proc == nil || m.proc.cmd.Process.Pid != pid {
				t.Error("an exception in predict restarted the sidecar")
			}
		})
	}
}

// nullRow is a diabetes row with its first value missing.
func nullRow() flavors.Batch {
	b := matrix([][]float64{make([]float64, 10)})
	b.Tensors[0].Null = make([]bool, 10)
	b.Tensors[0].Null[0] = true
	return b
}

func TestInputErrorsFailBeforePython(t *testing.T) {
	e := expected(t, "iris_df.joblib")
	m := load(t, "iris_df.joblib", flavors.LoadOptions{})
	full := columns(e.Rows[:2], e.Features)
	tests := []struct {
		name string
		in   flavors.Batch
		want string
	}{
		{"missing column", flavors.Batch{Tensors: full.Tensors[1:]}, `input "sepal length (cm)" is missing`},
		{"unknown column", flavors.Batch{Tensors: append(slices.Clone(full.Tensors), flavors.Tensor{Name: "colour", DType: flavors.FP64, Shape: []int64{2}, Data: []float64{1, 2}})}, `unknown input "colour"`},
		{"ragged rows", flavors.Batch{Tensors: append(slices.Clone(full.Tensors[:3]), flavors.Tensor{Name: e.Features[3], DType: flavors.FP64, Shape: []int64{1}, Data: []float64{1}})}, "rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Predict(t.Context(), tt.in)
			if !errors.Is(err, flavors.ErrInvalidInput) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, expected ErrInvalidInput mentioning %q", err, tt.want)
			}
		})
	}
}

func TestColumnTypes(t *testing.T) {
	e := expected(t, "iris_df.joblib")
	m := load(t, "iris_df.joblib", flavors.LoadOptions{})
	rows := e.Rows[:3]
	asText := columns(rows, e.Features)
	for i, c := range asText.Tensors {
		f := c.Data.([]float64)
		s := make([]string, len(f))
		for j, v := range f {
			s[j] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		asText.Tensors[i] = flavors.Tensor{Name: c.Name, DType: flavors.Bytes, Shape: c.Shape, Data: s}
	}
	out, err := m.Predict(t.Context(), asText)
	if err != nil {
		t.Fatalf("BYTES columns: %v", err)
	}
	checkAgainst(t, out, e, 0, 3)

	// Integer columns arrive as integers; the model sees the same numbers.
	ints := columns([][]float64{{5, 3, 1, 0}, {6, 3, 5, 2}}, e.Features)
	for i, c := range ints.Tensors {
		f := c.Data.([]float64)
		ints.Tensors[i] = flavors.Tensor{Name: c.Name, DType: flavors.Int32, Shape: c.Shape, Data: []int32{int32(f[0]), int32(f[1])}}
	}
	fromInts, err := m.Predict(t.Context(), ints)
	if err != nil {
		t.Fatalf("INT32 columns: %v", err)
	}
	fromFloats, err := m.Predict(t.Context(), columns([][]float64{{5, 3, 1, 0}, {6, 3, 5, 2}}, e.Features))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromInts, fromFloats) {
		t.Errorf("INT32 columns gave %v, FP64 columns %v", fromInts, fromFloats)
	}
}

// With the bundle's column names, a model fitted without feature names
// gets the columns stacked in the bundle's order.
func TestBundleInputsStackedForArrayModel(t *testing.T) {
	e := expected(t, "iris_np.pkl")
	names := []string{"a", "b", "c", "d"}
	var inputs []flavors.Spec
	for _, n := range names {
		inputs = append(inputs, flavors.Spec{Name: n, DType: flavors.FP64, Shape: []int64{-1}})
	}
	m := load(t, "iris_np.pkl", flavors.LoadOptions{Inputs: inputs})
	in := columns(e.Rows, names)
	slices.Reverse(in.Tensors) // order in the request does not matter
	out, err := m.Predict(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, out, e, 0, len(e.Rows))
}

func TestEmptyBatch(t *testing.T) {
	m := load(t, "iris_str.pkl", flavors.LoadOptions{})
	out, err := m.Predict(t.Context(), flavors.Batch{Tensors: []flavors.Tensor{{Name: "input", DType: flavors.FP64, Shape: []int64{0, 4}, Data: []float64{}}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Rows() != 0 {
		t.Fatalf("rows %d, expected 0", out.Rows())
	}
	if got := out.Names(); !slices.Equal(got, []string{"label", "probabilities"}) {
		t.Errorf("outputs %v", got)
	}
	if p, _ := out.Get("probabilities"); !slices.Equal(p.Shape, []int64{0, 3}) {
		t.Errorf("probabilities shape %v, expected [0,3]", p.Shape)
	}
}

func TestStdoutFromModelGoesToLog(t *testing.T) {
	var logs logBuffer
	m := load(t, "chatty.pkl", flavors.LoadOptions{Logger: logs.logger()})
	for range 3 {
		trickyOK(t, m)
	}
	if !strings.Contains(logs.String(), "Chatty: predicting 1 rows") || !strings.Contains(logs.String(), "model=chatty.pkl") {
		t.Errorf("the model's print did not reach the log with the model name:\n%s", logs.String())
	}
}

func TestClose(t *testing.T) {
	m, err := LoadModel(t.Context(), filepath.Join(models(t), "iris_np.pkl"), flavors.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	proc := m.proc
	if err := m.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if !proc.state.Success() {
		t.Errorf("sidecar ended with %v, expected a clean exit", proc.state)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := m.Predict(t.Context(), matrix([][]float64{{1, 2, 3, 4}})); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("predict after close: %v", err)
	}
}
