package rollout

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const metricsText = `# HELP mlctl_requests_total Inference requests.
# TYPE mlctl_requests_total counter
mlctl_requests_total{code="200",model="iris",protocol="rest",version="1"} 90
mlctl_requests_total{code="503",model="iris",protocol="rest",version="1"} 10
mlctl_requests_total{code="400",model="iris",protocol="grpc",version="1"} 5
mlctl_requests_total{code="200",model="iris",protocol="rest",version="2"} 4
mlctl_requests_total{code="200",model="other",protocol="rest",version="1"} 1000
# HELP mlctl_request_duration_seconds Latency.
# TYPE mlctl_request_duration_seconds histogram
mlctl_request_duration_seconds_bucket{model="iris",protocol="rest",version="1",le="0.01"} 50
mlctl_request_duration_seconds_bucket{model="iris",protocol="rest",version="1",le="0.1"} 100
mlctl_request_duration_seconds_bucket{model="iris",protocol="rest",version="1",le="+Inf"} 100
mlctl_request_duration_seconds_sum{model="iris",protocol="rest",version="1"} 3
mlctl_request_duration_seconds_count{model="iris",protocol="rest",version="1"} 100
mlctl_request_duration_seconds_bucket{model="iris",protocol="grpc",version="1",le="0.01"} 5
mlctl_request_duration_seconds_bucket{model="iris",protocol="grpc",version="1",le="0.1"} 5
mlctl_request_duration_seconds_bucket{model="iris",protocol="grpc",version="1",le="+Inf"} 5
mlctl_request_duration_seconds_sum{model="iris",protocol="grpc",version="1"} 0.01
mlctl_request_duration_seconds_count{model="iris",protocol="grpc",version="1"} 5
`

func TestParseMetrics(t *testing.T) {
	s, err := ParseMetrics(strings.NewReader(metricsText), "iris")
	require.NoError(t, err)
	require.Len(t, s, 2)
	assert.Equal(t, 105.0, s["1"].Requests, "all protocols and codes")
	assert.Equal(t, 10.0, s["1"].Errors, "5xx only")
	assert.Equal(t, []Bucket{{0.01, 55}, {0.1, 105}, {math.Inf(1), 105}}, s["1"].Buckets, "protocols summed by bound")
	assert.Equal(t, 4.0, s["2"].Requests)

	_, err = ParseMetrics(strings.NewReader("mlctl_requests_total{ 12\n"), "iris")
	assert.Error(t, err)
}

func TestQuantile(t *testing.T) {
	b := []Bucket{{0.01, 50}, {0.1, 100}, {math.Inf(1), 100}}
	tests := []struct {
		name    string
		q       float64
		buckets []Bucket
		want    float64
	}{
		{"in the first bucket: from 0", 0.5, b, 0.01},
		{"interpolated", 0.75, b, 0.055},
		{"at the top of the last finite bucket", 1, b, 0.1},
		{"past the finite buckets: the highest bound", 0.99, []Bucket{{0.01, 1}, {math.Inf(1), 100}}, 0.01},
		{"empty", 0.5, nil, math.NaN()},
		{"no observations", 0.5, []Bucket{{0.01, 0}, {math.Inf(1), 0}}, math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Quantile(tt.q, tt.buckets)
			if math.IsNaN(tt.want) {
				assert.True(t, math.IsNaN(got), "got %v", got)
				return
			}
			assert.InDelta(t, tt.want, got, 1e-9)
		})
	}
}

func TestWindow(t *testing.T) {
	before := Scrape{"1": {Requests: 100, Errors: 1, Buckets: []Bucket{{0.01, 100}, {math.Inf(1), 100}}}}
	after := Scrape{
		"1": {Requests: 200, Errors: 11, Buckets: []Bucket{{0.01, 110}, {math.Inf(1), 200}}},
		"2": {Requests: 10, Buckets: []Bucket{{0.01, 10}, {math.Inf(1), 10}}},
	}
	w := Window(before, after)
	assert.Equal(t, Stats{Requests: 100, Errors: 10, ErrorRate: 0.1, P95: Duration(10 * time.Millisecond), P99: Duration(10 * time.Millisecond)}, w["1"])
	assert.Equal(t, 10, w["2"].Requests, "a version new in the window counts whole")

	// A router restart resets counters: the after scrape counts whole.
	restarted := Window(Scrape{"1": {Requests: 500}}, Scrape{"1": {Requests: 3}})
	assert.Equal(t, 3, restarted["1"].Requests)
}

func TestThresholdsCheck(t *testing.T) {
	th := Thresholds{MaxErrorRate: 0.05, MaxLatencyP99: 100 * time.Millisecond, MinRequests: 10}
	tests := []struct {
		name  string
		stats Stats
		want  string
	}{
		{"healthy", Stats{Requests: 100, Errors: 1, ErrorRate: 0.01, P99: Duration(time.Millisecond)}, ""},
		{"too few requests to judge", Stats{Requests: 5, Errors: 5, ErrorRate: 1}, ""},
		{"errors", Stats{Requests: 100, Errors: 10, ErrorRate: 0.1}, "error rate 10.00% (10 of 100 requests)"},
		{"latency", Stats{Requests: 100, P99: Duration(time.Second)}, "p99 latency 1s over 100 requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := th.Check("2", tt.stats)
			if tt.want == "" {
				assert.Empty(t, got)
				return
			}
			assert.Contains(t, got, tt.want)
		})
	}
	off := Thresholds{MaxErrorRate: -1}
	assert.Empty(t, off.Check("2", Stats{Requests: 10, Errors: 10, ErrorRate: 1, P99: Duration(time.Hour)}))
}

func FuzzParseMetrics(f *testing.F) {
	f.Add(metricsText)
	f.Add("mlctl_requests_total{model=\"iris\",version=\"1\",code=\"500\"} NaN\n")
	f.Add("# TYPE mlctl_request_duration_seconds histogram\nmlctl_request_duration_seconds_bucket{model=\"iris\",le=\"x\"} 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseMetrics(strings.NewReader(text), "iris")
		if err != nil {
			return
		}
		for v, sample := range s {
			w := Window(Scrape{}, Scrape{v: sample})
			_ = Thresholds{MaxErrorRate: 0.1, MaxLatencyP99: time.Second}.Check(v, w[v])
		}
	})
}
