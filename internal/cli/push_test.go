package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/deploy/registry"
	"github.com/mlctl/mlctl/pkg/pack"
)

func TestPushCommand(t *testing.T) {
	reg := testenv.StartRegistry(t, testenv.RegistryOptions{Auth: true})
	dir := t.TempDir()
	mlb := filepath.Join(dir, "iris.mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join("..", "..", "examples", "models", "iris_forest", "model.pmml")}, Out: mlb, Name: "iris", Version: "3",
	})
	require.NoError(t, err)
	// A stand-in binary keeps the image small: this test moves it, not runs it.
	bin := filepath.Join(dir, "mlctl")
	require.NoError(t, os.WriteFile(bin, []byte("stand-in\n"), 0o755))
	ref := reg.Host + "/models/iris:3"
	run := func(args ...string) (int, string, string) {
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"push", mlb}, args...), strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String(), stderr.String()
	}
	isolate := func(t *testing.T, configDir string) {
		t.Setenv("HOME", t.TempDir())
		t.Setenv("DOCKER_CONFIG", configDir)
		t.Setenv("REGISTRY_AUTH_FILE", "")
		t.Setenv("XDG_RUNTIME_DIR", "")
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	}

	t.Run("pushes and prints the digest reference", func(t *testing.T) {
		isolate(t, testenv.DockerConfig(t, reg.Host, reg.Username, reg.Password))
		code, stdout, stderr := run(ref, "--base-image", "scratch", "--mlctl-binary", bin)
		require.Equal(t, 0, code, stderr)
		digestRef := strings.TrimSpace(stdout)
		require.True(t, strings.HasPrefix(digestRef, reg.Host+"/models/iris@sha256:"), "stdout %q", stdout)
		img, err := registry.Pull(context.Background(), digestRef, registry.Options{})
		require.NoError(t, err)
		d, err := img.Digest()
		require.NoError(t, err)
		assert.Equal(t, digestRef, reg.Host+"/models/iris@"+d.String())
	})
	t.Run("without credentials: exit 1 naming docker login", func(t *testing.T) {
		isolate(t, t.TempDir())
		code, stdout, stderr := run(ref, "--base-image", "scratch", "--mlctl-binary", bin)
		assert.Equal(t, 1, code)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "docker login "+reg.Host)
	})
	t.Run("bad reference: usage error", func(t *testing.T) {
		code, _, stderr := run("Not A Ref", "--base-image", "scratch")
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "REGISTRY/REPOSITORY:TAG")
	})
	t.Run("missing argument: usage error", func(t *testing.T) {
		code, _, _ := run()
		assert.Equal(t, 2, code)
	})
}
