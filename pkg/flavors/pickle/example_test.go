package pickle_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/flavors/pickle"
)

// Load a scikit-learn classifier, holding it to the digest the manifest
// records, and score two rows given as one [N,K] tensor.
func Example() {
	ctx := context.Background()
	m, err := pickle.LoadModel(ctx, "iris.joblib", flavors.LoadOptions{
		SHA256:       "3f7c…", // from the bundle manifest
		Requirements: map[string]string{"scikit-learn": "1.2"},
	})
	switch {
	case errors.Is(err, pickle.ErrDigestMismatch):
		fmt.Println("refusing a file that is not the one packed:", err)
		return
	case errors.Is(err, flavors.ErrUnavailable):
		fmt.Println("no usable Python here:", err)
		return
	case err != nil:
		fmt.Println(err)
		return
	}
	defer m.Close()

	x, _ := flavors.NewTensor("input", flavors.FP64, []int64{2, 4}, []float64{5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3})
	out, err := m.Predict(ctx, flavors.Batch{Tensors: []flavors.Tensor{x}})
	if err != nil {
		fmt.Println(err)
		return
	}
	label, _ := out.Get("label")
	fmt.Println(m.Info().Estimator, m.Classes(), label.Data, m.Environment()["scikit-learn"])
}
