package rollout_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/image"
	"github.com/mlctl/mlctl/pkg/deploy/rollout"
	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/pack"
)

var examples = filepath.Join("..", "..", "..", "examples", "models")

var mlctlBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "mlctl-rollout-test-")
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "mlctl")
	cmd := exec.Command("go", "build", "-o", out, "github.com/mlctl/mlctl/cmd/mlctl")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", &exec.ExitError{Stderr: msg}
	}
	return out, nil
})

type fixture struct {
	eng   *docker.Engine
	bin   string
	name  string
	store *rollout.Store
	uuids []string
}

func setup(t *testing.T) *fixture {
	t.Helper()
	env := testenv.RequireDocker(t)
	env.RequireImage(t, image.BaseGlibc, testenv.InstallDocker)
	bin, err := mlctlBinary()
	require.NoError(t, err, "building mlctl")
	ctx := context.Background()
	eng, err := docker.ConnectHost(ctx, env.Host)
	require.NoError(t, err)
	suffix := make([]byte, 4)
	rand.Read(suffix)
	f := &fixture{eng: eng, bin: bin, name: "ro-" + hex.EncodeToString(suffix), store: &rollout.Store{Dir: t.TempDir()}}
	t.Cleanup(func() {
		assert.NoError(t, rollout.Destroy(ctx, eng, f.store, f.name))
		for _, key := range []string{rollout.LabelRouter, docker.LabelDeployment} {
			left, err := eng.Labeled(ctx, key, f.name)
			assert.NoError(t, err)
			assert.Empty(t, left, "containers left behind")
		}
		for _, uuid := range f.uuids {
			imgs, err := eng.Client().ImageList(ctx, client.ImageListOptions{
				Filters: make(client.Filters).Add("label", image.LabelBundleUUID+"="+uuid),
			})
			if err == nil {
				for _, img := range imgs.Items {
					eng.Client().ImageRemove(ctx, img.ID, client.ImageRemoveOptions{Force: true})
				}
			}
		}
		eng.Close()
	})
	return f
}

// pack packs the iris PMML model as version v of "iris".
func (f *fixture) pack(t *testing.T, v string) *bundle.Bundle {
	t.Helper()
	out := filepath.Join(t.TempDir(), "iris-"+v+".mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join(examples, "iris_forest/model.pmml")}, Out: out, Name: "iris", Version: v,
	})
	require.NoError(t, err)
	b, err := bundle.Open(out)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	f.uuids = append(f.uuids, b.Manifest.UUID)
	return b
}

func (f *fixture) options(b *bundle.Bundle, s rollout.Strategy) rollout.Options {
	return rollout.Options{
		Revision: docker.Options{Name: f.name, Bundle: b, MlctlBinary: f.bin, HealthTimeout: time.Minute},
		Strategy: s, Store: f.store, Pause: 2 * time.Second, Steps: []int{50, 100},
		Thresholds: rollout.Thresholds{MaxErrorRate: 0.01},
	}
}

// client sends the bundle's example through the router.
type routerClient struct {
	url, token string
	body       []byte
}

func (f *fixture) client(t *testing.T, b *bundle.Bundle) *routerClient {
	t.Helper()
	s, err := f.store.Load(f.name)
	require.NoError(t, err)
	in, err := load.ReadTensors(b, b.Manifest.Example.Path)
	require.NoError(t, err)
	inputs := make([]codec.TensorJSON, len(in.Tensors))
	for i, x := range in.Tensors {
		inputs[i] = codec.EncodeTensor(x)
	}
	body, err := json.Marshal(map[string]any{"inputs": inputs})
	require.NoError(t, err)
	return &routerClient{url: s.Router.Endpoint + "/v2/models/" + s.Model + "/infer", token: s.Router.Token, body: body}
}

// infer returns the answering bundle's UUID.
func (c *routerClient) infer(ctx context.Context) (string, error) {
	return c.inferWith(ctx, nil)
}

func (c *routerClient) inferWith(ctx context.Context, h http.Header) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		return "", err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", &httpError{resp.StatusCode, string(raw)}
	}
	var out struct {
		Parameters struct {
			UUID string `json:"model_uuid"`
		} `json:"parameters"`
	}
	err = json.Unmarshal(raw, &out)
	return out.Parameters.UUID, err
}

type httpError struct {
	code int
	body string
}

func (e *httpError) Error() string { return http.StatusText(e.code) + ": " + e.body }

// load sends requests one after another until stopped, counting failures.
type loadGen struct {
	sent, failed atomic.Int64
	lastErr      atomic.Value
	stop         context.CancelFunc
	done         chan struct{}
}

func startLoad(c *routerClient) *loadGen {
	ctx, cancel := context.WithCancel(context.Background())
	l := &loadGen{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for ctx.Err() == nil {
			_, err := c.infer(ctx)
			if ctx.Err() != nil {
				return
			}
			l.sent.Add(1)
			if err != nil {
				l.failed.Add(1)
				l.lastErr.Store(err.Error())
			}
		}
	}()
	return l
}

func (l *loadGen) finish() (sent, failed int64, last any) {
	l.stop()
	<-l.done
	return l.sent.Load(), l.failed.Load(), l.lastErr.Load()
}

func serving(t *testing.T, f *fixture) int {
	t.Helper()
	s, err := f.store.Load(f.name)
	require.NoError(t, err)
	r, ok := s.Serving()
	require.True(t, ok)
	return r.N
}

func TestRolloutOnEngine(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	v1, v2, v3, v4 := f.pack(t, "1"), f.pack(t, "2"), f.pack(t, "3"), f.pack(t, "4")

	// Revision 1 behind a new router.
	res, err := rollout.Deploy(ctx, f.eng, f.options(v1, rollout.BlueGreen))
	require.NoError(t, err)
	assert.Equal(t, 1, res.Revision.N)
	assert.True(t, res.Golden.Passed())
	t.Logf("deploy → first healthy answer through the router: %v", res.Healthy)
	c := f.client(t, v1)
	uuid, err := c.infer(ctx)
	require.NoError(t, err)
	assert.Equal(t, v1.Manifest.UUID, uuid)

	l := startLoad(c)
	defer l.finish()

	// Blue-green to 2.
	res, err = rollout.Deploy(ctx, f.eng, f.options(v2, rollout.BlueGreen))
	require.NoError(t, err)
	assert.Equal(t, rollout.Complete, res.Phase)
	uuid, err = c.infer(ctx)
	require.NoError(t, err)
	assert.Equal(t, v2.Manifest.UUID, uuid, "blue-green switched to revision 2")

	// Canary to 3.
	res, err = rollout.Deploy(ctx, f.eng, f.options(v3, rollout.Canary))
	require.NoError(t, err)
	assert.Equal(t, rollout.Complete, res.Phase)
	uuid, err = c.infer(ctx)
	require.NoError(t, err)
	assert.Equal(t, v3.Manifest.UUID, uuid, "canary promoted revision 3")
	st, err := f.store.Load(f.name)
	require.NoError(t, err)
	require.NotNil(t, st.Rollout.Analysis)
	assert.Positive(t, st.Rollout.Analysis["3"].Requests, "the canary step saw requests: %+v", st.Rollout.Analysis)

	// A broken revision (no glibc: the container exits) takes no traffic.
	broken := f.options(v4, rollout.Canary)
	broken.Revision.BaseImage = image.Scratch
	broken.Revision.HealthTimeout = 30 * time.Second
	_, err = rollout.Deploy(ctx, f.eng, broken)
	require.ErrorIs(t, err, docker.ErrUnhealthy)
	assert.Equal(t, 3, serving(t, f))

	// A canary whose latency breaches the threshold is rolled back.
	slow := f.options(v4, rollout.Canary)
	slow.MaxLatencyP99 = time.Nanosecond
	_, err = rollout.Deploy(ctx, f.eng, slow)
	require.ErrorIs(t, err, rollout.ErrRolledBack)
	assert.Contains(t, err.Error(), "p99 latency")
	assert.Equal(t, 3, serving(t, f))
	uuid, err = c.infer(ctx)
	require.NoError(t, err)
	assert.Equal(t, v3.Manifest.UUID, uuid, "revision 3 still serves")

	// Undo to revision 1: its stopped container is started again.
	require.NoError(t, rollout.Undo(ctx, f.eng, f.store, f.name, 1, time.Minute))
	assert.Equal(t, 1, serving(t, f))
	uuid, err = c.infer(ctx)
	require.NoError(t, err)
	assert.Equal(t, v1.Manifest.UUID, uuid, "undo brought revision 1 back")

	// Abort in the middle of a long canary.
	long := f.options(v4, rollout.Canary)
	long.Steps, long.Pause = []int{10, 100}, 10*time.Minute
	errc := make(chan error, 1)
	go func() {
		_, err := rollout.Deploy(ctx, f.eng, long)
		errc <- err
	}()
	require.Eventually(t, func() bool {
		s, err := f.store.Load(f.name)
		return err == nil && s.Rollout != nil && s.Rollout.Phase == rollout.Progressing && s.Rollout.Weight == 10
	}, 2*time.Minute, 200*time.Millisecond)
	require.NoError(t, rollout.Abort(ctx, f.eng, f.store, f.name))
	select {
	case err := <-errc:
		require.ErrorIs(t, err, rollout.ErrAborted)
	case <-time.After(time.Minute):
		t.Fatal("the canary did not notice the abort")
	}
	assert.Equal(t, 1, serving(t, f))
	st, err = f.store.Load(f.name)
	require.NoError(t, err)
	assert.Equal(t, rollout.Aborted, st.Rollout.Phase)

	sent, failed, last := l.finish()
	t.Logf("load during blue-green, canary, broken revision, rolled-back canary, undo and abort: %d requests, %d failed", sent, failed)
	assert.Positive(t, sent)
	assert.Zero(t, failed, "failed requests while traffic moved (last: %v)", last)
}
