package batcher

import (
	"errors"
	"time"
)

// Errors Predict returns, wrapped with detail. The server maps them to its
// own errors (a full queue to 503 with Retry-After) in one place.
var (
	// ErrQueueFull means the request's rows do not fit in the bounded queue.
	ErrQueueFull = errors.New("queue full")
	// ErrClosed means the batcher was closed and takes no new requests.
	ErrClosed = errors.New("batcher closed")
)

// Config holds one model's batching knobs. The zero value batches without
// tuning: see WithDefaults.
type Config struct {
	// MaxBatchRows is the largest batch sent to an instance, counted in
	// rows (default 64).
	MaxBatchRows int
	// MaxQueueDelay is the longest a queued request waits for more rows
	// while an instance is free (default 0: dispatch at once).
	MaxQueueDelay time.Duration
	// MaxQueueRows bounds the rows waiting for an instance (default
	// 16 × MaxBatchRows); a request beyond it gets ErrQueueFull at once.
	MaxQueueRows int
}

// Defaults used for zero or negative fields.
const (
	DefaultMaxBatchRows    = 64
	defaultQueueRowsFactor = 16
)

// WithDefaults fills zero or negative fields with their defaults.
func (c Config) WithDefaults() Config {
	if c.MaxBatchRows <= 0 {
		c.MaxBatchRows = DefaultMaxBatchRows
	}
	if c.MaxQueueDelay < 0 {
		c.MaxQueueDelay = 0
	}
	if c.MaxQueueRows <= 0 {
		c.MaxQueueRows = defaultQueueRowsFactor * c.MaxBatchRows
	}
	return c
}

// Observer receives the batcher's events, for metrics. Its methods may be
// called concurrently and must return quickly and never call back into the
// Batcher: Queued(+rows) is called while a request is being enqueued, the
// others by the workers between batches, or by Predict around a request it
// runs on the caller's goroutine (no Queued then: it never waits).
type Observer interface {
	// Queued reports a change in the rows waiting: +rows on enqueue, -rows
	// when they are dispatched or leave the queue because their caller gave up.
	Queued(rows int)
	// Dispatched reports a batch sent to an instance: its rows, how many
	// requests it stacks, and how long each of them waited in the queue.
	Dispatched(batchRows int, requests int, queueWait []time.Duration)
	// Ran reports how long an instance took on a batch and how it ended.
	Ran(batchRows int, d time.Duration, err error)
}
