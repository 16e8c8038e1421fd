package batch

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// chunk is a run of consecutive rows of one input, as an arrow record whose
// columns are the ones asked for, in that order.
type chunk struct {
	rec      arrow.RecordBatch
	firstRow int64 // the input row number of rec's first row (0-based, header excluded)
	// bad lists rows the reader itself could not parse (a JSON line that is
	// not an object); their cells are null in rec.
	bad []rowError
}

// rowError is one rejected row: its number in the input (0-based, the
// header not counted, as in mlctl predict's messages), the column when one
// is to blame, and why.
type rowError struct {
	Row    int64  `json:"row"`
	Column string `json:"column,omitempty"`
	Reason string `json:"reason"`
}

// chunkReader yields an input's rows in order as chunks.
type chunkReader interface {
	// Next returns the next chunk, or io.EOF after the last.
	Next() (chunk, error)
	// Digest is the sha256 of every byte read, complete at io.EOF; "" when
	// the reader does not read the whole input (Parquet).
	Digest() string
	Close() error
}

// readSpec says what to read from an input.
type readSpec struct {
	columns   []string // in this order
	chunkRows int
	rowGroups []int // Parquet only; nil means all
	bytesRead *atomic.Int64
}

func openChunks(ctx context.Context, src Source, rs readSpec) (chunkReader, error) {
	format, gz, err := formatOf(src.Name())
	if err != nil {
		return nil, err
	}
	if format == Parquet {
		return openParquet(ctx, src, rs)
	}
	rc, err := src.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("input %s: %w", src.Name(), err)
	}
	h := sha256.New()
	r0 := &countingReader{r: io.TeeReader(rc, h), n: rs.bytesRead}
	var r io.Reader = r0
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%w: input %s: %v", flavors.ErrInvalidInput, src.Name(), err)
		}
		r = zr
	}
	var cr chunkReader
	if format == CSV {
		cr, err = newCSVChunks(r, src.Name(), rs)
	} else {
		cr, err = newJSONLChunks(r, src.Name(), rs)
	}
	if err != nil {
		rc.Close()
		return nil, err
	}
	return &streamChunks{chunkReader: cr, closer: rc, raw: r0, hash: h}, nil
}

// streamChunks adds the digest of the raw stream and closing it.
type streamChunks struct {
	chunkReader
	closer io.Closer
	raw    io.Reader
	hash   hash.Hash
	eof    bool
}

func (s *streamChunks) Next() (chunk, error) {
	c, err := s.chunkReader.Next()
	if err == io.EOF {
		// Drain what the parser left (a trailing newline) so that the
		// digest covers the whole file.
		if _, derr := io.Copy(io.Discard, s.raw); derr == nil {
			s.eof = true
		}
	}
	return c, err
}

func (s *streamChunks) Digest() string {
	if !s.eof {
		return ""
	}
	return fmt.Sprintf("sha256:%x", s.hash.Sum(nil))
}

func (s *streamChunks) Close() error {
	s.chunkReader.Close()
	return s.closer.Close()
}

// countingReader adds what it reads to n, for progress.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n != nil {
		c.n.Add(int64(n))
	}
	return n, err
}

// missingColumns names the wanted columns a file lacks, or nil.
func missingColumns(name string, want, have []string) error {
	var missing []string
	for _, w := range want {
		if !containsString(have, w) {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w: input %s has no column %s: expected columns %s; found %s", flavors.ErrInvalidInput, name,
		quoteJoin(missing), strings.Join(want, ", "), strings.Join(have, ", "))
}

func quoteJoin(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
