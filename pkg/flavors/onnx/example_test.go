//go:build cgo

package onnx_test

import (
	"context"
	"fmt"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
)

// A scikit-learn style classifier: the outputs are presented as "label" and
// "probabilities", in the order of Classes.
func Example() {
	if _, err := onnx.Version(""); err != nil {
		fmt.Println("ONNX Runtime not available:", err)
		return
	}
	model, err := onnx.Flavor{}.Load(context.Background(), "testdata/classifier_zipmap_str.onnx", flavors.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer model.Close()

	x, _ := flavors.NewTensor("X", flavors.FP32, []int64{2, 4}, []float32{5.1, 3.5, 1.4, 0.2, 0, 0, 3, 3})
	out, err := model.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{x}})
	if err != nil {
		fmt.Println(err)
		return
	}
	label, _ := out.Get("label")
	probs, _ := out.Get("probabilities")
	fmt.Println(model.(flavors.Classifier).Classes())
	fmt.Println(label.Data)
	fmt.Println(probs.Shape)
	// With the library installed this prints
	// [setosa versicolor virginica], [setosa virginica] and [2 3]; there is
	// no Output comment because machines without it print the reason instead.
}
