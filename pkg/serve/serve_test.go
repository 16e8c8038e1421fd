package serve_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/pack"
	"github.com/mlctl/mlctl/pkg/serve"
	"github.com/mlctl/mlctl/pkg/serve/predlog"
)

var examples = filepath.Join("..", "..", "examples", "models")

func packPMML(t testing.TB, dir, model, version string) string {
	t.Helper()
	out := filepath.Join(dir, model+"-"+version+".mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join(examples, model, "model.pmml")}, Out: out, Version: version, Name: "iris",
	})
	require.NoError(t, err)
	return out
}

func irisRequest(rows int) *serve.Request {
	col := func(v float64) flavors.Tensor {
		d := make([]float64, rows)
		for i := range d {
			d[i] = v
		}
		return flavors.Tensor{DType: flavors.FP64, Shape: []int64{int64(rows)}, Data: d}
	}
	names := []string{"sepal_length", "sepal_width", "petal_length", "petal_width"}
	vals := []float64{5.1, 3.5, 1.4, 0.2}
	var b flavors.Batch
	for i, n := range names {
		c := col(vals[i])
		c.Name = n
		b.Tensors = append(b.Tensors, c)
	}
	return &serve.Request{Model: "iris", Protocol: "test", Inputs: b}
}

// Two versions of "iris": the forest as v1, the logistic regression as v2.
func twoVersions(t *testing.T, mc serve.ModelConfig, opts serve.Options) *serve.Server {
	t.Helper()
	dir := t.TempDir()
	s := serve.New(opts)
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	mc.Name = "iris"
	for _, b := range []string{packPMML(t, dir, "iris_forest", "1"), packPMML(t, dir, "iris_logreg", "2")} {
		_, err := s.Deploy(context.Background(), b, mc)
		require.NoError(t, err)
	}
	return s
}

func TestCanarySplit(t *testing.T) {
	s := twoVersions(t, serve.ModelConfig{Traffic: []serve.TrafficSplit{{Version: "1", Weight: 90}, {Version: "2", Weight: 10}}}, serve.Options{})
	counts := map[string]int{}
	const n = 2000
	for i := 0; i < n; i++ {
		resp, err := s.Infer(context.Background(), irisRequest(1))
		require.NoError(t, err)
		counts[resp.Version]++
	}
	// Binomial(2000, 0.1): mean 200, sd 13.4; ±5 sd cannot fail by chance in practice.
	assert.InDelta(t, 200, counts["2"], 67, "canary share: %v", counts)
	assert.Equal(t, n, counts["1"]+counts["2"])

	// An explicit version bypasses the split.
	req := irisRequest(1)
	req.Version = "2"
	resp, err := s.Infer(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, "2", resp.Version)
}

func TestStickyAB(t *testing.T) {
	s := twoVersions(t, serve.ModelConfig{Traffic: []serve.TrafficSplit{{Version: "1", Weight: 50}, {Version: "2", Weight: 50}}, Sticky: "X-User"}, serve.Options{})
	seen := map[string]string{}
	perVersion := map[string]int{}
	for round := 0; round < 3; round++ {
		for u := 0; u < 200; u++ {
			req := irisRequest(1)
			req.RouteKey = fmt.Sprintf("user-%d", u)
			resp, err := s.Infer(context.Background(), req)
			require.NoError(t, err)
			if prev, ok := seen[req.RouteKey]; ok {
				require.Equal(t, prev, resp.Version, "user %s changed variant", req.RouteKey)
			} else {
				seen[req.RouteKey] = resp.Version
				perVersion[resp.Version]++
			}
		}
	}
	assert.InDelta(t, 100, perVersion["1"], 40, "users per variant: %v", perVersion)
}

func TestShadowIsLoggedNeverReturned(t *testing.T) {
	dir := t.TempDir()
	plog, err := predlog.Open(predlog.Config{Dir: dir, SampleRate: 1})
	require.NoError(t, err)
	// Room for every shadow copy, so none is skipped and the count is exact.
	s := twoVersions(t, serve.ModelConfig{Traffic: []serve.TrafficSplit{{Version: "1", Weight: 1}}, Shadow: "2"}, serve.Options{PredLog: plog, ShadowConcurrency: 64})
	for i := 0; i < 50; i++ {
		req := irisRequest(2)
		req.ID = fmt.Sprintf("r%d", i)
		resp, err := s.Infer(context.Background(), req)
		require.NoError(t, err)
		require.Equal(t, "1", resp.Version, "the shadow never answers")
	}
	require.NoError(t, s.Shutdown(context.Background()))
	require.NoError(t, plog.Close())
	byVersion := map[string]int{}
	require.NoError(t, predlog.ReadDir(dir, func(r predlog.Row) error {
		byVersion[r.Version]++
		return nil
	}))
	assert.Equal(t, 100, byVersion["1"], "primary rows logged")
	assert.Equal(t, 100, byVersion["2"], "shadow rows logged (Shutdown waits for shadows)")
}

// Replacing a version under concurrent load fails no request.
func TestHotSwapUnderLoad(t *testing.T) {
	dir := t.TempDir()
	s := serve.New(serve.Options{})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	v1 := packPMML(t, dir, "iris_forest", "1")
	_, err := s.Deploy(context.Background(), v1, serve.ModelConfig{})
	require.NoError(t, err)

	var ok, failed atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Infer(context.Background(), irisRequest(3)); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				} else {
					ok.Add(1)
				}
			}
		}()
	}
	uuids := map[string]bool{}
	for i := 0; i < 5; i++ {
		// The same version re-packed: a new UUID replaces the old in place.
		b := packPMML(t, t.TempDir(), "iris_forest", "1")
		_, err := s.Deploy(context.Background(), b, serve.ModelConfig{})
		require.NoError(t, err)
		m, err := s.Model("iris", "")
		require.NoError(t, err)
		uuids[m.UUID] = true
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	assert.Zero(t, failed.Load(), "first error: %v", firstErr.Load())
	assert.Greater(t, ok.Load(), int64(50))
	assert.Len(t, uuids, 5)
}

func TestDeployRefusesBadBundleAndKeepsServing(t *testing.T) {
	dir := t.TempDir()
	s := serve.New(serve.Options{})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	good := packPMML(t, dir, "iris_forest", "1")
	_, err := s.Deploy(context.Background(), good, serve.ModelConfig{})
	require.NoError(t, err)

	// Tamper with an unpacked copy of the same version.
	bad := filepath.Join(dir, "bad")
	_, err = pack.Pack(context.Background(), pack.Options{Models: []string{filepath.Join(examples, "iris_forest", "model.pmml")}, Out: bad, Version: "1", Name: "iris"})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(bad, "example", "input.json"), []byte(`{"tensors": []}`), 0o644))
	_, err = s.Deploy(context.Background(), bad, serve.ModelConfig{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bundle does not match its manifest")

	resp, err := s.Infer(context.Background(), irisRequest(1))
	require.NoError(t, err)
	assert.Equal(t, "1", resp.Version)
}

func TestWatchDirectory(t *testing.T) {
	dir := t.TempDir()
	s := serve.New(serve.Options{})
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx, dir, 100*time.Millisecond, serve.ModelConfig{})

	packPMML(t, dir, "iris_forest", "1")
	require.Eventually(t, func() bool { _, err := s.Model("iris", "1"); return err == nil }, 10*time.Second, 50*time.Millisecond)
	// A corrupt archive is refused; version 1 keeps serving.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.mlb"), []byte("not a bundle"), 0o644))
	packPMML(t, dir, "iris_logreg", "2")
	require.Eventually(t, func() bool { _, err := s.Model("iris", "2"); return err == nil }, 10*time.Second, 50*time.Millisecond)
	_, err := s.Infer(context.Background(), irisRequest(1))
	require.NoError(t, err)
}

func TestInferErrors(t *testing.T) {
	s := twoVersions(t, serve.ModelConfig{}, serve.Options{})
	_, err := s.Infer(context.Background(), &serve.Request{Model: "nope"})
	assert.ErrorIs(t, err, serve.ErrModelNotFound)
	req := irisRequest(1)
	req.Version = "7"
	_, err = s.Infer(context.Background(), req)
	assert.ErrorIs(t, err, serve.ErrModelNotFound)
	req = irisRequest(1)
	req.Inputs.Tensors = req.Inputs.Tensors[:3]
	_, err = s.Infer(context.Background(), req)
	assert.ErrorIs(t, err, flavors.ErrInvalidInput)
	assert.ErrorContains(t, err, `input "petal_width" is missing`)
	req = irisRequest(1)
	req.Outputs = []string{"nope"}
	_, err = s.Infer(context.Background(), req)
	assert.ErrorIs(t, err, flavors.ErrInvalidInput)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Infer(ctx, irisRequest(1))
	assert.True(t, errors.Is(err, context.Canceled), "%v", err)

	require.NoError(t, s.Shutdown(context.Background()))
	_, err = s.Infer(context.Background(), irisRequest(1))
	assert.ErrorIs(t, err, serve.ErrShuttingDown)
	assert.False(t, s.Ready())
}
