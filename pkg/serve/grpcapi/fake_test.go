package grpcapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
	pb "github.com/mlctl/mlctl/pkg/serve/grpcapi/inferencepb"
)

// fakeCore is a serve.Inferencer with a few in-memory models. Like the real
// core it checks the batch against the signature and selects outputs.
type fakeCore struct {
	live, ready bool
	models      map[string]fakeModel

	mu   sync.Mutex
	last *serve.Request
}

type fakeModel struct {
	md       serve.ModelMetadata
	notReady bool
	predict  func(ctx context.Context, version string, in flavors.Batch) (flavors.Batch, error)
}

var _ serve.Inferencer = (*fakeCore)(nil)

func (c *fakeCore) Live() bool  { return c.live }
func (c *fakeCore) Ready() bool { return c.ready }

func (c *fakeCore) Metadata() serve.ServerMetadata {
	return serve.ServerMetadata{Name: "mlctl", Version: "0.0.0-test", Extensions: []string{"model_repository"}}
}

func (c *fakeCore) Models() []serve.ModelIndexEntry { return nil }

func (c *fakeCore) Model(name, version string) (serve.ModelMetadata, error) {
	m, ok := c.models[name]
	if !ok {
		return serve.ModelMetadata{}, fmt.Errorf("%w: %q", serve.ErrModelNotFound, name)
	}
	md := m.md
	switch {
	case version == "":
		md.Version = md.Versions[len(md.Versions)-1]
	case slices.Contains(md.Versions, version):
		md.Version = version
	default:
		return serve.ModelMetadata{}, fmt.Errorf("%w: %q has no version %q", serve.ErrModelNotFound, name, version)
	}
	md.UUID = "uuid-" + name + "-" + md.Version
	return md, nil
}

func (c *fakeCore) ModelReady(name, version string) (bool, error) {
	if _, err := c.Model(name, version); err != nil {
		return false, err
	}
	return !c.models[name].notReady, nil
}

func (c *fakeCore) Infer(ctx context.Context, req *serve.Request) (*serve.Response, error) {
	c.mu.Lock()
	c.last = req
	c.mu.Unlock()
	md, err := c.Model(req.Model, req.Version)
	if err != nil {
		return nil, err
	}
	if err := (flavors.Signature{Inputs: md.Inputs}).Check(req.Inputs); err != nil {
		return nil, fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
	}
	out, err := c.models[req.Model].predict(ctx, md.Version, req.Inputs)
	if err != nil {
		return nil, err
	}
	if len(req.Outputs) > 0 {
		sel := flavors.Batch{}
		for _, name := range req.Outputs {
			t, ok := out.Get(name)
			if !ok {
				return nil, fmt.Errorf("%w: unknown output %q: the model has %v", flavors.ErrInvalidInput, name, out.Names())
			}
			sel.Tensors = append(sel.Tensors, t)
		}
		out = sel
	}
	return &serve.Response{ID: req.ID, Model: req.Model, Version: md.Version, UUID: md.UUID, Outputs: out}, nil
}

// lastRequest is the request the core saw most recently.
func (c *fakeCore) lastRequest() *serve.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// newFakeCore serves these models:
//   - sum (versions 1, 2): x FP64 [-1,4] → total FP64 [-1] (row sums, times
//     the version number) and rows INT64 [-1];
//   - echo: one optional [-1,-1] input per datatype, named in lower case,
//     returned as it came;
//   - iris: the tabular convention, columns sepal_length, sepal_width FP64
//     [-1] and petals INT64 [-1,1] → prediction FP64 [-1] (their sum);
//   - busy, down (also not ready), closing, broken, slow: sum's signature,
//     failing as named.
func newFakeCore() *fakeCore {
	x := []flavors.Spec{{Name: "x", DType: flavors.FP64, Shape: []int64{-1, 4}}}
	sumOut := []flavors.Spec{{Name: "total", DType: flavors.FP64, Shape: []int64{-1}}, {Name: "rows", DType: flavors.Int64, Shape: []int64{-1}}}
	failing := func(err error) fakeModel {
		return fakeModel{
			md:      serve.ModelMetadata{Versions: []string{"1"}, Platform: "onnx", Inputs: x, Outputs: sumOut},
			predict: func(context.Context, string, flavors.Batch) (flavors.Batch, error) { return flavors.Batch{}, err },
		}
	}
	var echoSpecs []flavors.Spec
	for _, d := range flavors.AllDTypes {
		echoSpecs = append(echoSpecs, flavors.Spec{Name: strings.ToLower(string(d)), DType: d, Shape: []int64{-1, -1}, Nullable: true})
	}
	models := map[string]fakeModel{
		"sum": {
			md:      serve.ModelMetadata{Versions: []string{"1", "2"}, Platform: "onnx", Inputs: x, Outputs: sumOut},
			predict: sumRows,
		},
		"echo": {
			md:      serve.ModelMetadata{Versions: []string{"1"}, Platform: "pmml", Inputs: echoSpecs, Outputs: echoSpecs},
			predict: func(_ context.Context, _ string, in flavors.Batch) (flavors.Batch, error) { return in, nil },
		},
		"iris": {
			md: serve.ModelMetadata{Versions: []string{"1"}, Platform: "pickle",
				Inputs: []flavors.Spec{
					{Name: "sepal_length", DType: flavors.FP64, Shape: []int64{-1}},
					{Name: "sepal_width", DType: flavors.FP64, Shape: []int64{-1}},
					{Name: "petals", DType: flavors.Int64, Shape: []int64{-1, 1}},
				},
				Outputs: []flavors.Spec{{Name: "prediction", DType: flavors.FP64, Shape: []int64{-1}}}},
			predict: sumColumns,
		},
		"busy":    failing(fmt.Errorf("%w: model busy is at its queue limit", serve.ErrQueueFull)),
		"down":    failing(fmt.Errorf("%w: busy is unloaded", serve.ErrNotReady)),
		"closing": failing(serve.ErrShuttingDown),
		"broken":  failing(errors.New("session crashed")),
		"slow": {
			md: serve.ModelMetadata{Versions: []string{"1"}, Platform: "onnx", Inputs: x, Outputs: sumOut},
			predict: func(ctx context.Context, _ string, _ flavors.Batch) (flavors.Batch, error) {
				<-ctx.Done()
				return flavors.Batch{}, ctx.Err()
			},
		},
	}
	for name, m := range models {
		m.md.Name = name
		models[name] = m
	}
	down := models["down"]
	down.notReady = true
	models["down"] = down
	return &fakeCore{live: true, ready: true, models: models}
}

func sumRows(_ context.Context, version string, in flavors.Batch) (flavors.Batch, error) {
	x, _ := in.Get("x")
	v := x.Data.([]float64)
	factor := float64(version[0] - '0')
	rows := x.Rows()
	total := make([]float64, rows)
	for r := range rows {
		for _, f := range v[r*4 : r*4+4] {
			total[r] += f * factor
		}
	}
	return flavors.Batch{Tensors: []flavors.Tensor{
		{Name: "total", DType: flavors.FP64, Shape: []int64{int64(rows)}, Data: total},
		{Name: "rows", DType: flavors.Int64, Shape: []int64{int64(rows)}, Data: slices.Repeat([]int64{int64(rows)}, rows)},
	}}, nil
}

func sumColumns(_ context.Context, _ string, in flavors.Batch) (flavors.Batch, error) {
	rows := in.Rows()
	out := make([]float64, rows)
	for _, t := range in.Tensors {
		f, err := t.Float64s()
		if err != nil {
			return flavors.Batch{}, err
		}
		for i, v := range f {
			out[i] += v
		}
	}
	return flavors.Batch{Tensors: []flavors.Tensor{{Name: "prediction", DType: flavors.FP64, Shape: []int64{int64(rows)}, Data: out}}}, nil
}

// startServer serves core on a loopback port and returns a client.
func startServer(t testing.TB, core serve.Inferencer, opts Options) (pb.GRPCInferenceServiceClient, *grpc.ClientConn, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(core, opts)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return pb.NewGRPCInferenceServiceClient(conn), conn, lis.Addr().String()
}
