package grpcapi

import (
	"context"
	"fmt"
	"log/slog"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// DefaultMaxRecvBytes bounds a request message when Options.MaxRecvBytes is
// 0. gRPC's own default (4 MiB) is small for tensors.
const DefaultMaxRecvBytes = 64 << 20

// Options configures the gRPC front end.
type Options struct {
	// MaxRecvBytes bounds a request message and the decoded size of each
	// input tensor; 0 means DefaultMaxRecvBytes.
	MaxRecvBytes int
	// Logger receives failures the client sees as INTERNAL; nil discards.
	Logger *slog.Logger
	// Token, when set, is the bearer token every call but the health check
	// must carry as "authorization: Bearer <token>" metadata; a call without
	// it fails with UNAUTHENTICATED.
	Token string
	// ServerOptions are added to the server's own (TLS credentials, say).
	ServerOptions []grpc.ServerOption
	// Metrics, when set, counts ModelInfer calls beside the HTTP ones
	// (protocol "v2-grpc", code the HTTP status of the same outcome).
	Metrics *serve.Metrics
}

// NewServer returns a gRPC server that answers inference.GRPCInferenceService
// from inf, with the standard health service (SERVING while inf is ready)
// and server reflection, so grpcurl needs no .proto file. The caller serves
// it on a listener and stops it.
func NewServer(inf serve.Inferencer, opts Options) *grpc.Server {
	if opts.MaxRecvBytes <= 0 {
		opts.MaxRecvBytes = DefaultMaxRecvBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	serverOpts := []grpc.ServerOption{grpc.MaxRecvMsgSize(opts.MaxRecvBytes)}
	if opts.Token != "" {
		auth := bearerAuth{token: []byte(opts.Token)}
		serverOpts = append(serverOpts, grpc.ChainUnaryInterceptor(auth.unary), grpc.ChainStreamInterceptor(auth.stream))
	}
	s := grpc.NewServer(append(serverOpts, opts.ServerOptions...)...)
	pb.RegisterGRPCInferenceServiceServer(s, &service{inf: inf, maxBytes: opts.MaxRecvBytes, log: opts.Logger, metrics: opts.Metrics})
	grpc_health_v1.RegisterHealthServer(s, &health{inf: inf})
	reflection.Register(s)
	return s
}

// service implements GRPCInferenceService over an Inferencer.
type service struct {
	pb.UnimplementedGRPCInferenceServiceServer
	inf      serve.Inferencer
	maxBytes int
	log      *slog.Logger
	metrics  *serve.Metrics
}

func (s *service) ServerLive(context.Context, *pb.ServerLiveRequest) (*pb.ServerLiveResponse, error) {
	return &pb.ServerLiveResponse{Live: s.inf.Live()}, nil
}

func (s *service) ServerReady(context.Context, *pb.ServerReadyRequest) (*pb.ServerReadyResponse, error) {
	return &pb.ServerReadyResponse{Ready: s.inf.Ready()}, nil
}

func (s *service) ModelReady(_ context.Context, req *pb.ModelReadyRequest) (*pb.ModelReadyResponse, error) {
	if req.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "name is empty: say which model")
	}
	ready, err := s.inf.ModelReady(req.GetName(), req.GetVersion())
	if err != nil {
		return nil, s.fail("ModelReady", err)
	}
	return &pb.ModelReadyResponse{Ready: ready}, nil
}

func (s *service) ServerMetadata(context.Context, *pb.ServerMetadataRequest) (*pb.ServerMetadataResponse, error) {
	md := s.inf.Metadata()
	return &pb.ServerMetadataResponse{Name: md.Name, Version: md.Version, Extensions: md.Extensions}, nil
}

func (s *service) ModelMetadata(_ context.Context, req *pb.ModelMetadataRequest) (*pb.ModelMetadataResponse, error) {
	if req.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "name is empty: say which model")
	}
	md, err := s.inf.Model(req.GetName(), req.GetVersion())
	if err != nil {
		return nil, s.fail("ModelMetadata", err)
	}
	versions := md.Versions
	if len(versions) == 0 && md.Version != "" {
		versions = []string{md.Version}
	}
	return &pb.ModelMetadataResponse{
		Name: md.Name, Versions: versions, Platform: md.Platform,
		Inputs: tensorMetadata(md.Inputs), Outputs: tensorMetadata(md.Outputs),
	}, nil
}

func tensorMetadata(specs []flavors.Spec) []*pb.ModelMetadataResponse_TensorMetadata {
	out := make([]*pb.ModelMetadataResponse_TensorMetadata, len(specs))
	for i, sp := range specs {
		out[i] = &pb.ModelMetadataResponse_TensorMetadata{Name: sp.Name, Datatype: string(sp.DType), Shape: sp.Shape}
	}
	return out
}

// fail turns an error into the status the client sees, logging the ones
// that are the server's fault.
func (s *service) fail(method string, err error) error {
	st := statusError(err)
	if status.Code(st) == codes.Internal {
		s.log.Error("grpc request failed", "method", method, "err", err)
	}
	return st
}

// health answers grpc.health.v1 from the core's readiness: the server ("")
// and the inference service are SERVING when every model can answer.
type health struct {
	grpc_health_v1.UnimplementedHealthServer
	inf serve.Inferencer
}

func (h *health) Check(_ context.Context, req *grpc_health_v1.HealthCheckRequest) (*grpc_health_v1.HealthCheckResponse, error) {
	switch req.GetService() {
	case "", pb.GRPCInferenceService_ServiceDesc.ServiceName:
	default:
		return nil, status.Error(codes.NotFound, fmt.Sprintf("unknown service %q: this server reports on \"\" and %q",
			req.GetService(), pb.GRPCInferenceService_ServiceDesc.ServiceName))
	}
	st := grpc_health_v1.HealthCheckResponse_NOT_SERVING
	if h.inf.Ready() {
		st = grpc_health_v1.HealthCheckResponse_SERVING
	}
	return &grpc_health_v1.HealthCheckResponse{Status: st}, nil
}
