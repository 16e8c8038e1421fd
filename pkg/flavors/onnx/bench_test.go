//go:build cgo

package onnx

import (
	"context"
	"fmt"
	"testing"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// BenchmarkPredict measures rows/s of the scikit-learn random forest (label
// + ZipMap probabilities) from onnxruntime_go's test data.
func BenchmarkPredict(b *testing.B) {
	m := load(b, moduleTestData(b, "sklearn_randomforest.onnx"), flavors.LoadOptions{})
	iris := []float32{5.1, 3.5, 1.4, 0.2, 6.4, 3.2, 4.5, 1.5, 7.7, 3.0, 6.1, 2.3}
	for _, rows := range []int{1, 8, 64, 512} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			x := make([]float32, rows*4)
			for i := range x {
				x[i] = iris[i%len(iris)]
			}
			batch := flavors.Batch{Tensors: []flavors.Tensor{mustTensor(b, "X", flavors.FP32, []int64{int64(rows), 4}, x)}}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Predict(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
