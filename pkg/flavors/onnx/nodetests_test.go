//go:build cgo

package onnx

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// nodeTestDir holds ONNX's backend node tests (Debian: libonnx-testdata).
const nodeTestDir = "/usr/share/libonnx-testdata/data/node"

// curatedNodeTests cover the dtypes and op families a model server meets.
// Each must load, run and match.
var curatedNodeTests = []string{
	// linear algebra and activations
	"test_matmul_2d", "test_matmul_3d", "test_matmulinteger", "test_gemm_all_attributes",
	"test_gemm_default_vector_bias", "test_add", "test_add_bcast", "test_add_uint8", "test_relu",
	"test_sigmoid", "test_softmax_axis_1", "test_softmax_large_number", "test_conv_with_strides_padding",
	// casts, FP16 and FP64
	"test_cast_FLOAT_to_FLOAT16", "test_cast_FLOAT16_to_FLOAT", "test_cast_DOUBLE_to_FLOAT16",
	"test_cast_FLOAT16_to_DOUBLE", "test_cast_FLOAT_to_DOUBLE", "test_cast_STRING_to_FLOAT",
	"test_mod_mixed_sign_float16", "test_mod_mixed_sign_float64",
	// indices and shapes
	"test_argmax_keepdims_random", "test_argmax_default_axis_example", "test_concat_2d_axis_1",
	"test_reshape_negative_dim", "test_gather_0", "test_gather_negative_indices", "test_gathernd_example_int32",
	"test_where_example", "test_where_long_example",
	// strings
	"test_strnormalizer_nostopwords_nochangecase", "test_strnormalizer_export_monday_casesensintive_lower",
	// booleans and integers of every width
	"test_and2d", "test_not_2d", "test_equal", "test_less", "test_mod_mixed_sign_int8",
	"test_mod_mixed_sign_int16", "test_mod_mixed_sign_int32", "test_mod_mixed_sign_int64",
	"test_mod_uint16", "test_mod_uint32", "test_mod_uint64", "test_bitshift_left_uint8",
	"test_bitshift_right_uint64",
}

func requireNodeTests(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(nodeTestDir); err != nil {
		t.Skipf("ONNX backend node tests not found at %s (install Debian's libonnx-testdata): %v", nodeTestDir, err)
	}
	requireRuntime(t)
}

// nodeOutcome is what running one backend test case came to.
type nodeOutcome int

const (
	nodePass     nodeOutcome = iota
	nodeSkip                 // something this flavor or ORT does not take: sequences, bfloat16, …
	nodeMismatch             // ran, and a value differs
)

// runNodeTest loads a case's model, feeds test_data_set_0's inputs and
// compares every output.
func runNodeTest(dir string) (nodeOutcome, error) {
	data := filepath.Join(dir, "test_data_set_0")
	inputs, err := readTensorProtos(data, "input_")
	if err != nil {
		return nodeSkip, err
	}
	want, err := readTensorProtos(data, "output_")
	if err != nil {
		return nodeSkip, err
	}
	m, err := Flavor{}.Load(context.Background(), filepath.Join(dir, "model.onnx"), flavors.LoadOptions{})
	if err != nil {
		return nodeSkip, fmt.Errorf("load: %w", err)
	}
	defer m.Close()
	sig := m.Signature()
	if len(inputs) != len(sig.Inputs) {
		return nodeSkip, fmt.Errorf("%d input files for %d inputs (optional inputs left out)", len(inputs), len(sig.Inputs))
	}
	for i := range inputs {
		if _, ok := sig.Input(inputs[i].Name); !ok {
			inputs[i].Name = sig.Inputs[i].Name
		}
		if sp, _ := sig.Input(inputs[i].Name); sp.DType == flavors.FP16 && inputs[i].DType == flavors.Uint16 {
			inputs[i].DType = flavors.FP16
		}
	}
	out, err := m.Predict(context.Background(), flavors.Batch{Tensors: inputs})
	if err != nil {
		return nodeSkip, fmt.Errorf("predict: %w", err)
	}
	for i, w := range want {
		name := w.Name
		if name == "" && i < len(sig.Outputs) {
			name = sig.Outputs[i].Name
		}
		got, ok := out.Get(name)
		if !ok {
			return nodeSkip, fmt.Errorf("output %q not returned (got %v)", name, out.Names())
		}
		if err := compareTensors(got, w); err != nil {
			return nodeMismatch, fmt.Errorf("output %q: %w", name, err)
		}
	}
	return nodePass, nil
}

func readTensorProtos(dir, prefix string) ([]flavors.Tensor, error) {
	var out []flavors.Tensor
	for i := 0; ; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%s%d.pb", prefix, i)))
		if errors.Is(err, os.ErrNotExist) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		t, err := decodeTensorProto(b)
		if err != nil {
			return nil, fmt.Errorf("%s%d.pb: %w", prefix, i, err)
		}
		out = append(out, t)
	}
}

// compareTensors checks shape and values: floats within 1e-5 relative and
// 1e-6 absolute (FP16 within its own precision), everything else exactly.
func compareTensors(got, want flavors.Tensor) error {
	if !slices.Equal(got.Shape, want.Shape) {
		return fmt.Errorf("shape %v, want %v", got.Shape, want.Shape)
	}
	wantDType := want.DType
	if got.DType == flavors.FP16 && wantDType == flavors.Uint16 {
		wantDType = flavors.FP16 // TensorProto FP16 decodes to the same bits
	}
	if got.DType != wantDType {
		return fmt.Errorf("dtype %s, want %s", got.DType, want.DType)
	}
	if !got.DType.IsFloat() {
		if !equalComparable(got.Data, want.Data) {
			return fmt.Errorf("values %v, want %v", clip(got.Data), clip(want.Data))
		}
		return nil
	}
	want.DType = wantDType
	g, err := got.Float64s()
	if err != nil {
		return err
	}
	w, err := want.Float64s()
	if err != nil {
		return err
	}
	rel, abs := 1e-5, 1e-6
	if got.DType == flavors.FP16 {
		rel, abs = 1e-3, 1e-4
	}
	for i := range w {
		if math.IsNaN(w[i]) && math.IsNaN(g[i]) || g[i] == w[i] {
			continue
		}
		if !(math.Abs(g[i]-w[i]) <= abs+rel*math.Abs(w[i])) {
			return fmt.Errorf("element %d is %v, want %v", i, g[i], w[i])
		}
	}
	return nil
}

func clip(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func TestBackendNodeCurated(t *testing.T) {
	requireNodeTests(t)
	for _, name := range curatedNodeTests {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(nodeTestDir, name)
			if _, err := os.Stat(dir); err != nil {
				t.Skipf("case not in this libonnx-testdata: %v", err)
			}
			outcome, err := runNodeTest(dir)
			switch {
			case outcome == nodePass:
			case err != nil && strings.Contains(err.Error(), "locale"):
				t.Skipf("needs a locale this machine lacks: %v", err)
			default:
				t.Errorf("%v", err)
			}
		})
	}
}

// TestBackendNodeSweep runs every node case and reports how many pass; only
// the curated cases must. Cases with sequence or optional values, element
// types mlctl has no dtype for, or that ORT refuses, are skipped.
func TestBackendNodeSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("the sweep loads ~900 models; skipped with -short")
	}
	requireNodeTests(t)
	dirs, err := filepath.Glob(filepath.Join(nodeTestDir, "test_*"))
	if err != nil {
		t.Fatal(err)
	}
	var pass, skip int
	var mismatches []string
	reasons := map[string]int{}
	for _, dir := range dirs {
		outcome, err := runNodeTest(dir)
		switch outcome {
		case nodePass:
			pass++
		case nodeSkip:
			skip++
			reasons[skipReason(err)]++
			if testing.Verbose() {
				t.Logf("skip %s: %v", filepath.Base(dir), err)
			}
		case nodeMismatch:
			mismatches = append(mismatches, fmt.Sprintf("%s: %v", filepath.Base(dir), err))
		}
	}
	t.Logf("ONNX backend node tests: %d cases, %d pass, %d skipped, %d mismatch", len(dirs), pass, skip, len(mismatches))
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return reasons[keys[i]] > reasons[keys[j]] })
	for _, k := range keys {
		t.Logf("  skipped %4d: %s", reasons[k], k)
	}
	for _, m := range mismatches {
		t.Logf("  mismatch: %s", m)
	}
	// Most cases use plain tensors; if few pass, the flavor is broken.
	if pass < len(dirs)/2 {
		t.Errorf("only %d of %d cases pass", pass, len(dirs))
	}
}

// skipReason groups skip errors for the report.
func skipReason(err error) string {
	s := err.Error()
	for _, k := range []string{"is a sequence", "is a optional", "is a map", "bfloat16", "float8", "int4", "complex",
		"unsupported tensor", "optional inputs left out", "Could not find an implementation", "locale", "rank-0", "load:", "predict:"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	return s
}
