package grpcapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/mlctl/mlctl/pkg/flavors"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// fp64Raw lays out float64s as a client does (numpy's tobytes on x86).
func fp64Raw(v ...float64) []byte {
	var buf bytes.Buffer
	_ = binary.Write(&buf, binary.LittleEndian, v)
	return buf.Bytes()
}

func sumInput(rows int64, contents *pb.InferTensorContents) *pb.ModelInferRequest_InferInputTensor {
	return &pb.ModelInferRequest_InferInputTensor{Name: "x", Datatype: "FP64", Shape: []int64{rows, 4}, Contents: contents}
}

func TestModelInferTyped(t *testing.T) {
	core := newFakeCore()
	client, _, _ := startServer(t, core, Options{})
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-mlctl-route-key", "user-7")
	resp, err := client.ModelInfer(ctx, &pb.ModelInferRequest{
		ModelName: "sum", Id: "req-1",
		Parameters: map[string]*pb.InferParameter{
			"flag":  {ParameterChoice: &pb.InferParameter_BoolParam{BoolParam: true}},
			"n":     {ParameterChoice: &pb.InferParameter_Int64Param{Int64Param: -3}},
			"s":     {ParameterChoice: &pb.InferParameter_StringParam{StringParam: "v"}},
			"f":     {ParameterChoice: &pb.InferParameter_DoubleParam{DoubleParam: 0.5}},
			"large": {ParameterChoice: &pb.InferParameter_Uint64Param{Uint64Param: math.MaxUint64}},
		},
		Inputs: []*pb.ModelInferRequest_InferInputTensor{sumInput(2, &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3, 4, 10, 20, 30, 40}})},
	})
	require.NoError(t, err)
	assert.Equal(t, "sum", resp.GetModelName())
	assert.Equal(t, "2", resp.GetModelVersion(), "the default route answered")
	assert.Equal(t, "req-1", resp.GetId())
	assert.Equal(t, "uuid-sum-2", resp.GetParameters()["model_uuid"].GetStringParam())
	assert.Empty(t, resp.GetRawOutputContents(), "a typed request gets typed outputs")
	require.Len(t, resp.GetOutputs(), 2)
	total := resp.GetOutputs()[0]
	assert.Equal(t, "total", total.GetName())
	assert.Equal(t, "FP64", total.GetDatatype())
	assert.Equal(t, []int64{2}, total.GetShape())
	assert.Equal(t, []float64{20, 200}, total.GetContents().GetFp64Contents())
	assert.Equal(t, []int64{2, 2}, resp.GetOutputs()[1].GetContents().GetInt64Contents())

	seen := core.lastRequest()
	assert.Equal(t, "v2-grpc", seen.Protocol)
	assert.Equal(t, "user-7", seen.RouteKey)
	assert.Equal(t, "req-1", seen.ID)
	assert.False(t, seen.Received.IsZero())
	assert.Equal(t, map[string]any{"flag": true, "n": int64(-3), "s": "v", "f": 0.5, "large": uint64(math.MaxUint64)}, seen.Params)
}

func TestModelInferRaw(t *testing.T) {
	client, _, _ := startServer(t, newFakeCore(), Options{})
	resp, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{
		ModelName: "sum", ModelVersion: "1",
		Inputs:           []*pb.ModelInferRequest_InferInputTensor{sumInput(2, nil)},
		Outputs:          []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "total"}},
		RawInputContents: [][]byte{fp64Raw(1, 2, 3, 4, 10, 20, 30, 40)},
	})
	require.NoError(t, err)
	assert.Equal(t, "1", resp.GetModelVersion())
	assert.Equal(t, "uuid-sum-1", resp.GetParameters()["model_uuid"].GetStringParam())
	require.Len(t, resp.GetOutputs(), 1, "only the requested output")
	assert.Equal(t, "total", resp.GetOutputs()[0].GetName())
	assert.Nil(t, resp.GetOutputs()[0].GetContents(), "raw responses carry no typed contents")
	assert.Equal(t, [][]byte{fp64Raw(10, 100)}, resp.GetRawOutputContents())
}

func TestModelInferBinaryOutputRequested(t *testing.T) {
	client, _, _ := startServer(t, newFakeCore(), Options{})
	yes := &pb.InferParameter{ParameterChoice: &pb.InferParameter_BoolParam{BoolParam: true}}
	typed := &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3, 4}}
	for _, req := range []*pb.ModelInferRequest{
		{ModelName: "sum", Inputs: []*pb.ModelInferRequest_InferInputTensor{sumInput(1, typed)},
			Parameters: map[string]*pb.InferParameter{"binary_data_output": yes}},
		{ModelName: "sum", Inputs: []*pb.ModelInferRequest_InferInputTensor{sumInput(1, typed)},
			Outputs: []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "total", Parameters: map[string]*pb.InferParameter{"binary_data": yes}}}},
	} {
		resp, err := client.ModelInfer(context.Background(), req)
		require.NoError(t, err)
		require.NotEmpty(t, resp.GetRawOutputContents())
		assert.Equal(t, fp64Raw(20), resp.GetRawOutputContents()[0])
	}
}

// dtypeCase is one datatype's values, as typed contents and as the Go data
// the core should receive.
type dtypeCase struct {
	dtype flavors.DType
	data  any
	typed *pb.InferTensorContents // nil: no typed form (FP16)
}

func dtypeCases() []dtypeCase {
	return []dtypeCase{
		{flavors.Bool, []bool{true, false}, &pb.InferTensorContents{BoolContents: []bool{true, false}}},
		{flavors.Uint8, []uint8{0, 255}, &pb.InferTensorContents{UintContents: []uint32{0, 255}}},
		{flavors.Uint16, []uint16{1, 65535}, &pb.InferTensorContents{UintContents: []uint32{1, 65535}}},
		{flavors.Uint32, []uint32{2, math.MaxUint32}, &pb.InferTensorContents{UintContents: []uint32{2, math.MaxUint32}}},
		{flavors.Uint64, []uint64{3, math.MaxUint64}, &pb.InferTensorContents{Uint64Contents: []uint64{3, math.MaxUint64}}},
		{flavors.Int8, []int8{-128, 127}, &pb.InferTensorContents{IntContents: []int32{-128, 127}}},
		{flavors.Int16, []int16{-32768, 32767}, &pb.InferTensorContents{IntContents: []int32{-32768, 32767}}},
		{flavors.Int32, []int32{math.MinInt32, math.MaxInt32}, &pb.InferTensorContents{IntContents: []int32{math.MinInt32, math.MaxInt32}}},
		{flavors.Int64, []int64{math.MinInt64, math.MaxInt64}, &pb.InferTensorContents{Int64Contents: []int64{math.MinInt64, math.MaxInt64}}},
		{flavors.FP16, []uint16{0x3c00, 0xc000}, nil}, // 1.0, -2.0
		{flavors.FP32, []float32{1.5, -2.25}, &pb.InferTensorContents{Fp32Contents: []float32{1.5, -2.25}}},
		{flavors.FP64, []float64{math.Pi, math.Inf(-1)}, &pb.InferTensorContents{Fp64Contents: []float64{math.Pi, math.Inf(-1)}}},
		{flavors.Bytes, []string{"", "héllo\x00world"}, &pb.InferTensorContents{BytesContents: [][]byte{{}, []byte("héllo\x00world")}}},
	}
}

// clientRaw encodes data as a client library does, independently of encodeRaw.
func clientRaw(t *testing.T, data any) []byte {
	var buf bytes.Buffer
	if s, ok := data.([]string); ok {
		for _, e := range s {
			require.NoError(t, binary.Write(&buf, binary.LittleEndian, uint32(len(e))))
			buf.WriteString(e)
		}
		return buf.Bytes()
	}
	require.NoError(t, binary.Write(&buf, binary.LittleEndian, data))
	return buf.Bytes()
}

func TestModelInferEveryDatatype(t *testing.T) {
	core := newFakeCore()
	client, _, _ := startServer(t, core, Options{})
	for _, tc := range dtypeCases() {
		name := strings.ToLower(string(tc.dtype))
		t.Run(string(tc.dtype)+"/raw", func(t *testing.T) {
			raw := clientRaw(t, tc.data)
			resp, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{
				ModelName:        "echo",
				Inputs:           []*pb.ModelInferRequest_InferInputTensor{{Name: name, Datatype: string(tc.dtype), Shape: []int64{1, 2}}},
				RawInputContents: [][]byte{raw},
			})
			require.NoError(t, err)
			got, _ := core.lastRequest().Inputs.Get(name)
			assert.Equal(t, tc.data, got.Data)
			assert.Equal(t, []int64{1, 2}, got.Shape)
			require.Len(t, resp.GetOutputs(), 1)
			assert.Equal(t, string(tc.dtype), resp.GetOutputs()[0].GetDatatype())
			assert.Equal(t, [][]byte{raw}, resp.GetRawOutputContents())
		})
		t.Run(string(tc.dtype)+"/typed", func(t *testing.T) {
			resp, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{
				ModelName: "echo",
				Inputs:    []*pb.ModelInferRequest_InferInputTensor{{Name: name, Datatype: string(tc.dtype), Shape: []int64{1, 2}, Contents: tc.typed}},
			})
			if tc.typed == nil {
				require.Equal(t, codes.InvalidArgument, status.Code(err))
				assert.Contains(t, status.Convert(err).Message(), "raw_input_contents")
				return
			}
			require.NoError(t, err)
			got, _ := core.lastRequest().Inputs.Get(name)
			assert.Equal(t, tc.data, got.Data)
			require.Len(t, resp.GetOutputs(), 1)
			assert.Empty(t, resp.GetRawOutputContents())
			assert.True(t, proto.Equal(tc.typed, resp.GetOutputs()[0].GetContents()), "got %v", resp.GetOutputs()[0].GetContents())
		})
	}
}

func TestModelInferFP16OutputIsRaw(t *testing.T) {
	core := newFakeCore()
	m := core.models["echo"]
	m.predict = func(context.Context, string, flavors.Batch) (flavors.Batch, error) {
		return flavors.Batch{Tensors: []flavors.Tensor{
			{Name: "fp16", DType: flavors.FP16, Shape: []int64{1}, Data: []uint16{0x3c00}},
			{Name: "int8", DType: flavors.Int8, Shape: []int64{1}, Data: []int8{-1}},
		}}, nil
	}
	core.models["echo"] = m
	client, _, _ := startServer(t, core, Options{})
	resp, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{
		ModelName: "echo",
		Inputs: []*pb.ModelInferRequest_InferInputTensor{{Name: "fp64", Datatype: "FP64", Shape: []int64{1, 1},
			Contents: &pb.InferTensorContents{Fp64Contents: []float64{1}}}},
	})
	require.NoError(t, err)
	assert.Equal(t, [][]byte{{0x00, 0x3c}, {0xff}}, resp.GetRawOutputContents(), "FP16 has no typed field, so the whole response is raw")
}

func TestModelInferTabular(t *testing.T) {
	core := newFakeCore()
	client, _, _ := startServer(t, core, Options{})
	pd := map[string]*pb.InferParameter{"content_type": {ParameterChoice: &pb.InferParameter_StringParam{StringParam: "pd"}}}
	col := func(name, dtype string, shape []int64, c *pb.InferTensorContents) *pb.ModelInferRequest_InferInputTensor {
		return &pb.ModelInferRequest_InferInputTensor{Name: name, Datatype: dtype, Shape: shape, Contents: c}
	}
	for _, tc := range []struct {
		name   string
		params map[string]*pb.InferParameter
		inputs []*pb.ModelInferRequest_InferInputTensor
		want   []float64
		msg    string // an InvalidArgument message when not ""
	}{
		{
			name: "columns as the model declares them",
			inputs: []*pb.ModelInferRequest_InferInputTensor{
				col("sepal_length", "FP64", []int64{2}, &pb.InferTensorContents{Fp64Contents: []float64{5.1, 4.9}}),
				col("sepal_width", "FP64", []int64{2}, &pb.InferTensorContents{Fp64Contents: []float64{3.5, 3}}),
				col("petals", "INT64", []int64{2, 1}, &pb.InferTensorContents{Int64Contents: []int64{1, 2}}),
			},
			want: []float64{9.6, 9.9},
		},
		{
			name: "[N,1] and [N] swapped",
			inputs: []*pb.ModelInferRequest_InferInputTensor{
				col("sepal_length", "FP64", []int64{1, 1}, &pb.InferTensorContents{Fp64Contents: []float64{5}}),
				col("sepal_width", "FP64", []int64{1}, &pb.InferTensorContents{Fp64Contents: []float64{3}}),
				col("petals", "INT64", []int64{1}, &pb.InferTensorContents{Int64Contents: []int64{2}}),
			},
			want: []float64{10},
		},
		{
			name:   "pd casts columns",
			params: pd,
			inputs: []*pb.ModelInferRequest_InferInputTensor{
				col("sepal_length", "INT64", []int64{1}, &pb.InferTensorContents{Int64Contents: []int64{5}}),
				col("sepal_width", "BYTES", []int64{1}, &pb.InferTensorContents{BytesContents: [][]byte{[]byte("3.5")}}),
				col("petals", "FP64", []int64{1}, &pb.InferTensorContents{Fp64Contents: []float64{2}}),
			},
			want: []float64{10.5},
		},
		{
			name:   "pd refuses a fraction for an integer column",
			params: pd,
			inputs: []*pb.ModelInferRequest_InferInputTensor{
				col("sepal_length", "FP64", []int64{1}, &pb.InferTensorContents{Fp64Contents: []float64{5}}),
				col("sepal_width", "FP64", []int64{1}, &pb.InferTensorContents{Fp64Contents: []float64{3}}),
				col("petals", "FP64", []int64{1}, &pb.InferTensorContents{Fp64Contents: []float64{2.5}}),
			},
			msg: `input "petals" element 0: 2.5 is not a INT64`,
		},
		{
			name: "without pd the datatype must match",
			inputs: []*pb.ModelInferRequest_InferInputTensor{
				col("sepal_length", "INT64", []int64{1}, &pb.InferTensorContents{Int64Contents: []int64{5}}),
			},
			msg: `input "sepal_length": expected datatype FP64, got INT64`,
		},
		{
			name: "columns of different lengths",
			inputs: []*pb.ModelInferRequest_InferInputTensor{
				col("sepal_length", "FP64", []int64{2}, &pb.InferTensorContents{Fp64Contents: []float64{5, 6}}),
				col("sepal_width", "FP64", []int64{1}, &pb.InferTensorContents{Fp64Contents: []float64{3}}),
				col("petals", "INT64", []int64{1}, &pb.InferTensorContents{Int64Contents: []int64{2}}),
			},
			msg: `tensor "sepal_width" has 1 rows, tensor "sepal_length" has 2`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{ModelName: "iris", Parameters: tc.params, Inputs: tc.inputs})
			if tc.msg != "" {
				require.Equal(t, codes.InvalidArgument, status.Code(err), "%v", err)
				assert.Contains(t, status.Convert(err).Message(), tc.msg)
				return
			}
			require.NoError(t, err)
			assert.InDeltaSlice(t, tc.want, resp.GetOutputs()[0].GetContents().GetFp64Contents(), 1e-12)
		})
	}
}

func TestModelInferErrors(t *testing.T) {
	const limit = 4096
	client, _, _ := startServer(t, newFakeCore(), Options{MaxRecvBytes: limit})
	one := &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3, 4}}
	input := func(name, dtype string, shape []int64, c *pb.InferTensorContents) []*pb.ModelInferRequest_InferInputTensor {
		return []*pb.ModelInferRequest_InferInputTensor{{Name: name, Datatype: dtype, Shape: shape, Contents: c}}
	}
	for _, tc := range []struct {
		name    string
		req     *pb.ModelInferRequest
		timeout time.Duration
		code    codes.Code
		msg     string
	}{
		{"no model name", &pb.ModelInferRequest{Inputs: input("x", "FP64", []int64{1, 4}, one)}, 0, codes.InvalidArgument, "model_name is empty"},
		{"unknown model", &pb.ModelInferRequest{ModelName: "nope", Inputs: input("x", "FP64", []int64{1, 4}, one)}, 0, codes.NotFound, `"nope"`},
		{"unknown version", &pb.ModelInferRequest{ModelName: "sum", ModelVersion: "7", Inputs: input("x", "FP64", []int64{1, 4}, one)}, 0, codes.NotFound, `no version "7"`},
		{"no inputs", &pb.ModelInferRequest{ModelName: "sum"}, 0, codes.InvalidArgument, "no inputs"},
		{"unnamed input", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("", "FP64", []int64{1, 4}, one)}, 0, codes.InvalidArgument, "inputs[0] has no name"},
		{"input twice", &pb.ModelInferRequest{ModelName: "sum", Inputs: append(input("x", "FP64", []int64{1, 4}, one), input("x", "FP64", []int64{1, 4}, one)...)}, 0, codes.InvalidArgument, `input "x" appears twice`},
		{"unknown datatype", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "float64", []int64{1, 4}, one)}, 0, codes.InvalidArgument, `input "x": unknown datatype "float64"`},
		{"negative dimension", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{-1, 4}, one)}, 0, codes.InvalidArgument, `input "x": shape [-1,4] has -1 in dimension 0`},
		{"too few elements", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{2, 4}, one)}, 0, codes.InvalidArgument, `input "x": shape needs 8 elements, contents.fp64_contents has 4`},
		{"no contents", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, nil)}, 0, codes.InvalidArgument, `shape needs 4 elements, contents.fp64_contents has 0`},
		{"wrong contents field", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, &pb.InferTensorContents{Fp32Contents: []float32{1, 2, 3, 4}})}, 0, codes.InvalidArgument, `datatype FP64 takes its elements in contents.fp64_contents, got contents.fp32_contents`},
		{"raw and typed mixed", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, one), RawInputContents: [][]byte{fp64Raw(1, 2, 3, 4)}}, 0, codes.InvalidArgument, "use one or the other"},
		{"raw entries not one per input", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, nil), RawInputContents: [][]byte{fp64Raw(1, 2, 3, 4), fp64Raw(1)}}, 0, codes.InvalidArgument, "raw_input_contents has 2 entries and inputs has 1"},
		{"raw too short", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, nil), RawInputContents: [][]byte{fp64Raw(1, 2, 3)}}, 0, codes.InvalidArgument, `input "x": raw contents hold 24 bytes, shape needs 4 elements of FP64 (32 bytes)`},
		{"datatype differs from the model", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP32", []int64{1, 4}, &pb.InferTensorContents{Fp32Contents: []float32{1, 2, 3, 4}})}, 0, codes.InvalidArgument, `input "x": expected datatype FP64, got FP32`},
		{"shape differs from the model", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 3}, &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3}})}, 0, codes.InvalidArgument, `input "x": expected shape [-1,4], got [1,3]`},
		{"unknown input", &pb.ModelInferRequest{ModelName: "sum", Inputs: append(input("x", "FP64", []int64{1, 4}, one), input("y", "FP64", []int64{1, 4}, one)...)}, 0, codes.InvalidArgument, `unknown input "y": expected inputs x`},
		{"unknown output", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, one), Outputs: []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: "nope"}}}, 0, codes.InvalidArgument, `unknown output "nope"`},
		{"unnamed output", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, one), Outputs: []*pb.ModelInferRequest_InferRequestedOutputTensor{{}}}, 0, codes.InvalidArgument, "outputs[0] has no name"},
		{"INT8 out of range", &pb.ModelInferRequest{ModelName: "echo", Inputs: input("int8", "INT8", []int64{1, 1}, &pb.InferTensorContents{IntContents: []int32{200}})}, 0, codes.InvalidArgument, `input "int8" element 0: 200 is out of range for INT8`},
		{"UINT16 out of range", &pb.ModelInferRequest{ModelName: "echo", Inputs: input("uint16", "UINT16", []int64{1, 1}, &pb.InferTensorContents{UintContents: []uint32{70000}})}, 0, codes.InvalidArgument, `input "uint16" element 0: 70000 is out of range for UINT16`},
		{"BOOL byte not 0 or 1", &pb.ModelInferRequest{ModelName: "echo", Inputs: input("bool", "BOOL", []int64{1, 1}, nil), RawInputContents: [][]byte{{2}}}, 0, codes.InvalidArgument, `input "bool" element 0: BOOL byte is 2`},
		{"tensor over the size limit", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1000, 4}, one)}, 0, codes.InvalidArgument, `input "x": shape [1000,4] of FP64 is larger than the 4096-byte request limit`},
		{"shape product overflows", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1 << 40, 1 << 40}, one)}, 0, codes.InvalidArgument, "larger than the 4096-byte request limit"},
		{"BYTES count over the limit", &pb.ModelInferRequest{ModelName: "echo", Inputs: input("bytes", "BYTES", []int64{1, 5000}, nil), RawInputContents: [][]byte{{}}}, 0, codes.InvalidArgument, "larger than the 4096-byte request limit"},
		{"message over the size limit", &pb.ModelInferRequest{ModelName: "sum", Inputs: input("x", "FP64", []int64{1, 4}, nil), RawInputContents: [][]byte{make([]byte, limit)}}, 0, codes.ResourceExhausted, "larger than max"},
		{"queue full", &pb.ModelInferRequest{ModelName: "busy", Inputs: input("x", "FP64", []int64{1, 4}, one)}, 0, codes.Unavailable, "queue full"},
		{"model not ready", &pb.ModelInferRequest{ModelName: "down", Inputs: input("x", "FP64", []int64{1, 4}, one)}, 0, codes.Unavailable, "model not ready"},
		{"shutting down", &pb.ModelInferRequest{ModelName: "closing", Inputs: input("x", "FP64", []int64{1, 4}, one)}, 0, codes.Unavailable, "server shutting down"},
		{"model fails", &pb.ModelInferRequest{ModelName: "broken", Inputs: input("x", "FP64", []int64{1, 4}, one)}, 0, codes.Internal, "session crashed"},
		{"deadline", &pb.ModelInferRequest{ModelName: "slow", Inputs: input("x", "FP64", []int64{1, 4}, one)}, 50 * time.Millisecond, codes.DeadlineExceeded, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := client.ModelInfer(ctx, tc.req)
			require.Equal(t, tc.code, status.Code(err), "%v", err)
			assert.Contains(t, status.Convert(err).Message(), tc.msg)
		})
	}
}

func TestModelInferQueueFullAsksToRetry(t *testing.T) {
	client, _, _ := startServer(t, newFakeCore(), Options{})
	var trailer metadata.MD
	_, err := client.ModelInfer(context.Background(), &pb.ModelInferRequest{
		ModelName: "busy", Inputs: []*pb.ModelInferRequest_InferInputTensor{sumInput(1, &pb.InferTensorContents{Fp64Contents: []float64{1, 2, 3, 4}})},
	}, grpc.Trailer(&trailer))
	require.Equal(t, codes.Unavailable, status.Code(err))
	assert.Equal(t, []string{"1"}, trailer.Get("retry-after"))
}
