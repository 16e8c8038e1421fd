package daemon_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/pack"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/daemon"
)

// startServer runs daemon.Run with cfg until the test ends and returns its
// HTTP base URL.
func startServer(t *testing.T, cfg serve.Config) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{Config: cfg, HTTPAddr: "127.0.0.1:0", Listening: func(h, _ string) { addr <- h }})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	return ""
}

func packIris(t *testing.T, version, model string) string {
	t.Helper()
	b := filepath.Join(t.TempDir(), "iris-"+version+".mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join("..", "..", "..", "examples", "models", model, "model.pmml")}, Out: b, Name: "iris", Version: version,
	})
	require.NoError(t, err)
	return b
}

// call sends an OIP request and returns the status and the answering version.
func call(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	var out struct {
		ModelVersion string `json:"model_version"`
	}
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out.ModelVersion
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

const irisRow = `{"inputs":[{"name":"sepal_length","datatype":"FP64","shape":[1],"data":[5.1]},{"name":"sepal_width","datatype":"FP64","shape":[1],"data":[3.5]},{"name":"petal_length","datatype":"FP64","shape":[1],"data":[1.4]},{"name":"petal_width","datatype":"FP64","shape":[1],"data":[0.2]}]}`

// A router in front of two real servers: versions come from the remotes'
// metadata, traffic follows the policy set at run time, a client mistake
// comes back as the remote's 400, and a removed version takes no traffic.
func TestRouterSplitsTrafficBetweenRemoteServers(t *testing.T) {
	v1 := startServer(t, serve.Config{Models: []serve.ModelConfig{{Bundles: []string{packIris(t, "1", "iris_forest")}}}})
	v2 := startServer(t, serve.Config{Models: []serve.ModelConfig{{Bundles: []string{packIris(t, "2", "iris_logreg")}}}})
	router := startServer(t, serve.Config{Router: true, Models: []serve.ModelConfig{{
		Name: "iris", Remotes: []serve.RemoteConfig{{URL: v1}},
	}}})
	infer := router + "/v2/models/iris/infer"

	code, ver := call(t, infer, irisRow)
	require.Equal(t, 200, code)
	assert.Equal(t, "1", ver)

	code, body := do(t, http.MethodPut, router+"/v2/repository/models/iris/versions/2/remote", `{"url":"`+v2+`"}`)
	require.Equal(t, 200, code, body)
	code, body = do(t, http.MethodPut, router+"/v2/repository/models/iris/versions/3/remote", `{"url":"`+v2+`"}`)
	assert.Equal(t, 400, code, "the remote serves version 2, not 3: %s", body)

	code, body = do(t, http.MethodPut, router+"/v2/repository/models/iris/policy", `{"traffic":[{"version":"1","weight":0.75},{"version":"2","weight":0.25}]}`)
	require.Equal(t, 200, code, body)
	counts := map[string]int{}
	for i := 0; i < 400; i++ {
		code, ver := call(t, infer, irisRow)
		require.Equal(t, 200, code)
		counts[ver]++
	}
	assert.InDelta(t, 300, counts["1"], 45, "version 1 takes about 75%% of 400: %v", counts)
	assert.InDelta(t, 100, counts["2"], 45, "version 2 takes about 25%% of 400: %v", counts)

	code, _ = call(t, infer, `{"inputs":[{"name":"sepal_length","datatype":"FP64","shape":[1],"data":[5.1]}]}`)
	assert.Equal(t, 400, code, "a request missing inputs is the client's mistake at the remote, and so at the router")

	code, body = do(t, http.MethodPut, router+"/v2/repository/models/iris/policy", `{"traffic":[{"version":"9","weight":1}]}`)
	assert.Equal(t, 400, code, body)
	code, body = do(t, http.MethodPut, router+"/v2/repository/models/iris/policy", `{"traffic":[{"version":"2","weight":1}]}`)
	require.Equal(t, 200, code, body)
	code, _ = do(t, http.MethodDelete, router+"/v2/repository/models/iris/versions/1", "")
	require.Equal(t, 200, code)
	for i := 0; i < 20; i++ {
		code, ver := call(t, infer, irisRow)
		require.Equal(t, 200, code)
		assert.Equal(t, "2", ver)
	}
	code, body = do(t, http.MethodGet, router+"/v2/repository/models/iris/policy", "")
	assert.Equal(t, 200, code)
	assert.JSONEq(t, `{"traffic":[{"version":"2","weight":1}]}`, body)
}

func TestRouterExtensionIsOffByDefault(t *testing.T) {
	srv := startServer(t, serve.Config{Models: []serve.ModelConfig{{Bundles: []string{packIris(t, "1", "iris_forest")}}}})
	code, _ := do(t, http.MethodGet, srv+"/v2/repository/models/iris/policy", "")
	assert.Equal(t, 404, code)
}
