package batcher

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// scaleModel is the test's model: it answers input "x" (any numeric dtype,
// any row width) with "y" = 10·x as FP64 of the same shape. It records the
// batches it saw and can block on a gate, fail or panic.
type scaleModel struct {
	gate    chan struct{} // when set, Predict waits until it can receive or it is closed
	entered chan int      // when set, Predict sends each batch's rows on entry
	failIf  func(x []float64) error
	panicIf func(x []float64) bool
	// outRows, when set, gives the output's row count for a batch's rows.
	outRows func(rows int) int

	mu      sync.Mutex
	batches []int
	seen    []float64 // the first column of every row it ran
	closes  atomic.Int32
}

var _ flavors.Model = (*scaleModel)(nil)

func (m *scaleModel) Signature() flavors.Signature { return flavors.Signature{} }

func (m *scaleModel) Close() error {
	m.closes.Add(1)
	return nil
}

func (m *scaleModel) Predict(_ context.Context, in flavors.Batch) (flavors.Batch, error) {
	x, ok := in.Get("x")
	if !ok {
		return flavors.Batch{}, fmt.Errorf("%w: no input \"x\"", flavors.ErrInvalidInput)
	}
	vals, err := x.Float64s()
	if err != nil {
		return flavors.Batch{}, err
	}
	rows, w := x.Rows(), x.RowWidth()
	m.mu.Lock()
	m.batches = append(m.batches, rows)
	for r := range rows {
		m.seen = append(m.seen, vals[r*w])
	}
	m.mu.Unlock()
	if m.entered != nil {
		m.entered <- rows
	}
	if m.gate != nil {
		<-m.gate
	}
	if m.panicIf != nil && m.panicIf(vals) {
		panic("scaleModel: asked to panic")
	}
	if m.failIf != nil {
		if err := m.failIf(vals); err != nil {
			return flavors.Batch{}, err
		}
	}
	outRows := rows
	if m.outRows != nil {
		outRows = m.outRows(rows)
	}
	y := make([]float64, outRows*w)
	for i := range min(len(y), len(vals)) {
		y[i] = 10 * vals[i]
	}
	shape := []int64{}
	if len(x.Shape) > 0 {
		shape = append([]int64{int64(outRows)}, x.Shape[1:]...)
	}
	return flavors.Batch{Tensors: []flavors.Tensor{{Name: "y", DType: flavors.FP64, Shape: shape, Data: y}}}, nil
}

func (m *scaleModel) batchRows() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]int(nil), m.batches...)
}

func (m *scaleModel) sawValue(v float64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.seen {
		if s == v {
			return true
		}
	}
	return false
}

// rowsFor is caller k's input: rows×width FP64 with row r = k·1000 + r in
// every column, so each output row says whose row it is.
func rowsFor(k, rows, width int) flavors.Batch {
	x := make([]float64, rows*width)
	for r := range rows {
		for c := range width {
			x[r*width+c] = float64(k*1000 + r)
		}
	}
	return flavors.Batch{Tensors: []flavors.Tensor{{Name: "x", DType: flavors.FP64, Shape: []int64{int64(rows), int64(width)}, Data: x}}}
}

// checkOutput fails unless out is exactly 10× caller k's rows, in order.
func checkOutput(t *testing.T, k, rows, width int, out flavors.Batch) {
	t.Helper()
	y, ok := out.Get("y")
	if !ok {
		t.Fatalf("caller %d: no output \"y\" in %v", k, out.Names())
	}
	if len(y.Shape) != 2 || y.Shape[0] != int64(rows) || y.Shape[1] != int64(width) {
		t.Fatalf("caller %d: output shape %v, want [%d %d]", k, y.Shape, rows, width)
	}
	data := y.Data.([]float64)
	for r := range rows {
		for c := range width {
			if got, want := data[r*width+c], float64(10*(k*1000+r)); got != want {
				t.Fatalf("caller %d row %d col %d: got %v, want %v", k, r, c, got, want)
			}
		}
	}
}

// recorder is an Observer that keeps what it was told.
type recorder struct {
	mu       sync.Mutex
	queued   int
	batches  []int
	requests []int
	waits    int
	ran      []int
	errs     int
}

func (o *recorder) Queued(rows int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.queued += rows
}

func (o *recorder) Dispatched(batchRows, requests int, waits []time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.batches = append(o.batches, batchRows)
	o.requests = append(o.requests, requests)
	o.waits += len(waits)
}

func (o *recorder) Ran(batchRows int, _ time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.ran = append(o.ran, batchRows)
	if err != nil {
		o.errs++
	}
}

func (o *recorder) queuedRows() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.queued
}

// waitFor polls cond until it holds; a liveness guard, not a speed check.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitEntered receives one batch entry from a gated model.
func waitEntered(t *testing.T, m *scaleModel) int {
	t.Helper()
	select {
	case rows := <-m.entered:
		return rows
	case <-time.After(10 * time.Second):
		t.Fatal("gave up waiting for the model to be called")
		return 0
	}
}

type result struct {
	out flavors.Batch
	err error
}

// predictAsync runs Predict in a goroutine.
func predictAsync(ctx context.Context, b *Batcher, in flavors.Batch) <-chan result {
	ch := make(chan result, 1)
	go func() {
		out, err := b.Predict(ctx, in)
		ch <- result{out, err}
	}()
	return ch
}

func await(t *testing.T, ch <-chan result) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("gave up waiting for Predict to return")
		return result{}
	}
}

func closeBatcher(t *testing.T, b *Batcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Close: %v", err)
	}
}
