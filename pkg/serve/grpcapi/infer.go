package grpcapi

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// Metadata keys and parameters this front end reads or writes.
const (
	// routeKeyHeader carries the sticky A/B key to the router.
	routeKeyHeader = "x-mlctl-route-key"
	// contentTypeParam "pd" marks a request in the tabular convention.
	contentTypeParam = "content_type"
	// binaryOutputParam (request) and binaryDataParam (requested output)
	// ask for raw_output_contents, as in Triton's binary extension.
	binaryOutputParam = "binary_data_output"
	binaryDataParam   = "binary_data"
	// modelUUIDParam names, in the response, the model that answered.
	modelUUIDParam = "model_uuid"
)

func (s *service) ModelInfer(ctx context.Context, req *pb.ModelInferRequest) (*pb.ModelInferResponse, error) {
	received := time.Now()
	out, version, err := s.modelInfer(ctx, req, received)
	if version == "" {
		version = serve.ErrorVersion(err)
	}
	s.metrics.ObserveRequest(req.GetModelName(), version, "v2-grpc", strconv.Itoa(httpStatus(Code(err))), time.Since(received))
	if err != nil {
		if errors.Is(err, serve.ErrQueueFull) {
			_ = grpc.SetTrailer(ctx, metadata.Pairs("retry-after", strconv.Itoa(int(serve.RetryAfter/time.Second))))
		}
		return nil, s.fail("ModelInfer", err)
	}
	return out, nil
}

// modelInfer answers a ModelInfer call and says which version did.
func (s *service) modelInfer(ctx context.Context, req *pb.ModelInferRequest, received time.Time) (*pb.ModelInferResponse, string, error) {
	sreq, err := s.request(ctx, req)
	if err != nil {
		return nil, "", err
	}
	sreq.Received = received
	resp, err := s.inf.Infer(ctx, sreq)
	if err != nil {
		return nil, "", err
	}
	out, err := response(req, resp)
	return out, resp.Version, err
}

// httpStatus is the HTTP status of the outcome a gRPC code reports, so
// one metric counts both protocols (a rollout reads 5xx as failures).
func httpStatus(c codes.Code) int {
	switch c {
	case codes.OK:
		return 200
	case codes.InvalidArgument, codes.OutOfRange, codes.FailedPrecondition:
		return 400
	case codes.Unauthenticated:
		return 401
	case codes.PermissionDenied:
		return 403
	case codes.NotFound:
		return 404
	case codes.ResourceExhausted:
		return 413
	case codes.Canceled:
		return 499
	case codes.Unavailable:
		return 503
	case codes.DeadlineExceeded:
		return 504
	}
	return 500
}

// request decodes a ModelInferRequest and fits it to the model's inputs.
func (s *service) request(ctx context.Context, req *pb.ModelInferRequest) (*serve.Request, error) {
	if req.GetModelName() == "" {
		return nil, fmt.Errorf("%w: model_name is empty: say which model", flavors.ErrInvalidInput)
	}
	in, err := decodeInputs(req, s.maxBytes)
	if err != nil {
		return nil, err
	}
	md, err := s.inf.Model(req.GetModelName(), req.GetModelVersion())
	if err != nil {
		return nil, err
	}
	params := parameters(req.GetParameters())
	in, err = conform(in, md.Inputs, params[contentTypeParam] == "pd")
	if err != nil {
		return nil, err
	}
	var outputs []string
	for i, o := range req.GetOutputs() {
		if o.GetName() == "" {
			return nil, fmt.Errorf("%w: outputs[%d] has no name", flavors.ErrInvalidInput, i)
		}
		outputs = append(outputs, o.GetName())
	}
	var routeKey string
	if hdr, ok := metadata.FromIncomingContext(ctx); ok {
		if v := hdr.Get(routeKeyHeader); len(v) > 0 {
			routeKey = v[0]
		}
	}
	return &serve.Request{
		ID: req.GetId(), Model: req.GetModelName(), Version: req.GetModelVersion(), Protocol: "v2-grpc",
		Inputs: in, Outputs: outputs, RouteKey: routeKey, Params: params,
	}, nil
}

// parameters turns protocol parameters into the core's free-form map.
func parameters(in map[string]*pb.InferParameter) map[string]any {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]any, len(in))
	for k, p := range in {
		switch v := p.GetParameterChoice().(type) {
		case *pb.InferParameter_BoolParam:
			out[k] = v.BoolParam
		case *pb.InferParameter_Int64Param:
			out[k] = v.Int64Param
		case *pb.InferParameter_StringParam:
			out[k] = v.StringParam
		case *pb.InferParameter_DoubleParam:
			out[k] = v.DoubleParam
		case *pb.InferParameter_Uint64Param:
			out[k] = v.Uint64Param
		}
	}
	return out
}

// response encodes what the model answered. Outputs go in
// raw_output_contents when the request came raw or asked for binary
// outputs, or when an output is FP16 (which has no typed field); otherwise
// in typed contents.
func response(req *pb.ModelInferRequest, resp *serve.Response) (*pb.ModelInferResponse, error) {
	out := &pb.ModelInferResponse{
		ModelName: resp.Model, ModelVersion: resp.Version, Id: req.GetId(),
		Outputs: make([]*pb.ModelInferResponse_InferOutputTensor, len(resp.Outputs.Tensors)),
	}
	if out.ModelName == "" {
		out.ModelName = req.GetModelName()
	}
	if out.Id == "" {
		out.Id = resp.ID
	}
	if resp.UUID != "" {
		out.Parameters = map[string]*pb.InferParameter{
			modelUUIDParam: {ParameterChoice: &pb.InferParameter_StringParam{StringParam: resp.UUID}},
		}
	}
	raw := wantsRaw(req, resp.Outputs)
	if raw {
		out.RawOutputContents = make([][]byte, len(resp.Outputs.Tensors))
	}
	for i, t := range resp.Outputs.Tensors {
		o := &pb.ModelInferResponse_InferOutputTensor{Name: t.Name, Datatype: string(t.DType), Shape: t.Shape}
		var err error
		if raw {
			out.RawOutputContents[i], err = encodeRaw(t)
		} else {
			o.Contents, err = encodeTyped(t)
		}
		if err != nil {
			return nil, err
		}
		out.Outputs[i] = o
	}
	return out, nil
}

func wantsRaw(req *pb.ModelInferRequest, outputs flavors.Batch) bool {
	if len(req.GetRawInputContents()) > 0 || req.GetParameters()[binaryOutputParam].GetBoolParam() {
		return true
	}
	for _, o := range req.GetOutputs() {
		if o.GetParameters()[binaryDataParam].GetBoolParam() {
			return true
		}
	}
	for _, t := range outputs.Tensors {
		if t.DType == flavors.FP16 {
			return true
		}
	}
	return false
}
