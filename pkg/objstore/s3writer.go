package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
)

// minPartSize is S3's smallest allowed multipart part (except the last).
const minPartSize = 5 << 20

// abortTimeout bounds AbortMultipartUpload after a failure or cancel; it
// runs on a fresh context because the caller's may already have ended.
const abortTimeout = 30 * time.Second

// s3Writer streams into the transfer manager through a pipe. The manager
// uploads parts as they fill and completes the multipart upload only when
// the pipe ends cleanly (Commit); a pipe closed with an error (Abort, the
// context ending) makes it abort the upload, so no object appears.
type s3Writer struct {
	ctx    context.Context
	loc    Location
	pw     *io.PipeWriter
	cancel context.CancelFunc
	stop   func() bool // unregisters the context watcher

	done   chan struct{} // closed when the upload goroutine returns
	result error         // the upload's outcome; read after done

	mu       sync.Mutex
	finished bool // Commit or Abort has run
}

func (b *s3Backend) create(ctx context.Context, loc Location) (Writer, error) {
	if loc.Path == "" || loc.Path[len(loc.Path)-1] == '/' {
		return nil, &Error{Op: "create", URI: loc.String(), Err: fmt.Errorf("%w: names a prefix, not an object", ErrBadURI)}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Op: "create", URI: loc.String(), Err: fmt.Errorf("%w: %w", ErrAborted, err)}
	}
	partSize := max(b.opts.PartSize, minPartSize)
	tm := transfermanager.New(b.client, func(o *transfermanager.Options) {
		o.PartSizeBytes = partSize
		o.MultipartUploadThreshold = partSize
		o.Concurrency = defaultConcurrency
		o.FailTimeout = abortTimeout
		if b.custom {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		}
	})
	uploadCtx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	w := &s3Writer{ctx: ctx, loc: loc, pw: pw, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		_, err := tm.UploadObject(uploadCtx, &transfermanager.UploadObjectInput{
			Bucket: aws.String(loc.Bucket),
			Key:    aws.String(loc.Path),
			Body:   pr,
		})
		w.result = err
		// Unblock a Write waiting on a pipe nobody reads any more.
		if err == nil {
			err = errors.New("upload already finished")
		}
		pr.CloseWithError(err)
	}()
	w.stop = context.AfterFunc(ctx, func() {
		pw.CloseWithError(fmt.Errorf("%w: %w", ErrAborted, context.Cause(ctx)))
	})
	return w, nil
}

func (w *s3Writer) Write(p []byte) (int, error) {
	// The context watcher closes the pipe asynchronously; check here too so
	// that no write succeeds once the context has ended.
	if err := w.ctx.Err(); err != nil {
		return 0, &Error{Op: "write", URI: w.loc.String(), Err: fmt.Errorf("%w: %w", ErrAborted, err)}
	}
	n, err := w.pw.Write(p)
	if err != nil {
		return n, s3Err("write", w.loc, err)
	}
	return n, nil
}

// finish marks the writer used; it reports false when it already was.
func (w *s3Writer) finish() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished {
		return false
	}
	w.finished = true
	return true
}

func (w *s3Writer) Commit() error {
	if err := w.ctx.Err(); err != nil {
		w.Abort()
		return &Error{Op: "commit", URI: w.loc.String(), Err: fmt.Errorf("%w: %w", ErrAborted, err)}
	}
	if !w.finish() {
		return &Error{Op: "commit", URI: w.loc.String(), Err: errors.New("writer already committed or aborted")}
	}
	w.pw.Close()
	<-w.done
	w.stop()
	w.cancel()
	if w.result != nil {
		return s3Err("commit", w.loc, w.result)
	}
	return nil
}

func (w *s3Writer) Abort() error {
	if !w.finish() {
		return nil
	}
	w.pw.CloseWithError(ErrAborted)
	w.cancel()
	<-w.done
	w.stop()
	return nil
}
