package load

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
)

// BenchmarkFlavors scores the same example model through each flavor at
// several batch sizes, so that flavors can be compared as ratios in one run
// (docs/benchmarks.md). scripts/bench_sklearn.py times scikit-learn itself
// on the same rows.
//
//	go test ./pkg/load -run '^$' -bench BenchmarkFlavors -benchtime 2s
//
// MLCTL_BENCH_MODELS names more model directories of the same layout
// (comma-separated), such as the 100-tree forest scripts/bench_pmml.sh makes.
func BenchmarkFlavors(b *testing.B) {
	ctx := context.Background()
	dirs := []string{filepath.Join("..", "..", "examples", "models", "iris_forest"), filepath.Join("..", "..", "examples", "models", "diabetes_gbm")}
	if more := os.Getenv("MLCTL_BENCH_MODELS"); more != "" {
		dirs = append(dirs, strings.Split(more, ",")...)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		var want expected
		raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
		if err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			b.Fatal(err)
		}
		inputs := make([]flavors.Spec, len(want.Features))
		for i, f := range want.Features {
			inputs[i] = flavors.Spec{Name: f, DType: flavors.FP64, Shape: []int64{-1}}
		}
		f, err := os.Open(filepath.Join(dir, "input.csv"))
		if err != nil {
			b.Fatal(err)
		}
		rows, err := codec.DecodeCSV(f, inputs)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		for _, file := range []string{"model.onnx", "model.pmml", "model.pkl"} {
			flavor, _ := FlavorForFile(file)
			if flavor == "onnx" {
				if _, err := onnx.LibraryPath(""); err != nil {
					b.Logf("skip onnx: %v", err)
					continue
				}
			}
			fl, _ := Lookup(flavor)
			m, err := fl.Load(ctx, filepath.Join(dir, file), flavors.LoadOptions{Inputs: inputs})
			if err != nil {
				b.Fatal(err)
			}
			model := flavors.Adapt(m, inputs, nil)
			for _, size := range []int{1, 64, 1024} {
				batch := tile(rows, size)
				b.Run(fmt.Sprintf("%s/%s/batch=%d", name, flavor, size), func(b *testing.B) {
					for b.Loop() {
						if _, err := model.Predict(ctx, batch); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(size)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
			m.Close()
		}
	}
}

// tile repeats the rows of a batch of FP64 columns to n rows.
func tile(in flavors.Batch, n int) flavors.Batch {
	out := flavors.Batch{}
	for _, t := range in.Tensors {
		src := t.Data.([]float64)
		data := make([]float64, n)
		for i := range data {
			data[i] = src[i%len(src)]
		}
		out.Tensors = append(out.Tensors, flavors.Tensor{Name: t.Name, DType: t.DType, Shape: []int64{int64(n)}, Data: data})
	}
	return out
}
