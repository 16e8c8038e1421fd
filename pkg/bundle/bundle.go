package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Bundle is an opened, verified bundle on disk.
type Bundle struct {
	// Dir is the bundle root: the directory given, or where an archive was
	// extracted.
	Dir      string
	Manifest Manifest
	// Source is the path the bundle was opened from.
	Source  string
	cleanup func() error
}

// Open reads a bundle directory or archive and verifies every file against
// the manifest's digests. Close releases an extracted archive.
func Open(p string) (*Bundle, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("open bundle: %w", err)
	}
	b := &Bundle{Dir: p, Source: p}
	if !st.IsDir() {
		dir, err := os.MkdirTemp("", "mlctl-bundle-")
		if err != nil {
			return nil, err
		}
		b.Dir = dir
		b.cleanup = func() error { return os.RemoveAll(dir) }
		if err := Extract(p, dir, DefaultLimits); err != nil {
			_ = b.Close()
			return nil, err
		}
	}
	m, err := ReadManifest(b.Dir)
	if err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	b.Manifest = *m
	if err := b.Verify(); err != nil {
		_ = b.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return b, nil
}

// Close removes an extracted archive's files; it is a no-op for a directory.
func (b *Bundle) Close() error {
	if b.cleanup == nil {
		return nil
	}
	return b.cleanup()
}

// Path resolves a bundle-relative path.
func (b *Bundle) Path(rel string) string { return filepath.Join(b.Dir, filepath.FromSlash(rel)) }

// ReadManifest parses and validates dir's manifest.
func ReadManifest(dir string) (*Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no %s: this is not an mlctl bundle (make one with `mlctl pack`)", ErrInvalid, ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalid, ManifestFile, err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// WriteManifest stores m as dir's manifest.
func WriteManifest(dir string, m *Manifest) error {
	raw, err := yaml.Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), raw, 0o644)
}

// Verify checks that the bundle holds exactly the manifest's files with
// their sizes and digests.
func (b *Bundle) Verify() error {
	listed := make(map[string]File, len(b.Manifest.Files))
	for _, f := range b.Manifest.Files {
		listed[f.Path] = f
	}
	var problems []string
	err := filepath.WalkDir(b.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(b.Dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() || rel == ManifestFile {
			return nil
		}
		if !d.Type().IsRegular() {
			problems = append(problems, fmt.Sprintf("%s is not a regular file", rel))
			return nil
		}
		if _, ok := listed[rel]; !ok {
			problems = append(problems, fmt.Sprintf("%s is not listed in the manifest", rel))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range b.Manifest.Files {
		got, err := Digest(b.Path(f.Path))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, fmt.Sprintf("%s is missing", f.Path))
		case err != nil:
			return err
		case got.Size != f.Size:
			problems = append(problems, fmt.Sprintf("%s has %d bytes, the manifest says %d (truncated or altered)", f.Path, got.Size, f.Size))
		case got.SHA256 != f.SHA256:
			problems = append(problems, fmt.Sprintf("%s has sha256 %s, the manifest says %s", f.Path, got.SHA256[:12], f.SHA256[:12]))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%w: %s", ErrTampered, strings.Join(problems, "; "))
	}
	return nil
}

// Digest hashes a file.
func Digest(p string) (File, error) {
	f, err := os.Open(p)
	if err != nil {
		return File{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return File{}, fmt.Errorf("read %s: %w", p, err)
	}
	return File{Path: p, SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// Seal lists every file under dir (but the manifest) in m.Files with its
// digest, then writes the manifest. Call it last when building a bundle.
func Seal(dir string, m *Manifest) error {
	m.Files = m.Files[:0]
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == ManifestFile {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%w: %s is not a regular file", ErrInvalid, rel)
		}
		f, err := Digest(p)
		if err != nil {
			return err
		}
		f.Path = rel
		m.Files = append(m.Files, f)
		return nil
	})
	if err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	return WriteManifest(dir, m)
}

// checkRelPath accepts clean, relative, slash-separated paths inside the bundle.
func checkRelPath(p string) error {
	switch {
	case p == "" || p == ".":
		return fmt.Errorf("empty path")
	case strings.HasPrefix(p, "/") || filepath.IsAbs(p):
		return fmt.Errorf("path %q is absolute", p)
	case strings.Contains(p, "\\"):
		return fmt.Errorf("path %q contains a backslash", p)
	case path.Clean(p) != p:
		return fmt.Errorf("path %q is not clean", p)
	case p == ".." || strings.HasPrefix(p, "../"):
		return fmt.Errorf("path %q leaves the bundle", p)
	}
	return nil
}
