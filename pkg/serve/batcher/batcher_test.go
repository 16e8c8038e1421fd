package batcher

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func TestConfigWithDefaults(t *testing.T) {
	tests := []struct {
		in, want Config
	}{
		{Config{}, Config{MaxBatchRows: 64, MaxQueueRows: 1024}},
		{Config{MaxBatchRows: 8, MaxQueueDelay: -time.Second}, Config{MaxBatchRows: 8, MaxQueueRows: 128}},
		{Config{MaxBatchRows: 8, MaxQueueDelay: time.Millisecond, MaxQueueRows: 3}, Config{MaxBatchRows: 8, MaxQueueDelay: time.Millisecond, MaxQueueRows: 3}},
	}
	for _, tt := range tests {
		if got := tt.in.WithDefaults(); got != tt.want {
			t.Errorf("%+v.WithDefaults() = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

// TestEveryCallerGetsItsRows runs concurrent callers through batchers of
// several shapes and checks batch sizes (in rows) and every output value.
func TestEveryCallerGetsItsRows(t *testing.T) {
	tests := []struct {
		name      string
		instances int
		cfg       Config
		rows      []int // one caller per entry
	}{
		{"rows not requests", 1, Config{MaxBatchRows: 25}, []int{10, 10, 10, 10, 10}},
		{"rows not requests, delay", 1, Config{MaxBatchRows: 25, MaxQueueDelay: time.Millisecond}, []int{10, 10, 10, 10, 10}},
		{"large request split", 3, Config{MaxBatchRows: 16}, []int{100}},
		{"mixed sizes", 2, Config{MaxBatchRows: 8}, []int{1, 7, 8, 9, 15, 16, 17, 3, 40, 2}},
		{"one row each", 4, Config{MaxBatchRows: 4, MaxQueueDelay: 100 * time.Microsecond}, slices.Repeat([]int{1}, 40)},
		{"batch of one row", 1, Config{MaxBatchRows: 1}, []int{3, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			models := make([]*scaleModel, tt.instances)
			instances := make([]flavors.Model, tt.instances)
			for i := range models {
				models[i] = &scaleModel{}
				instances[i] = models[i]
			}
			obs := &recorder{}
			b := New(instances, tt.cfg, obs)
			var wg sync.WaitGroup
			for k, rows := range tt.rows {
				wg.Go(func() {
					out, err := b.Predict(context.Background(), rowsFor(k, rows, 2))
					if err != nil {
						t.Errorf("caller %d: %v", k, err)
						return
					}
					checkOutput(t, k, rows, 2, out)
				})
			}
			wg.Wait()
			closeBatcher(t, b)

			total, want := 0, 0
			for _, r := range tt.rows {
				want += r
			}
			for i, m := range models {
				for _, n := range m.batchRows() {
					if n > tt.cfg.MaxBatchRows {
						t.Errorf("instance %d ran a batch of %d rows, MaxBatchRows is %d", i, n, tt.cfg.MaxBatchRows)
					}
					total += n
				}
				if got := m.closes.Load(); got != 1 {
					t.Errorf("instance %d closed %d times, want 1", i, got)
				}
			}
			if total != want {
				t.Errorf("models ran %d rows in all, callers sent %d", total, want)
			}
			if obs.queuedRows() != 0 {
				t.Errorf("observer's queue depth ends at %d rows, want 0", obs.queuedRows())
			}
		})
	}
}

// TestSplitRunsOnSeveralInstances holds every instance inside Predict at
// once: only a request split across instances in parallel gets there.
func TestSplitRunsOnSeveralInstances(t *testing.T) {
	const instances, chunk = 4, 25
	gate, entered := make(chan struct{}), make(chan int, instances)
	models := make([]flavors.Model, instances)
	for i := range models {
		models[i] = &scaleModel{gate: gate, entered: entered}
	}
	b := New(models, Config{MaxBatchRows: chunk}, nil)
	defer closeBatcher(t, b)

	done := predictAsync(context.Background(), b, rowsFor(7, instances*chunk, 3))
	for range instances {
		if rows := <-entered; rows != chunk {
			t.Errorf("a chunk of %d rows ran, want %d", rows, chunk)
		}
	}
	close(gate)
	r := await(t, done)
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkOutput(t, 7, instances*chunk, 3, r.out)
}

// TestQueuedRequestsFormOneBatch queues three requests while the only
// instance is busy; once it is free they must run as one batch.
func TestQueuedRequestsFormOneBatch(t *testing.T) {
	tests := []struct {
		name  string
		delay time.Duration
	}{
		{"no delay", 0},
		{"with delay", time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
			obs := &recorder{}
			b := New([]flavors.Model{m}, Config{MaxBatchRows: 16, MaxQueueDelay: tt.delay}, obs)
			defer closeBatcher(t, b)

			first := predictAsync(context.Background(), b, rowsFor(0, 16, 1)) // a full batch: no delay
			waitEntered(t, m)
			var waiting []<-chan result
			for k := 1; k <= 3; k++ {
				waiting = append(waiting, predictAsync(context.Background(), b, rowsFor(k, 5, 1)))
			}
			waitFor(t, "15 rows queued", func() bool { return obs.queuedRows() == 15 })
			if tt.delay > 0 {
				m.gate <- struct{}{} // free the instance; the 15 rows wait for a 16th
				if r := await(t, first); r.err != nil {
					t.Fatal(r.err)
				}
				waiting = append(waiting, predictAsync(context.Background(), b, rowsFor(4, 1, 1)))
				close(m.gate)
			} else {
				close(m.gate)
				if r := await(t, first); r.err != nil {
					t.Fatal(r.err)
				}
			}
			for i, ch := range waiting {
				r := await(t, ch)
				if r.err != nil {
					t.Fatal(r.err)
				}
				checkOutput(t, i+1, r.out.Rows(), 1, r.out)
			}
			want := []int{16, 15}
			if tt.delay > 0 {
				want = []int{16, 16}
			}
			if got := m.batchRows(); !slices.Equal(got, want) {
				t.Errorf("batches of %v rows, want %v", got, want)
			}
		})
	}
}

// TestFirstRequestWaitsOnlyWithDelay: with no delay a lone request runs at
// once; with a long delay it waits for more rows, so a short deadline
// expires in the queue and its rows never reach the model.
func TestFirstRequestWaitsOnlyWithDelay(t *testing.T) {
	tests := []struct {
		name    string
		delay   time.Duration
		wantErr error
	}{
		{"zero delay dispatches at once", 0, nil},
		{"short delay expires and dispatches", time.Millisecond, nil},
		{"long delay holds it until the deadline", time.Hour, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scaleModel{}
			obs := &recorder{}
			b := New([]flavors.Model{m}, Config{MaxBatchRows: 64, MaxQueueDelay: tt.delay}, obs)
			defer closeBatcher(t, b)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			if tt.wantErr == nil {
				ctx = context.Background()
			}
			out, err := b.Predict(ctx, rowsFor(3, 1, 2))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Predict error %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if m.sawValue(3000) {
					t.Error("a request that expired in the queue reached the model")
				}
				if obs.queuedRows() != 0 {
					t.Errorf("queue depth %d after the request left, want 0", obs.queuedRows())
				}
				return
			}
			checkOutput(t, 3, 1, 2, out)
			if got := m.batchRows(); !slices.Equal(got, []int{1}) {
				t.Errorf("batches of %v rows, want [1]", got)
			}
		})
	}
}

func TestQueueFull(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
	obs := &recorder{}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 10, MaxQueueRows: 20}, obs)
	defer closeBatcher(t, b)

	running := predictAsync(context.Background(), b, rowsFor(0, 10, 1))
	waitEntered(t, m)
	queued := []<-chan result{
		predictAsync(context.Background(), b, rowsFor(1, 10, 1)),
		predictAsync(context.Background(), b, rowsFor(2, 10, 1)),
	}
	waitFor(t, "20 rows queued", func() bool { return obs.queuedRows() == 20 })

	for _, rows := range []int{1, 21} {
		_, err := b.Predict(context.Background(), rowsFor(9, rows, 1))
		if !errors.Is(err, ErrQueueFull) {
			t.Errorf("a %d-row request into a full queue: error %v, want ErrQueueFull", rows, err)
		}
	}
	close(m.gate)
	for k, ch := range append([]<-chan result{running}, queued...) {
		r := await(t, ch)
		if r.err != nil {
			t.Fatalf("caller %d: %v", k, r.err)
		}
		checkOutput(t, k, 10, 1, r.out)
	}
	if m.sawValue(9000) {
		t.Error("a refused request reached the model")
	}
	// The queue has room again.
	out, err := b.Predict(context.Background(), rowsFor(5, 20, 1))
	if err != nil {
		t.Fatal(err)
	}
	checkOutput(t, 5, 20, 1, out)
}

// TestCancel covers a caller that gives up while queued (its rows never
// run) and one that gives up while its batch runs (it returns at once; the
// other caller in that batch is still answered).
func TestCancel(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
	obs := &recorder{}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 10}, obs)
	defer closeBatcher(t, b)

	blocker := predictAsync(context.Background(), b, rowsFor(0, 10, 1))
	waitEntered(t, m)
	runCtx, cancelRunning := context.WithCancel(context.Background())
	running := predictAsync(runCtx, b, rowsFor(1, 4, 1))
	waitFor(t, "4 rows queued", func() bool { return obs.queuedRows() == 4 })
	neighbour := predictAsync(context.Background(), b, rowsFor(2, 6, 1))
	waitFor(t, "10 rows queued", func() bool { return obs.queuedRows() == 10 })
	m.gate <- struct{}{}
	if r := await(t, blocker); r.err != nil {
		t.Fatal(r.err)
	}
	if rows := waitEntered(t, m); rows != 10 {
		t.Fatalf("batch of %d rows, want 10", rows)
	}
	queuedCtx, cancelQueued := context.WithCancel(context.Background())
	queued := predictAsync(queuedCtx, b, rowsFor(3, 3, 1))
	waitFor(t, "3 rows queued", func() bool { return obs.queuedRows() == 3 })

	cancelQueued()
	if r := await(t, queued); !errors.Is(r.err, context.Canceled) {
		t.Errorf("cancelled while queued: error %v, want context.Canceled", r.err)
	}
	cancelRunning() // the model is still blocked: Predict must not wait for it
	if r := await(t, running); !errors.Is(r.err, context.Canceled) {
		t.Errorf("cancelled while running: error %v, want context.Canceled", r.err)
	}
	close(m.gate)
	r := await(t, neighbour)
	if r.err != nil {
		t.Fatalf("the other caller in the batch: %v", r.err)
	}
	checkOutput(t, 2, 6, 1, r.out)
	closeBatcher(t, b)
	if m.sawValue(3000) {
		t.Error("rows of a request cancelled while queued reached the model")
	}
	if obs.queuedRows() != 0 {
		t.Errorf("queue depth %d at the end, want 0", obs.queuedRows())
	}
}

func TestCancelledBeforePredict(t *testing.T) {
	m := &scaleModel{}
	b := New([]flavors.Model{m}, Config{}, nil)
	defer closeBatcher(t, b)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Predict(ctx, rowsFor(1, 1, 1)); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if len(m.batchRows()) != 0 {
		t.Error("a request cancelled before Predict reached the model")
	}
}

var errBoom = errors.New("boom")

// TestModelFailureFailsOnlyItsBatch: three requests queue behind a busy
// instance; the first two form a batch the model fails, the third runs in
// the next batch and succeeds.
func TestModelFailureFailsOnlyItsBatch(t *testing.T) {
	tests := []struct {
		name    string
		model   func(m *scaleModel)
		wantErr func(error) bool
	}{
		{"error", func(m *scaleModel) {
			m.failIf = func(x []float64) error {
				if slices.Contains(x, 2000) {
					return errBoom
				}
				return nil
			}
		}, func(err error) bool { return errors.Is(err, errBoom) }},
		{"panic", func(m *scaleModel) {
			m.panicIf = func(x []float64) bool { return slices.Contains(x, 2000) }
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "panicked") }},
		{"wrong output rows", func(m *scaleModel) {
			m.outRows = func(rows int) int {
				if rows == 10 {
					return 1
				}
				return rows
			}
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "1 rows for a batch of 10") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
			tt.model(m)
			obs := &recorder{}
			b := New([]flavors.Model{m}, Config{MaxBatchRows: 10}, obs)
			defer closeBatcher(t, b)

			first := predictAsync(context.Background(), b, rowsFor(0, 10, 1))
			waitEntered(t, m)
			batch := []<-chan result{
				predictAsync(context.Background(), b, rowsFor(1, 5, 1)),
				predictAsync(context.Background(), b, rowsFor(2, 5, 1)),
			}
			waitFor(t, "10 rows queued", func() bool { return obs.queuedRows() == 10 })
			next := predictAsync(context.Background(), b, rowsFor(3, 5, 1))
			waitFor(t, "15 rows queued", func() bool { return obs.queuedRows() == 15 })
			close(m.gate)

			if r := await(t, first); tt.name != "wrong output rows" && r.err != nil {
				t.Fatalf("caller before the failing batch: %v", r.err)
			}
			for k, ch := range batch {
				if r := await(t, ch); !tt.wantErr(r.err) {
					t.Errorf("caller %d in the failing batch: error %v", k+1, r.err)
				}
			}
			r := await(t, next)
			if r.err != nil {
				t.Fatalf("caller after the failing batch (the worker must live on): %v", r.err)
			}
			checkOutput(t, 3, 5, 1, r.out)
			if got := m.batchRows(); !slices.Equal(got, []int{10, 10, 5}) {
				t.Errorf("batches of %v rows, want [10 10 5]", got)
			}
		})
	}
}

// TestIncompatibleRequestsNotStacked queues requests whose tensors differ
// in inner shape or dtype: each runs in its own batch, in arrival order.
func TestIncompatibleRequestsNotStacked(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
	obs := &recorder{}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 64}, obs)
	defer closeBatcher(t, b)

	first := predictAsync(context.Background(), b, rowsFor(0, 2, 2))
	waitEntered(t, m)
	float32s := flavors.Batch{Tensors: []flavors.Tensor{{Name: "x", DType: flavors.FP32, Shape: []int64{4, 2}, Data: []float32{3000, 3000, 3001, 3001, 3002, 3002, 3003, 3003}}}}
	inputs := []struct {
		k, rows, width int
		in             flavors.Batch
	}{
		{1, 3, 2, rowsFor(1, 3, 2)},
		{2, 5, 3, rowsFor(2, 5, 3)}, // other inner shape
		{3, 4, 2, float32s},         // other dtype
		{4, 6, 2, rowsFor(4, 6, 2)},
		{5, 7, 2, rowsFor(5, 7, 2)},
	}
	var waiting []<-chan result
	want := 0
	for _, in := range inputs {
		waiting = append(waiting, predictAsync(context.Background(), b, in.in))
		want += in.rows
		waitFor(t, "rows queued in order", func() bool { return obs.queuedRows() == want })
	}
	close(m.gate)
	if r := await(t, first); r.err != nil {
		t.Fatal(r.err)
	}
	for i, ch := range waiting {
		r := await(t, ch)
		if r.err != nil {
			t.Fatalf("caller %d: %v", inputs[i].k, r.err)
		}
		checkOutput(t, inputs[i].k, inputs[i].rows, inputs[i].width, r.out)
	}
	if got, want := m.batchRows(), []int{2, 3, 5, 4, 13}; !slices.Equal(got, want) {
		t.Errorf("batches of %v rows, want %v", got, want)
	}
}

// TestCloseDrainsThenRefuses closes a batcher with work running and
// queued: new requests get ErrClosed, the queued ones are still answered,
// and the instances are closed once, after the last batch.
func TestCloseDrainsThenRefuses(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
	obs := &recorder{}
	// The same instance twice: safe for concurrent use, closed once.
	b := New([]flavors.Model{m, m}, Config{MaxBatchRows: 4, MaxQueueDelay: time.Hour}, obs)

	var waiting []<-chan result
	for k := range 2 {
		waiting = append(waiting, predictAsync(context.Background(), b, rowsFor(k, 4, 1)))
	}
	waitEntered(t, m)
	waitEntered(t, m)
	waiting = append(waiting, predictAsync(context.Background(), b, rowsFor(2, 1, 1)))
	waitFor(t, "1 row queued", func() bool { return obs.queuedRows() == 1 })

	expired, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Close(expired); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close with a done context: error %v, want context.Canceled", err)
	}
	if _, err := b.Predict(context.Background(), rowsFor(9, 1, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Predict after Close: error %v, want ErrClosed", err)
	}
	if n := m.closes.Load(); n != 0 {
		t.Errorf("instance closed while batches still run")
	}
	close(m.gate)
	for k, ch := range waiting {
		r := await(t, ch)
		if r.err != nil {
			t.Fatalf("caller %d queued before Close: %v", k, r.err)
		}
		checkOutput(t, k, r.out.Rows(), 1, r.out)
	}
	if err := b.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := m.closes.Load(); n != 1 {
		t.Errorf("instance closed %d times, want 1", n)
	}
	if _, err := b.Predict(context.Background(), rowsFor(9, 1, 1)); !errors.Is(err, ErrClosed) {
		t.Errorf("Predict after Close: error %v, want ErrClosed", err)
	}
}

// TestObserver checks what the observer is told about batches formed
// behind a busy instance.
func TestObserver(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8), failIf: func(x []float64) error {
		if slices.Contains(x, 4000) {
			return errBoom
		}
		return nil
	}}
	obs := &recorder{}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 8}, obs)
	first := predictAsync(context.Background(), b, rowsFor(0, 8, 1))
	waitEntered(t, m)
	var waiting []<-chan result
	for k, rows := range []int{3, 2, 3, 5} { // forms [3 2 3] then [5]
		waiting = append(waiting, predictAsync(context.Background(), b, rowsFor(k+1, rows, 1)))
		want := []int{3, 5, 8, 13}[k]
		waitFor(t, "rows queued", func() bool { return obs.queuedRows() == want })
	}
	close(m.gate)
	await(t, first)
	for _, ch := range waiting {
		await(t, ch)
	}
	closeBatcher(t, b)

	obs.mu.Lock()
	defer obs.mu.Unlock()
	if want := []int{8, 8, 5}; !slices.Equal(obs.batches, want) || !slices.Equal(obs.ran, want) {
		t.Errorf("dispatched %v and ran %v rows, want %v", obs.batches, obs.ran, want)
	}
	if want := []int{1, 3, 1}; !slices.Equal(obs.requests, want) {
		t.Errorf("requests per batch %v, want %v", obs.requests, want)
	}
	if obs.waits != 5 {
		t.Errorf("%d queue waits reported, want one per request (5)", obs.waits)
	}
	if obs.errs != 1 {
		t.Errorf("%d failed batches reported, want 1", obs.errs)
	}
	if obs.queued != 0 {
		t.Errorf("queue depth %d at the end, want 0", obs.queued)
	}
}

// TestOddInputs covers requests that cannot be stacked or are refused.
func TestOddInputs(t *testing.T) {
	m := &scaleModel{}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 4}, nil)
	defer closeBatcher(t, b)

	out, err := b.Predict(context.Background(), rowsFor(1, 0, 2))
	if err != nil {
		t.Fatalf("zero-row request: %v", err)
	}
	checkOutput(t, 1, 0, 2, out)

	scalar := flavors.Batch{Tensors: []flavors.Tensor{{Name: "x", DType: flavors.FP64, Data: []float64{5}}}}
	out, err = b.Predict(context.Background(), scalar)
	if err != nil {
		t.Fatalf("scalar request: %v", err)
	}
	if y, _ := out.Get("y"); len(y.Shape) != 0 || y.Data.([]float64)[0] != 50 {
		t.Errorf("scalar request: output %+v, want the model's scalar 50", y)
	}

	malformed := flavors.Batch{Tensors: []flavors.Tensor{{Name: "x", DType: flavors.FP64, Shape: []int64{3, 2}, Data: []float64{1}}}}
	if _, err := b.Predict(context.Background(), malformed); !errors.Is(err, flavors.ErrInvalidInput) {
		t.Errorf("malformed request: error %v, want ErrInvalidInput", err)
	}
	empty := New(nil, Config{}, nil)
	if _, err := empty.Predict(context.Background(), rowsFor(1, 1, 1)); !errors.Is(err, flavors.ErrUnavailable) {
		t.Errorf("batcher without instances: error %v, want ErrUnavailable", err)
	}
	closeBatcher(t, empty)
}

// TestCallersDoNotShareMemory appends to one caller's output and checks
// the next caller's rows in the same batch are untouched.
func TestCallersDoNotShareMemory(t *testing.T) {
	m := &scaleModel{gate: make(chan struct{}), entered: make(chan int, 8)}
	obs := &recorder{}
	b := New([]flavors.Model{m}, Config{MaxBatchRows: 8}, obs)
	defer closeBatcher(t, b)
	first := predictAsync(context.Background(), b, rowsFor(0, 8, 1))
	waitEntered(t, m)
	a := predictAsync(context.Background(), b, rowsFor(1, 2, 1))
	waitFor(t, "2 rows queued", func() bool { return obs.queuedRows() == 2 })
	c := predictAsync(context.Background(), b, rowsFor(2, 2, 1))
	waitFor(t, "4 rows queued", func() bool { return obs.queuedRows() == 4 })
	close(m.gate)
	await(t, first)
	ra, rc := await(t, a), await(t, c)
	if ra.err != nil || rc.err != nil {
		t.Fatal(ra.err, rc.err)
	}
	if got := m.batchRows(); !slices.Equal(got, []int{8, 4}) {
		t.Fatalf("batches %v, want [8 4]", got)
	}
	y, _ := ra.out.Get("y")
	_ = append(y.Data.([]float64), -1, -1)
	checkOutput(t, 2, 2, 1, rc.out)
}
