package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestHistogramBuckets(t *testing.T) {
	if got := bucketOf(math.MaxInt64); got != numBuckets-1 {
		t.Fatalf("bucketOf(MaxInt64) = %d, want the last bucket %d", got, numBuckets-1)
	}
	for i := 0; i < numBuckets-1 && bucketLow(i+1) > 0; i++ {
		lo := bucketLow(i)
		if got := bucketOf(lo); got != i {
			t.Fatalf("bucketOf(bucketLow(%d)=%d) = %d", i, lo, got)
		}
		if got := bucketOf(bucketLow(i+1) - 1); got != i {
			t.Fatalf("bucketOf(%d) = %d, want %d (last value of the bucket)", bucketLow(i+1)-1, got, i)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	r := rand.New(rand.NewPCG(1, 2))
	vals := make([]int64, 100000)
	for i := range vals {
		vals[i] = int64(r.ExpFloat64() * 1e6) // ~1 ms mean, ns
		h.record(time.Duration(vals[i]))
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	for _, q := range []float64{.5, .9, .99, .999} {
		want := float64(vals[int(q*float64(len(vals)-1))])
		got := float64(h.quantile(q))
		if d := (got - want) / want; d > 0.02 || d < -0.02 {
			t.Errorf("q%.3f = %.0f, exact %.0f: off by %.1f%% (precision is 1/64)", q, got, want, 100*d)
		}
	}
	if got, want := int64(h.quantile(1)), vals[len(vals)-1]; got != want {
		t.Errorf("max = %d, want %d", got, want)
	}
	var empty histogram
	if empty.quantile(.5) != 0 || empty.mean() != 0 {
		t.Error("an empty histogram must report 0")
	}
}

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		url  string
		want string
		err  error
	}{
		{"http://127.0.0.1:8080/invocations", "127.0.0.1:8080", nil},
		{"http://localhost:9/x", "127.0.0.1:9", nil},
		{"http://[::1]:8080/", "[::1]:8080", nil},
		{"http://127.0.0.2/", "127.0.0.2:80", nil},
		{"http://10.0.0.1:8080/", "", errNotLoopback},
		{"http://example.com/", "", errNotLoopback},
		{"http://0.0.0.0:8080/", "", errNotLoopback},
		{"https://127.0.0.1/", "", nil},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := loopbackAddr(u)
		switch {
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("%s: got %q, %v; want %q", tt.url, got, err, tt.want)
		case tt.want == "" && err == nil:
			t.Errorf("%s: accepted as %q; want refused", tt.url, got)
		case tt.err != nil && !errors.Is(err, tt.err):
			t.Errorf("%s: error %v; want %v", tt.url, err, tt.err)
		}
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	tests := [][]string{
		{"-url", "http://10.1.2.3:80/"},
		{"-url", "http://127.0.0.1:1/", "-duration", "11m"},
		{"-url", "http://127.0.0.1:1/", "-rate", "-1"},
		{"-url", "http://127.0.0.1:1/", "-max-inflight", "0", "-rate", "10"},
		{"-url", "http://127.0.0.1:1/", "-header", "no colon"},
		{"-duration", "1s"},
		{"-url", "http://127.0.0.1:1/", "extra"},
	}
	for _, args := range tests {
		if err := run(args, io.Discard); err == nil {
			t.Errorf("%q: accepted; want an error", args)
		}
	}
}

// The open loop sends on its schedule whatever the server does, records
// only the measured window, and sorts answers by status.
func TestOpenLoopCounts(t *testing.T) {
	var calls atomic.Int64
	do := func() (int, error) {
		switch calls.Add(1) % 4 {
		case 0:
			return http.StatusServiceUnavailable, nil
		case 1:
			return 0, io.ErrUnexpectedEOF
		}
		return http.StatusOK, nil
	}
	cfg := config{Rate: 400, Duration: 250 * time.Millisecond, Warmup: 50 * time.Millisecond, MaxInflight: 8, Timeout: time.Second, OKStatus: 200}
	res := runOpen(cfg, do)
	if got := calls.Load(); got != 120 {
		t.Errorf("sent %d requests, want 400/s × 0.3 s = 120", got)
	}
	if got := res.sent.Load(); got != 100 {
		t.Errorf("recorded %d requests, want the 100 due in the window", got)
	}
	if res.ok.Load()+res.failed.Load() != res.sent.Load() {
		t.Errorf("ok %d + failed %d != sent %d", res.ok.Load(), res.failed.Load(), res.sent.Load())
	}
	if res.statuses[503] == 0 || res.errors["reset"] == 0 || res.statuses[200] == 0 {
		t.Errorf("statuses %v, errors %v: want 200s, 503s and resets", res.statuses, res.errors)
	}
}

// A slow server that admits one request at a time cannot keep up with the
// schedule: the open loop charges it the time requests waited to be sent
// (coordinated omission corrected), the closed loop does not.
func TestOpenLoopChargesQueueing(t *testing.T) {
	const service = 10 * time.Millisecond
	var mu sync.Mutex
	do := func() (int, error) {
		mu.Lock()
		defer mu.Unlock()
		time.Sleep(service)
		return 200, nil
	}
	// 30 requests due within 150 ms, each taking ≥ 10 ms one at a time:
	// the last cannot be sent before 290 ms, so it waited ≥ 140 ms.
	cfg := config{Rate: 200, Duration: 150 * time.Millisecond, MaxInflight: 1, Timeout: 5 * time.Second, OKStatus: 200}
	res := runOpen(cfg, do)
	if res.sent.Load() != 30 {
		t.Fatalf("recorded %d, want 30", res.sent.Load())
	}
	if lag := res.lag.quantile(1); lag < 140*time.Millisecond {
		t.Errorf("largest send lag %s: want ≥ 140ms", lag)
	}
	if lat, svc := res.latency.quantile(1), res.service.quantile(1); lat < svc+140*time.Millisecond {
		t.Errorf("max latency %s, max service time %s: latency must include the wait to be sent", lat, svc)
	}
}

func TestClosedLoopAgainstServer(t *testing.T) {
	var bodies atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") == "application/json" && bytes.Equal(b, []byte(`{"x":1}`)) {
			bodies.Add(1)
		}
		if strings.HasSuffix(r.URL.Path, "/busy") {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		io.WriteString(w, `{"predictions":[0]}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	body := filepath.Join(dir, "body.json")
	if err := os.WriteFile(body, []byte(`{"x":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run([]string{"-url", srv.URL + "/invocations", "-body", body, "-header", "Content-Type: application/json",
		"-concurrency", "4", "-duration", "200ms", "-warmup", "0", "-json"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, out.String())
	}
	if rep.OK == 0 || rep.Failed != 0 || rep.Statuses["200"] != rep.OK || rep.Mode != "closed" {
		t.Errorf("report %+v: want only 200s", rep)
	}
	if got := uint64(bodies.Load()); got < rep.OK {
		t.Errorf("server saw %d well-formed POSTs, report says %d ok", got, rep.OK)
	}

	out.Reset()
	err = run([]string{"-url", srv.URL + "/busy", "-body", body, "-rate", "100", "-duration", "200ms", "-warmup", "0"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "503: 20") || !strings.Contains(out.String(), "20 failed") {
		t.Errorf("text report does not count 20 503s:\n%s", out.String())
	}
}
