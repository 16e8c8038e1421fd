package daemon_test

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/pack"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/daemon"
	"github.com/mlctl/mlctl/pkg/serve/predlog"
)

// A slow request in flight when shutdown starts still gets its answer, the
// prediction log is flushed, and Run returns nil.
func TestGracefulShutdownDrainsInFlight(t *testing.T) {
	dir := t.TempDir()
	b := filepath.Join(dir, "iris.mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join("..", "..", "..", "examples", "models", "iris_forest", "model.pmml")}, Out: b, Name: "iris",
	})
	require.NoError(t, err)
	logDir := filepath.Join(dir, "log")
	cfg := serve.Config{
		Models:        []serve.ModelConfig{{Bundles: []string{b}}},
		PredictionLog: &serve.PredLogConfig{Dir: logDir, SampleRate: 1},
		// A long queue delay holds requests in the queue, so they are in
		// flight when shutdown begins.
		Defaults: serve.ModelSettings{MaxBatchRows: 1000, MaxQueueDelay: serve.Duration(300 * time.Millisecond)},
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{Config: cfg, HTTPAddr: "127.0.0.1:0", GRPCAddr: "127.0.0.1:0",
			Listening: func(h, _ string) { addr <- h }})
	}()
	base := "http://" + <-addr

	const n = 20
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := http.Post(base+"/invocations", "application/json", strings.NewReader(`{"instances": [[5.1, 3.5, 1.4, 0.2]]}`))
			if err != nil {
				codes[i] = -1
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}(i)
	}
	time.Sleep(100 * time.Millisecond) // the requests are queued, waiting for more rows
	cancel()
	wg.Wait()
	require.NoError(t, <-done)
	for i, c := range codes {
		assert.Equal(t, 200, c, "request %d", i)
	}
	rows := 0
	require.NoError(t, predlog.ReadDir(logDir, func(predlog.Row) error { rows++; return nil }))
	assert.Equal(t, n, rows, "every answered request is in the flushed log")

	_, err = http.Get(base + "/ping")
	assert.Error(t, err, "the listener is closed after shutdown")
}

func TestRunRefusesBadConfig(t *testing.T) {
	err := daemon.Run(context.Background(), daemon.Options{Config: serve.Config{}, HTTPAddr: "127.0.0.1:0"})
	assert.ErrorContains(t, err, "nothing to serve")
	err = daemon.Run(context.Background(), daemon.Options{Config: serve.Config{
		Models: []serve.ModelConfig{{Bundles: []string{"/nonexistent.mlb"}}},
	}, HTTPAddr: "127.0.0.1:0"})
	assert.ErrorContains(t, err, "nonexistent.mlb")
	t.Setenv("MLCTL_TEST_EMPTY_TOKEN", "")
	err = daemon.Run(context.Background(), daemon.Options{Config: serve.Config{Watch: t.TempDir(), Auth: serve.AuthConfig{TokenEnv: "MLCTL_TEST_EMPTY_TOKEN"}}, HTTPAddr: "127.0.0.1:0"})
	assert.ErrorContains(t, err, "MLCTL_TEST_EMPTY_TOKEN, which is empty")
}
