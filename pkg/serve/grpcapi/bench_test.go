package grpcapi

import (
	"context"
	"fmt"
	"testing"

	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// BenchmarkModelInfer measures a whole round trip through a real gRPC client
// on loopback: raw contents of an [N,4] FP64 input to the sum model and
// back, so it prices the protocol layer (framing, decode, encode), not a
// model. It reports requests/s and rows/s.
func BenchmarkModelInfer(b *testing.B) {
	client, _, _ := startServer(b, newFakeCore(), Options{})
	for _, rows := range []int{1, 64} {
		values := make([]float64, 4*rows)
		for i := range values {
			values[i] = float64(i)
		}
		req := &pb.ModelInferRequest{
			ModelName:        "sum",
			Inputs:           []*pb.ModelInferRequest_InferInputTensor{sumInput(int64(rows), nil)},
			RawInputContents: [][]byte{fp64Raw(values...)},
		}
		ctx := context.Background()
		if _, err := client.ModelInfer(ctx, req); err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("batch=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.ModelInfer(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b, rows)
		})
		b.Run(fmt.Sprintf("batch=%d/parallel", rows), func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := client.ModelInfer(ctx, req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b, rows)
		})
	}
}

func reportRate(b *testing.B, rows int) {
	s := b.Elapsed().Seconds()
	if s == 0 {
		return
	}
	b.ReportMetric(float64(b.N)/s, "req/s")
	b.ReportMetric(float64(b.N*rows)/s, "rows/s")
}
