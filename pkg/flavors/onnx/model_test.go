//go:build cgo

package onnx

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// dtypesBatch is a two-row batch for testdata/dtypes.onnx.
func dtypesBatch(t *testing.T) []flavors.Tensor {
	s := []int64{2, 3}
	half := func(f ...float32) []uint16 {
		out := make([]uint16, len(f))
		for i, x := range f {
			out[i] = flavors.Float32ToHalf(x)
		}
		return out
	}
	return []flavors.Tensor{
		mustTensor(t, "x_uint8", flavors.Uint8, s, []uint8{1, 2, 3, 250, 0, 7}),
		mustTensor(t, "y_uint8", flavors.Uint8, s, []uint8{1, 1, 1, 5, 0, 1}),
		mustTensor(t, "x_uint16", flavors.Uint16, s, []uint16{1, 2, 3, 65000, 0, 7}),
		mustTensor(t, "y_uint16", flavors.Uint16, s, []uint16{1, 1, 1, 500, 0, 1}),
		mustTensor(t, "x_uint32", flavors.Uint32, s, []uint32{1, 2, 3, 4e9, 0, 7}),
		mustTensor(t, "y_uint32", flavors.Uint32, s, []uint32{1, 1, 1, 5, 0, 1}),
		mustTensor(t, "x_uint64", flavors.Uint64, s, []uint64{1, 2, 3, 1 << 63, 0, 7}),
		mustTensor(t, "y_uint64", flavors.Uint64, s, []uint64{1, 1, 1, 5, 0, 1}),
		mustTensor(t, "x_int8", flavors.Int8, s, []int8{1, -2, 3, 120, 0, -128}),
		mustTensor(t, "y_int8", flavors.Int8, s, []int8{1, 1, -4, 7, 0, 1}),
		mustTensor(t, "x_int16", flavors.Int16, s, []int16{1, -2, 3, 32000, 0, -7}),
		mustTensor(t, "y_int16", flavors.Int16, s, []int16{1, 1, -4, 700, 0, 1}),
		mustTensor(t, "x_int32", flavors.Int32, s, []int32{1, -2, 3, 2e9, 0, -7}),
		mustTensor(t, "y_int32", flavors.Int32, s, []int32{1, 1, -4, 7, 0, 1}),
		mustTensor(t, "x_int64", flavors.Int64, s, []int64{1, -2, 3, 1 << 62, 0, -7}),
		mustTensor(t, "y_int64", flavors.Int64, s, []int64{1, 1, -4, 7, 0, 1}),
		mustTensor(t, "x_fp16", flavors.FP16, s, half(1, -2, 0.5, 1000, 0, -7)),
		mustTensor(t, "y_fp16", flavors.FP16, s, half(1, 1, 0.25, 24, 0, 1)),
		mustTensor(t, "x_fp32", flavors.FP32, s, []float32{1, -2, 0.5, 1e30, 0, float32(math.Inf(1))}),
		mustTensor(t, "y_fp32", flavors.FP32, s, []float32{1, 1, 0.25, 1e30, 0, 1}),
		mustTensor(t, "x_fp64", flavors.FP64, s, []float64{1, -2, 0.1, 1e300, 0, -7}),
		mustTensor(t, "y_fp64", flavors.FP64, s, []float64{1, 1, 0.2, 1e300, 0, 1}),
		mustTensor(t, "x_bool", flavors.Bool, s, []bool{true, true, false, false, true, false}),
		mustTensor(t, "y_bool", flavors.Bool, s, []bool{true, false, true, false, true, true}),
		mustTensor(t, "x_string", flavors.Bytes, []int64{2}, []string{"Hello World", "ÉTÉ ünïcode"}),
		mustTensor(t, "x_wide", flavors.FP32, []int64{2, 5}, []float32{1, 0.1, -65504, 70000, 1e-8, 2, 3, 4, 5, 6}),
	}
}

func TestPredictEveryDType(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // float64 addition at run time, not constant folding
	m := load(t, "testdata/dtypes.onnx", flavors.LoadOptions{})
	out := predict(t, m, dtypesBatch(t)...)
	half := func(f ...float32) []uint16 {
		out := make([]uint16, len(f))
		for i, x := range f {
			out[i] = flavors.Float32ToHalf(x)
		}
		return out
	}
	tests := []struct {
		name  string
		dtype flavors.DType
		shape []int64
		want  any
	}{
		{"z_uint8", flavors.Uint8, []int64{2, 3}, []uint8{2, 3, 4, 255, 0, 8}},
		{"z_uint16", flavors.Uint16, []int64{2, 3}, []uint16{2, 3, 4, 65500, 0, 8}},
		{"z_uint32", flavors.Uint32, []int64{2, 3}, []uint32{2, 3, 4, 4e9 + 5, 0, 8}},
		{"z_uint64", flavors.Uint64, []int64{2, 3}, []uint64{2, 3, 4, 1<<63 + 5, 0, 8}},
		{"z_int8", flavors.Int8, []int64{2, 3}, []int8{2, -1, -1, 127, 0, -127}},
		{"z_int16", flavors.Int16, []int64{2, 3}, []int16{2, -1, -1, 32700, 0, -6}},
		{"z_int32", flavors.Int32, []int64{2, 3}, []int32{2, -1, -1, 2e9 + 7, 0, -6}},
		{"z_int64", flavors.Int64, []int64{2, 3}, []int64{2, -1, -1, 1<<62 + 7, 0, -6}},
		{"z_fp16", flavors.FP16, []int64{2, 3}, half(2, -1, 0.75, 1024, 0, -6)},
		{"z_fp32", flavors.FP32, []int64{2, 3}, []float32{2, -1, 0.75, 2e30, 0, float32(math.Inf(1))}},
		{"z_fp64", flavors.FP64, []int64{2, 3}, []float64{2, -1, tenth + fifth, 2e300, 0, -6}},
		{"z_bool", flavors.Bool, []int64{2, 3}, []bool{false, true, true, false, false, true}},
		// The model lower-cases in the C locale: ASCII only.
		{"z_string", flavors.Bytes, []int64{2}, []string{"hello world", "ÉtÉ ünïcode"}},
		// Two symbolic dimensions: not preallocated, fetched via its FP32 copy.
		{"z_half", flavors.FP16, []int64{2, 5}, half(1, 0.1, -65504, 70000, 1e-8, 2, 3, 4, 5, 6)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := output(t, out, tt.name)
			if got.DType != tt.dtype || !slices.Equal(got.Shape, tt.shape) {
				t.Fatalf("got %s %v, want %s %v", got.DType, got.Shape, tt.dtype, tt.shape)
			}
			if !equalData(got.Data, tt.want) {
				t.Errorf("got %v, want %v", got.Data, tt.want)
			}
			sp, ok := m.Signature().Output(tt.name)
			if !ok || sp.DType != tt.dtype {
				t.Errorf("signature output %q = %+v, want dtype %s", tt.name, sp, tt.dtype)
			}
		})
	}
	if len(out.Tensors) != len(tests) {
		t.Errorf("got outputs %v, want %d", out.Names(), len(tests))
	}
}

// equalData compares element slices; NaN equals NaN.
func equalData(got, want any) bool {
	switch w := want.(type) {
	case []float32:
		g, ok := got.([]float32)
		return ok && slices.EqualFunc(g, w, func(a, b float32) bool { return a == b || a != a && b != b })
	case []float64:
		g, ok := got.([]float64)
		return ok && slices.EqualFunc(g, w, func(a, b float64) bool { return a == b || a != a && b != b })
	}
	return equalComparable(got, want)
}

func equalComparable(got, want any) bool {
	switch w := want.(type) {
	case []bool:
		g, ok := got.([]bool)
		return ok && slices.Equal(g, w)
	case []uint8:
		g, ok := got.([]uint8)
		return ok && slices.Equal(g, w)
	case []uint16:
		g, ok := got.([]uint16)
		return ok && slices.Equal(g, w)
	case []uint32:
		g, ok := got.([]uint32)
		return ok && slices.Equal(g, w)
	case []uint64:
		g, ok := got.([]uint64)
		return ok && slices.Equal(g, w)
	case []int8:
		g, ok := got.([]int8)
		return ok && slices.Equal(g, w)
	case []int16:
		g, ok := got.([]int16)
		return ok && slices.Equal(g, w)
	case []int32:
		g, ok := got.([]int32)
		return ok && slices.Equal(g, w)
	case []int64:
		g, ok := got.([]int64)
		return ok && slices.Equal(g, w)
	case []string:
		g, ok := got.([]string)
		return ok && slices.Equal(g, w)
	}
	return false
}

func TestSignatureSymbolicDims(t *testing.T) {
	m := load(t, "testdata/dtypes.onnx", flavors.LoadOptions{})
	sig := m.Signature()
	for _, tt := range []struct {
		name  string
		dtype flavors.DType
		shape []int64
	}{
		{"x_fp16", flavors.FP16, []int64{-1, 3}},
		{"x_bool", flavors.Bool, []int64{-1, 3}},
		{"x_string", flavors.Bytes, []int64{-1}},
		{"x_wide", flavors.FP32, []int64{-1, -1}},
	} {
		sp, ok := sig.Input(tt.name)
		if !ok || sp.DType != tt.dtype || !slices.Equal(sp.Shape, tt.shape) {
			t.Errorf("input %q = %+v, want %s %v", tt.name, sp, tt.dtype, tt.shape)
		}
	}
	if m.Classes() != nil {
		t.Errorf("Classes() = %v for a model that is no classifier", m.Classes())
	}
}

// linearScores is what testdata/gen.py's LinearClassifier computes.
func linearScores(x []float32) []float64 {
	coef := []float64{1, -1, 0.5, -0.5, -1, 1, 0, 0.25, 0, 0, 1, 1}
	icpt := []float64{0.1, -0.2, 0.3}
	rows := len(x) / 4
	out := make([]float64, rows*3)
	for r := range rows {
		sum := 0.0
		for c := range 3 {
			z := icpt[c]
			for j := range 4 {
				z += coef[c*4+j] * float64(x[r*4+j])
			}
			out[r*3+c] = math.Exp(z)
			sum += out[r*3+c]
		}
		for c := range 3 {
			out[r*3+c] /= sum
		}
	}
	return out
}

func TestClassifierConvention(t *testing.T) {
	x := []float32{5.1, 3.5, 1.4, 0.2, 1, 4, 0, 0, 0, 0, 3, 3, -1, 2, 0.5, 0.5}
	probs := linearScores(x)
	argmax := func(r int) int {
		best := 0
		for c := 1; c < 3; c++ {
			if probs[r*3+c] > probs[r*3+best] {
				best = c
			}
		}
		return best
	}
	names := []string{"setosa", "versicolor", "virginica"}
	tests := []struct {
		file    string
		opts    flavors.LoadOptions
		classes []string
		label   flavors.DType
		labels  []string // the label values, when not the classes (nil)
	}{
		{"classifier_zipmap_int.onnx", flavors.LoadOptions{}, []string{"0", "1", "2"}, flavors.Int64, nil},
		{"classifier_zipmap_str.onnx", flavors.LoadOptions{}, names, flavors.Bytes, nil},
		{"classifier_tensor.onnx", flavors.LoadOptions{}, []string{"0", "1", "2"}, flavors.Int64, nil},
		{"classifier_tensor.onnx", flavors.LoadOptions{Task: flavors.TaskClassification}, []string{"0", "1", "2"}, flavors.Int64, nil},
		{"classifier_plain.onnx", flavors.LoadOptions{}, []string{"0", "1", "2"}, flavors.Int64, nil},
		// The manifest names the columns; the model's labels stay what it returns.
		{"classifier_plain.onnx", flavors.LoadOptions{Classes: names}, names, flavors.Int64, []string{"0", "1", "2"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := load(t, "testdata/"+tt.file, tt.opts)
			if got := m.Classes(); !slices.Equal(got, tt.classes) {
				t.Errorf("Classes() = %v, want %v", got, tt.classes)
			}
			wantSig := []flavors.Spec{
				{Name: "label", DType: tt.label, Shape: []int64{-1}},
				{Name: "probabilities", DType: flavors.FP64, Shape: []int64{-1, 3}},
			}
			if got := m.Signature().Outputs; !slices.EqualFunc(got, wantSig, func(a, b flavors.Spec) bool {
				return a.Name == b.Name && a.DType == b.DType && slices.Equal(a.Shape, b.Shape)
			}) {
				t.Errorf("outputs = %+v, want %+v", got, wantSig)
			}
			out := predict(t, m, mustTensor(t, "X", flavors.FP32, []int64{4, 4}, x))
			label, p := output(t, out, "label"), output(t, out, "probabilities")
			if label.DType != tt.label || !slices.Equal(label.Shape, []int64{4}) {
				t.Fatalf("label is %s %v", label.DType, label.Shape)
			}
			if p.DType != flavors.FP64 || !slices.Equal(p.Shape, []int64{4, 3}) {
				t.Fatalf("probabilities is %s %v", p.DType, p.Shape)
			}
			got := p.Data.([]float64)
			for i := range probs {
				if math.Abs(got[i]-probs[i]) > 1e-6 {
					t.Errorf("probabilities[%d][%d] = %v, want %v", i/3, i%3, got[i], probs[i])
				}
			}
			labels := tt.labels
			if labels == nil {
				labels = tt.classes
			}
			for r, l := range label.Strings() {
				if want := labels[argmax(r)]; l != want {
					t.Errorf("label[%d] = %q, want %q", r, l, want)
				}
			}
		})
	}
}

// TestZipMapRead covers ZipMaps read map by map, as when the model's labels
// cannot be read: classes then come from the first result's keys.
func TestZipMapRead(t *testing.T) {
	requireRuntime(t)
	noLabels := func(string, *slog.Logger) classLabels { return classLabels{} }
	for _, tt := range []struct {
		file    string
		classes []string
	}{
		{"testdata/classifier_zipmap_str.onnx", []string{"setosa", "versicolor", "virginica"}},
		{moduleTestData(t, "sklearn_randomforest.onnx"), []string{"0", "1", "2"}},
	} {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			m, err := loadModel(context.Background(), tt.file, flavors.LoadOptions{}, noLabels)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			fast := load(t, tt.file, flavors.LoadOptions{})
			x := mustTensor(t, "X", flavors.FP32, []int64{3, 4}, []float32{5.1, 3.5, 1.4, 0.2, 6.4, 3.2, 4.5, 1.5, 7.7, 3.0, 6.1, 2.3})
			want := predict(t, fast, x)
			got := predict(t, m, x)
			if !slices.Equal(m.Classes(), tt.classes) {
				t.Errorf("Classes() = %v, want %v", m.Classes(), tt.classes)
			}
			for i, name := range []string{"label", "probabilities"} {
				if g, w := output(t, got, name), output(t, want, name); !slices.Equal(g.Shape, w.Shape) || !equalData(g.Data, w.Data) {
					t.Errorf("%s = %v %v, want %v %v", got.Tensors[i].Name, g.Shape, g.Data, w.Shape, w.Data)
				}
			}
		})
	}
}

func TestClassesFromManifestWhenModelHasNone(t *testing.T) {
	// classifier_tensor.onnx declares classlabels_ints on its
	// LinearClassifier; the model's labels win over the manifest's.
	m := load(t, "testdata/classifier_tensor.onnx", flavors.LoadOptions{Classes: []string{"a", "b", "c"}})
	if got := m.Classes(); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Errorf("Classes() = %v, want the model's own [0 1 2]", got)
	}
	if _, err := (Flavor{}).Load(context.Background(), "testdata/classifier_tensor.onnx",
		flavors.LoadOptions{Classes: []string{"a", "b"}}); err != nil {
		t.Errorf("a manifest with other classes must only warn: %v", err)
	}
}

func TestRegressorConvention(t *testing.T) {
	x := mustTensor(t, "X", flavors.FP32, []int64{2, 4}, []float32{1, 1, 1, 1, 0, 0.5, 0, -1})
	want := []float64{10.5, -2.5}
	t.Run("task regression", func(t *testing.T) {
		m := load(t, "testdata/regressor.onnx", flavors.LoadOptions{Task: flavors.TaskRegression})
		out := predict(t, m, x)
		p := output(t, out, "prediction")
		if p.DType != flavors.FP64 || !slices.Equal(p.Shape, []int64{2}) || !slices.Equal(p.Data.([]float64), want) {
			t.Errorf("prediction = %s %v %v, want FP64 [2] %v", p.DType, p.Shape, p.Data, want)
		}
		if sp := m.Signature().Outputs; len(sp) != 1 || sp[0].Name != "prediction" || !slices.Equal(sp[0].Shape, []int64{-1}) {
			t.Errorf("outputs = %+v", sp)
		}
	})
	t.Run("no task keeps native", func(t *testing.T) {
		m := load(t, "testdata/regressor.onnx", flavors.LoadOptions{})
		out := predict(t, m, x)
		v := output(t, out, "variable")
		if v.DType != flavors.FP32 || !slices.Equal(v.Shape, []int64{2, 1}) || !slices.Equal(v.Data.([]float32), []float32{10.5, -2.5}) {
			t.Errorf("variable = %s %v %v", v.DType, v.Shape, v.Data)
		}
	})
}

func TestScalarOutput(t *testing.T) {
	m := load(t, "testdata/scalar.onnx", flavors.LoadOptions{})
	out := predict(t, m, mustTensor(t, "x", flavors.FP32, []int64{3, 2}, []float32{1, 2, 3, 4, 5, 6}))
	total := output(t, out, "total")
	if len(total.Shape) != 0 || !slices.Equal(total.Data.([]float32), []float32{21}) {
		t.Errorf("total = %v %v, want [] [21]", total.Shape, total.Data)
	}
}

func TestRandomForestFromModuleTestData(t *testing.T) {
	m := load(t, moduleTestData(t, "sklearn_randomforest.onnx"), flavors.LoadOptions{})
	if got := m.Classes(); !slices.Equal(got, []string{"0", "1", "2"}) {
		t.Errorf("Classes() = %v", got)
	}
	// Iris rows: a setosa, a versicolor and a virginica.
	x := mustTensor(t, "X", flavors.FP32, []int64{3, 4}, []float32{5.1, 3.5, 1.4, 0.2, 6.4, 3.2, 4.5, 1.5, 7.7, 3.0, 6.1, 2.3})
	out := predict(t, m, x)
	labels := output(t, out, "label").Data.([]int64)
	if !slices.Equal(labels, []int64{0, 1, 2}) {
		t.Errorf("labels = %v, want [0 1 2]", labels)
	}
	p := output(t, out, "probabilities").Data.([]float64)
	for r := range 3 {
		row := p[r*3 : r*3+3]
		if sum := row[0] + row[1] + row[2]; math.Abs(sum-1) > 1e-5 {
			t.Errorf("row %d probabilities %v sum to %v", r, row, sum)
		}
		if best := slices.Index(row, slices.Max(row)); int64(best) != labels[r] {
			t.Errorf("row %d: label %d but probabilities %v", r, labels[r], row)
		}
	}
}

func TestUnsupportedElementType(t *testing.T) {
	requireRuntime(t)
	path := moduleTestData(t, "example_several_inputs_and_outputs.onnx")
	_, err := Flavor{}.Load(context.Background(), path, flavors.LoadOptions{})
	if !errors.Is(err, flavors.ErrUnsupported) || !strings.Contains(err.Error(), `"input 3"`) || !strings.Contains(err.Error(), "bfloat16") {
		t.Errorf("Load = %v, want ErrUnsupported naming input 3 and bfloat16", err)
	}
}

func TestPredictConcurrent(t *testing.T) {
	m := load(t, moduleTestData(t, "sklearn_randomforest.onnx"), flavors.LoadOptions{})
	x := mustTensor(t, "X", flavors.FP32, []int64{3, 4}, []float32{5.1, 3.5, 1.4, 0.2, 6.4, 3.2, 4.5, 1.5, 7.7, 3.0, 6.1, 2.3})
	want := predict(t, m, x)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for range 20 {
				got, err := m.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{x}})
				if err != nil {
					errs <- err
					return
				}
				if !slices.Equal(got.Tensors[1].Data.([]float64), want.Tensors[1].Data.([]float64)) {
					errs <- errors.New("concurrent result differs from the serial one")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPredictCancelled(t *testing.T) {
	m := load(t, "testdata/regressor.onnx", flavors.LoadOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Predict(ctx, flavors.Batch{Tensors: []flavors.Tensor{mustTensor(t, "X", flavors.FP32, []int64{1, 4}, []float32{1, 2, 3, 4})}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Predict = %v, want context.Canceled", err)
	}
	// With a live context the run goes through RunOptions.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	if _, err := m.Predict(ctx, flavors.Batch{Tensors: []flavors.Tensor{mustTensor(t, "X", flavors.FP32, []int64{1, 4}, []float32{1, 2, 3, 4})}}); err != nil {
		t.Errorf("Predict with a cancellable context: %v", err)
	}
}
