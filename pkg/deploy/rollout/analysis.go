package rollout

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Series a rollout reads from an mlctl server's /metrics.
const (
	metricRequests = "mlctl_requests_total"
	metricLatency  = "mlctl_request_duration_seconds"
)

// maxMetricsBytes bounds one scrape.
const maxMetricsBytes = 16 << 20

// Sample is one version's cumulative counters at a scrape.
type Sample struct {
	Requests, Errors float64
	// Buckets are cumulative histogram counts by upper bound, ascending;
	// the last is +Inf.
	Buckets []Bucket
}

// Bucket is one cumulative histogram bucket.
type Bucket struct {
	UpperBound float64
	Count      float64
}

// Scrape is every version's sample of one model at one time.
type Scrape map[string]Sample

// ParseMetrics reads the Prometheus text exposition and sums model's
// request counters (errors: 5xx codes) and latency histograms per version,
// over protocols.
func ParseMetrics(r io.Reader, modelName string) (Scrape, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(io.LimitReader(r, maxMetricsBytes))
	if err != nil {
		return nil, fmt.Errorf("reading metrics: %w", err)
	}
	out := Scrape{}
	if f := fams[metricRequests]; f != nil {
		for _, m := range f.GetMetric() {
			l := labels(m)
			if l["model"] != modelName || m.GetCounter() == nil {
				continue
			}
			s := out[l["version"]]
			v := m.GetCounter().GetValue()
			s.Requests += v
			if strings.HasPrefix(l["code"], "5") {
				s.Errors += v
			}
			out[l["version"]] = s
		}
	}
	if f := fams[metricLatency]; f != nil {
		for _, m := range f.GetMetric() {
			l := labels(m)
			h := m.GetHistogram()
			if l["model"] != modelName || h == nil {
				continue
			}
			s := out[l["version"]]
			s.Buckets = addBuckets(s.Buckets, h)
			out[l["version"]] = s
		}
	}
	return out, nil
}

func labels(m *dto.Metric) map[string]string {
	l := make(map[string]string, len(m.GetLabel()))
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

// addBuckets sums a histogram into acc by upper bound (+Inf included).
func addBuckets(acc []Bucket, h *dto.Histogram) []Bucket {
	byBound := map[float64]float64{}
	for _, b := range acc {
		byBound[b.UpperBound] += b.Count
	}
	hasInf := false
	for _, b := range h.GetBucket() {
		byBound[b.GetUpperBound()] += float64(b.GetCumulativeCount())
		hasInf = hasInf || math.IsInf(b.GetUpperBound(), 1)
	}
	if !hasInf {
		// The +Inf bucket is implicit: the sample count.
		byBound[math.Inf(1)] += float64(h.GetSampleCount())
	}
	out := make([]Bucket, 0, len(byBound))
	for ub, c := range byBound {
		out = append(out, Bucket{ub, c})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UpperBound < out[j].UpperBound })
	return out
}

// Stats are one version's numbers over an analysis window.
type Stats struct {
	Requests  int      `json:"requests"`
	Errors    int      `json:"errors"`
	ErrorRate float64  `json:"error_rate"`
	P95       Duration `json:"p95"`
	P99       Duration `json:"p99"`
}

// Window computes each version's stats from two scrapes (counter deltas;
// a counter that went down means the server restarted: after is taken
// whole).
func Window(before, after Scrape) map[string]Stats {
	out := map[string]Stats{}
	for v, a := range after {
		b := before[v]
		if a.Requests < b.Requests {
			b = Sample{}
		}
		d := Sample{Requests: a.Requests - b.Requests, Errors: a.Errors - b.Errors}
		prev := map[float64]float64{}
		for _, x := range b.Buckets {
			prev[x.UpperBound] = x.Count
		}
		for _, x := range a.Buckets {
			d.Buckets = append(d.Buckets, Bucket{x.UpperBound, max(0, x.Count-prev[x.UpperBound])})
		}
		s := Stats{Requests: int(d.Requests), Errors: int(d.Errors)}
		if d.Requests > 0 {
			s.ErrorRate = d.Errors / d.Requests
		}
		s.P95 = Duration(seconds(Quantile(0.95, d.Buckets)))
		s.P99 = Duration(seconds(Quantile(0.99, d.Buckets)))
		out[v] = s
	}
	return out
}

func seconds(s float64) time.Duration {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// Quantile estimates the q-quantile of cumulative buckets as Prometheus's
// histogram_quantile does: linear within the bucket that holds the rank;
// in the +Inf bucket it answers the highest finite bound. NaN when empty.
func Quantile(q float64, buckets []Bucket) float64 {
	if len(buckets) == 0 {
		return math.NaN()
	}
	total := buckets[len(buckets)-1].Count
	if total == 0 {
		return math.NaN()
	}
	rank := q * total
	lower, below := 0.0, 0.0
	for i, b := range buckets {
		if b.Count >= rank {
			if math.IsInf(b.UpperBound, 1) {
				if i == 0 {
					return math.NaN()
				}
				return buckets[i-1].UpperBound
			}
			if b.Count == below {
				return b.UpperBound
			}
			return lower + (b.UpperBound-lower)*(rank-below)/(b.Count-below)
		}
		lower, below = b.UpperBound, b.Count
	}
	return buckets[len(buckets)-1].UpperBound
}

// Thresholds decide whether a new revision may take more traffic.
type Thresholds struct {
	// MaxErrorRate is the largest share of 5xx answers (0..1); < 0 turns
	// the check off.
	MaxErrorRate float64
	// MaxLatencyP99 is the largest p99 latency; 0 turns the check off.
	MaxLatencyP99 time.Duration
	// MinRequests is how many requests a window needs before its numbers
	// count; fewer pass (no evidence against the revision).
	MinRequests int
}

// Check says why s breaches the thresholds, or "" when it does not.
func (t Thresholds) Check(version string, s Stats) string {
	if s.Requests < max(1, t.MinRequests) {
		return ""
	}
	if t.MaxErrorRate >= 0 && s.ErrorRate > t.MaxErrorRate {
		return fmt.Sprintf("version %s: error rate %.2f%% (%d of %d requests) is above --max-error-rate %.2f%%",
			version, 100*s.ErrorRate, s.Errors, s.Requests, 100*t.MaxErrorRate)
	}
	if t.MaxLatencyP99 > 0 && time.Duration(s.P99) > t.MaxLatencyP99 {
		return fmt.Sprintf("version %s: p99 latency %v over %d requests is above --max-latency-p99 %v",
			version, time.Duration(s.P99).Round(time.Microsecond), s.Requests, t.MaxLatencyP99)
	}
	return ""
}

// formatPercent is a weight for messages.
func formatPercent(w int) string { return strconv.Itoa(w) + "%" }
