package image_test

import (
	"archive/tar"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/image"
	"github.com/mlctl/mlctl/pkg/pack"
)

var packedAt = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// packIris packs the iris forest example's PMML (no runtime needed) into a
// temporary .mlb and opens it.
func packIris(t *testing.T) *bundle.Bundle {
	t.Helper()
	out := filepath.Join(t.TempDir(), "iris.mlb")
	_, err := pack.Pack(context.Background(), pack.Options{
		Models: []string{filepath.Join("..", "..", "..", "examples", "models", "iris_forest", "model.pmml")},
		Out:    out, Name: "iris", Version: "3",
		Now: func() time.Time { return packedAt },
	})
	require.NoError(t, err)
	b, err := bundle.Open(out)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })
	return b
}

// fakeBinary stands in for mlctl: these tests read the image, never run it.
func fakeBinary(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "mlctl")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/false\n"), 0o755))
	return p
}

func TestBuildConfig(t *testing.T) {
	b := packIris(t)
	img, err := image.Build(context.Background(), image.Options{Bundle: b, MlctlBinary: fakeBinary(t), Source: "https://example.com/iris"})
	require.NoError(t, err)
	assert.Equal(t, "pmml", img.Flavor)

	cf, err := img.Image.ConfigFile()
	require.NoError(t, err)
	c := cf.Config
	assert.Equal(t, "65532:65532", c.User)
	assert.Equal(t, []string{"/usr/local/bin/mlctl", "serve", "/bundle", "--flavor", "pmml"}, c.Entrypoint)
	assert.Equal(t, []string{"--port", "0.0.0.0:8080", "--grpc-port", "0.0.0.0:8081"}, c.Cmd)
	require.NotNil(t, c.Healthcheck)
	assert.Equal(t, []string{"CMD", "/usr/local/bin/mlctl", "healthcheck", "--url", "http://127.0.0.1:8080/v2/health/ready"}, c.Healthcheck.Test)
	assert.Contains(t, c.ExposedPorts, "8080/tcp")
	assert.Contains(t, c.ExposedPorts, "8081/tcp")
	assert.NotContains(t, c.Env, "MLCTL_ORT_LIB=/usr/lib/mlctl/libonnxruntime.so", "a pmml image carries no ONNX Runtime")
	m := b.Manifest
	for k, want := range map[string]string{
		image.LabelBundleUUID:    m.UUID,
		image.LabelBundleName:    "iris",
		image.LabelBundleVersion: "3",
		image.LabelVersion:       "3",
		image.LabelSource:        "https://example.com/iris",
		image.LabelCreated:       "2026-11-21T10:00:00Z",
		image.LabelBundleDigest:  img.BundleDigest,
	} {
		assert.Equal(t, want, c.Labels[k], "label %s", k)
	}
	assert.Regexp(t, `^sha256:[0-9a-f]{64}$`, img.BundleDigest)
	assert.Equal(t, packedAt, cf.Created.Time)
	assert.Equal(t, "linux", cf.OS)

	mf, err := img.Image.Manifest()
	require.NoError(t, err)
	assert.Equal(t, m.UUID, mf.Annotations[image.LabelBundleUUID])
	id, err := img.Image.ConfigName()
	require.NoError(t, err)
	assert.Equal(t, id, img.ID)

	files := imageFiles(t, img.Image)
	assert.Equal(t, int64(0o555), files["usr/local/bin/mlctl"])
	assert.Equal(t, int64(0o444), files["bundle/mlctl.yaml"])
	for _, f := range m.Files {
		assert.Contains(t, files, "bundle/"+f.Path)
	}
	assert.NotContains(t, files, "usr/lib/mlctl/libonnxruntime.so")
}

// imageFiles maps every regular file in img's layers to its mode, and checks
// each entry is owned by root with the bundle's time.
func imageFiles(t *testing.T, img v1.Image) map[string]int64 {
	layers, err := img.Layers()
	require.NoError(t, err)
	out := map[string]int64{}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		require.NoError(t, err)
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			assert.Equal(t, 0, h.Uid, h.Name)
			assert.True(t, h.ModTime.Equal(packedAt), "%s: mtime %v", h.Name, h.ModTime)
			if h.Typeflag == tar.TypeReg {
				out[h.Name] = h.Mode
			}
		}
		rc.Close()
	}
	return out
}

func TestBuildIsReproducible(t *testing.T) {
	b := packIris(t)
	bin := fakeBinary(t)
	build := func() *image.Image {
		img, err := image.Build(context.Background(), image.Options{Bundle: b, MlctlBinary: bin})
		require.NoError(t, err)
		return img
	}
	first := build()
	// Different modification times on disk must not reach the image.
	later := time.Now().Add(time.Hour)
	require.NoError(t, os.Chtimes(bin, later, later))
	second := build()
	assert.Equal(t, first.Digest, second.Digest)
	assert.Equal(t, first.ID, second.ID)

	// A different binary is a different image.
	other := fakeBinary(t)
	require.NoError(t, os.WriteFile(other, []byte("#!/bin/true\n"), 0o755))
	third, err := image.Build(context.Background(), image.Options{Bundle: b, MlctlBinary: other})
	require.NoError(t, err)
	assert.NotEqual(t, first.Digest, third.Digest)
}

func TestBuildRefusesBadInput(t *testing.T) {
	b := packIris(t)
	tests := []struct {
		name string
		opts image.Options
		want string
	}{
		{"no bundle", image.Options{MlctlBinary: "x"}, "no bundle given"},
		{"unknown flavor", image.Options{Bundle: b, Flavor: "onnx", MlctlBinary: fakeBinary(t)}, `no "onnx" flavor (it has pmml)`},
		{"missing binary", image.Options{Bundle: b, MlctlBinary: filepath.Join(t.TempDir(), "nope")}, "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := image.Build(context.Background(), tt.opts)
			require.ErrorIs(t, err, image.ErrBuild)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestTag(t *testing.T) {
	tests := []struct{ name, version, uuid, want string }{
		{"iris", "3", "3736f244-da88-4883-a134-47f1e47561f8", "mlctl/iris:3-3736f244"},
		{"Iris Forest!", "v1.0+build", "ab", "mlctl/iris-forest:v1.0-build-ab"},
		{"", "", "", "mlctl/model:latest"},
	}
	for _, tt := range tests {
		m := &bundle.Manifest{Name: tt.name, Version: tt.version, UUID: tt.uuid}
		assert.Equal(t, tt.want, image.Tag(m))
	}
}

func TestDefaultBase(t *testing.T) {
	assert.Equal(t, image.BaseGlibc, image.DefaultBase("pmml"))
	assert.Equal(t, image.BaseGlibc, image.DefaultBase("onnx"))
	assert.Equal(t, image.BasePythonSklearn, image.DefaultBase("pickle"))
}
