package grpcapi

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

func TestToken(t *testing.T) {
	client, conn, _ := startServer(t, newFakeCore(), Options{Token: "s3cret"})
	for _, tc := range []struct {
		name, authorization string
		code                codes.Code
	}{
		{"none", "", codes.Unauthenticated},
		{"wrong token", "Bearer nope", codes.Unauthenticated},
		{"not bearer", "Basic s3cret", codes.Unauthenticated},
		{"bare token", "s3cret", codes.Unauthenticated},
		{"right token", "Bearer s3cret", codes.OK},
		{"scheme in lower case", "bearer s3cret", codes.OK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.authorization != "" {
				ctx = metadata.AppendToOutgoingContext(ctx, "authorization", tc.authorization)
			}
			_, err := client.ServerLive(ctx, &pb.ServerLiveRequest{})
			assert.Equal(t, tc.code, status.Code(err), "unary: %v", err)
			_, err = client.ModelInfer(ctx, &pb.ModelInferRequest{ModelName: "sum", Inputs: []*pb.ModelInferRequest_InferInputTensor{
				sumInput(1, &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3, 4}})}})
			assert.Equal(t, tc.code, status.Code(err), "infer: %v", err)

			// Reflection is a stream: the stream interceptor guards it.
			stream, err := grpc_reflection_v1.NewServerReflectionClient(conn).ServerReflectionInfo(ctx)
			require.NoError(t, err)
			// Send may see io.EOF once the server has refused the stream;
			// Recv then carries the status.
			err = stream.Send(&grpc_reflection_v1.ServerReflectionRequest{
				MessageRequest: &grpc_reflection_v1.ServerReflectionRequest_ListServices{}})
			if !errors.Is(err, io.EOF) {
				require.NoError(t, err)
			}
			_, err = stream.Recv()
			assert.Equal(t, tc.code, status.Code(err), "reflection: %v", err)
		})
	}
	t.Run("health check needs no token", func(t *testing.T) {
		h, err := grpc_health_v1.NewHealthClient(conn).Check(context.Background(), &grpc_health_v1.HealthCheckRequest{})
		require.NoError(t, err)
		assert.Equal(t, grpc_health_v1.HealthCheckResponse_SERVING, h.GetStatus())
	})
}
