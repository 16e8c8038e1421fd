package grpcapi

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

func TestServerLiveAndReady(t *testing.T) {
	for _, tc := range []struct {
		name        string
		live, ready bool
		health      grpc_health_v1.HealthCheckResponse_ServingStatus
	}{
		{"up", true, true, grpc_health_v1.HealthCheckResponse_SERVING},
		{"loading", true, false, grpc_health_v1.HealthCheckResponse_NOT_SERVING},
	} {
		t.Run(tc.name, func(t *testing.T) {
			core := newFakeCore()
			core.live, core.ready = tc.live, tc.ready
			client, conn, _ := startServer(t, core, Options{})
			ctx := context.Background()

			live, err := client.ServerLive(ctx, &pb.ServerLiveRequest{})
			require.NoError(t, err)
			assert.Equal(t, tc.live, live.GetLive())
			ready, err := client.ServerReady(ctx, &pb.ServerReadyRequest{})
			require.NoError(t, err)
			assert.Equal(t, tc.ready, ready.GetReady())

			health := grpc_health_v1.NewHealthClient(conn)
			for _, svc := range []string{"", "inference.GRPCInferenceService"} {
				h, err := health.Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: svc})
				require.NoError(t, err)
				assert.Equal(t, tc.health, h.GetStatus(), "service %q", svc)
			}
			_, err = health.Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: "other.Service"})
			assert.Equal(t, codes.NotFound, status.Code(err))
		})
	}
}

func TestModelReady(t *testing.T) {
	client, _, _ := startServer(t, newFakeCore(), Options{})
	for _, tc := range []struct {
		name, model, version string
		ready                bool
		code                 codes.Code
	}{
		{"default version", "sum", "", true, codes.OK},
		{"named version", "sum", "1", true, codes.OK},
		{"not ready", "down", "", false, codes.OK},
		{"unknown version", "sum", "9", false, codes.NotFound},
		{"unknown model", "nope", "", false, codes.NotFound},
		{"no name", "", "", false, codes.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := client.ModelReady(context.Background(), &pb.ModelReadyRequest{Name: tc.model, Version: tc.version})
			require.Equal(t, tc.code, status.Code(err), "%v", err)
			assert.Equal(t, tc.ready, resp.GetReady())
		})
	}
}

func TestServerMetadata(t *testing.T) {
	client, _, _ := startServer(t, newFakeCore(), Options{})
	md, err := client.ServerMetadata(context.Background(), &pb.ServerMetadataRequest{})
	require.NoError(t, err)
	assert.Equal(t, "mlctl", md.GetName())
	assert.Equal(t, "0.0.0-test", md.GetVersion())
	assert.Equal(t, []string{"model_repository"}, md.GetExtensions())
}

func TestModelMetadata(t *testing.T) {
	client, _, _ := startServer(t, newFakeCore(), Options{})
	md, err := client.ModelMetadata(context.Background(), &pb.ModelMetadataRequest{Name: "sum"})
	require.NoError(t, err)
	assert.Equal(t, "sum", md.GetName())
	assert.Equal(t, []string{"1", "2"}, md.GetVersions())
	assert.Equal(t, "onnx", md.GetPlatform())
	require.Len(t, md.GetInputs(), 1)
	assert.Equal(t, "x", md.GetInputs()[0].GetName())
	assert.Equal(t, "FP64", md.GetInputs()[0].GetDatatype())
	assert.Equal(t, []int64{-1, 4}, md.GetInputs()[0].GetShape())
	require.Len(t, md.GetOutputs(), 2)
	assert.Equal(t, "total", md.GetOutputs()[0].GetName())
	assert.Equal(t, "INT64", md.GetOutputs()[1].GetDatatype())

	for _, tc := range []struct {
		name, model, version string
		code                 codes.Code
	}{
		{"unknown model", "nope", "", codes.NotFound},
		{"unknown version", "sum", "3", codes.NotFound},
		{"no name", "", "", codes.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.ModelMetadata(context.Background(), &pb.ModelMetadataRequest{Name: tc.model, Version: tc.version})
			assert.Equal(t, tc.code, status.Code(err), "%v", err)
		})
	}
}
