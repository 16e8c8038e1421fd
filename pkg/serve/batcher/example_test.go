package batcher_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve/batcher"
)

// doubler answers input "x" with "y" = 2·x.
type doubler struct{}

func (doubler) Signature() flavors.Signature { return flavors.Signature{} }
func (doubler) Close() error                 { return nil }
func (doubler) Predict(_ context.Context, in flavors.Batch) (flavors.Batch, error) {
	x, _ := in.Get("x")
	y := make([]float64, x.Len())
	for i, v := range x.Data.([]float64) {
		y[i] = 2 * v
	}
	return flavors.Batch{Tensors: []flavors.Tensor{{Name: "y", DType: flavors.FP64, Shape: x.Shape, Data: y}}}, nil
}

// Two instances of a model behind one batcher: concurrent callers are
// stacked into batches of at most 32 rows, and each gets its own rows back.
func Example() {
	b := batcher.New([]flavors.Model{doubler{}, doubler{}}, batcher.Config{
		MaxBatchRows:  32,
		MaxQueueDelay: time.Millisecond,
	}, nil)
	defer b.Close(context.Background())

	answers := make([]string, 3)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			x, _ := flavors.Column("x", []float64{float64(i), float64(10 * i)})
			out, err := b.Predict(context.Background(), flavors.Batch{Tensors: []flavors.Tensor{x}})
			if err != nil {
				answers[i] = err.Error()
				return
			}
			y, _ := out.Get("y")
			answers[i] = fmt.Sprint(y.Data)
		})
	}
	wg.Wait()
	for i, a := range answers {
		fmt.Println("caller", i, a)
	}
	// Output:
	// caller 0 [0 0]
	// caller 1 [2 20]
	// caller 2 [4 40]
}
