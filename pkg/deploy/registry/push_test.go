package registry_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/internal/testenv"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/deploy/image"
	"github.com/mlctl/mlctl/pkg/deploy/registry"
	"github.com/mlctl/mlctl/pkg/pack"
)

var examples = filepath.Join("..", "..", "..", "examples", "models")

// irisBundle packs the iris PMML example.
func irisBundle(t *testing.T) *bundle.Bundle {
	t.Helper()
	out := filepath.Join(t.TempDir(), "iris.mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join(examples, "iris_forest", "model.pmml")}, Out: out, Name: "iris", Version: "3",
		Now: func() time.Time { return time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC) },
	})
	require.NoError(t, err)
	b, err := bundle.Open(out)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// buildImage builds the image `mlctl deploy docker` would build for b, on
// scratch and with a stand-in for the mlctl binary: these tests move the
// image, they do not run it.
func buildImage(t *testing.T, b *bundle.Bundle) *image.Image {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mlctl")
	require.NoError(t, os.WriteFile(bin, []byte("stand-in for the mlctl binary\n"), 0o755))
	img, err := image.Build(context.Background(), image.Options{Bundle: b, MlctlBinary: bin})
	require.NoError(t, err)
	return img
}

func irisImage(t *testing.T) *image.Image { return buildImage(t, irisBundle(t)) }

// isolateDockerConfig points the Docker keychain at dir (or at an empty
// directory) so the machine's own logins play no part. It changes HOME:
// call it after testenv has found its binaries.
func isolateDockerConfig(t *testing.T, dir string) {
	if dir == "" {
		dir = t.TempDir()
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_RUNTIME_DIR", "")
	t.Setenv("REGISTRY_AUTH_FILE", "")
}

type layerID struct{ Digest, DiffID v1.Hash }

func layerIDs(t *testing.T, img v1.Image) []layerID {
	t.Helper()
	ls, err := img.Layers()
	require.NoError(t, err)
	var ids []layerID
	for _, l := range ls {
		d, err := l.Digest()
		require.NoError(t, err)
		diff, err := l.DiffID()
		require.NoError(t, err)
		ids = append(ids, layerID{d, diff})
	}
	return ids
}

// checkPulled pulls ref and checks it is img: same manifest digest, config
// and layers, with every layer's bytes read (and so checked) in full.
func checkPulled(t *testing.T, ref string, img *image.Image) {
	t.Helper()
	got, err := registry.Pull(context.Background(), ref, registry.Options{})
	require.NoError(t, err)
	d, err := got.Digest()
	require.NoError(t, err)
	assert.Equal(t, img.Digest, d)
	id, err := got.ConfigName()
	require.NoError(t, err)
	assert.Equal(t, img.ID, id)
	assert.Equal(t, layerIDs(t, img.Image), layerIDs(t, got))
	ls, err := got.Layers()
	require.NoError(t, err)
	for _, l := range ls {
		rc, err := l.Compressed()
		require.NoError(t, err)
		_, err = io.Copy(io.Discard, rc)
		require.NoError(t, err, "reading a pulled layer (its digest is checked at EOF)")
		require.NoError(t, rc.Close())
	}
	cf, err := got.ConfigFile()
	require.NoError(t, err)
	assert.Equal(t, img.BundleDigest, cf.Config.Labels[image.LabelBundleDigest])
}

func TestPushThenPullByDigest(t *testing.T) {
	reg := testenv.StartRegistry(t, testenv.RegistryOptions{})
	isolateDockerConfig(t, "") // after finding the registry in the real HOME's cache
	b := irisBundle(t)
	img := buildImage(t, b)
	ctx := context.Background()
	ref := reg.Host + "/mlctl/iris:3"

	digest, err := registry.Push(ctx, img.Image, ref, registry.Options{})
	require.NoError(t, err)
	assert.Equal(t, img.Digest.String(), digest, "the registry holds the image's own (reproducible) digest")
	digestRef, err := registry.DigestRef(ref, digest)
	require.NoError(t, err)
	assert.Equal(t, reg.Host+"/mlctl/iris@"+digest, digestRef)

	checkPulled(t, digestRef, img)
	checkPulled(t, ref, img) // the tag names it too

	// The same bundle built again pushes to the same digest.
	again, err := registry.Push(ctx, buildImage(t, b).Image, reg.Host+"/mlctl/iris:3-again", registry.Options{})
	require.NoError(t, err)
	assert.Equal(t, digest, again)

	// A digest the registry does not hold is not found.
	missing := reg.Host + "/mlctl/iris@sha256:" + strings.Repeat("0", 64)
	_, err = registry.Pull(ctx, missing, registry.Options{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "MANIFEST_UNKNOWN")
}

func TestPushWithDockerConfigAuth(t *testing.T) {
	reg := testenv.StartRegistry(t, testenv.RegistryOptions{Auth: true})
	img := irisImage(t)
	ctx := context.Background()
	ref := reg.Host + "/mlctl/iris:3"

	t.Run("without credentials", func(t *testing.T) {
		isolateDockerConfig(t, "")
		_, err := registry.Push(ctx, img.Image, ref, registry.Options{})
		require.ErrorIs(t, err, registry.ErrUnauthorized)
		assert.Contains(t, err.Error(), "docker login "+reg.Host)
	})
	t.Run("wrong password", func(t *testing.T) {
		isolateDockerConfig(t, testenv.DockerConfig(t, reg.Host, reg.Username, "wrong"))
		_, err := registry.Push(ctx, img.Image, ref, registry.Options{})
		require.ErrorIs(t, err, registry.ErrUnauthorized)
	})
	t.Run("credentials from DOCKER_CONFIG", func(t *testing.T) {
		isolateDockerConfig(t, testenv.DockerConfig(t, reg.Host, reg.Username, reg.Password))
		digest, err := registry.Push(ctx, img.Image, ref, registry.Options{})
		require.NoError(t, err)
		assert.Equal(t, img.Digest.String(), digest)
		digestRef, err := registry.DigestRef(ref, digest)
		require.NoError(t, err)
		checkPulled(t, digestRef, img)
	})
	t.Run("pull without credentials is refused", func(t *testing.T) {
		isolateDockerConfig(t, "")
		_, err := registry.Pull(ctx, ref, registry.Options{})
		require.ErrorIs(t, err, registry.ErrUnauthorized)
	})
}

// TestEnginePullsPushedImage pulls the pushed image by digest into the real
// Docker engine (which treats 127.0.0.0/8 registries as insecure by
// default) and checks the engine's image ID is the image's config digest.
func TestEnginePullsPushedImage(t *testing.T) {
	env := testenv.RequireDocker(t)
	reg := testenv.StartRegistry(t, testenv.RegistryOptions{})
	isolateDockerConfig(t, "")
	img := irisImage(t)
	ctx := context.Background()
	ref := reg.Host + "/mlctl/iris:3"
	digest, err := registry.Push(ctx, img.Image, ref, registry.Options{})
	require.NoError(t, err)
	digestRef, err := registry.DigestRef(ref, digest)
	require.NoError(t, err)

	eng, err := docker.ConnectHost(ctx, env.Host)
	require.NoError(t, err)
	defer eng.Close()
	cli := eng.Client()
	resp, err := cli.ImagePull(ctx, digestRef, client.ImagePullOptions{})
	require.NoError(t, err)
	require.NoError(t, pullErrors(resp))
	resp.Close()
	t.Cleanup(func() {
		_, err := cli.ImageRemove(context.Background(), digestRef, client.ImageRemoveOptions{Force: true})
		assert.NoError(t, err)
	})
	got, err := cli.ImageInspect(ctx, digestRef)
	require.NoError(t, err)
	assert.Equal(t, img.ID.String(), got.ID)
	assert.Contains(t, got.RepoDigests, digestRef)
}

// pullErrors reads the engine's JSON progress stream and returns the first
// error it reports.
func pullErrors(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var msg struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) == nil && msg.Error != "" {
			return &pullError{msg.Error}
		}
	}
	return sc.Err()
}

type pullError struct{ msg string }

func (e *pullError) Error() string { return "engine: " + e.msg }

func TestPlainHTTPOnlyToLoopbackOrInsecure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	// A transport that reaches srv whatever the URL's host: the policy, not
	// the network, decides.
	toSrv := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}}
	const (
		reached   = iota // over HTTP: srv's 404
		refused          // plain HTTP refused by the policy
		httpsOnly        // only HTTPS was tried (srv does not speak it)
	)
	tests := []struct {
		host     string
		insecure bool
		want     int
	}{
		{"127.0.0.1:5000", false, reached},
		{"127.1.2.3:5000", false, reached},
		{"localhost:5000", false, reached},
		{"[::1]:5000", false, reached},
		{"192.168.1.10:5000", false, refused}, // the client would fall back to HTTP for RFC 1918
		{"10.0.0.1", false, refused},
		{"registry.example.com", false, httpsOnly},
		{"192.168.1.10:5000", true, reached},
		{"registry.example.com", true, reached},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			_, err := registry.Pull(context.Background(), tt.host+"/m/iris:3",
				registry.Options{Insecure: tt.insecure, Transport: toSrv, Keychain: authn.NewMultiKeychain()})
			require.Error(t, err) // srv answers 404 to everything
			switch tt.want {
			case reached:
				assert.NotErrorIs(t, err, registry.ErrPlainHTTP)
				assert.Contains(t, err.Error(), "404")
			case refused:
				assert.ErrorIs(t, err, registry.ErrPlainHTTP)
				assert.NotContains(t, err.Error(), "404")
			case httpsOnly:
				assert.NotErrorIs(t, err, registry.ErrPlainHTTP)
				assert.NotContains(t, err.Error(), "404")
			}
		})
	}
}
