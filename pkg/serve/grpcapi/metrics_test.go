package grpcapi

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/serve"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// ModelInfer calls are counted beside HTTP requests, under the version
// that answered and the HTTP status of the outcome.
func TestModelInferIsCounted(t *testing.T) {
	metrics := serve.NewMetrics(nil)
	client, _, _ := startServer(t, newFakeCore(), Options{Metrics: metrics})
	_, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{
		ModelName: "sum", Inputs: []*pb.ModelInferRequest_InferInputTensor{sumInput(1, &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3, 4}})},
	})
	require.NoError(t, err)
	_, err = client.ModelInfer(context.Background(), &pb.ModelInferRequest{ModelName: "sum"})
	require.Error(t, err)
	families, err := metrics.Registry.Gather()
	require.NoError(t, err)
	var got []string
	for _, f := range families {
		if f.GetName() != "mlctl_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			got = append(got, strings.Join(labels, ",")+" "+strconv.FormatFloat(m.GetCounter().GetValue(), 'g', -1, 64))
		}
	}
	require.ElementsMatch(t, []string{
		"code=200,model=sum,protocol=v2-grpc,version=2 1",
		"code=400,model=sum,protocol=v2-grpc,version= 1",
	}, got)
}
