package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// tempPrefix starts the names of files being written; List skips them
// (they start with '.'), so a crashed run's leftovers are never read.
const tempPrefix = ".mlctl-tmp-"

// localBackend reads and writes the local filesystem.
type localBackend struct{}

var _ backend = (*localBackend)(nil)

// localErr maps an os error to the package's sentinels, dropping the
// *PathError's own copy of the path since Error names the URI already.
func localErr(op string, loc Location, err error) error {
	var pe *fs.PathError
	inner := err
	if errors.As(err, &pe) {
		inner = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		inner = fmt.Errorf("%w: no such file or directory", ErrNotFound)
	case errors.Is(err, fs.ErrPermission):
		inner = fmt.Errorf("%w: %w", ErrAccessDenied, inner)
	}
	return &Error{Op: op, URI: loc.String(), Err: inner}
}

// skipName reports whether listing ignores a file or directory name.
func skipName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

func (localBackend) list(ctx context.Context, loc Location, limit int) ([]Object, error) {
	if loc.HasGlob() {
		return localGlob(loc, limit)
	}
	fi, err := os.Stat(loc.Path)
	if err != nil {
		return nil, localErr("list", loc, err)
	}
	if !fi.IsDir() {
		if !fi.Mode().IsRegular() {
			return nil, &Error{Op: "list", URI: loc.String(), Err: fmt.Errorf("%w: not a regular file", ErrNotFound)}
		}
		return []Object{localObject(loc, filepath.Base(loc.Path), fi)}, nil
	}
	var objs []Object
	err = filepath.WalkDir(loc.Path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p != loc.Path && skipName(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		fi, err := os.Stat(p) // follows a link to a file
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		if len(objs) >= limit {
			return fmt.Errorf("%w: more than %d files; name fewer", ErrTooLarge, limit)
		}
		rel, _ := filepath.Rel(loc.Path, p)
		objs = append(objs, localObject(Location{Scheme: SchemeFile, Path: p}, filepath.ToSlash(rel), fi))
		return nil
	})
	if err != nil {
		return nil, localErr("list", loc, err)
	}
	sortObjects(objs)
	return objs, nil
}

// localGlob lists the regular files matching loc's pattern. Name is the
// path relative to the pattern's fixed leading directories.
func localGlob(loc Location, limit int) ([]Object, error) {
	matches, err := filepath.Glob(loc.Path)
	if err != nil {
		return nil, &Error{Op: "list", URI: loc.String(), Err: fmt.Errorf("%w: %w", ErrBadURI, err)}
	}
	base := globBase(filepath.ToSlash(loc.Path))
	keepHidden := skipName(filepath.Base(loc.Path))
	var objs []Object
	for _, m := range matches {
		name := strings.TrimPrefix(filepath.ToSlash(m), base)
		if !keepHidden && hiddenSegment(name) {
			continue
		}
		fi, err := os.Stat(m)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if len(objs) >= limit {
			return nil, &Error{Op: "list", URI: loc.String(), Err: fmt.Errorf("%w: more than %d files; name fewer", ErrTooLarge, limit)}
		}
		objs = append(objs, localObject(Location{Scheme: SchemeFile, Path: m}, name, fi))
	}
	sortObjects(objs)
	return objs, nil
}

// globBase is the part of a slash-separated pattern before the first
// segment holding a metacharacter, with its trailing slash: "data/in/" for
// "data/in/*.csv", "" for "*.csv".
func globBase(pattern string) string {
	i := strings.IndexAny(pattern, "*?[")
	if i < 0 {
		return pattern
	}
	return pattern[:strings.LastIndex(pattern[:i], "/")+1]
}

func sortObjects(objs []Object) {
	sort.Slice(objs, func(i, j int) bool { return objs[i].Location.String() < objs[j].Location.String() })
}

func localObject(loc Location, name string, fi fs.FileInfo) Object {
	return Object{Location: loc, Name: name, Size: fi.Size(), ModTime: fi.ModTime()}
}

func (localBackend) stat(_ context.Context, loc Location) (Object, error) {
	fi, err := os.Stat(loc.Path)
	if err != nil {
		return Object{}, localErr("stat", loc, err)
	}
	if !fi.Mode().IsRegular() {
		return Object{}, &Error{Op: "stat", URI: loc.String(), Err: fmt.Errorf("%w: not a regular file", ErrNotFound)}
	}
	return localObject(loc, filepath.Base(loc.Path), fi), nil
}

func (l localBackend) openReader(ctx context.Context, loc Location) (io.ReadCloser, error) {
	return l.openRandom(ctx, loc)
}

// localFile adds Size to *os.File, which has ReadAt, Read, Seek and Close.
type localFile struct {
	*os.File
	size int64
}

func (f localFile) Size() int64 { return f.size }

func (localBackend) openRandom(_ context.Context, loc Location) (RandomAccessReader, error) {
	f, err := os.Open(loc.Path)
	if err != nil {
		return nil, localErr("open", loc, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, localErr("open", loc, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &Error{Op: "open", URI: loc.String(), Err: fmt.Errorf("%w: not a regular file", ErrNotFound)}
	}
	return localFile{File: f, size: fi.Size()}, nil
}

func (localBackend) create(ctx context.Context, loc Location) (Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "create", URI: loc.String(), Err: fmt.Errorf("%w: %w", ErrAborted, err)}
	}
	dir := filepath.Dir(loc.Path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, localErr("create", loc, err)
	}
	f, err := os.CreateTemp(dir, tempPrefix+filepath.Base(loc.Path)+"-*")
	if err != nil {
		return nil, localErr("create", loc, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, localErr("create", loc, err)
	}
	return &localWriter{ctx: ctx, loc: loc, f: f}, nil
}

func (l localBackend) put(ctx context.Context, loc Location, data []byte) error {
	w, err := l.create(ctx, loc)
	if err != nil {
		return err
	}
	defer w.Abort()
	if _, err := w.Write(data); err != nil {
		return err
	}
	return w.Commit()
}

func (localBackend) remove(_ context.Context, loc Location) error {
	if err := os.Remove(loc.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return localErr("delete", loc, err)
	}
	return nil
}

// localWriter writes a temporary file next to the target and renames it
// into place on Commit, so readers see the old file or the whole new one.
type localWriter struct {
	ctx  context.Context
	loc  Location
	f    *os.File // nil once committed or aborted
	done error    // why the writer can no longer be used
}

func (w *localWriter) Write(p []byte) (int, error) {
	if w.f == nil {
		return 0, &Error{Op: "write", URI: w.loc.String(), Err: w.done}
	}
	if err := w.ctx.Err(); err != nil {
		w.Abort()
		return 0, &Error{Op: "write", URI: w.loc.String(), Err: fmt.Errorf("%w: %w", ErrAborted, err)}
	}
	n, err := w.f.Write(p)
	if err != nil {
		return n, localErr("write", w.loc, err)
	}
	return n, nil
}

func (w *localWriter) Commit() error {
	if w.f == nil {
		return &Error{Op: "commit", URI: w.loc.String(), Err: w.done}
	}
	if err := w.ctx.Err(); err != nil {
		w.Abort()
		return &Error{Op: "commit", URI: w.loc.String(), Err: fmt.Errorf("%w: %w", ErrAborted, err)}
	}
	f := w.f
	fail := func(err error) error {
		f.Close()
		os.Remove(f.Name())
		w.f, w.done = nil, fmt.Errorf("%w: commit failed", ErrAborted)
		return localErr("commit", w.loc, err)
	}
	// fsync before rename so a crash cannot publish a name pointing at
	// unwritten blocks; fsync the directory so the rename itself persists.
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(f.Name(), w.loc.Path); err != nil {
		return fail(err)
	}
	w.f, w.done = nil, errors.New("already committed")
	if d, err := os.Open(filepath.Dir(w.loc.Path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func (w *localWriter) Abort() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f, w.done = nil, ErrAborted
	f.Close()
	if err := os.Remove(f.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return localErr("abort", w.loc, err)
	}
	return nil
}
