package batcher

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// request is one caller's Predict: its input split into pieces of at most
// MaxBatchRows rows, and the outputs of those pieces as they come back.
type request struct {
	ctx  context.Context
	rows int
	done chan struct{} // closed once every piece is answered or one failed

	pieces []piece
	one    [1]piece // backing store for the common unsplit request

	mu       sync.Mutex
	pending  int
	outs     []flavors.Batch
	oneOut   [1]flavors.Batch
	err      error
	finished bool
}

// piece is a run of a request's rows that goes into one batch. While queued
// it is linked into the batcher's FIFO.
type piece struct {
	req       *request
	index     int
	in        flavors.Batch
	rows      int
	cost      int  // rows counted against the queue bound: at least 1
	stackable bool // can share a batch with other pieces
	arrived   time.Time

	queued     bool
	prev, next *piece
}

func newRequest(ctx context.Context, in flavors.Batch, maxRows int, now time.Time) *request {
	rows := in.Rows()
	r := &request{ctx: ctx, rows: rows, done: make(chan struct{})}
	stack := stackable(in)
	n := 1
	if stack && rows > maxRows {
		n = (rows + maxRows - 1) / maxRows
	}
	if n == 1 {
		r.pieces, r.outs = r.one[:], r.oneOut[:]
		r.pieces[0] = piece{req: r, in: in, rows: rows, cost: max(rows, 1), stackable: stack, arrived: now}
	} else {
		r.pieces, r.outs = make([]piece, n), make([]flavors.Batch, n)
		for i := range n {
			lo, hi := i*maxRows, min((i+1)*maxRows, rows)
			r.pieces[i] = piece{req: r, index: i, in: flavors.SliceRows(in, lo, hi), rows: hi - lo, cost: hi - lo, stackable: true, arrived: now}
		}
	}
	r.pending = n
	return r
}

// cost is the rows the request holds against the queue bound.
func (r *request) cost() int {
	n := 0
	for i := range r.pieces {
		n += r.pieces[i].cost
	}
	return n
}

// finish records one piece's answer. The first error fails the request.
func (r *request) finish(index int, out flavors.Batch, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	if err != nil {
		r.err, r.finished = err, true
		close(r.done)
		return
	}
	r.outs[index] = out
	r.pending--
	if r.pending == 0 {
		r.finished = true
		close(r.done)
	}
}

// result stacks the pieces' outputs; call it only after done is closed.
func (r *request) result() (flavors.Batch, error) {
	if r.err != nil {
		return flavors.Batch{}, r.err
	}
	if len(r.outs) == 1 {
		return r.outs[0], nil
	}
	out, err := flavors.ConcatRows(r.outs)
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("batcher: stacking the outputs of a request split into %d batches: %w", len(r.outs), err)
	}
	return out, nil
}

// stackable reports whether a batch has a row dimension that other batches
// can be stacked along: at least one tensor, every tensor at least 1-D, and
// at least one row. Anything else runs alone, exactly as given.
func stackable(b flavors.Batch) bool {
	if len(b.Tensors) == 0 || b.Rows() == 0 {
		return false
	}
	for _, t := range b.Tensors {
		if len(t.Shape) == 0 {
			return false
		}
	}
	return true
}

// fifo is the queue of pieces waiting for an instance, in arrival order.
type fifo struct {
	head, tail *piece
}

func (q *fifo) push(p *piece) {
	p.prev, p.next, p.queued = q.tail, nil, true
	if q.tail != nil {
		q.tail.next = p
	} else {
		q.head = p
	}
	q.tail = p
}

func (q *fifo) remove(p *piece) {
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		q.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		q.tail = p.prev
	}
	p.prev, p.next, p.queued = nil, nil, false
}
