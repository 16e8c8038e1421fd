package main

import (
	"sync"
	"sync/atomic"
	"time"
)

// config is one load test.
type config struct {
	Rate        float64       // requests/s; 0 means closed loop
	Concurrency int           // closed loop: workers, each with one request in flight
	Duration    time.Duration // measured window
	Warmup      time.Duration // sent before the window, not recorded
	MaxInflight int           // open loop: requests in flight at most
	Timeout     time.Duration
	OKStatus    int
}

// result is what a run recorded, for the measured window only.
type result struct {
	latency  histogram // from the intended send time (open loop) or the send (closed loop)
	service  histogram // from the actual send time
	lag      histogram // actual − intended send time (open loop)
	mu       sync.Mutex
	statuses map[int]uint64
	errors   map[string]uint64

	sent, ok, failed atomic.Uint64
	// unsent counts intended sends the generator never made because
	// max-inflight stayed full past the end of the run.
	unsent       uint64
	peakInflight atomic.Int64
	elapsed      time.Duration
}

func newResult() *result {
	return &result{statuses: map[int]uint64{}, errors: map[string]uint64{}}
}

// requester sends one request and returns its status; a target or a stub.
type requester func() (int, error)

func (r *result) observe(cfg config, intended, sent, done time.Time, status int, err error) {
	r.sent.Add(1)
	r.latency.record(done.Sub(intended))
	r.service.record(done.Sub(sent))
	r.lag.record(sent.Sub(intended))
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case err != nil:
		r.failed.Add(1)
		r.errors[errorKind(err)]++
	case status != cfg.OKStatus:
		r.failed.Add(1)
		r.statuses[status]++
	default:
		r.ok.Add(1)
		r.statuses[status]++
	}
}

// runOpen sends at cfg.Rate from a fixed schedule: request i is due at
// start + i/rate whether or not earlier ones have answered, and its latency
// counts from then (wrk2's correction for coordinated omission). In-flight
// requests are bounded only by cfg.MaxInflight; past it the scheduler waits
// for a slot, and the wait shows in the latency of the late requests.
func runOpen(cfg config, do requester) *result {
	res := newResult()
	interval := float64(time.Second) / cfg.Rate
	total := int((cfg.Warmup + cfg.Duration).Seconds() * cfg.Rate)
	sem := make(chan struct{}, cfg.MaxInflight)
	var inflight atomic.Int64
	var wg sync.WaitGroup
	sleep := newPacer()
	defer releasePacer()

	start := time.Now()
	window := start.Add(cfg.Warmup)
	giveUp := window.Add(cfg.Duration + cfg.Timeout)
	for i := 0; i < total; i++ {
		intended := start.Add(time.Duration(float64(i) * interval))
		if d := time.Until(intended); d > 0 {
			sleep(d)
		}
		select {
		case sem <- struct{}{}:
		default:
			wait := time.Until(giveUp)
			if wait <= 0 {
				res.unsent = uint64(total - i)
				i = total
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-time.After(wait):
				res.unsent = uint64(total - i)
				i = total
				continue
			}
		}
		wg.Add(1)
		n := inflight.Add(1)
		for p := res.peakInflight.Load(); n > p && !res.peakInflight.CompareAndSwap(p, n); p = res.peakInflight.Load() {
		}
		go func(intended time.Time) {
			defer wg.Done()
			sent := time.Now()
			status, err := do()
			done := time.Now()
			inflight.Add(-1)
			<-sem
			if !intended.Before(window) {
				res.observe(cfg, intended, sent, done, status, err)
			}
		}(intended)
	}
	wg.Wait()
	res.elapsed = time.Since(window)
	return res
}

// runClosed keeps cfg.Concurrency requests in flight, each worker sending
// its next as soon as the last answered: the way to find the most a server
// can do, not its latency under a given load.
func runClosed(cfg config, do requester) *result {
	res := newResult()
	start := time.Now()
	window := start.Add(cfg.Warmup)
	end := window.Add(cfg.Duration)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				sent := time.Now()
				if !sent.Before(end) {
					return
				}
				status, err := do()
				done := time.Now()
				if !sent.Before(window) {
					res.observe(cfg, sent, sent, done, status, err)
				}
			}
		}()
	}
	wg.Wait()
	res.peakInflight.Store(int64(cfg.Concurrency))
	res.elapsed = time.Since(window)
	return res
}
