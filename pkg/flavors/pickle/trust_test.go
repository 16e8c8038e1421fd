package pickle

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// marker.pkl creates models()/marker-created when unpickled: whether that
// file exists tells whether any Python unpickled it.
func markerPath(t *testing.T) string {
	t.Helper()
	path := filepath.Join(models(t), "marker-created")
	os.Remove(path)
	t.Cleanup(func() { os.Remove(path) })
	return path
}

func TestDigestMismatchRefusedWithoutUnpickling(t *testing.T) {
	pkl := filepath.Join(models(t), "marker.pkl")
	digest, err := fileSHA256(pkl)
	if err != nil {
		t.Fatal(err)
	}
	wrong := strings.Repeat("ab", 32)
	tests := []struct {
		name       string
		sha256     string
		wantErr    error
		wantMarker bool
	}{
		{"tampered file refused", wrong, ErrDigestMismatch, false},
		{"matching digest unpickles", strings.ToUpper(digest), flavors.ErrUnsupported, true}, // it has no predict
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marker := markerPath(t)
			_, err := LoadModel(t.Context(), pkl, flavors.LoadOptions{SHA256: tt.sha256})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, expected one wrapping %v", err, tt.wantErr)
			}
			if tt.wantErr == ErrDigestMismatch {
				for _, want := range []string{pkl, digest, wrong} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not name %s", err, want)
					}
				}
			}
			if _, statErr := os.Stat(marker); (statErr == nil) != tt.wantMarker {
				t.Errorf("marker file exists = %v, expected %v: the pickle was %s", statErr == nil, tt.wantMarker,
					map[bool]string{true: "unpickled", false: "not unpickled"}[statErr == nil])
			}
		})
	}
}

// The sidecar checks the digest itself, on the bytes it is about to
// unpickle, so a file swapped after Go hashed it is refused too.
func TestSidecarRechecksDigest(t *testing.T) {
	marker := markerPath(t)
	m := &Model{path: filepath.Join(models(t), "marker.pkl"), digest: strings.Repeat("0", 64), python: defaultPython, log: flavors.LoadOptions{}.Log()}
	proc, _, err := m.spawn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer proc.kill()
	err = m.load(t.Context(), proc)
	var pyErr *PythonError
	if !errors.Is(err, ErrDigestMismatch) || !errors.As(err, &pyErr) || pyErr.Type != "DigestMismatch" {
		t.Fatalf("error %v, expected the sidecar's DigestMismatch", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the sidecar unpickled a file whose digest did not match")
	}
}

func TestInterpreterUnavailable(t *testing.T) {
	dir := t.TempDir()
	noSklearn := filepath.Join(dir, "python-without-site")
	// -S leaves dist-packages off sys.path: a Python without scikit-learn.
	if err := os.WriteFile(noSklearn, []byte("#!/bin/sh\nexec "+defaultPython+" -S \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		python string
		want   []string
	}{
		{"missing", filepath.Join(dir, "no-such-python"), []string{"no-such-python", "--python", "MLCTL_PYTHON", "scikit-learn"}},
		{"without scikit-learn", noSklearn, []string{"python-without-site", "ModuleNotFoundError", "--python"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadModel(t.Context(), filepath.Join(models(t), "iris_np.pkl"), flavors.LoadOptions{Python: tt.python})
			if !errors.Is(err, flavors.ErrUnavailable) {
				t.Fatalf("error %v, expected one wrapping ErrUnavailable", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

func TestMissingModuleIsUnavailable(t *testing.T) {
	t.Setenv("PYTHONPATH", "") // mlctl_testmodels no longer importable
	_, err := LoadModel(t.Context(), filepath.Join(models(t), "tricky.pkl"), flavors.LoadOptions{})
	if !errors.Is(err, flavors.ErrUnavailable) || !strings.Contains(err.Error(), "mlctl_testmodels") {
		t.Fatalf("error %v, expected ErrUnavailable naming the missing module", err)
	}
}

// The Python side of the codec refuses malformed frames: it says why on
// stderr and exits, which Go reports as a crash.
func TestSidecarRejectsMalformedFrames(t *testing.T) {
	header := func(magic string, version, typ byte, metaLen, dataLen uint32) []byte {
		b := append([]byte(magic), version, typ, 0, 0)
		b = append(b, make([]byte, 8)...)
		b = append(b, byte(metaLen), byte(metaLen>>8), byte(metaLen>>16), byte(metaLen>>24))
		return append(b, byte(dataLen), byte(dataLen>>8), byte(dataLen>>16), byte(dataLen>>24))
	}
	tests := []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"bad magic", header("JUNK", 1, byte(msgPredict), 0, 0), "magic"},
		{"bad version", header(frameMagic, 9, byte(msgPredict), 0, 0), "protocol version 9"},
		{"oversized meta", header(frameMagic, 1, byte(msgPredict), maxMetaSize+1, 0), "exceeds the limits"},
		{"oversized frame", header(frameMagic, 1, byte(msgPredict), 10, MaxFrameSize), "exceeds the limits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Model{path: "none", python: defaultPython, log: flavors.LoadOptions{}.Log()}
			proc, _, err := m.spawn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			defer proc.kill()
			if _, err := proc.toPy.Write(tt.bytes); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			_, err = proc.readReply(ctx, time.Now().Add(30*time.Second), time.Minute, frame{Type: msgPredict})
			if err == nil || !strings.Contains(err.Error(), "exit status 2") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, expected a crash with exit status 2 mentioning %q", err, tt.want)
			}
		})
	}
}
