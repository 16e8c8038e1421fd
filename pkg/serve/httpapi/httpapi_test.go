package httpapi_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/pack"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/httpapi"
)

var examples = filepath.Join("..", "..", "..", "examples", "models")

// packPMML packs an example's PMML file (no external runtime needed).
func packPMML(t testing.TB, model, version string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), model+"-"+version+".mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join(examples, model, "model.pmml")}, Out: out, Version: version,
	})
	require.NoError(t, err)
	return out
}

// newServer serves the iris forest (PMML) through the real core.
func newServer(t testing.TB, opts httpapi.Options) (*httptest.Server, *serve.Server) {
	t.Helper()
	if opts.Metrics == nil {
		opts.Metrics = serve.NewMetrics(nil)
	}
	core := serve.New(serve.Options{Version: "test", Metrics: opts.Metrics})
	_, err := core.Deploy(context.Background(), packPMML(t, "iris_forest", "1"), serve.ModelConfig{Name: "iris"})
	require.NoError(t, err)
	opts.Version = "test-version"
	ts := httptest.NewServer(httpapi.New(core, core, opts))
	t.Cleanup(func() {
		ts.Close()
		core.Shutdown(context.Background())
	})
	return ts, core
}

func post(t testing.TB, url, contentType, body string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func get(t testing.TB, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

const irisRow = `[5.1, 3.5, 1.4, 0.2]`
const irisCols = `["sepal_length", "sepal_width", "petal_length", "petal_width"]`

func TestMLflowScoringProtocol(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{})

	resp, body := get(t, ts.URL+"/ping")
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "\n", body)
	resp, _ = get(t, ts.URL+"/health")
	assert.Equal(t, 200, resp.StatusCode)
	_, body = get(t, ts.URL+"/version")
	assert.Equal(t, "test-version", body)

	bodies := map[string]string{
		"dataframe_split":   `{"dataframe_split": {"columns": ` + irisCols + `, "data": [` + irisRow + `]}}`,
		"dataframe_records": `{"dataframe_records": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}]}`,
		"instances":         `{"instances": [` + irisRow + `]}`,
		"inputs":            `{"inputs": {"sepal_length": [5.1], "sepal_width": [3.5], "petal_length": [1.4], "petal_width": [0.2]}}`,
		"with params":       `{"instances": [` + irisRow + `], "params": {"top_k": 1}}`,
	}
	for name, b := range bodies {
		t.Run(name, func(t *testing.T) {
			for _, ct := range []string{"application/json", "application/json; charset=utf-8", "application/json; charset=UTF-8"} {
				resp, body := post(t, ts.URL+"/invocations", ct, b)
				require.Equal(t, 200, resp.StatusCode, body)
				assert.Contains(t, body, `"label":"setosa"`)
				assert.Contains(t, body, `"predictions":[`)
				assert.Equal(t, "1", resp.Header.Get("X-Model-Version"))
				assert.Len(t, resp.Header.Get("X-Model-UUID"), 36)
			}
		})
	}
	resp, body = post(t, ts.URL+"/invocations", "text/csv", "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.3,3.3,6.0,2.5\n")
	require.Equal(t, 200, resp.StatusCode, body)
	assert.Contains(t, body, `"label":"setosa"`)
	assert.Contains(t, body, `"label":"virginica"`)
	resp, body = post(t, ts.URL+"/models/iris/invocations", "application/json", bodies["instances"])
	require.Equal(t, 200, resp.StatusCode, body)
}

// The MLflow protocol's error cases, status and body exactly.
func TestMLflowErrors(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{MaxBodyBytes: 4096})
	cases := []struct {
		name, ct, body string
		status         int
		code, message  string
	}{
		{"xml", "application/xml", "<x/>", 415, "BAD_REQUEST", "expected application/json or text/csv"},
		{"no content type", "", "{}", 415, "BAD_REQUEST", "no Content-Type"},
		{"latin1", "application/json; charset=latin-1", "{}", 415, "BAD_REQUEST", "only charset=utf-8"},
		{"other param", "text/csv; header=present", "a\n1\n", 415, "BAD_REQUEST", "only charset=utf-8"},
		{"top-level list", "application/json", `[` + irisRow + `]`, 400, "BAD_REQUEST", "the body is a JSON list; expected an object with one of the keys dataframe_split, dataframe_records, instances, inputs"},
		{"no key", "application/json", `{"rows": []}`, 400, "BAD_REQUEST", "expected exactly one of the keys dataframe_split, dataframe_records, instances, inputs; got none of them"},
		{"two keys", "application/json", `{"instances": [], "inputs": []}`, 400, "BAD_REQUEST", "got instances and inputs"},
		{"bad json", "application/json", `{"instances": [`, 400, "BAD_REQUEST", "body is not valid JSON"},
		{"wrong type", "application/json", `{"dataframe_records": [{"sepal_length": "x", "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}]}`, 400, "BAD_REQUEST", `row 0, input "sepal_length": expected FP64, got "x"`},
		{"missing column", "text/csv", "sepal_length\n1\n", 400, "BAD_REQUEST", `CSV has no column "sepal_width"`},
		{"too large", "application/json", `{"instances": [` + strings.Repeat(irisRow+",", 400) + irisRow + `]}`, 413, "BAD_REQUEST", "the limit is 4096"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, ts.URL+"/invocations", tc.ct, tc.body)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			var e struct {
				ErrorCode string `json:"error_code"`
				Message   string `json:"message"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &e), body)
			assert.Equal(t, tc.code, e.ErrorCode)
			assert.Contains(t, e.Message, tc.message)
		})
	}
	resp, body := post(t, ts.URL+"/models/nope/invocations", "application/json", `{"instances": []}`)
	assert.Equal(t, 404, resp.StatusCode)
	assert.Contains(t, body, `"error_code":"RESOURCE_DOES_NOT_EXIST"`)
}

func TestOpenInferenceProtocolREST(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{})
	resp, body := get(t, ts.URL+"/v2/health/live")
	assert.Equal(t, 200, resp.StatusCode, body)
	resp, _ = get(t, ts.URL+"/v2/health/ready")
	assert.Equal(t, 200, resp.StatusCode)
	_, body = get(t, ts.URL+"/v2")
	assert.JSONEq(t, `{"name":"mlctl","version":"test","extensions":["binary_tensor_data","model_repository","classification"]}`, body)

	resp, body = get(t, ts.URL+"/v2/models/iris")
	require.Equal(t, 200, resp.StatusCode, body)
	var meta struct {
		Name     string   `json:"name"`
		Versions []string `json:"versions"`
		Platform string   `json:"platform"`
		Inputs   []struct {
			Name     string  `json:"name"`
			Datatype string  `json:"datatype"`
			Shape    []int64 `json:"shape"`
		} `json:"inputs"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &meta))
	assert.Equal(t, "iris", meta.Name)
	assert.Equal(t, []string{"1"}, meta.Versions)
	assert.Equal(t, "pmml", meta.Platform)
	assert.Equal(t, "sepal_length", meta.Inputs[0].Name)
	assert.Equal(t, []int64{-1}, meta.Inputs[0].Shape)

	resp, _ = get(t, ts.URL+"/v2/models/iris/versions/1/ready")
	assert.Equal(t, 200, resp.StatusCode)
	resp, _ = get(t, ts.URL+"/v2/models/iris/versions/9/ready")
	assert.Equal(t, 404, resp.StatusCode)
	resp, body = get(t, ts.URL+"/v2/models/nope")
	assert.Equal(t, 404, resp.StatusCode)
	assert.Contains(t, v2Error(t, body), `model not found: "nope"`)

	// The tabular "pd" convention: one [N] input per column.
	pd := `{"id": "r1", "parameters": {"content_type": "pd"}, "inputs": [
	  {"name": "sepal_length", "shape": [2], "datatype": "FP64", "data": [5.1, 6.3]},
	  {"name": "sepal_width", "shape": [2], "datatype": "FP64", "data": [3.5, 3.3]},
	  {"name": "petal_length", "shape": [2], "datatype": "FP64", "data": [1.4, 6.0]},
	  {"name": "petal_width", "shape": [2], "datatype": "FP32", "data": [0.2, 2.5]}],
	  "outputs": [{"name": "label"}, {"name": "probabilities"}]}`
	resp, body = post(t, ts.URL+"/v2/models/iris/infer", "application/json", pd)
	require.Equal(t, 200, resp.StatusCode, body)
	var out struct {
		ModelName    string         `json:"model_name"`
		ModelVersion string         `json:"model_version"`
		ID           string         `json:"id"`
		Parameters   map[string]any `json:"parameters"`
		Outputs      []struct {
			Name     string  `json:"name"`
			Datatype string  `json:"datatype"`
			Shape    []int64 `json:"shape"`
			Data     []any   `json:"data"`
		} `json:"outputs"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	assert.Equal(t, "iris", out.ModelName)
	assert.Equal(t, "1", out.ModelVersion)
	assert.Equal(t, "r1", out.ID)
	require.Len(t, out.Outputs, 2)
	assert.Equal(t, "label", out.Outputs[0].Name)
	assert.Equal(t, []any{"setosa", "virginica"}, out.Outputs[0].Data)
	assert.Equal(t, []int64{2, 3}, out.Outputs[1].Shape)
	assert.Len(t, out.Outputs[1].Data, 6)

	bad := []struct{ body, want string }{
		{`{"inputs": []}`, `"inputs" must be a non-empty list`},
		{`{"inputs": [{"name": "bogus", "shape": [1], "datatype": "FP64", "data": [1]}]}`, `unknown input "bogus"`},
		{`{"inputs": [{"name": "sepal_length", "shape": [2], "datatype": "FP64", "data": [1]}]}`, `needs 2 elements, data has 1`},
		{`{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP99", "data": [1]}]}`, `unknown dtype "FP99"`},
		{`{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP32", "data": [1]}]}`, `input "sepal_length": expected datatype FP64, got FP32`},
		{`[1]`, "body is not a JSON object"},
		{pd[:len(pd)-60] + `"outputs": [{"name": "nope"}]}`, `unknown output "nope"`},
	}
	for _, b := range bad {
		resp, body := post(t, ts.URL+"/v2/models/iris/infer", "application/json", b.body)
		assert.Equal(t, 400, resp.StatusCode, body)
		assert.Contains(t, v2Error(t, body), b.want)
	}
}

// The binary tensor extension: raw little-endian inputs after the JSON
// header, and raw outputs when asked.
func TestBinaryTensorExtension(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{})
	cols := [][]float64{{5.1, 6.3}, {3.5, 3.3}, {1.4, 6.0}, {0.2, 2.5}}
	names := []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}
	var inputs []string
	var raw []byte
	for i, c := range cols {
		inputs = append(inputs, `{"name": "`+names[i]+`", "shape": [2], "datatype": "FP64", "parameters": {"binary_data_size": 16}}`)
		for _, v := range c {
			raw = binary.LittleEndian.AppendUint64(raw, math.Float64bits(v))
		}
	}
	head := `{"inputs": [` + strings.Join(inputs, ",") + `], "outputs": [{"name": "label"}, {"name": "probabilities", "parameters": {"binary_data": true}}]}`
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v2/models/iris/infer", bytes.NewReader(append([]byte(head), raw...)))
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Inference-Header-Content-Length", strconv.Itoa(len(head)))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode, string(body))
	n, err := strconv.Atoi(resp.Header.Get("Inference-Header-Content-Length"))
	require.NoError(t, err)
	var out struct {
		Outputs []struct {
			Name       string         `json:"name"`
			Parameters map[string]any `json:"parameters"`
			Data       []any          `json:"data"`
		} `json:"outputs"`
	}
	require.NoError(t, json.Unmarshal(body[:n], &out))
	assert.Equal(t, []any{"setosa", "virginica"}, out.Outputs[0].Data)
	assert.EqualValues(t, 48, out.Outputs[1].Parameters["binary_data_size"])
	probs := body[n:]
	require.Len(t, probs, 48)
	assert.Equal(t, 1.0, math.Float64frombits(binary.LittleEndian.Uint64(probs[0:8])), "setosa row: P(setosa) = 1")

	// A header length past the body, and leftover raw bytes, are the client's mistakes.
	for _, tc := range []struct {
		hdr  string
		body []byte
		want string
	}{
		{"99999", []byte(head), "expected the length of the JSON part"},
		{strconv.Itoa(len(head)), append(append([]byte(head), raw...), 1, 2, 3), "3 bytes follow the JSON header"},
		{strconv.Itoa(len(head)), append([]byte(head), raw[:40]...), "runs past"},
	} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v2/models/iris/infer", bytes.NewReader(tc.body))
		req.Header.Set("Inference-Header-Content-Length", tc.hdr)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, 400, resp.StatusCode, string(b))
		assert.Contains(t, v2Error(t, string(b)), tc.want)
	}
}

func TestRepositoryExtension(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{})
	resp, body := post(t, ts.URL+"/v2/repository/index", "application/json", "{}")
	require.Equal(t, 200, resp.StatusCode)
	assert.JSONEq(t, `[{"name":"iris","version":"1","state":"READY","reason":""}]`, body)

	resp, _ = post(t, ts.URL+"/v2/repository/models/iris/unload", "", "")
	require.Equal(t, 200, resp.StatusCode)
	resp, body = post(t, ts.URL+"/v2/models/iris/infer", "application/json", `{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP64", "data": [1]}]}`)
	assert.Equal(t, 503, resp.StatusCode, body)
	assert.Contains(t, v2Error(t, body), "unloaded")
	resp, _ = get(t, ts.URL+"/v2/health/ready")
	assert.Equal(t, 200, resp.StatusCode, "an unloaded model does not make the server unready")

	resp, _ = post(t, ts.URL+"/v2/repository/models/iris/load", "", "")
	require.Equal(t, 200, resp.StatusCode)
	resp, body = post(t, ts.URL+"/invocations", "application/json", `{"instances": [`+irisRow+`]}`)
	assert.Equal(t, 200, resp.StatusCode, body)
	resp, _ = post(t, ts.URL+"/v2/repository/models/nope/load", "", "")
	assert.Equal(t, 404, resp.StatusCode)
}

func TestBearerToken(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{Token: "s3cret"})
	resp, body := post(t, ts.URL+"/invocations", "application/json", `{"instances": [`+irisRow+`]}`)
	assert.Equal(t, 401, resp.StatusCode)
	assert.Contains(t, body, "bearer token")
	assert.Equal(t, `Bearer realm="mlctl"`, resp.Header.Get("WWW-Authenticate"))
	resp, _ = post(t, ts.URL+"/invocations", "application/json", `{"instances": [`+irisRow+`]}`, "Authorization", "Bearer wrong")
	assert.Equal(t, 401, resp.StatusCode)
	resp, body = post(t, ts.URL+"/invocations", "application/json", `{"instances": [`+irisRow+`]}`, "Authorization", "Bearer s3cret")
	assert.Equal(t, 200, resp.StatusCode, body)
	resp, _ = get(t, ts.URL+"/ping")
	assert.Equal(t, 200, resp.StatusCode, "health checks stay open for probes")
}

func TestMetricsEndpoint(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{})
	post(t, ts.URL+"/invocations", "application/json", `{"instances": [`+irisRow+`]}`)
	post(t, ts.URL+"/invocations", "application/xml", `x`)
	_, body := get(t, ts.URL+"/metrics")
	assert.Contains(t, body, `mlctl_requests_total{code="200",model="iris",protocol="mlflow",version="1"} 1`)
	assert.Contains(t, body, `mlctl_requests_total{code="415",model="",protocol="mlflow",version=""} 1`)
	assert.Contains(t, body, `mlctl_batch_rows_bucket{model="iris",version="1",le="1"} 1`)
	assert.Contains(t, body, "go_goroutines")
}

// v2Error reads an Open Inference Protocol error body.
func v2Error(t testing.TB, body string) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &e), body)
	require.NotEmpty(t, e.Error, body)
	return e.Error
}
