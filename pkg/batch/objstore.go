package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/mlctl/mlctl/pkg/objstore"
)

// ObjectSource is a Source for one object reached through an
// objstore.Store: an S3 object (or a local file named by a file:// URI).
type ObjectSource struct {
	st  *objstore.Store
	obj objstore.Object
}

var _ Source = (*ObjectSource)(nil)

// NewObjectSource returns the listed or stat'ed obj as a Source read through st.
func NewObjectSource(st *objstore.Store, obj objstore.Object) *ObjectSource {
	return &ObjectSource{st: st, obj: obj}
}

// Name is the object's URI (s3://bucket/key).
func (s *ObjectSource) Name() string { return s.obj.Location.String() }

func (s *ObjectSource) Size() int64 { return s.obj.Size }

// Version is the object's fingerprint: its ETag on S3.
func (s *ObjectSource) Version() string { return s.obj.Fingerprint() }

// Open streams the object with one GET.
func (s *ObjectSource) Open(ctx context.Context) (io.ReadCloser, error) {
	return s.st.OpenReader(ctx, s.obj.Location)
}

// OpenAt reads the object by offset, with ranged GETs on S3.
func (s *ObjectSource) OpenAt(ctx context.Context) (ReaderAtCloser, error) {
	return s.st.OpenRandom(ctx, s.obj.Location)
}

// IsURI reports whether arg names a location by URI (s3://…, file://…)
// rather than by a local path.
func IsURI(arg string) bool { return strings.Contains(arg, "://") }

// Sources resolves inputs as the CLI takes them: local paths, globs and
// directories as LocalSources does, and URIs (s3://bucket/prefix/*.csv,
// s3://bucket/dir/, s3://bucket/key) through st, with the same rules — a
// glob keeps what matches, a prefix keeps the files below it whose format
// batch reads, names starting with '.' or '_' are skipped. The order is
// the arguments' and, within one, sorted; duplicates are dropped.
func Sources(ctx context.Context, st *objstore.Store, args ...string) ([]Source, error) {
	var out []Source
	seen := map[string]bool{}
	for _, arg := range args {
		var srcs []Source
		var err error
		if IsURI(arg) {
			srcs, err = objectSources(ctx, st, arg)
		} else {
			srcs, err = LocalSources(arg)
		}
		if err != nil {
			return nil, err
		}
		for _, s := range srcs {
			if !seen[s.Name()] {
				seen[s.Name()] = true
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no input files in %s", strings.Join(args, ", "))
	}
	return out, nil
}

func objectSources(ctx context.Context, st *objstore.Store, arg string) ([]Source, error) {
	loc, err := objstore.Parse(arg)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", arg, err)
	}
	objs, err := st.List(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", arg, err)
	}
	// A single object named exactly is taken whatever its name; below a
	// prefix only the formats batch reads count, as in a local directory.
	single := len(objs) == 1 && objs[0].Location == loc
	var out []Source
	for _, o := range objs {
		if !single && !loc.HasGlob() {
			if _, err := FormatOf(o.Location.Path); err != nil {
				continue
			}
		}
		out = append(out, NewObjectSource(st, o))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("input %s holds no .csv, .jsonl, .ndjson or .parquet object", arg)
	}
	return out, nil
}

// ObjectDir is a Store under a directory or prefix reached through an
// objstore.Store. On S3 a part streams into a multipart upload that is
// completed on Commit and aborted on Abort or when the run's context ends,
// so no partial object is ever visible.
type ObjectDir struct {
	st  *objstore.Store
	loc objstore.Location
}

var _ Store = ObjectDir{}

// NewObjectDir is the output at uri (s3://bucket/prefix/ or file:///dir).
func NewObjectDir(st *objstore.Store, uri string) (ObjectDir, error) {
	loc, err := objstore.Parse(uri)
	if err != nil {
		return ObjectDir{}, fmt.Errorf("output %s: %w", uri, err)
	}
	if loc.HasGlob() {
		return ObjectDir{}, fmt.Errorf("output %s: expected a directory or prefix, not a pattern", uri)
	}
	if loc.IsS3() && loc.Path != "" && !strings.HasSuffix(loc.Path, "/") {
		loc.Path += "/" // s3://b/out names the prefix out/, never out-old/…
	}
	return ObjectDir{st: st, loc: loc}, nil
}

// Name is the output's URI.
func (d ObjectDir) Name() string { return d.loc.String() }

func (d ObjectDir) Create(ctx context.Context, name string) (PartWriter, error) {
	if name == "" || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") || path.Clean(name) != name {
		return nil, fmt.Errorf("output name %q: expected a plain file name", name)
	}
	w, err := d.st.Create(ctx, d.loc.Join(name))
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", d.Name(), err)
	}
	return w, nil
}

// ReadFile reads a whole object; a missing one wraps fs.ErrNotExist.
func (d ObjectDir) ReadFile(ctx context.Context, name string) ([]byte, error) {
	data, err := d.st.Get(ctx, d.loc.Join(name))
	if errors.Is(err, objstore.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", fs.ErrNotExist, err)
	}
	return data, err
}
