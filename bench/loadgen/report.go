package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is the JSON form of a run (-json).
type Report struct {
	Label       string  `json:"label,omitempty"`
	URL         string  `json:"url"`
	Mode        string  `json:"mode"` // "open" or "closed"
	Rate        float64 `json:"rate,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	MaxInflight int     `json:"max_inflight,omitempty"`
	DurationS   float64 `json:"duration_s"`
	WarmupS     float64 `json:"warmup_s"`

	Sent         uint64            `json:"sent"`
	OK           uint64            `json:"ok"`
	Failed       uint64            `json:"failed"`
	Unsent       uint64            `json:"unsent"`
	PeakInflight int64             `json:"peak_inflight"`
	ElapsedS     float64           `json:"elapsed_s"`
	Throughput   float64           `json:"throughput_rps"` // ok responses per second of the window
	Statuses     map[string]uint64 `json:"statuses"`
	Errors       map[string]uint64 `json:"errors,omitempty"`
	// Latency counts from the intended send time (open loop), so queueing in
	// the generator is not hidden; Service from the actual send.
	Latency Percentiles `json:"latency_us"`
	Service Percentiles `json:"service_us"`
	SendLag Percentiles `json:"send_lag_us,omitempty"`
}

// Percentiles are in microseconds.
type Percentiles struct {
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
}

func percentiles(h *histogram) Percentiles {
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	return Percentiles{
		Mean: us(h.mean()), P50: us(h.quantile(.5)), P90: us(h.quantile(.9)), P99: us(h.quantile(.99)),
		P999: us(h.quantile(.999)), Max: us(h.quantile(1)),
	}
}

func buildReport(label, url string, cfg config, r *result) Report {
	rep := Report{
		Label: label, URL: url, Mode: "closed", Concurrency: cfg.Concurrency,
		DurationS: cfg.Duration.Seconds(), WarmupS: cfg.Warmup.Seconds(),
		Sent: r.sent.Load(), OK: r.ok.Load(), Failed: r.failed.Load(), Unsent: r.unsent,
		PeakInflight: r.peakInflight.Load(), ElapsedS: r.elapsed.Seconds(),
		Statuses: map[string]uint64{}, Errors: r.errors,
		Latency: percentiles(&r.latency), Service: percentiles(&r.service),
	}
	if cfg.Rate > 0 {
		rep.Mode, rep.Rate, rep.Concurrency, rep.MaxInflight = "open", cfg.Rate, 0, cfg.MaxInflight
		rep.SendLag = percentiles(&r.lag)
	}
	for s, n := range r.statuses {
		rep.Statuses[fmt.Sprint(s)] = n
	}
	if r.elapsed > 0 {
		rep.Throughput = float64(rep.OK) / r.elapsed.Seconds()
	}
	return rep
}

func (rep Report) writeText(w io.Writer) {
	if rep.Label != "" {
		fmt.Fprintf(w, "== %s\n", rep.Label)
	}
	fmt.Fprintf(w, "target      %s\n", rep.URL)
	if rep.Mode == "open" {
		fmt.Fprintf(w, "mode        open loop, %.0f req/s for %gs (warmup %gs), max in flight %d\n", rep.Rate, rep.DurationS, rep.WarmupS, rep.MaxInflight)
	} else {
		fmt.Fprintf(w, "mode        closed loop, %d connections for %gs (warmup %gs)\n", rep.Concurrency, rep.DurationS, rep.WarmupS)
	}
	fmt.Fprintf(w, "requests    %d sent, %d ok, %d failed, %d unsent; peak in flight %d\n", rep.Sent, rep.OK, rep.Failed, rep.Unsent, rep.PeakInflight)
	fmt.Fprintf(w, "throughput  %.1f ok req/s\n", rep.Throughput)
	row := func(name string, p Percentiles) {
		fmt.Fprintf(w, "%-11s mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", name,
			fmtUS(p.Mean), fmtUS(p.P50), fmtUS(p.P90), fmtUS(p.P99), fmtUS(p.P999), fmtUS(p.Max))
	}
	if rep.Mode == "open" {
		row("latency", rep.Latency)
		row("service", rep.Service)
		row("send lag", rep.SendLag)
	} else {
		row("latency", rep.Latency)
	}
	var parts []string
	for s, n := range rep.Statuses {
		parts = append(parts, fmt.Sprintf("%s: %d", s, n))
	}
	for k, n := range rep.Errors {
		parts = append(parts, fmt.Sprintf("%s: %d", k, n))
	}
	sort.Strings(parts)
	fmt.Fprintf(w, "responses   %s\n", strings.Join(parts, ", "))
}

func fmtUS(us float64) string {
	switch {
	case us >= 1e6:
		return fmt.Sprintf("%.2fs", us/1e6)
	case us >= 1e3:
		return fmt.Sprintf("%.2fms", us/1e3)
	}
	return fmt.Sprintf("%.0fµs", us)
}
