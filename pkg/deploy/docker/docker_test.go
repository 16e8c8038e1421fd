package docker_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/image"
	"github.com/mlctl/mlctl/pkg/flavors/onnx"
	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/pack"
)

const installPythonBase = "MLCTL_DOCKER_PYTHON_BASE=1 " + testenv.InstallDocker

var examples = filepath.Join("..", "..", "..", "examples", "models")

// mlctlBinary builds the mlctl command once: the test binary itself cannot
// serve inside the image.
var mlctlBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "mlctl-deploy-test-")
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
	eng     *docker.Engine
	bin     string
	name    string   // unique per test: deployments share one engine
	bundles []string // UUIDs whose images the test removes
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
	f := &fixture{eng: eng, bin: bin, name: "test-" + hex.EncodeToString(suffix)}
	t.Cleanup(func() {
		f.removeAll(t)
		eng.Close()
	})
	return f
}

// removeAll removes the test's containers; a test then checks none is left.
func (f *fixture) removeAll(t *testing.T) {
	ctx := context.Background()
	cs, err := f.eng.Revisions(ctx, f.name)
	if err != nil {
		t.Error(err)
		return
	}
	for _, c := range cs {
		assert.NoError(t, f.eng.Remove(ctx, c.ID))
	}
	for _, uuid := range f.bundles {
		imgs, err := f.eng.Client().ImageList(ctx, client.ImageListOptions{
			Filters: make(client.Filters).Add("label", image.LabelBundleUUID+"="+uuid),
		})
		if err != nil {
			t.Error(err)
			continue
		}
		for _, img := range imgs.Items {
			_, err := f.eng.Client().ImageRemove(ctx, img.ID, client.ImageRemoveOptions{Force: true})
			assert.NoError(t, err)
		}
	}
}

func (f *fixture) packBundle(t *testing.T, model, name string) *bundle.Bundle {
	t.Helper()
	out := filepath.Join(t.TempDir(), name+".mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join(examples, model)}, Out: out, Name: name, Version: "3",
		Now: func() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) },
	})
	require.NoError(t, err)
	b, err := bundle.Open(out)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	f.bundles = append(f.bundles, b.Manifest.UUID)
	return b
}

func TestDeployPMMLOnEngine(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	b := f.packBundle(t, "iris_forest/model.pmml", "iris")
	opts := docker.Options{Name: f.name, Bundle: b, MlctlBinary: f.bin, HealthTimeout: time.Minute}

	// The image: built twice, the same digest; the engine's ID is its config digest.
	img, ref, err := docker.PrepareImage(ctx, f.eng, opts)
	require.NoError(t, err)
	again, _, err := docker.PrepareImage(ctx, f.eng, opts)
	require.NoError(t, err)
	assert.Equal(t, img.Digest, again.Digest, "same inputs, same digest")
	assert.Equal(t, img.ID, again.ID)

	got, err := f.eng.Client().ImageInspect(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, img.ID.String(), got.ID)
	cfg := got.Config
	require.NotNil(t, cfg)
	assert.Equal(t, "65532:65532", cfg.User)
	require.NotNil(t, cfg.Healthcheck)
	assert.Equal(t, image.HealthcheckCmd(image.DefaultHTTP), cfg.Healthcheck.Test)
	assert.Equal(t, b.Manifest.UUID, cfg.Labels[image.LabelBundleUUID])
	assert.Equal(t, img.BundleDigest, cfg.Labels[image.LabelBundleDigest])
	assert.Contains(t, cfg.ExposedPorts, "8080/tcp")

	// Revision 1, then 2 on a fixed port, which replaces 1.
	res, err := docker.Deploy(ctx, f.eng, opts)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Revision)
	assert.True(t, res.Golden.Passed(), "golden: %+v", res.Golden)
	checkLabels(t, res.Container.Endpoint, b)

	port, err := docker.FreePort("")
	require.NoError(t, err)
	opts.HTTPPort = port
	opts.MemoryBytes, opts.NanoCPUs, opts.Restart = 256<<20, 1e9, "unless-stopped"
	res2, err := docker.Deploy(ctx, f.eng, opts)
	require.NoError(t, err)
	assert.Equal(t, 2, res2.Revision)
	assert.Equal(t, "http://127.0.0.1:"+strconv.Itoa(port), res2.Container.Endpoint)
	require.Len(t, res2.Replaced, 1)
	assert.Equal(t, 1, res2.Replaced[0].Revision())
	checkLabels(t, res2.Container.Endpoint, b)

	inspect, err := f.eng.Client().ContainerInspect(ctx, res2.Container.ID, client.ContainerInspectOptions{})
	require.NoError(t, err)
	c := inspect.Container
	assert.Equal(t, int64(256<<20), c.HostConfig.Memory)
	assert.Equal(t, int64(1e9), c.HostConfig.NanoCPUs)
	assert.Equal(t, "unless-stopped", string(c.HostConfig.RestartPolicy.Name))
	assert.Equal(t, "2", c.Config.Labels[docker.LabelRevision])
	assert.Equal(t, img.Digest.String(), c.Config.Labels[docker.LabelImageDigest])
	assert.Equal(t, b.Manifest.UUID, c.Config.Labels[docker.LabelBundleUUID])

	// Revision 3 on the same port: 2 must stop first, and 3 takes over.
	res3, err := docker.Deploy(ctx, f.eng, opts)
	require.NoError(t, err)
	assert.Equal(t, 3, res3.Revision)
	checkLabels(t, res3.Container.Endpoint, b)
	revs, err := f.eng.Revisions(ctx, f.name)
	require.NoError(t, err)
	require.Len(t, revs, 1)
	assert.Equal(t, 3, revs[0].Revision())

	// Stop and remove: nothing of the deployment is left.
	require.NoError(t, f.eng.Stop(ctx, res3.Container.ID, 5*time.Second))
	require.NoError(t, f.eng.Remove(ctx, res3.Container.ID))
	revs, err = f.eng.Revisions(ctx, f.name)
	require.NoError(t, err)
	assert.Empty(t, revs)
}

// checkLabels sends the bundle's example to the container and checks the
// predicted labels are the golden ones.
func checkLabels(t *testing.T, endpoint string, b *bundle.Bundle) {
	t.Helper()
	in, err := load.ReadTensors(b, b.Manifest.Example.Path)
	require.NoError(t, err)
	entry, _ := b.Manifest.Flavor("pmml")
	want, err := load.ReadTensors(b, entry.Golden)
	require.NoError(t, err)
	got, err := docker.Infer(context.Background(), endpoint, b.Manifest.Name, "", in)
	require.NoError(t, err)
	gl, ok := got.Get("label")
	require.True(t, ok, "no label output")
	wl, _ := want.Get("label")
	assert.Equal(t, wl.Strings(), gl.Strings())
	assert.Subset(t, []string{"setosa", "versicolor", "virginica"}, gl.Strings())
}

func TestDeployONNXOnEngine(t *testing.T) {
	f := setup(t)
	if _, err := onnx.LibraryPath(""); err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	b := f.packBundle(t, "iris_forest/model.onnx", "iris-onnx")
	res, err := docker.Deploy(ctx, f.eng, docker.Options{Name: f.name, Bundle: b, MlctlBinary: f.bin, HealthTimeout: time.Minute})
	require.NoError(t, err)
	assert.Equal(t, "onnx", res.Image.Flavor)
	assert.True(t, res.Golden.Passed(), "golden: %+v", res.Golden)
}

// The ONNX-only server image against a Python + scikit-learn image (the
// base a pickle model server needs): BENCHMARKS.md's target is ≤ 1/5.
func TestImageSizeONNXvsPython(t *testing.T) {
	f := setup(t)
	env := testenv.RequireDocker(t)
	env.RequireImage(t, image.BasePythonSklearn, installPythonBase)
	if _, err := onnx.LibraryPath(""); err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	b := f.packBundle(t, "iris_forest/model.onnx", "iris-size")
	_, ref, err := docker.PrepareImage(ctx, f.eng, docker.Options{Name: f.name, Bundle: b, MlctlBinary: f.bin})
	require.NoError(t, err)
	onnxImg, err := f.eng.Client().ImageInspect(ctx, ref)
	require.NoError(t, err)
	pyImg, err := f.eng.Client().ImageInspect(ctx, image.BasePythonSklearn)
	require.NoError(t, err)
	ratio := float64(onnxImg.Size) / float64(pyImg.Size)
	t.Logf("ONNX-only image %.1f MB, Python+scikit-learn base %.1f MB: ratio %.3f (1/%.1f)",
		float64(onnxImg.Size)/1e6, float64(pyImg.Size)/1e6, ratio, 1/ratio)
	assert.LessOrEqual(t, ratio, 0.2)
}

func TestDeployFailuresLeaveNothingRunning(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	b := f.packBundle(t, "iris_forest/model.pmml", "iris-fail")

	t.Run("port taken", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		defer l.Close()
		_, err = docker.Deploy(ctx, f.eng, docker.Options{
			Name: f.name, Bundle: b, MlctlBinary: f.bin, HTTPPort: l.Addr().(*net.TCPAddr).Port,
		})
		require.ErrorIs(t, err, docker.ErrPortInUse)
		revs, err := f.eng.Revisions(ctx, f.name)
		require.NoError(t, err)
		assert.Empty(t, revs)
	})
	t.Run("server cannot start", func(t *testing.T) {
		// On scratch there is no glibc: the cgo-linked mlctl cannot run.
		_, err := docker.Deploy(ctx, f.eng, docker.Options{
			Name: f.name, Bundle: b, MlctlBinary: f.bin, BaseImage: image.Scratch, HealthTimeout: 30 * time.Second,
		})
		require.Error(t, err)
		revs, err := f.eng.Revisions(ctx, f.name)
		require.NoError(t, err)
		assert.Empty(t, revs, "the failed container must be removed")
	})
	t.Run("base image missing", func(t *testing.T) {
		_, err := docker.Deploy(ctx, f.eng, docker.Options{
			Name: f.name, Bundle: b, MlctlBinary: f.bin, BaseImage: "mlctl-base/none:missing",
		})
		require.ErrorIs(t, err, image.ErrBuild)
		assert.ErrorContains(t, err, "scripts/testenv/docker.sh")
	})
	t.Run("bad name", func(t *testing.T) {
		_, err := docker.Deploy(ctx, f.eng, docker.Options{Name: "-bad name", Bundle: b})
		require.ErrorIs(t, err, docker.ErrInvalidName)
	})
}

func TestConnectWithoutEngine(t *testing.T) {
	_, err := docker.ConnectHost(context.Background(), "unix://"+filepath.Join(t.TempDir(), "no.sock"))
	require.ErrorIs(t, err, docker.ErrNoEngine)
	assert.ErrorContains(t, err, "dockerd")
}
