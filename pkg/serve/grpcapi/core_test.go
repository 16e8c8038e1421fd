package grpcapi_test

import (
	"context"
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/mlctl/mlctl/pkg/pack"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/grpcapi"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// TestRealCore serves the iris forest (PMML, no external runtime) through
// the real server core: the same request path mlctl serve takes.
func TestRealCore(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "iris.mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join("..", "..", "..", "examples", "models", "iris_forest", "model.pmml")}, Out: bundle, Version: "1",
	})
	require.NoError(t, err)
	core := serve.New(serve.Options{Version: "test", Metrics: serve.NewMetrics(nil)})
	t.Cleanup(func() { _ = core.Shutdown(context.Background()) })
	_, err = core.Deploy(context.Background(), bundle, serve.ModelConfig{Name: "iris"})
	require.NoError(t, err)

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpcapi.NewServer(core, grpcapi.Options{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	client := pb.NewGRPCInferenceServiceClient(conn)
	ctx := context.Background()

	md, err := client.ModelMetadata(ctx, &pb.ModelMetadataRequest{Name: "iris"})
	require.NoError(t, err)
	assert.Equal(t, []string{"1"}, md.GetVersions())
	assert.Equal(t, "pmml", md.GetPlatform())
	var names []string
	for _, in := range md.GetInputs() {
		names = append(names, in.GetName())
		assert.Equal(t, "FP64", in.GetDatatype())
	}
	require.Equal(t, []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}, names)

	column := func(name string, v ...float64) *pb.ModelInferRequest_InferInputTensor {
		return &pb.ModelInferRequest_InferInputTensor{Name: name, Datatype: "FP64", Shape: []int64{int64(len(v))},
			Contents: &pb.InferTensorContents{Fp64Contents: v}}
	}
	resp, err := client.ModelInfer(ctx, &pb.ModelInferRequest{
		ModelName: "iris", Id: "r1",
		Inputs: []*pb.ModelInferRequest_InferInputTensor{
			column("sepal_length", 5.1, 6.3), column("sepal_width", 3.5, 3.3),
			column("petal_length", 1.4, 6.0), column("petal_width", 0.2, 2.5),
		},
		Outputs: []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "label"}, {Name: "probabilities"}},
	})
	require.NoError(t, err)
	assert.Equal(t, "iris", resp.GetModelName())
	assert.Equal(t, "1", resp.GetModelVersion())
	assert.Equal(t, "r1", resp.GetId())
	assert.NotEmpty(t, resp.GetParameters()["model_uuid"].GetStringParam())
	require.Len(t, resp.GetOutputs(), 2)
	assert.Equal(t, [][]byte{[]byte("setosa"), []byte("virginica")}, resp.GetOutputs()[0].GetContents().GetBytesContents())
	assert.Equal(t, []int64{2, 3}, resp.GetOutputs()[1].GetShape())
	assert.Len(t, resp.GetOutputs()[1].GetContents().GetFp64Contents(), 6)

	_, err = client.ModelInfer(ctx, &pb.ModelInferRequest{ModelName: "iris", Inputs: []*pb.ModelInferRequest_InferInputTensor{column("sepal_length", 5.1)}})
	assert.Equal(t, codes.InvalidArgument, status.Code(err), "missing columns: %v", err)
	_, err = client.ModelInfer(ctx, &pb.ModelInferRequest{ModelName: "rose", Inputs: []*pb.ModelInferRequest_InferInputTensor{column("sepal_length", 5.1)}})
	assert.Equal(t, codes.NotFound, status.Code(err), "%v", err)
}
