package batcher

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// echoModel returns its input under another name: the batcher's overhead
// is all that is left to measure.
type echoModel struct{}

func (echoModel) Signature() flavors.Signature { return flavors.Signature{} }
func (echoModel) Close() error                 { return nil }
func (echoModel) Predict(_ context.Context, in flavors.Batch) (flavors.Batch, error) {
	t := in.Tensors[0]
	t.Name = "y"
	return flavors.Batch{Tensors: []flavors.Tensor{t}}, nil
}

// benchModel is a variable so that the direct call is not inlined away.
var benchModel flavors.Model = echoModel{}

// batchCounter is an Observer that counts formed batches and their rows.
type batchCounter struct{ batches, rows atomic.Int64 }

func (c *batchCounter) Queued(int) {}
func (c *batchCounter) Dispatched(rows, _ int, _ []time.Duration) {
	c.batches.Add(1)
	c.rows.Add(int64(rows))
}
func (c *batchCounter) Ran(int, time.Duration, error) {}

// BenchmarkBatcher sends one-row requests from 1, 16 and 64 goroutines
// through one instance of a model that does nothing; ns/op is the
// batcher's cost per request.
func BenchmarkBatcher(b *testing.B) {
	in := flavors.Batch{Tensors: []flavors.Tensor{{Name: "x", DType: flavors.FP32, Shape: []int64{1, 4}, Data: []float32{1, 2, 3, 4}}}}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := benchModel.Predict(context.Background(), in); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, concurrency := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", concurrency), func(b *testing.B) {
			counter := &batchCounter{}
			bt := New([]flavors.Model{echoModel{}}, Config{MaxBatchRows: 64}, counter)
			defer bt.Close(context.Background())
			b.ReportAllocs()
			b.ResetTimer()
			var sent atomic.Int64
			var wg sync.WaitGroup
			for range concurrency {
				wg.Go(func() {
					for sent.Add(1) <= int64(b.N) {
						if _, err := bt.Predict(context.Background(), in); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			if n := counter.batches.Load(); n > 0 {
				b.ReportMetric(float64(counter.rows.Load())/float64(n), "rows/batch")
			}
		})
	}
}
