package serve_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/pack"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/httpapi"
)

// The serving benchmarks give the numbers behind the ratios in
// docs/benchmarks.md ("Serving"); bench/serve.sh runs them with the
// load-test harness. Nothing here asserts a time.
//
//	go test ./pkg/serve -run '^$' -bench . -benchtime 2s
//
// MLCTL_BENCH_MLP names the compute-bound ONNX MLP that bench/make_mlp.py
// writes; without it the tiny examples/models/iris_mlp stands in.

// benchModel is one model file the benchmarks serve.
type benchModel struct {
	name, flavor, file string
}

func benchModels(b *testing.B) []benchModel {
	mlp := benchModel{"mlp", "onnx", os.Getenv("MLCTL_BENCH_MLP")}
	if mlp.file == "" {
		mlp.file = filepath.Join(examples, "iris_mlp", "model.onnx")
		b.Logf("MLCTL_BENCH_MLP unset: the tiny iris_mlp stands in for the compute-bound MLP (bench/make_mlp.py writes one)")
	}
	forest := func(flavor, ext string) benchModel {
		return benchModel{"iris_forest", flavor, filepath.Join(examples, "iris_forest", "model."+ext)}
	}
	return []benchModel{forest("pmml", "pmml"), forest("onnx", "onnx"), forest("pickle", "pkl"), mlp}
}

// available skips a flavor whose runtime is missing here.
func (m benchModel) available(b *testing.B) bool {
	if m.flavor == "onnx" {
		if _, err := onnx.LibraryPath(""); err != nil {
			b.Logf("skip %s/onnx: %v", m.name, err)
			return false
		}
	}
	return true
}

// packed packs the model file into a one-flavor bundle in dir.
func (m benchModel) packed(b *testing.B, dir string) string {
	out := filepath.Join(dir, m.name+"-"+m.flavor+".mlb")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if _, err := pack.Pack(context.Background(), pack.Options{Models: []string{m.file}, Out: out, Name: m.name}); err != nil {
		b.Fatalf("pack %s: %v", m.file, err)
	}
	return out
}

// splitBody is an MLflow dataframe_split request of rows rows for inputs:
// one column per 1-D input, or k columns for a single [-1, k] input. Iris
// inputs take real rows from the example's input.csv; others get values in
// [-1, 1).
func splitBody(b *testing.B, inputs []flavors.Spec, rows int) []byte {
	var cols []string
	for _, in := range inputs {
		if len(in.Shape) == 2 && len(inputs) == 1 {
			for j := int64(0); j < in.Shape[1]; j++ {
				cols = append(cols, fmt.Sprintf("x%d", j))
			}
			break
		}
		cols = append(cols, in.Name)
	}
	iris := irisRows(b)
	r := rand.New(rand.NewPCG(1, 2))
	data := make([][]float64, rows)
	for i := range data {
		data[i] = make([]float64, len(cols))
		for j := range data[i] {
			if len(cols) == 4 && cols[0] == "sepal_length" {
				data[i][j] = iris[i%len(iris)][j]
			} else {
				data[i][j] = math.Round((r.Float64()*2-1)*1e4) / 1e4
			}
		}
	}
	body, err := json.Marshal(map[string]any{"dataframe_split": map[string]any{"columns": cols, "data": data}})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func irisRows(b *testing.B) [][]float64 {
	f, err := os.Open(filepath.Join(examples, "iris_forest", "input.csv"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	var rows [][]float64
	for _, rec := range recs[1:] {
		row := make([]float64, len(rec))
		for j, s := range rec {
			if row[j], err = strconv.ParseFloat(s, 64); err != nil {
				b.Fatal(err)
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// BenchmarkRawModel is T_raw(b): the loaded model's Predict, as the batcher
// calls it, on a batch decoded beforehand, one goroutine. rows/s is X_raw(b).
func BenchmarkRawModel(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	for _, m := range benchModels(b) {
		if !m.available(b) {
			continue
		}
		bd, err := bundle.Open(m.packed(b, dir))
		if err != nil {
			b.Fatal(err)
		}
		model, _, err := load.Model(ctx, bd, load.Options{Flavor: m.flavor})
		if err != nil {
			b.Fatalf("load %s/%s: %v", m.name, m.flavor, err)
		}
		for _, rows := range []int{1, 2, 4, 8, 16, 32, 64, 128} {
			in, err := codec.DecodeJSON(splitBody(b, bd.Manifest.Signature.Inputs, rows), bd.Manifest.Signature.Inputs)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/%s/batch=%d", m.name, m.flavor, rows), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := model.Predict(ctx, in); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e3, "µs/batch")
			})
			if rows == 1 {
				// A server at low load calls the model now and then, not back to
				// back: caches have cooled between calls.
				// Each op sleeps 5 ms, so ns/op is not the model's time: µs/batch
				// is, timed around Predict alone.
				b.Run(fmt.Sprintf("%s/%s/paced-5ms", m.name, m.flavor), func(b *testing.B) {
					var spent time.Duration
					for b.Loop() {
						time.Sleep(5 * time.Millisecond)
						start := time.Now()
						if _, err := model.Predict(ctx, in); err != nil {
							b.Fatal(err)
						}
						spent += time.Since(start)
					}
					b.ReportMetric(float64(spent.Nanoseconds())/float64(b.N)/1e3, "µs/batch")
				})
			}
		}
		model.Close()
		bd.Close()
	}
}

// BenchmarkServeHTTP is the whole HTTP path in one process: a real
// net/http server on 127.0.0.1 (httptest) in front of the real core, and
// 16 client goroutines posting single-row MLflow dataframe_split requests.
// "bare" is the same server with a handler that decodes the body into a
// typed struct and answers a constant: X_http. The stage split comes from
// the server's own histograms (queue, run per formed batch, handler time)
// and from timing the decoder and encoder alone on the same body.
func BenchmarkServeHTTP(b *testing.B) {
	const clients = 16
	dir := b.TempDir()
	models := benchModels(b)
	iris, err := bundle.Open(models[0].packed(b, dir))
	if err != nil {
		b.Fatal(err)
	}
	irisBody := splitBody(b, iris.Manifest.Signature.Inputs, 1)
	iris.Close()

	b.Run("bare", func(b *testing.B) {
		srv := httptest.NewServer(http.HandlerFunc(bareInvocations))
		defer srv.Close()
		postLoop(b, srv.URL+"/invocations", irisBody, clients)
	})

	type setup struct {
		model    benchModel
		settings serve.ModelSettings
		label    string
	}
	batching := serve.ModelSettings{MaxBatchRows: 64, MaxQueueDelay: serve.Duration(time.Millisecond)}
	var setups []setup
	for _, m := range models {
		if m.name == "iris_forest" {
			setups = append(setups, setup{m, serve.ModelSettings{MaxBatchRows: 64}, "batch=64,delay=0"})
			continue
		}
		setups = append(setups,
			setup{m, batching, "batch=64,delay=1ms"},
			setup{m, serve.ModelSettings{MaxBatchRows: 1}, "batch=1"})
	}
	for _, s := range setups {
		if !s.model.available(b) {
			continue
		}
		path := s.model.packed(b, dir)
		b.Run(fmt.Sprintf("%s/%s/%s", s.model.name, s.model.flavor, s.label), func(b *testing.B) {
			metrics := serve.NewMetrics(nil)
			core := serve.New(serve.Options{Metrics: metrics})
			defer core.Shutdown(context.Background())
			s.settings.Flavor = s.model.flavor
			name, err := deployBench(core, path, s.settings)
			if err != nil {
				b.Fatal(err)
			}
			meta, err := core.Model(name, "")
			if err != nil {
				b.Fatal(err)
			}
			body := splitBody(b, meta.Inputs, 1)
			decode, encode := codecCost(b, core, name, body, meta.Inputs)
			srv := httptest.NewServer(httpapi.New(core, core, httpapi.Options{Metrics: metrics}))
			defer srv.Close()

			postLoop(b, srv.URL+"/invocations", body, clients)

			st := gatherStages(b, metrics)
			b.ReportMetric(st.handler, "handler-µs")
			b.ReportMetric(decode, "decode-µs")
			b.ReportMetric(st.queue, "queue-µs")
			b.ReportMetric(st.run, "run-µs/batch")
			b.ReportMetric(encode, "encode-µs")
			b.ReportMetric(st.rows, "rows/batch")
		})
	}
}

func deployBench(core *serve.Server, path string, st serve.ModelSettings) (string, error) {
	if _, err := core.Deploy(context.Background(), path, serve.ModelConfig{Name: "m", ModelSettings: st}); err != nil {
		return "", err
	}
	return "m", nil
}

// postLoop posts body from clients goroutines, each waiting for its
// answer before the next (closed loop), and reports req/s and the mean
// latency the clients saw.
func postLoop(b *testing.B, url string, body []byte, clients int) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var failed atomic.Int64
	var firstErr atomic.Value
	procs := runtime.GOMAXPROCS(0)
	parallelism := (clients + procs - 1) / procs
	b.SetParallelism(parallelism)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Post(url, "application/json", bytes.NewReader(body))
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, resp.Status)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d requests failed; first: %v", n, b.N, firstErr.Load())
	}
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/secs, "req/s")
	b.ReportMetric(secs*1e6*float64(parallelism*procs)/float64(b.N), "client-µs")
}

// stages are the server's own means, in microseconds.
type stages struct{ handler, queue, run, rows float64 }

func gatherStages(b *testing.B, m *serve.Metrics) stages {
	fams, err := m.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	mean := func(name string) float64 {
		var sum float64
		var n uint64
		for _, f := range fams {
			if f.GetName() != name {
				continue
			}
			for _, s := range f.GetMetric() {
				h := s.GetHistogram()
				sum += h.GetSampleSum()
				n += h.GetSampleCount()
			}
		}
		if n == 0 {
			return 0
		}
		return sum / float64(n)
	}
	return stages{
		handler: mean("mlctl_request_duration_seconds") * 1e6,
		queue:   mean("mlctl_queue_duration_seconds") * 1e6,
		run:     mean("mlctl_inference_duration_seconds") * 1e6,
		rows:    mean("mlctl_batch_rows"),
	}
}

// codecCost times, in microseconds per request, the MLflow decoder on body
// and the encoder on the model's answer to it, each alone.
func codecCost(b *testing.B, core *serve.Server, name string, body []byte, inputs []flavors.Spec) (decode, encode float64) {
	const n = 2000
	in, err := codec.DecodeJSON(body, inputs)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := core.Infer(context.Background(), &serve.Request{Model: name, Protocol: "bench", Inputs: in})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for range n {
		if _, err := codec.DecodeJSON(body, inputs); err != nil {
			b.Fatal(err)
		}
	}
	decode = float64(time.Since(start).Microseconds()) / n
	start = time.Now()
	for range n {
		if err := codec.EncodeJSON(io.Discard, resp.Outputs); err != nil {
			b.Fatal(err)
		}
	}
	encode = float64(time.Since(start).Microseconds()) / n
	return decode, encode
}

// bareInvocations is the bare-HTTP limit's handler (bench/barehttp has the
// same): decode the dataframe_split body into a typed struct, answer a
// constant.
func bareInvocations(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DataframeSplit struct {
			Columns []string    `json:"columns"`
			Data    [][]float64 `json:"data"`
		} `json:"dataframe_split"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 32<<20))
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil || len(in.DataframeSplit.Data) == 0 {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"predictions": [0]}`+"\n")
}

// BenchmarkDecodeJSON is the JSON decoder's cost per float: MLflow
// dataframe_split with one column per input, and OIP tensor JSON, through
// codec.DecodeJSON (the decoder every route uses); "typed" is encoding/json
// into [][]float64, the floor for encoding/json v1.
func BenchmarkDecodeJSON(b *testing.B) {
	for _, size := range []struct{ rows, cols int }{{1, 4}, {64, 4}, {256, 32}, {1024, 32}} {
		floats := size.rows * size.cols
		data := make([][]float64, size.rows)
		flat := make([]float64, 0, floats)
		r := rand.New(rand.NewPCG(3, 4))
		for i := range data {
			data[i] = make([]float64, size.cols)
			for j := range data[i] {
				data[i][j] = math.Round(r.NormFloat64()*1e6) / 1e4 // like "-12.3456"
				flat = append(flat, data[i][j])
			}
		}
		cols := make([]string, size.cols)
		columnSpecs := make([]flavors.Spec, size.cols)
		for j := range cols {
			cols[j] = fmt.Sprintf("f%d", j)
			columnSpecs[j] = flavors.Spec{Name: cols[j], DType: flavors.FP64, Shape: []int64{-1}}
		}
		tensorSpec := []flavors.Spec{{Name: "input", DType: flavors.FP64, Shape: []int64{-1, int64(size.cols)}}}
		split, _ := json.Marshal(map[string]any{"dataframe_split": map[string]any{"columns": cols, "data": data}})
		oip, _ := json.Marshal(map[string]any{"inputs": []any{map[string]any{
			"name": "input", "datatype": "FP64", "shape": []int{size.rows, size.cols}, "data": flat,
		}}})
		run := func(name string, body []byte, decode func([]byte) error) {
			b.Run(fmt.Sprintf("%s/%dx%d", name, size.rows, size.cols), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if err := decode(body); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(floats), "ns/float")
			})
		}
		run("mlflow-split", split, func(body []byte) error {
			_, err := codec.DecodeJSON(body, columnSpecs)
			return err
		})
		run("oip-json", oip, func(body []byte) error {
			_, err := codec.DecodeJSON(body, tensorSpec)
			return err
		})
		run("typed-encoding-json", split, func(body []byte) error {
			var v struct {
				DataframeSplit struct {
					Columns []string    `json:"columns"`
					Data    [][]float64 `json:"data"`
				} `json:"dataframe_split"`
			}
			return json.Unmarshal(body, &v)
		})
	}
}

// constantCore answers every request with one constant row, so that the
// HTTP handler's decoding is all BenchmarkDecodeBinary measures.
type constantCore struct{ inputs []flavors.Spec }

func (c constantCore) Live() bool                     { return true }
func (c constantCore) Ready() bool                    { return true }
func (c constantCore) Metadata() serve.ServerMetadata { return serve.ServerMetadata{Name: "bench"} }
func (c constantCore) Models() []serve.ModelIndexEntry {
	return []serve.ModelIndexEntry{{Name: "m", Version: "1", State: "READY"}}
}
func (c constantCore) Model(string, string) (serve.ModelMetadata, error) {
	return serve.ModelMetadata{Name: "m", Version: "1", Versions: []string{"1"}, Inputs: c.inputs}, nil
}
func (c constantCore) ModelReady(string, string) (bool, error) { return true, nil }
func (c constantCore) Infer(_ context.Context, req *serve.Request) (*serve.Response, error) {
	out := flavors.Tensor{Name: "prediction", DType: flavors.FP64, Shape: []int64{1}, Data: []float64{0}}
	return &serve.Response{ID: req.ID, Model: "m", Version: "1", Outputs: flavors.Batch{Tensors: []flavors.Tensor{out}}}, nil
}

// BenchmarkDecodeBinary is the OIP REST handler (in memory, no network) on
// one FP32 [rows, 1024] tensor sent as JSON and under the binary tensor
// extension, against a plain copy of the same bytes: ns/float of the
// binary path should be near memcpy's.
func BenchmarkDecodeBinary(b *testing.B) {
	const cols = 1024
	for _, rows := range []int{1, 64} {
		floats := rows * cols
		spec := []flavors.Spec{{Name: "input", DType: flavors.FP32, Shape: []int64{-1, cols}}}
		h := httpapi.New(constantCore{spec}, nil, httpapi.Options{})
		data := make([]float32, floats)
		for i := range data {
			data[i] = float32(i%1000) / 7
		}
		jsonBody, _ := json.Marshal(map[string]any{"inputs": []any{map[string]any{
			"name": "input", "datatype": "FP32", "shape": []int{rows, cols}, "data": data,
		}}})
		head, _ := json.Marshal(map[string]any{"inputs": []any{map[string]any{
			"name": "input", "datatype": "FP32", "shape": []int{rows, cols},
			"parameters": map[string]any{"binary_data_size": floats * 4},
		}}})
		raw, _ := binary.Append(nil, binary.LittleEndian, data)
		binBody := append(append([]byte{}, head...), raw...)

		post := func(name string, body []byte, header string) {
			b.Run(fmt.Sprintf("%s/%dx%d", name, rows, cols), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/v2/models/m/infer", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if header != "" {
						req.Header.Set("Inference-Header-Content-Length", header)
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body.String())
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(floats), "ns/float")
			})
		}
		post("handler-oip-json", jsonBody, "")
		post("handler-oip-binary", binBody, strconv.Itoa(len(head)))
		b.Run(fmt.Sprintf("memcpy/%dx%d", rows, cols), func(b *testing.B) {
			dst := make([]byte, len(raw))
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				copy(dst, raw)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(floats), "ns/float")
		})
	}
}
