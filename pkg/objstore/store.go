package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// EnvS3Endpoint is the environment variable the CLI reads as the default of
// --s3-endpoint. This package never reads it itself: configuration is
// decided in one place, the CLI, and handed over in Options.
const EnvS3Endpoint = "MLCTL_S3_ENDPOINT"

// Defaults for Options fields left zero.
const (
	DefaultPartSize     = 8 << 20 // bytes per multipart part (S3's minimum is 5 MiB)
	DefaultReadAhead    = 1 << 20 // bytes fetched per ranged GET
	DefaultMaxList      = 1_000_000
	DefaultMaxGetBytes  = 64 << 20
	defaultConcurrency  = 4
	defaultCustomRegion = "us-east-1"
)

// Options configure a Store. The zero value works for local files and for
// AWS S3 with the usual AWS environment, config files and credentials.
type Options struct {
	// S3Endpoint is the base URL of an S3-compatible store
	// (e.g. http://127.0.0.1:7070). Setting it turns on path-style
	// addressing (http://host/bucket/key).
	S3Endpoint string
	// S3Region overrides the region from the AWS config. With S3Endpoint set
	// and no region configured anywhere, us-east-1 is used.
	S3Region string
	// S3Credentials overrides the AWS default credential chain (tests use
	// static keys; users normally leave it nil).
	S3Credentials aws.CredentialsProvider
	// PartSize is the multipart part size for S3 writes; at least 5 MiB.
	// A Writer uploads 4 parts at a time and holds up to 5 in memory.
	PartSize int64
	// ReadAhead is how much a ranged GET fetches at least; the random-access
	// reader caches a few such blocks, so it bounds memory per open object.
	ReadAhead int
	// MaxList bounds the number of objects one List may return.
	MaxList int
	// MaxGetBytes bounds Get.
	MaxGetBytes int64
}

// Object describes one listed or stat'ed object.
type Object struct {
	// Location is where the object is.
	Location Location
	// Name is the object's path relative to the listed directory, prefix or
	// the glob's fixed part; for a single object, its base name. Use it to
	// name outputs after inputs.
	Name string
	// Size in bytes.
	Size int64
	// ETag is S3's entity tag (quotes removed); empty for local files.
	ETag string
	// ModTime is the last modification time.
	ModTime time.Time
}

// Fingerprint identifies the object's content well enough to notice that
// an input changed between two runs: the ETag where there is one, else
// modification time and size.
func (o Object) Fingerprint() string {
	if o.ETag != "" {
		return "etag:" + o.ETag
	}
	return "mtime:" + strconv.FormatInt(o.ModTime.UnixNano(), 10) + ",size:" + strconv.FormatInt(o.Size, 10)
}

// RandomAccessReader is an open object read by offset (Parquet footers and
// column chunks). It also satisfies io.ReadSeeker from offset 0, which is
// what Parquet libraries ask for. ReadAt is safe for concurrent use.
type RandomAccessReader interface {
	io.ReaderAt
	io.ReadSeeker
	io.Closer
	Size() int64
}

// Writer is an object being written. Nothing is visible at its location
// until Commit returns nil; Abort (or the end of the context passed to
// Create) discards it. Use it as:
//
//	w, err := st.Create(ctx, loc)
//	if err != nil { return err }
//	defer w.Abort() // no-op after a successful Commit
//	... write ...
//	return w.Commit()
type Writer interface {
	io.Writer
	// Commit publishes the object and releases the writer.
	Commit() error
	// Abort discards what was written. It returns nil after Commit.
	Abort() error
}

// backend is one kind of store. Locations reach it already parsed and
// checked for the right scheme.
type backend interface {
	list(ctx context.Context, loc Location, limit int) ([]Object, error)
	stat(ctx context.Context, loc Location) (Object, error)
	openReader(ctx context.Context, loc Location) (io.ReadCloser, error)
	openRandom(ctx context.Context, loc Location) (RandomAccessReader, error)
	create(ctx context.Context, loc Location) (Writer, error)
	put(ctx context.Context, loc Location, data []byte) error
	remove(ctx context.Context, loc Location) error
}

// Store reaches local and S3 locations through one set of methods. It is
// safe for concurrent use. The S3 client is made on first use, so runs
// that touch only local files need no AWS configuration.
type Store struct {
	opts  Options
	local localBackend

	s3Once sync.Once
	s3     *s3Backend
	s3Err  error
}

// New returns a Store with opts, zero fields taking their defaults.
func New(opts Options) *Store {
	if opts.PartSize <= 0 {
		opts.PartSize = DefaultPartSize
	}
	if opts.ReadAhead <= 0 {
		opts.ReadAhead = DefaultReadAhead
	}
	if opts.MaxList <= 0 {
		opts.MaxList = DefaultMaxList
	}
	if opts.MaxGetBytes <= 0 {
		opts.MaxGetBytes = DefaultMaxGetBytes
	}
	return &Store{opts: opts}
}

func (s *Store) backendFor(ctx context.Context, op string, loc Location) (backend, error) {
	switch loc.Scheme {
	case SchemeFile:
		return &s.local, nil
	case SchemeS3:
		// The client outlives this call: a cancelled first caller must not
		// leave the Store without one.
		s.s3Once.Do(func() { s.s3, s.s3Err = newS3Backend(context.WithoutCancel(ctx), s.opts) })
		if s.s3Err != nil {
			return nil, &Error{Op: op, URI: loc.String(), Err: s.s3Err}
		}
		return s.s3, nil
	default:
		return nil, &Error{Op: op, URI: loc.String(), Err: fmt.Errorf("%w: location not made by Parse", ErrBadURI)}
	}
}

// List returns the objects loc names, sorted by location:
//   - a glob (data/*.csv, s3://b/p/*.parquet): the objects whose path
//     matches, with path.Match rules ('*' does not cross '/');
//   - an object or file: that one object;
//   - a directory or prefix: every object below it, recursively.
//
// Names whose base starts with '.' or '_' (temporary files, _SUCCESS
// markers) are skipped in globs and directories. No match is ErrNotFound.
func (s *Store) List(ctx context.Context, loc Location) ([]Object, error) {
	b, err := s.backendFor(ctx, "list", loc)
	if err != nil {
		return nil, err
	}
	objs, err := b.list(ctx, loc, s.opts.MaxList)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, &Error{Op: "list", URI: loc.String(), Err: fmt.Errorf("%w: no objects match", ErrNotFound)}
	}
	return objs, nil
}

// Stat describes the single object at loc.
func (s *Store) Stat(ctx context.Context, loc Location) (Object, error) {
	b, err := s.backendFor(ctx, "stat", loc)
	if err != nil {
		return Object{}, err
	}
	return b.stat(ctx, loc)
}

// Exists reports whether a single object is at loc. Errors other than
// "not found" (access denied, no such bucket) are returned.
func (s *Store) Exists(ctx context.Context, loc Location) (bool, error) {
	_, err := s.Stat(ctx, loc)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return false, err
}

// OpenReader opens the object at loc for streaming (CSV, JSONL).
func (s *Store) OpenReader(ctx context.Context, loc Location) (io.ReadCloser, error) {
	b, err := s.backendFor(ctx, "open", loc)
	if err != nil {
		return nil, err
	}
	return b.openReader(ctx, loc)
}

// OpenRandom opens the object at loc for reads by offset (Parquet). On S3
// every read is a ranged GET pinned to the object's ETag, so a concurrent
// overwrite is reported as ErrChanged rather than mixed into the data.
func (s *Store) OpenRandom(ctx context.Context, loc Location) (RandomAccessReader, error) {
	b, err := s.backendFor(ctx, "open", loc)
	if err != nil {
		return nil, err
	}
	return b.openRandom(ctx, loc)
}

// Create starts writing the object at loc; see Writer. Local parent
// directories are created as needed. Ending ctx aborts the write.
func (s *Store) Create(ctx context.Context, loc Location) (Writer, error) {
	b, err := s.backendFor(ctx, "create", loc)
	if err != nil {
		return nil, err
	}
	return b.create(ctx, loc)
}

// Put writes data to loc in one piece, replacing what was there
// atomically. Meant for small objects such as manifests.
func (s *Store) Put(ctx context.Context, loc Location, data []byte) error {
	b, err := s.backendFor(ctx, "put", loc)
	if err != nil {
		return err
	}
	return b.put(ctx, loc, data)
}

// Get reads the whole object at loc; objects over Options.MaxGetBytes are
// refused with ErrTooLarge.
func (s *Store) Get(ctx context.Context, loc Location) ([]byte, error) {
	r, err := s.OpenReader(ctx, loc)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, s.opts.MaxGetBytes+1))
	if err != nil {
		return nil, &Error{Op: "get", URI: loc.String(), Err: err}
	}
	if int64(len(data)) > s.opts.MaxGetBytes {
		return nil, &Error{Op: "get", URI: loc.String(), Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, s.opts.MaxGetBytes)}
	}
	return data, nil
}

// Delete removes the single object at loc. Deleting what is not there is
// not an error (as in S3).
func (s *Store) Delete(ctx context.Context, loc Location) error {
	b, err := s.backendFor(ctx, "delete", loc)
	if err != nil {
		return err
	}
	return b.remove(ctx, loc)
}
