package batch

import (
	"context"
	"io"
)

// Source is one input object: a local file, or an object in a store.
//
// This is the seam for other storage: pkg/batch reads every input through
// it and knows nothing of where the bytes live. An implementation must be
// safe to Open more than once, also concurrently.
type Source interface {
	// Name identifies the input in the run manifest, the error file and
	// messages: a path or a URI. Its extension chooses the format.
	Name() string
	// Size is the length in bytes.
	Size() int64
	// Version changes whenever the content may have changed (modification
	// time and size for a file, an ETag for an object). A rerun skips a
	// finished part only when its input's Version is what the manifest
	// recorded.
	Version() string
	// Open streams the content from the start (CSV, JSON lines).
	Open(ctx context.Context) (io.ReadCloser, error)
	// OpenAt gives random access to the content (Parquet reads its footer
	// and then only the column chunks it needs).
	OpenAt(ctx context.Context) (ReaderAtCloser, error)
}

// ReaderAtCloser is random access to a Source's bytes.
type ReaderAtCloser interface {
	io.ReaderAt
	io.Closer
}

// Store is where a run writes its parts, error files and manifest: a local
// directory, or a prefix in an object store. Names are flat ("part-00003-000.parquet").
type Store interface {
	// Name is the location, for messages.
	Name() string
	// Create starts an object. Nothing is visible under name until Commit;
	// Abort (or a crash) leaves no trace under name. Commit replaces an
	// existing object atomically.
	Create(ctx context.Context, name string) (PartWriter, error)
	// ReadFile returns a whole object. A missing object gives an error
	// wrapping fs.ErrNotExist.
	ReadFile(ctx context.Context, name string) ([]byte, error)
}

// PartWriter is an object being written. Exactly one of Commit and Abort
// is called.
type PartWriter interface {
	io.Writer
	Commit() error
	Abort() error
}
