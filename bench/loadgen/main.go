// Command loadgen is the serving benchmarks' HTTP load generator.
//
// Open loop (-rate): requests leave on a fixed schedule, and each one's
// latency counts from when it was due, not from when it was sent, so a
// server that stalls is charged for every request it delayed (wrk2's
// correction for coordinated omission). In-flight requests are bounded only
// by -max-inflight. Closed loop (-concurrency, no -rate): N connections each
// send the next request as soon as the last answered, to find the most a
// server can do.
//
// Only loopback targets are accepted, and runs are bounded in time.
//
//	loadgen -url http://127.0.0.1:8080/invocations -body req.json \
//	    -header 'Content-Type: application/json' -rate 2000 -duration 10s
//	loadgen -url ... -concurrency 16 -duration 10s -json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const (
	maxDuration    = 10 * time.Minute
	maxRate        = 1e6
	maxInflightCap = 10000
	maxBodyBytes   = 64 << 20
)

type headerList []string

func (h *headerList) String() string     { return strings.Join(*h, ", ") }
func (h *headerList) Set(v string) error { *h = append(*h, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	var (
		cfg      config
		headers  headerList
		rawURL   = fs.String("url", "", "target URL (http, loopback host only)")
		method   = fs.String("method", "", "HTTP method (default POST with -body, else GET)")
		bodyFile = fs.String("body", "", "file whose bytes are the request body")
		label    = fs.String("label", "", "name for this run in the report")
		asJSON   = fs.Bool("json", false, "print the report as JSON")
	)
	fs.Var(&headers, "header", "request header 'Name: value' (repeatable)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "open loop: requests per second (0: closed loop)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "closed loop: connections, each with one request in flight")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "measured window")
	fs.DurationVar(&cfg.Warmup, "warmup", time.Second, "load sent before the window and not recorded")
	fs.IntVar(&cfg.MaxInflight, "max-inflight", 512, "open loop: requests in flight at most")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.IntVar(&cfg.OKStatus, "ok-status", 200, "the status that counts as success")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: every setting is a flag", fs.Args())
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if *rawURL == "" {
		return errors.New("-url is required")
	}
	var body []byte
	if *bodyFile != "" {
		var err error
		if body, err = readBounded(*bodyFile); err != nil {
			return err
		}
	}
	if *method == "" {
		*method = "GET"
		if body != nil {
			*method = "POST"
		}
	}
	conns := cfg.Concurrency
	if cfg.Rate > 0 {
		conns = cfg.MaxInflight
	}
	t, err := newTarget(*rawURL, *method, headers, body, conns, cfg.Timeout)
	if err != nil {
		return err
	}
	defer t.close()

	var res *result
	if cfg.Rate > 0 {
		res = runOpen(cfg, t.do)
	} else {
		res = runClosed(cfg, t.do)
	}
	rep := buildReport(*label, t.method+" "+t.url, cfg, res)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.writeText(stdout)
	return nil
}

func (c *config) validate() error {
	switch {
	case c.Duration <= 0 || c.Duration > maxDuration:
		return fmt.Errorf("-duration %s: expected more than 0 and at most %s", c.Duration, maxDuration)
	case c.Warmup < 0 || c.Warmup > maxDuration:
		return fmt.Errorf("-warmup %s: expected 0 to %s", c.Warmup, maxDuration)
	case c.Rate < 0 || c.Rate > maxRate:
		return fmt.Errorf("-rate %g: expected 0 (closed loop) to %g requests/s", c.Rate, float64(maxRate))
	case c.Rate == 0 && (c.Concurrency < 1 || c.Concurrency > maxInflightCap):
		return fmt.Errorf("-concurrency %d: expected 1 to %d", c.Concurrency, maxInflightCap)
	case c.MaxInflight < 1 || c.MaxInflight > maxInflightCap:
		return fmt.Errorf("-max-inflight %d: expected 1 to %d", c.MaxInflight, maxInflightCap)
	case c.Timeout <= 0:
		return fmt.Errorf("-timeout %s: expected more than 0", c.Timeout)
	}
	return nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-body: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("-body %s: %w", path, err)
	}
	if len(b) > maxBodyBytes {
		return nil, fmt.Errorf("-body %s: larger than %d bytes", path, maxBodyBytes)
	}
	return b, nil
}
