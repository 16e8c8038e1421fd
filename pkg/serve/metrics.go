package serve

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the server's Prometheus series. Names follow Prometheus
// conventions (base units, _total); labels are model, version, protocol, code.
type Metrics struct {
	Registry *prometheus.Registry

	requests       *prometheus.CounterVec
	requestLatency *prometheus.HistogramVec
	queueLatency   *prometheus.HistogramVec
	inferLatency   *prometheus.HistogramVec
	batchRows      *prometheus.HistogramVec
	queueRows      *prometheus.GaugeVec
	inferErrors    *prometheus.CounterVec
	shadowSkipped  *prometheus.CounterVec
	logDropped     prometheus.CounterFunc
}

var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewMetrics registers the server's series, the Go runtime's and the
// process's on a fresh registry. dropped reports prediction-log drops.
func NewMetrics(dropped func() uint64) *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlctl_requests_total", Help: "Inference requests by model, version, protocol and response code.",
		}, []string{"model", "version", "protocol", "code"}),
		requestLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mlctl_request_duration_seconds", Help: "End-to-end request latency, decode to encode.", Buckets: latencyBuckets,
		}, []string{"model", "version", "protocol"}),
		queueLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mlctl_queue_duration_seconds", Help: "Time a request waited in its model's queue.", Buckets: latencyBuckets,
		}, []string{"model", "version"}),
		inferLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mlctl_inference_duration_seconds", Help: "Model run time per formed batch.", Buckets: latencyBuckets,
		}, []string{"model", "version"}),
		batchRows: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "mlctl_batch_rows", Help: "Rows per formed batch.", Buckets: prometheus.ExponentialBuckets(1, 2, 14),
		}, []string{"model", "version"}),
		queueRows: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "mlctl_queue_rows", Help: "Rows waiting in a model's queue.",
		}, []string{"model", "version"}),
		inferErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlctl_inference_errors_total", Help: "Formed batches whose model run failed.",
		}, []string{"model", "version"}),
		shadowSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mlctl_shadow_skipped_total", Help: "Shadow requests not sent because the shadow was busy (the primary is never slowed).",
		}, []string{"model", "version"}),
	}
	if dropped == nil {
		dropped = func() uint64 { return 0 }
	}
	m.logDropped = prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "mlctl_prediction_log_dropped_total", Help: "Prediction log entries dropped because the log's buffer was full.",
	}, func() float64 { return float64(dropped()) })
	r.MustRegister(m.requests, m.requestLatency, m.queueLatency, m.inferLatency, m.batchRows, m.queueRows,
		m.inferErrors, m.shadowSkipped, m.logDropped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest records one finished request; protocol front ends call it.
func (m *Metrics) ObserveRequest(model, version, protocol, code string, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(model, version, protocol, code).Inc()
	if model != "" {
		m.requestLatency.WithLabelValues(model, version, protocol).Observe(d.Seconds())
	}
}

// batchObserver feeds one model version's batcher events into the metrics.
type batchObserver struct {
	queueRows                   prometheus.Gauge
	batchRows, queue, inference prometheus.Observer
	errors                      prometheus.Counter
}

func (m *Metrics) observer(model, version string) *batchObserver {
	if m == nil {
		return nil
	}
	return &batchObserver{
		queueRows: m.queueRows.WithLabelValues(model, version),
		batchRows: m.batchRows.WithLabelValues(model, version),
		queue:     m.queueLatency.WithLabelValues(model, version),
		inference: m.inferLatency.WithLabelValues(model, version),
		errors:    m.inferErrors.WithLabelValues(model, version),
	}
}

func (o *batchObserver) Queued(rows int) { o.queueRows.Add(float64(rows)) }

func (o *batchObserver) Dispatched(batchRows, _ int, waits []time.Duration) {
	o.batchRows.Observe(float64(batchRows))
	for _, w := range waits {
		o.queue.Observe(w.Seconds())
	}
}

func (o *batchObserver) Ran(_ int, d time.Duration, err error) {
	o.inference.Observe(d.Seconds())
	if err != nil {
		o.errors.Inc()
	}
}
