package pickle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

const (
	// defaultTimeout bounds a predict call whose context has no deadline.
	defaultTimeout = 60 * time.Second
	// startTimeout bounds starting a sidecar and loading the model into it
	// (importing scikit-learn alone takes a second or two).
	startTimeout = 60 * time.Second
)

// defaultPython is tried first; "python3" on PATH after it.
const defaultPython = "/usr/bin/python3"

// ErrDigestMismatch marks a model file whose sha256 is not the one the
// manifest records. Such a file is never unpickled.
var ErrDigestMismatch = errors.New("model file digest mismatch")

// Flavor loads scikit-learn pickle and joblib files into a Python sidecar.
type Flavor struct{}

var _ flavors.Flavor = Flavor{}

// Name is the flavor's key in a bundle manifest.
func (Flavor) Name() string { return "pickle" }

// Load starts a sidecar and unpickles path in it; see LoadModel.
func (Flavor) Load(ctx context.Context, path string, opts flavors.LoadOptions) (flavors.Model, error) {
	m, err := LoadModel(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// LoadModel starts one Python sidecar with opts.Python and unpickles path in
// it. Unpickling runs code from the file: when opts.SHA256 is set a file
// with another digest is refused before Python sees it, and the sidecar
// checks the digest again on the bytes it unpickles.
func LoadModel(ctx context.Context, path string, opts flavors.LoadOptions) (*Model, error) {
	python, err := findPython(opts.Python)
	if err != nil {
		return nil, err
	}
	digest, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("pickle: %w", err)
	}
	if opts.SHA256 != "" && !strings.EqualFold(digest, opts.SHA256) {
		return nil, fmt.Errorf("pickle: %w: %s has sha256 %s, the manifest records %s; refusing to unpickle it",
			ErrDigestMismatch, path, digest, strings.ToLower(opts.SHA256))
	}
	m := &Model{
		path:    path,
		digest:  digest, // pinned: a restart reloads exactly these bytes
		python:  python,
		log:     opts.Log().With("flavor", "pickle", "model", filepath.Base(path)),
		timeout: defaultTimeout,
		extra:   sortedKeys(opts.Requirements),
	}
	versions, err := m.startFirst(ctx, opts)
	if err != nil {
		return nil, err
	}
	m.env = versions
	m.labels = labelsOf(m.info)
	m.sig = signatureOf(m.info, opts.Inputs)
	return m, nil
}

// findPython resolves the interpreter: the one asked for, else
// /usr/bin/python3, else python3 on PATH.
func findPython(asked string) (string, error) {
	tried := asked
	if asked == "" {
		if _, err := os.Stat(defaultPython); err == nil {
			return defaultPython, nil
		}
		tried = "python3"
	}
	path, err := exec.LookPath(tried)
	if err != nil {
		return "", unavailable(tried, err)
	}
	return path, nil
}

func unavailable(python string, err error) error {
	return fmt.Errorf("pickle: %w: python interpreter %q: %v; set another with --python or MLCTL_PYTHON (scikit-learn must be importable by it)",
		flavors.ErrUnavailable, python, err)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkRequirements lists, sorted, every requirement the versions do not
// meet. A requirement matches by prefix on dotted parts: "3.11" accepts
// "3.11.2" but not "3.1".
func checkRequirements(required, have map[string]string) []string {
	var bad []string
	for _, name := range sortedKeys(required) {
		want := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(required[name]), "=="))
		got := have[name]
		switch {
		case want == "":
		case got == "":
			bad = append(bad, fmt.Sprintf("%s %s is required, but it is not installed", name, want))
		case got != want && !strings.HasPrefix(got, want+"."):
			bad = append(bad, fmt.Sprintf("%s %s is required, %s is installed", name, want, got))
		}
	}
	return bad
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
