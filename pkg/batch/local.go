package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// LocalFile is a Source on the local filesystem.
type LocalFile struct {
	Path string
	info os.FileInfo
}

var _ Source = (*LocalFile)(nil)

// NewLocalFile stats path and returns it as a Source.
func NewLocalFile(path string) (*LocalFile, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", path, err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("input %s: is a directory", path)
	}
	return &LocalFile{Path: path, info: info}, nil
}

func (f *LocalFile) Name() string { return f.Path }
func (f *LocalFile) Size() int64  { return f.info.Size() }

// Version is the size and modification time in nanoseconds.
func (f *LocalFile) Version() string {
	return strconv.FormatInt(f.info.Size(), 10) + "@" + strconv.FormatInt(f.info.ModTime().UnixNano(), 10)
}

func (f *LocalFile) Open(context.Context) (io.ReadCloser, error) { return os.Open(f.Path) }

func (f *LocalFile) OpenAt(context.Context) (ReaderAtCloser, error) { return os.Open(f.Path) }

// LocalSources resolves file paths, glob patterns and directories into
// sources, sorted by name within each argument and without duplicates. A
// directory contributes the files below it whose format batch reads, and
// skips hidden files ("_" or "." first, as Spark and Hive write them).
func LocalSources(args ...string) ([]Source, error) {
	var out []Source
	seen := map[string]bool{}
	add := func(p string) error {
		if seen[p] {
			return nil
		}
		seen[p] = true
		s, err := NewLocalFile(p)
		if err != nil {
			return err
		}
		out = append(out, s)
		return nil
	}
	for _, arg := range args {
		paths, err := expandLocal(arg)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			if err := add(p); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no input files in %s", strings.Join(args, ", "))
	}
	return out, nil
}

func expandLocal(arg string) ([]string, error) {
	if hasGlob(arg) {
		matches, err := filepath.Glob(arg)
		if err != nil {
			return nil, fmt.Errorf("input pattern %q: %w", arg, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("input pattern %q matches no file", arg)
		}
		var files []string
		for _, m := range matches {
			if info, err := os.Stat(m); err == nil && !info.IsDir() {
				files = append(files, m)
			}
		}
		sort.Strings(files)
		return files, nil
	}
	info, err := os.Stat(arg)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", arg, err)
	}
	if !info.IsDir() {
		return []string{arg}, nil
	}
	var files []string
	err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != arg && isHidden(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if _, err := FormatOf(p); err == nil {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("input directory %s: %w", arg, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("input directory %s holds no .csv, .jsonl, .ndjson or .parquet file", arg)
	}
	sort.Strings(files)
	return files, nil
}

func hasGlob(s string) bool { return strings.ContainsAny(s, "*?[") }

func isHidden(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") }

// LocalDir is a Store in a local directory. Objects are written to a
// hidden temporary file and renamed into place on Commit.
type LocalDir struct {
	Dir string
}

var _ Store = LocalDir{}

// NewLocalDir creates dir if needed.
func NewLocalDir(dir string) (LocalDir, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return LocalDir{}, fmt.Errorf("output %s: %w", dir, err)
	}
	return LocalDir{Dir: dir}, nil
}

func (d LocalDir) Name() string { return d.Dir }

func (d LocalDir) Create(_ context.Context, name string) (PartWriter, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return nil, fmt.Errorf("output name %q: expected a plain file name", name)
	}
	f, err := os.CreateTemp(d.Dir, ".tmp-"+name+"-*")
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", d.Dir, err)
	}
	return &localPart{f: f, final: filepath.Join(d.Dir, name)}, nil
}

func (d LocalDir) ReadFile(_ context.Context, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(d.Dir, name))
}

type localPart struct {
	f     *os.File
	final string
	done  bool
}

func (p *localPart) Write(b []byte) (int, error) { return p.f.Write(b) }

// Commit syncs the file before the rename, so that a crash cannot leave a
// visible part with missing bytes.
func (p *localPart) Commit() error {
	if p.done {
		return errors.New("output already committed or aborted")
	}
	p.done = true
	// CreateTemp makes the file private; a part is as readable as any output.
	err := p.f.Chmod(0o644)
	if err == nil {
		err = p.f.Sync()
	}
	if cerr := p.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(p.f.Name(), p.final)
	}
	if err != nil {
		os.Remove(p.f.Name())
		return fmt.Errorf("output %s: %w", p.final, err)
	}
	return nil
}

func (p *localPart) Abort() error {
	if p.done {
		return nil
	}
	p.done = true
	p.f.Close()
	return os.Remove(p.f.Name())
}
