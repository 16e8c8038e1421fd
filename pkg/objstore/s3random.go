package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// cachedBlocks bounds the read-ahead cache: a reader holds at most this
// many blocks of Options.ReadAhead bytes.
const cachedBlocks = 4

// s3Random reads an S3 object by offset with ranged GETs. Each GET fetches
// at least ReadAhead bytes and keeps them, because Parquet readers issue
// many small reads close together (page headers, then pages).
type s3Random struct {
	ctx context.Context // ReaderAt has no context: the one from OpenRandom
	b   *s3Backend
	obj Object

	mu     sync.Mutex
	blocks []block // most recently used last
	closed bool

	section *io.SectionReader // Read and Seek on top of ReadAt
}

type block struct {
	off  int64
	data []byte
}

func newS3Random(ctx context.Context, b *s3Backend, obj Object) *s3Random {
	r := &s3Random{ctx: ctx, b: b, obj: obj}
	r.section = io.NewSectionReader(r, 0, obj.Size)
	return r
}

func (r *s3Random) Size() int64 { return r.obj.Size }

func (r *s3Random) Read(p []byte) (int, error) { return r.section.Read(p) }

func (r *s3Random) Seek(offset int64, whence int) (int64, error) {
	return r.section.Seek(offset, whence)
}

func (r *s3Random) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed, r.blocks = true, nil
	return nil
}

func (r *s3Random) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, &Error{Op: "read", URI: r.obj.Location.String(), Err: fmt.Errorf("negative offset %d", off)}
	}
	if off >= r.obj.Size {
		return 0, io.EOF
	}
	want := p
	if rest := r.obj.Size - off; int64(len(want)) > rest {
		want = want[:rest]
	}
	if r.copyCached(want, off) {
		return finish(len(want), len(p))
	}
	if len(want) >= r.b.opts.ReadAhead {
		// A large read: fetch exactly it, straight into p, and cache nothing.
		if err := r.fetch(want, off); err != nil {
			return 0, err
		}
		return finish(len(want), len(p))
	}
	n := int64(r.b.opts.ReadAhead)
	if rest := r.obj.Size - off; n > rest {
		n = rest
	}
	data := make([]byte, n)
	if err := r.fetch(data, off); err != nil {
		return 0, err
	}
	copy(want, data)
	r.remember(block{off: off, data: data})
	return finish(len(want), len(p))
}

// finish gives ReadAt's result: io.EOF when the object ended before p did.
func finish(got, asked int) (int, error) {
	if got < asked {
		return got, io.EOF
	}
	return got, nil
}

func (r *s3Random) copyCached(p []byte, off int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, b := range r.blocks {
		if off >= b.off && off+int64(len(p)) <= b.off+int64(len(b.data)) {
			copy(p, b.data[off-b.off:])
			r.blocks = append(append(r.blocks[:i:i], r.blocks[i+1:]...), b)
			return true
		}
	}
	return false
}

func (r *s3Random) remember(b block) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	if len(r.blocks) >= cachedBlocks {
		r.blocks = append(r.blocks[:0:0], r.blocks[1:]...)
	}
	r.blocks = append(r.blocks, b)
}

// fetch fills p from offset off with one ranged GET, pinned to the ETag
// seen at open so that a replaced object fails instead of mixing versions.
func (r *s3Random) fetch(p []byte, off int64) error {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	loc := r.obj.Location
	if closed {
		return &Error{Op: "read", URI: loc.String(), Err: errors.New("reader is closed")}
	}
	in := &s3.GetObjectInput{
		Bucket: aws.String(loc.Bucket),
		Key:    aws.String(loc.Path),
		Range:  aws.String("bytes=" + strconv.FormatInt(off, 10) + "-" + strconv.FormatInt(off+int64(len(p))-1, 10)),
	}
	if r.obj.ETag != "" {
		in.IfMatch = aws.String(`"` + r.obj.ETag + `"`)
	}
	out, err := r.b.client.GetObject(r.ctx, in)
	if err != nil {
		return s3Err("read", loc, err)
	}
	defer out.Body.Close()
	if aws.ToString(out.ContentRange) == "" && (off != 0 || int64(len(p)) != r.obj.Size) {
		return &Error{Op: "read", URI: loc.String(), Err: errors.New("the store ignored the Range header; ranged reads are required for Parquet")}
	}
	if _, err := io.ReadFull(out.Body, p); err != nil {
		return &Error{Op: "read", URI: loc.String(), Err: fmt.Errorf("bytes %d-%d: %w", off, off+int64(len(p))-1, err)}
	}
	return nil
}
