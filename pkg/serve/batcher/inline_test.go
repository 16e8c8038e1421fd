package batcher

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func (b *Batcher) inlineCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inlined
}

// TestClaimIdle checks the fast path's rule on a batcher with no workers:
// which requests may run on the caller's goroutine, and on which instance.
func TestClaimIdle(t *testing.T) {
	busy := []slotState{slotWorker, slotClaimed}
	tests := []struct {
		name   string
		cfg    Config
		states []slotState
		queued bool
		closed bool
		rows   int
		wantID int // -1: not claimed
	}{
		{"idle instance, empty queue", Config{MaxBatchRows: 8}, []slotState{slotIdle}, false, false, 8, 0},
		{"zero rows", Config{MaxBatchRows: 8}, []slotState{slotIdle}, false, false, 0, 0},
		{"takes any idle instance", Config{MaxBatchRows: 8}, []slotState{slotWorker, slotClaimed, slotIdle}, false, false, 1, 2},
		{"every instance busy", Config{MaxBatchRows: 8}, busy, false, false, 1, -1},
		{"rows waiting in the queue", Config{MaxBatchRows: 8}, []slotState{slotIdle}, true, false, 1, -1},
		{"MaxQueueDelay could batch it", Config{MaxBatchRows: 8, MaxQueueDelay: time.Microsecond}, []slotState{slotIdle}, false, false, 1, -1},
		{"would be split", Config{MaxBatchRows: 8}, []slotState{slotIdle}, false, false, 9, -1},
		{"more than the queue holds", Config{MaxBatchRows: 8, MaxQueueRows: 3}, []slotState{slotIdle}, false, false, 4, -1},
		{"closed", Config{MaxBatchRows: 8}, []slotState{slotIdle}, false, true, 1, -1},
		{"no instances", Config{MaxBatchRows: 8}, nil, false, false, 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &Batcher{cfg: tt.cfg.WithDefaults(), closed: tt.closed, kick: make(chan struct{}, 1)}
			for _, s := range tt.states {
				b.slots = append(b.slots, slot{state: s, released: make(chan struct{}, 1)})
			}
			p := &piece{rows: 1, cost: 1}
			if tt.queued {
				b.queue.push(p)
			}
			id, ok := b.claimIdle(tt.rows)
			if !ok {
				id = -1
			}
			if id != tt.wantID {
				t.Fatalf("claimIdle(%d) = %d, %v; want instance %d", tt.rows, id, ok, tt.wantID)
			}
			if !ok {
				return
			}
			if b.slots[id].state != slotClaimed {
				t.Errorf("claimed instance %d is in state %d, want slotClaimed", id, b.slots[id].state)
			}
			if _, again := b.claimIdle(tt.rows); again && len(tt.states) == 1 {
				t.Error("the one instance was claimed twice")
			}
			b.release(id)
			if b.slots[id].state != slotIdle {
				t.Errorf("released instance %d is in state %d, want slotIdle", id, b.slots[id].state)
			}
		})
	}
}

// TestInlineOnlyWithoutDelay sends a lone request to an idle batcher: with
// no delay it runs on the caller's goroutine, with a delay it is queued;
// either way the observer sees one batch of one request.
func TestInlineOnlyWithoutDelay(t *testing.T) {
	tests := []struct {
		name        string
		delay       time.Duration
		wantInlined int
	}{
		{"no delay runs inline", 0, 1},
		{"delay queues", time.Millisecond, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scaleModel{}
			obs := &recorder{}
			b := New([]flavors.Model{m}, Config{MaxBatchRows: 8, MaxQueueDelay: tt.delay}, obs)
			out, err := b.Predict(context.Background(), rowsFor(1, 3, 2))
			if err != nil {
				t.Fatal(err)
			}
			checkOutput(t, 1, 3, 2, out)
			if got := b.inlineCount(); got != tt.wantInlined {
				t.Errorf("%d requests ran inline, want %d", got, tt.wantInlined)
			}
			closeBatcher(t, b)
			obs.mu.Lock()
			defer obs.mu.Unlock()
			if !slices.Equal(obs.batches, []int{3}) || !slices.Equal(obs.ran, []int{3}) || !slices.Equal(obs.requests, []int{1}) || obs.waits != 1 {
				t.Errorf("observer saw batches %v, ran %v, requests %v, %d waits; want [3] [3] [1] 1", obs.batches, obs.ran, obs.requests, obs.waits)
			}
			if obs.queued != 0 {
				t.Errorf("queue depth %d at the end, want 0", obs.queued)
			}
		})
	}
}

// TestInlineFailures: an inline run fails exactly as a worker's would, and
// the instance is free again afterwards.
func TestInlineFailures(t *testing.T) {
	tests := []struct {
		name    string
		model   func(m *scaleModel)
		wantErr func(error) bool
	}{
		{"error", func(m *scaleModel) {
			m.failIf = func(x []float64) error {
				if slices.Contains(x, 1000) {
					return errBoom
				}
				return nil
			}
		}, func(err error) bool { return errors.Is(err, errBoom) }},
		{"panic", func(m *scaleModel) {
			m.panicIf = func(x []float64) bool { return slices.Contains(x, 1000) }
		}, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "model instance 0 panicked on a batch of 2 rows")
		}},
		{"wrong output rows", func(m *scaleModel) {
			m.outRows = func(rows int) int { return rows + 1 }
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "3 rows for a batch of 2") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scaleModel{}
			tt.model(m)
			obs := &recorder{}
			b := New([]flavors.Model{m}, Config{MaxBatchRows: 8}, obs)
			defer closeBatcher(t, b)
			if _, err := b.Predict(context.Background(), rowsFor(1, 2, 1)); !tt.wantErr(err) {
				t.Errorf("failing request: error %v", err)
			}
			if tt.name != "wrong output rows" {
				out, err := b.Predict(context.Background(), rowsFor(2, 2, 1))
				if err != nil {
					t.Fatalf("request after the failure: %v", err)
				}
				checkOutput(t, 2, 2, 1, out)
			}
			if got := b.inlineCount(); got == 0 {
				t.Error("no request ran inline")
			}
			obs.mu.Lock()
			defer obs.mu.Unlock()
			if obs.errs != 1 {
				t.Errorf("%d failed batches reported, want 1", obs.errs)
			}
		})
	}
}

// TestQueuedWorkRunsBesideAnInlineRun: while one instance is held by a
// caller, a split request (always queued) must still run on the other: a
// wake-up taken by the held instance's worker is passed on. Which worker
// takes the wake-up is up to the scheduler, so it is tried several times.
func TestQueuedWorkRunsBesideAnInlineRun(t *testing.T) {
	for range 20 {
		queuedWorkRunsBesideAnInlineRun(t)
	}
}

func queuedWorkRunsBesideAnInlineRun(t *testing.T) {
	t.Helper()
	models := []*scaleModel{
		{gate: make(chan struct{}), entered: make(chan int, 8)},
		{gate: make(chan struct{}), entered: make(chan int, 8)},
	}
	b := New([]flavors.Model{models[0], models[1]}, Config{MaxBatchRows: 4}, nil)
	defer closeBatcher(t, b)

	held := predictAsync(context.Background(), b, rowsFor(1, 1, 1))
	var inline, free *scaleModel
	select {
	case <-models[0].entered:
		inline, free = models[0], models[1]
	case <-models[1].entered:
		inline, free = models[1], models[0]
	case <-time.After(10 * time.Second):
		t.Fatal("gave up waiting for the model to be called")
	}
	if got := b.inlineCount(); got != 1 {
		t.Fatalf("%d requests ran inline, want 1", got)
	}
	close(free.gate)
	go func() {
		for range free.entered {
		}
	}()
	r := await(t, predictAsync(context.Background(), b, rowsFor(2, 8, 1)))
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkOutput(t, 2, 8, 1, r.out)
	if got := free.batchRows(); !slices.Equal(got, []int{4, 4}) {
		t.Errorf("free instance ran batches %v, want [4 4]", got)
	}
	close(inline.gate)
	if r := await(t, held); r.err != nil {
		t.Fatal(r.err)
	}
	close(free.entered)
}

// exclusiveModel counts the goroutines inside Predict: more than one at a
// time means an instance was shared.
type exclusiveModel struct {
	scaleModel
	inside, overlaps atomic.Int32
}

func (m *exclusiveModel) Predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error) {
	if m.inside.Add(1) != 1 {
		m.overlaps.Add(1)
	}
	defer m.inside.Add(-1)
	runtime.Gosched() // widen the window for another caller to come in
	return m.scaleModel.Predict(ctx, in)
}

// TestInstanceNeverShared hammers a batcher with many callers mixing
// inline-sized and split requests: no instance may ever run two at once.
func TestInstanceNeverShared(t *testing.T) {
	const instances, callers, perCaller = 3, 32, 100
	models := make([]*exclusiveModel, instances)
	list := make([]flavors.Model, instances)
	for i := range models {
		models[i] = &exclusiveModel{}
		list[i] = models[i]
	}
	b := New(list, Config{MaxBatchRows: 4, MaxQueueRows: callers * 6}, nil)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range perCaller {
				rows := 1 + (c+i)%6 // 5 and 6 rows are split
				if i == 0 {
					rows = 1
				}
				out, err := b.Predict(context.Background(), rowsFor(c, rows, 1))
				if err != nil {
					t.Errorf("caller %d request %d: %v", c, i, err)
					return
				}
				checkOutput(t, c, rows, 1, out)
			}
		})
	}
	wg.Wait()
	closeBatcher(t, b)
	for i, m := range models {
		if n := m.overlaps.Load(); n != 0 {
			t.Errorf("instance %d ran %d batches while already running one", i, n)
		}
		if n := m.closes.Load(); n != 1 {
			t.Errorf("instance %d closed %d times, want 1", i, n)
		}
	}
	if b.inlineCount() == 0 {
		t.Error("no request ran inline: the test did not cover the fast path")
	}
}

// TestCloseWaitsForInlineRun closes a batcher while a caller's own run is
// inside the model: Close must not close the instance until it returns.
func TestCloseWaitsForInlineRun(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 8}, nil)
	running := predictAsync(context.Background(), b, rowsFor(1, 2, 1))
	waitEntered(t, m)
	if got := b.inlineCount(); got != 1 {
		t.Fatalf("%d requests ran inline, want 1", got)
	}

	expired, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Close(expired); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with a done context: error %v, want context.Canceled", err)
	}
	if _, err := b.Predict(context.Background(), rowsFor(9, 1, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Predict after Close: error %v, want ErrClosed", err)
	}
	// The model is blocked, so no drain can finish: this Close must give up.
	soon, cancelSoon := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancelSoon()
	if err := b.Close(soon); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close while an inline run is blocked: error %v, want context.DeadlineExceeded", err)
	}
	if n := m.closes.Load(); n != 0 {
		t.Fatal("instance closed while an inline run was in it")
	}
	close(m.gate)
	r := await(t, running)
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkOutput(t, 1, 2, 1, r.out)
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := m.closes.Load(); n != 1 {
		t.Errorf("instance closed %d times, want 1", n)
	}
}

// TestInlineCallerGivesUp: a caller whose context ends during its inline
// run gets ctx.Err(), and the instance is free for the next request.
func TestInlineCallerGivesUp(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 8}, nil)
	defer closeBatcher(t, b)
	ctx, cancel := context.WithCancel(context.Background())
	running := predictAsync(ctx, b, rowsFor(1, 2, 1))
	waitEntered(t, m)
	cancel()
	m.gate <- struct{}{}
	if r := await(t, running); !errors.Is(r.err, context.Canceled) {
		t.Errorf("cancelled during its inline run: error %v, want context.Canceled", r.err)
	}
	close(m.gate)
	out, err := b.Predict(context.Background(), rowsFor(2, 2, 1))
	if err != nil {
		t.Fatal(err)
	}
	checkOutput(t, 2, 2, 1, out)
	if got := b.inlineCount(); got != 2 {
		t.Errorf("%d requests ran inline, want 2", got)
	}
}
