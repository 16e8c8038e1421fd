package batcher

import (
	"context"
	"fmt"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// work is one instance's loop: take the next batch, run it, answer its
// callers; wait for rows (or for the delay to pass) when there is none.
func (b *Batcher) work(id int, m flavors.Model) {
	defer b.workers.Done()
	var (
		buf    []*piece
		inputs []flavors.Batch
		waits  []time.Duration
	)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	slot := &b.slots[id]
	for {
		b.mu.Lock()
		if slot.state == slotWorker {
			slot.state = slotIdle // its last batch is answered
		}
		if slot.state == slotClaimed {
			// A caller runs on the instance (runInline): wait for it to
			// give the instance back, passing on a wake-up meant for
			// another worker that could take the queued rows meanwhile.
			more := b.queue.head != nil
			exit := b.closed && !more
			b.mu.Unlock()
			if exit {
				return
			}
			if more {
				b.wake()
			}
			<-slot.released
			continue
		}
		batch, wait, dropped := b.take(time.Now(), buf[:0])
		if batch != nil {
			slot.state = slotWorker
		}
		more := b.queue.head != nil
		exit := batch == nil && b.closed && !more
		b.mu.Unlock()
		if dropped > 0 && b.obs != nil {
			b.obs.Queued(-dropped)
		}
		switch {
		case exit:
			return
		case batch != nil:
			if more {
				b.wake() // another idle instance can take the rest now
			}
			buf = batch
			inputs, waits = b.run(id, m, batch, inputs, waits)
			clear(buf) // do not keep answered requests alive
			clear(inputs)
		case wait > 0:
			timer.Reset(wait)
			select {
			case <-b.kick:
			case <-timer.C:
			case <-b.closing:
			}
			timer.Stop()
		default:
			select {
			case <-b.kick:
			case <-b.closing:
			}
		}
	}
}

// take unlinks the next batch from the queue into buf, or, when the batch
// could still grow and the oldest piece has waited less than MaxQueueDelay,
// returns how long to wait for more rows. Pieces whose caller has gone are
// dropped on the way; dropped is their row count. Call with mu held.
func (b *Batcher) take(now time.Time, buf []*piece) (batch []*piece, wait time.Duration, dropped int) {
	batch = buf
	rows, full := 0, false
	for p := b.queue.head; p != nil && !full; {
		next := p.next
		switch {
		case p.req.ctx.Err() != nil:
			b.queue.remove(p)
			b.queuedCost -= p.cost
			dropped += p.rows
		case len(batch) == 0:
			batch = append(batch, p)
			rows = p.rows
			full = !p.stackable || rows >= b.cfg.MaxBatchRows
		case !p.stackable || rows+p.rows > b.cfg.MaxBatchRows || !flavors.CanConcat([]flavors.Batch{batch[0].in, p.in}):
			full = true // p starts the next batch; never reorder past it
		default:
			batch = append(batch, p)
			rows += p.rows
			full = rows == b.cfg.MaxBatchRows
		}
		p = next
	}
	if len(batch) == 0 {
		return nil, 0, dropped
	}
	if !full && b.cfg.MaxQueueDelay > 0 && !b.closed {
		if w := batch[0].arrived.Add(b.cfg.MaxQueueDelay).Sub(now); w > 0 {
			return nil, w, dropped
		}
	}
	for _, p := range batch {
		b.queue.remove(p)
		b.queuedCost -= p.cost
	}
	return batch, 0, dropped
}

// run sends one batch to the instance and hands each piece its rows of the
// output. inputs and waits are scratch space, returned for reuse.
func (b *Batcher) run(id int, m flavors.Model, batch []*piece, inputs []flavors.Batch, waits []time.Duration) ([]flavors.Batch, []time.Duration) {
	rows := 0
	for _, p := range batch {
		rows += p.rows
	}
	if b.obs != nil {
		now := time.Now()
		waits = waits[:0]
		for _, p := range batch {
			waits = append(waits, now.Sub(p.arrived))
		}
		b.obs.Queued(-rows)
		b.obs.Dispatched(rows, len(batch), waits)
	}
	in := batch[0].in
	var err error
	if len(batch) > 1 {
		inputs = inputs[:0]
		for _, p := range batch {
			inputs = append(inputs, p.in)
		}
		in, err = flavors.ConcatRows(inputs)
	}
	var out flavors.Batch
	var elapsed time.Duration
	if err == nil {
		out, elapsed, err = execute(id, m, in, rows, batch[0].stackable)
	}
	if b.obs != nil {
		b.obs.Ran(rows, elapsed, err)
	}
	if err != nil {
		for _, p := range batch {
			p.req.finish(p.index, flavors.Batch{}, err)
		}
		return inputs, waits
	}
	if len(batch) == 1 {
		batch[0].req.finish(batch[0].index, out, nil)
		return inputs, waits
	}
	lo := 0
	for _, p := range batch {
		p.req.finish(p.index, sliceRows(out, lo, lo+p.rows), nil)
		lo += p.rows
	}
	return inputs, waits
}

// execute runs a batch of rows rows on instance id and checks that a
// stackable batch's output has one row per input row. Workers and inline
// runs both go through it, so both fail the same way.
func execute(id int, m flavors.Model, in flavors.Batch, rows int, stackable bool) (flavors.Batch, time.Duration, error) {
	start := time.Now()
	out, err := predict(id, m, in)
	elapsed := time.Since(start)
	if err == nil && stackable {
		err = checkRows(out, rows)
	}
	return out, elapsed, err
}

// predict runs the model, turning a panic into an error so that the worker,
// and the other batches, live on.
func predict(id int, m flavors.Model, in flavors.Batch) (out flavors.Batch, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("batcher: model instance %d panicked on a batch of %d rows: %v", id, in.Rows(), r)
		}
	}()
	// The batch serves several callers, so no one caller's context may
	// cancel it.
	return m.Predict(context.Background(), in)
}
