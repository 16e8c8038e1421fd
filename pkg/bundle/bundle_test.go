package bundle

import (
	"archive/tar"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// makeBundle writes a small sealed bundle with one flavor file.
func makeBundle(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "b")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "flavors/pmml"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "flavors/pmml/model.pmml"), []byte("<PMML/>"), 0o644))
	m := &Manifest{
		Format: Format, UUID: "6f1c2b9e-0000-4000-8000-000000000001", Name: "m", Version: "1",
		Signature:  flavors.Signature{Inputs: []flavors.Spec{{Name: "x", DType: flavors.FP64, Shape: []int64{-1}}}},
		Flavors:    []Flavor{{Name: "pmml", Path: "flavors/pmml/model.pmml"}},
		Provenance: Provenance{Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), MlctlVersion: "test"},
	}
	require.NoError(t, Seal(dir, m))
	return dir
}

func TestOpenVerifiesDigests(t *testing.T) {
	dir := makeBundle(t)
	b, err := Open(dir)
	require.NoError(t, err)
	assert.Equal(t, "m", b.Manifest.Name)
	require.Len(t, b.Manifest.Files, 1)
	assert.Equal(t, int64(7), b.Manifest.Files[0].Size)
	require.NoError(t, b.Close())
}

func TestOpenRefusesTampering(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(t *testing.T, dir string)
		want   string
	}{
		{"altered content", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "flavors/pmml/model.pmml"), []byte("<pmml/>"), 0o644))
		}, "has sha256"},
		{"truncated", func(t *testing.T, dir string) {
			require.NoError(t, os.Truncate(filepath.Join(dir, "flavors/pmml/model.pmml"), 3))
		}, "has 3 bytes, the manifest says 7"},
		{"missing file", func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "flavors/pmml/model.pmml")))
		}, "is missing"},
		{"extra file", func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "flavors/evil.py"), []byte("x"), 0o644))
		}, "flavors/evil.py is not listed"},
		{"symlink", func(t *testing.T, dir string) {
			require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(dir, "link")))
		}, "link is not a regular file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := makeBundle(t)
			tc.mutate(t, dir)
			_, err := Open(dir)
			require.ErrorIs(t, err, ErrTampered)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestOpenRefusesBadManifest(t *testing.T) {
	cases := []struct {
		name, manifest, want string
	}{
		{"not yaml", "format: [", "mlctl.yaml"},
		{"wrong format", "format: other/v9\nuuid: u\nname: n\nflavors: [{name: onnx, path: a}]\n", `manifest format "other/v9"`},
		{"no flavors", "format: " + Format + "\nuuid: u\nname: n\n", "lists no flavors"},
		{"path escapes", "format: " + Format + "\nuuid: u\nname: n\nflavors: [{name: onnx, path: ../x}]\nfiles: [{path: ../x, sha256: " + zeros64 + ", size: 1}]\n", "leaves the bundle"},
		{"undigested flavor", "format: " + Format + "\nuuid: u\nname: n\nflavors: [{name: onnx, path: m.onnx}]\n", "has no digest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, ManifestFile), []byte(tc.manifest), 0o644))
			_, err := Open(dir)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	_, err := Open(t.TempDir())
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "not an mlctl bundle")
}

const zeros64 = "0000000000000000000000000000000000000000000000000000000000000000"

func TestArchiveRoundTrip(t *testing.T) {
	dir := makeBundle(t)
	out := filepath.Join(t.TempDir(), "m.mlb")
	require.NoError(t, Archive(dir, out))
	b, err := Open(out)
	require.NoError(t, err)
	extracted := b.Dir
	assert.NotEqual(t, dir, extracted)
	assert.FileExists(t, b.Path("flavors/pmml/model.pmml"))
	require.NoError(t, b.Close())
	assert.NoDirExists(t, extracted, "Close removes the extracted copy")

	// Same content, same bytes: archives are reproducible.
	out2 := filepath.Join(t.TempDir(), "m2.mlb")
	require.NoError(t, Archive(dir, out2))
	a1, _ := os.ReadFile(out)
	a2, _ := os.ReadFile(out2)
	assert.Equal(t, a1, a2)
}

// writeTar builds a gzip'd tar from headers and bodies.
func writeTar(t *testing.T, entries []tar.Header, bodies []string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "evil.mlb")
	f, err := os.Create(p)
	require.NoError(t, err)
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	for i := range entries {
		h := entries[i]
		require.NoError(t, tw.WriteHeader(&h))
		if bodies[i] != "" {
			_, err := tw.Write([]byte(bodies[i]))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	require.NoError(t, f.Close())
	return p
}

func TestExtractRefusesHostileArchives(t *testing.T) {
	cases := []struct {
		name   string
		header tar.Header
		body   string
		lim    Limits
		want   string
	}{
		{"absolute path", tar.Header{Name: "/etc/x", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}, "x", DefaultLimits, "is absolute"},
		{"dot dot", tar.Header{Name: "../x", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}, "x", DefaultLimits, "leaves the bundle"},
		{"nested dot dot", tar.Header{Name: "a/../../x", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644}, "x", DefaultLimits, "not clean"},
		{"symlink", tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}, "", DefaultLimits, "link or special file"},
		{"hard link", tar.Header{Name: "l", Typeflag: tar.TypeLink, Linkname: "x"}, "", DefaultLimits, "link or special file"},
		{"too big", tar.Header{Name: "big", Typeflag: tar.TypeReg, Size: 10, Mode: 0o644}, "0123456789", Limits{MaxFiles: 10, MaxFileBytes: 5, MaxTotal: 5}, "size limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTar(t, []tar.Header{tc.header}, []string{tc.body})
			dest := t.TempDir()
			err := Extract(p, dest, tc.lim)
			require.ErrorIs(t, err, ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
			_, statErr := os.Stat(filepath.Join(filepath.Dir(dest), "x"))
			assert.True(t, os.IsNotExist(statErr), "nothing written outside the destination")
		})
	}
	t.Run("too many files", func(t *testing.T) {
		hs := []tar.Header{
			{Name: "a", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
			{Name: "b", Typeflag: tar.TypeReg, Size: 1, Mode: 0o644},
		}
		p := writeTar(t, hs, []string{"a", "b"})
		err := Extract(p, t.TempDir(), Limits{MaxFiles: 1, MaxFileBytes: 10, MaxTotal: 10})
		require.ErrorIs(t, err, ErrInvalid)
		assert.Contains(t, err.Error(), "more than 1 files")
	})
	t.Run("not gzip", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "x.mlb")
		require.NoError(t, os.WriteFile(p, []byte("plain text"), 0o644))
		_, err := Open(p)
		require.ErrorIs(t, err, ErrInvalid)
		assert.Contains(t, err.Error(), "neither a bundle directory nor")
	})
}

func TestToleranceWithin(t *testing.T) {
	tol := Tolerance{Rel: 1e-5, Abs: 1e-6}
	assert.True(t, tol.Within(1.000001, 1))
	assert.False(t, tol.Within(1.001, 1))
	assert.True(t, tol.Within(5e-7, 0))
	assert.False(t, tol.Within(5e-6, 0))
	nan := func() float64 { z := 0.0; return z / z }()
	assert.True(t, tol.Within(nan, nan))
	assert.False(t, tol.Within(nan, 1))
}

func FuzzExtract(f *testing.F) {
	f.Add([]byte{0x1f, 0x8b, 0x08})
	f.Add([]byte("not an archive"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "in.mlb")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		dest := filepath.Join(dir, "out")
		_ = os.Mkdir(dest, 0o755)
		_ = Extract(p, dest, Limits{MaxFiles: 20, MaxFileBytes: 1 << 16, MaxTotal: 1 << 16})
	})
}
