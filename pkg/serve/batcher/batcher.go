package batcher

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Batcher queues one model's requests and runs them in row-counted batches
// on its instances. It is safe for concurrent use.
type Batcher struct {
	cfg       Config
	obs       Observer
	instances []flavors.Model
	slots     []slot // one per instance: who is using it

	mu         sync.Mutex
	queue      fifo
	queuedCost int // sum of queued pieces' cost, bounded by MaxQueueRows
	closed     bool
	inlined    int // requests run on the caller's goroutine; read by tests

	kick    chan struct{} // wakes one idle worker; buffered so no wake-up is lost
	closing chan struct{} // closed by Close: workers stop waiting for more rows
	workers sync.WaitGroup
	inline  sync.WaitGroup // runs on callers' goroutines, which Close waits for too

	closeOnce sync.Once
	drained   chan struct{} // closed once the workers are gone and the instances closed
	closeErr  error
}

// New starts one worker goroutine per instance. The batcher owns the
// instances from now on: Close closes them. Nil instances are skipped; obs
// may be nil. cfg's zero fields take their defaults.
func New(instances []flavors.Model, cfg Config, obs Observer) *Batcher {
	b := &Batcher{
		cfg:     cfg.WithDefaults(),
		obs:     obs,
		kick:    make(chan struct{}, 1),
		closing: make(chan struct{}),
		drained: make(chan struct{}),
	}
	for _, m := range instances {
		if m != nil {
			b.instances = append(b.instances, m)
		}
	}
	b.slots = make([]slot, len(b.instances))
	for i := range b.slots {
		b.slots[i].released = make(chan struct{}, 1)
	}
	b.workers.Add(len(b.instances))
	for i, m := range b.instances {
		go b.work(i, m)
	}
	return b
}

// Predict queues in, waits for its batch (or batches, when in has more than
// MaxBatchRows rows) and returns exactly in's rows of the model's output.
// It returns ErrQueueFull at once when the queue cannot take in's rows,
// ErrClosed after Close, and ctx.Err() as soon as ctx is done.
//
// With MaxQueueDelay 0, an empty queue and an idle instance, in runs on the
// caller's goroutine instead (see runInline); ctx is then only looked at
// before and after the model runs.
func (b *Batcher) Predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error) {
	if err := ctx.Err(); err != nil {
		return flavors.Batch{}, err
	}
	if err := in.Validate(); err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: %w", flavors.ErrInvalidInput, err)
	}
	if id, ok := b.claimIdle(in.Rows()); ok {
		out, err := b.runInline(id, in)
		if cerr := ctx.Err(); cerr != nil {
			return flavors.Batch{}, cerr // as a caller that gave up mid-batch
		}
		return out, err
	}
	req := newRequest(ctx, in, b.cfg.MaxBatchRows, time.Now())
	if err := b.enqueue(req); err != nil {
		return flavors.Batch{}, err
	}
	select {
	case <-req.done:
	case <-ctx.Done():
		b.withdraw(req)
		return flavors.Batch{}, ctx.Err()
	}
	out, err := req.result()
	if err != nil && len(req.pieces) > 1 {
		b.withdraw(req) // the rest of a failed split request need not run
	}
	return out, err
}

func (b *Batcher) enqueue(req *request) error {
	cost := req.cost()
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return ErrClosed
	case len(b.instances) == 0:
		b.mu.Unlock()
		return fmt.Errorf("batcher: no model instances to run on: %w", flavors.ErrUnavailable)
	case cost > b.cfg.MaxQueueRows:
		b.mu.Unlock()
		return fmt.Errorf("%w: a request of %d rows is more than the queue holds (MaxQueueRows %d); send smaller requests or raise the bound", ErrQueueFull, cost, b.cfg.MaxQueueRows)
	case b.queuedCost+cost > b.cfg.MaxQueueRows:
		waiting := b.queuedCost
		b.mu.Unlock()
		return fmt.Errorf("%w: %d rows waiting, %d more would pass MaxQueueRows %d", ErrQueueFull, waiting, cost, b.cfg.MaxQueueRows)
	}
	for i := range req.pieces {
		b.queue.push(&req.pieces[i])
	}
	b.queuedCost += cost
	if b.obs != nil {
		// Under the lock, so that it comes before the -rows of the dispatch
		// and a queue-depth gauge never dips below zero.
		b.obs.Queued(req.rows)
	}
	b.mu.Unlock()
	b.wake()
	return nil
}

// withdraw takes a request's still-queued pieces out of the queue.
func (b *Batcher) withdraw(req *request) {
	rows := 0
	b.mu.Lock()
	for i := range req.pieces {
		if p := &req.pieces[i]; p.queued {
			b.queue.remove(p)
			b.queuedCost -= p.cost
			rows += p.rows
		}
	}
	b.mu.Unlock()
	if rows > 0 && b.obs != nil {
		b.obs.Queued(-rows)
	}
}

func (b *Batcher) wake() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// Close stops taking requests (Predict returns ErrClosed), lets the workers
// finish everything queued or running (inline runs included), then closes
// the instances. When ctx
// ends first it returns ctx's error; the drain goes on in the background and
// a later Close waits for it again.
func (b *Batcher) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		close(b.closing)
		go func() {
			b.workers.Wait()
			b.inline.Wait() // no new ones: claimIdle refuses once closed is set
			b.closeErr = closeInstances(b.instances)
			close(b.drained)
		}()
	})
	select {
	case <-b.drained:
		return b.closeErr
	case <-ctx.Done():
		return fmt.Errorf("batcher: close: still draining queued and running batches: %w", ctx.Err())
	}
}

// closeInstances closes each distinct instance once: the same model may be
// passed several times when it is safe for concurrent use.
func closeInstances(instances []flavors.Model) error {
	var errs []error
	seen := make(map[flavors.Model]bool, len(instances))
	for i, m := range instances {
		if reflect.TypeOf(m).Comparable() {
			if seen[m] {
				continue
			}
			seen[m] = true
		}
		if err := m.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing model instance %d: %w", i, err))
		}
	}
	return errors.Join(errs...)
}
