package batcher

import (
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// slotState says who is using an instance. It changes only under mu.
type slotState uint8

const (
	slotIdle    slotState = iota // its worker is between batches
	slotWorker                   // its worker is running a batch on it
	slotClaimed                  // a caller is running its request on it (runInline)
)

// slot is one instance's ownership: an instance is used by its worker or
// by one claiming caller, never both.
type slot struct {
	state slotState
	// released wakes the instance's worker when a claiming caller is done;
	// buffered so that the signal is never lost.
	released chan struct{}
	wait     [1]time.Duration // Dispatched's queue wait for an inline run
}

// claimIdle claims an idle instance for a request of rows rows to run on
// the caller's goroutine. It refuses when batching could gain anything or
// order could be lost: a MaxQueueDelay to wait out, a request that would
// be split, or anything queued. A request the queue would refuse is left
// to enqueue, which says why.
func (b *Batcher) claimIdle(rows int) (id int, ok bool) {
	if b.cfg.MaxQueueDelay > 0 || rows > b.cfg.MaxBatchRows || max(rows, 1) > b.cfg.MaxQueueRows {
		return -1, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.queue.head != nil {
		return -1, false
	}
	for i := range b.slots {
		if b.slots[i].state == slotIdle {
			b.slots[i].state = slotClaimed
			b.inlined++
			b.inline.Add(1) // before closed can be set: Close's Wait comes after
			return i, true
		}
	}
	return -1, false
}

// release gives a claimed instance back to its worker and wakes a worker
// for anything queued while the instance was busy.
func (b *Batcher) release(id int) {
	s := &b.slots[id]
	b.mu.Lock()
	s.state = slotIdle
	more := b.queue.head != nil
	b.mu.Unlock()
	select {
	case s.released <- struct{}{}:
	default:
	}
	if more {
		b.wake()
	}
	b.inline.Done()
}

// runInline runs one request on claimed instance id as a batch of its
// own, with no queue and no hand-off between goroutines: the observer sees
// the same batch a worker would have run, with no queue wait.
func (b *Batcher) runInline(id int, in flavors.Batch) (flavors.Batch, error) {
	defer b.release(id)
	rows := in.Rows()
	if b.obs != nil {
		b.obs.Dispatched(rows, 1, b.slots[id].wait[:])
	}
	out, elapsed, err := execute(id, b.instances[id], in, rows, stackable(in))
	if b.obs != nil {
		b.obs.Ran(rows, elapsed, err)
	}
	return out, err
}
