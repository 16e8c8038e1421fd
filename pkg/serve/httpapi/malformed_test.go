package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mlctl/mlctl/pkg/serve/httpapi"
)

// malformed is a corpus of bad requests that must all get a 4xx with a
// message, never a 5xx.
var malformed = []struct {
	path, ct, hdrLen, body string
}{
	{"/invocations", "application/json", "", ``},
	{"/invocations", "application/json", "", `null`},
	{"/invocations", "application/json", "", `"text"`},
	{"/invocations", "application/json", "", `{"instances": null}`},
	{"/invocations", "application/json", "", `{"instances": "x"}`},
	{"/invocations", "application/json", "", `{"instances": [[1,2,3,4,5]]}`},
	{"/invocations", "application/json", "", `{"instances": [{"sepal_length": [1,2]}]}`},
	{"/invocations", "application/json", "", `{"inputs": {"sepal_length": 1}}`},
	{"/invocations", "application/json", "", `{"dataframe_split": {"columns": "a", "data": []}}`},
	{"/invocations", "application/json", "", `{"dataframe_split": {"columns": [1,2], "data": [[1,2]]}}`},
	{"/invocations", "application/json", "", `{"dataframe_split": {"data": [[1e999, 1, 1, 1]]}}`},
	{"/invocations", "application/json", "", `{"dataframe_records": [1,2]}`},
	{"/invocations", "application/json", "", `{"instances": [[1,2,3,4]], "params": [1]}`},
	{"/invocations", "application/json", "", `{"instances": [[` + deep(200) + `]]}`},
	{"/invocations", "text/csv", "", "sepal_length,sepal_width,petal_length,petal_width\n\"unterminated\n"},
	{"/invocations", "text/csv", "", "sepal_length,sepal_width,petal_length,petal_width\n1,2,3\n"},
	{"/invocations", "text/csv", "", "\xff\xfe"},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [{"name": "sepal_length", "shape": [-1], "datatype": "FP64", "data": [1]}]}`},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [{"name": "sepal_length", "shape": [99999999999], "datatype": "FP64", "data": [1]}]}`},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [{"name": "sepal_length", "shape": "x", "datatype": "FP64", "data": [1]}]}`},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "BYTES", "data": ["x"]}]}`},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP64", "data": [1], "parameters": {"binary_data_size": 8}}]}`},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP64", "parameters": {"binary_data_size": -8}}]}`},
	{"/v2/models/iris/infer", "application/json", "5", `{"inputs": [{"name": "sepal_length", "shape": [2], "datatype": "FP64", "parameters": {"binary_data_size": 8}}]}12345678`},
	{"/v2/models/iris/infer", "application/json", "x", `{}`},
	{"/v2/models/iris/infer", "application/json", "-1", `{}`},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP64", "data": [1]}], "outputs": [{}]}`},
	{"/v2/models/iris/infer", "application/json", "", `{"inputs": [7]}`},
}

func deep(n int) string {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		b.WriteByte('[')
	}
	b.WriteByte('1')
	for i := 0; i < n; i++ {
		b.WriteByte(']')
	}
	return b.String()
}

func TestMalformedRequestsGet4xx(t *testing.T) {
	ts, _ := newServer(t, httpapi.Options{})
	for i, m := range malformed {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+m.path, bytes.NewBufferString(m.body))
		req.Header.Set("Content-Type", m.ct)
		if m.hdrLen != "" {
			req.Header.Set("Inference-Header-Content-Length", m.hdrLen)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		assert.True(t, resp.StatusCode >= 400 && resp.StatusCode < 500, "case %d (%s %q): status %d: %s", i, m.path, m.body, resp.StatusCode, body.String())
		assert.Contains(t, body.String(), "error", "case %d has a message", i)
	}
}

// FuzzRequests: whatever the body, the server answers 200 or 4xx, never 5xx.
func FuzzRequests(f *testing.F) {
	for _, m := range malformed {
		f.Add(m.path == "/invocations", m.ct == "text/csv", m.hdrLen, []byte(m.body))
	}
	f.Add(true, false, "", []byte(`{"instances": [[5.1, 3.5, 1.4, 0.2]]}`))
	ts, _ := newServer(f, httpapi.Options{MaxBodyBytes: 1 << 16})
	h := ts.Config.Handler
	f.Fuzz(func(t *testing.T, mlflow, csv bool, hdrLen string, body []byte) {
		path, ct := "/v2/models/iris/infer", "application/json"
		if mlflow {
			path = "/invocations"
		}
		if csv {
			ct = "text/csv"
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if _, err := strconv.Atoi(hdrLen); err == nil {
			req.Header.Set("Inference-Header-Content-Length", hdrLen)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %s %q: %s", w.Code, path, body, w.Body.String())
		}
	})
}
