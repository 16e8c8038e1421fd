package predlog

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Entry is one answered request.
type Entry struct {
	// Time is when the request was answered; zero means the time of Log.
	Time      time.Time
	RequestID string
	Model     string
	Version   string
	UUID      string
	// Protocol is "mlflow", "v2-rest" or "v2-grpc".
	Protocol string
	Latency  time.Duration
	// Inputs and Outputs are read later, on the writer's goroutine: the
	// caller must not change their data after Log.
	Inputs, Outputs flavors.Batch
}

// Logger writes sampled entries to rotating JSON-lines files from one
// background goroutine. Log never blocks; Close flushes.
type Logger struct {
	queue      chan Entry
	sample     *sampler
	flushEvery time.Duration
	file       *rotatingFile

	// mu orders Log's send against Close's close of the queue: Log holds
	// it shared, so many callers never wait on each other.
	mu     sync.RWMutex
	closed bool

	dropped atomic.Uint64
	written atomic.Uint64
	lost    atomic.Uint64 // rows not written because of a write error

	errMu    sync.Mutex
	firstErr error

	done      chan struct{}
	closeOnce sync.Once
	closeErr  error

	// beforeWrite, when set (tests only), runs on the writer goroutine
	// before each entry is written.
	beforeWrite func(Entry)
}

// Open creates cfg.Dir if needed, starts the first file and the writer.
func Open(cfg Config) (*Logger, error) {
	return open(cfg, nil)
}

func open(cfg Config, beforeWrite func(Entry)) (*Logger, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("prediction log: %w", err)
	}
	l := &Logger{
		queue:       make(chan Entry, cfg.BufferRecords),
		sample:      newSampler(cfg.SampleRate, cfg.Seed),
		flushEvery:  cfg.FlushInterval,
		done:        make(chan struct{}),
		beforeWrite: beforeWrite,
	}
	l.file = &rotatingFile{dir: cfg.Dir, maxBytes: cfg.MaxFileBytes, maxFiles: cfg.MaxFiles, report: l.recordErr}
	// Starting the first file here makes a bad directory an error of Open.
	if err := l.file.open(); err != nil {
		return nil, err
	}
	if err := l.firstErr; err != nil { // old files could not be deleted
		return nil, errors.Join(err, l.file.finish())
	}
	go l.run()
	return l, nil
}

// Log queues e if it is sampled, and drops and counts it when the queue is
// full or the Logger is closed. It never blocks and does no encoding; the
// Batch data in e must not be changed afterwards.
func (l *Logger) Log(e Entry) {
	if !l.sample.keep() {
		return
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		l.dropped.Add(1)
		return
	}
	select {
	case l.queue <- e:
	default:
		l.dropped.Add(1)
	}
}

// Dropped counts entries dropped because the buffer was full (or the
// Logger closed); the server exports it as mlctl_prediction_log_dropped_total.
func (l *Logger) Dropped() uint64 { return l.dropped.Load() }

// Written counts rows handed to the files (a row buffered when a later
// write fails is counted but lost; Close reports such failures).
func (l *Logger) Written() uint64 { return l.written.Load() }

// Close writes everything queued, syncs and closes the file. It returns
// the first error the writer met, if any; later calls return the same.
func (l *Logger) Close() error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		close(l.queue)
		l.mu.Unlock()
		<-l.done
		l.closeErr = l.firstErr
		if n := l.lost.Load(); n > 0 && l.closeErr != nil {
			l.closeErr = fmt.Errorf("%w (%d rows lost to write errors)", l.closeErr, n)
		}
	})
	return l.closeErr
}

// run is the writer goroutine: it encodes and writes entries as they come,
// flushes on a timer, and finishes the file when the queue is closed.
func (l *Logger) run() {
	defer close(l.done)
	tick := time.NewTicker(l.flushEvery)
	defer tick.Stop()
	var enc lineEncoder
	failed := false // a write failed: skip entries until the next tick
	for {
		select {
		case e, ok := <-l.queue:
			if !ok {
				l.recordErr(l.file.finish())
				return
			}
			if l.beforeWrite != nil {
				l.beforeWrite(e)
			}
			if failed {
				l.lost.Add(uint64(enc.begin(&e)))
				continue
			}
			if err := l.write(&enc, &e); err != nil {
				l.recordErr(err)
				l.file.abandon()
				failed = true
			}
		case <-tick.C:
			// After a failure, try a new file once per tick rather than
			// per entry, so a full disk does not fill up with empty files.
			failed = false
			if err := l.file.flush(); err != nil {
				l.recordErr(err)
				l.file.abandon()
			}
		}
	}
}

func (l *Logger) write(enc *lineEncoder, e *Entry) error {
	rows := enc.begin(e)
	for i := range rows {
		if err := l.file.write(enc.row(e, i)); err != nil {
			l.lost.Add(uint64(rows - i))
			return err
		}
		l.written.Add(1)
	}
	return nil
}

func (l *Logger) recordErr(err error) {
	if err == nil {
		return
	}
	l.errMu.Lock()
	defer l.errMu.Unlock()
	if l.firstErr == nil {
		l.firstErr = err
	}
}
