package batch

import (
	"time"
)

// Progress is a snapshot of a running or finished run.
type Progress struct {
	Rows   int64 // rows written
	Errors int64 // rows rejected
	// Bytes of input read so far, of TotalBytes this run will read (the
	// skipped parts' inputs not counted).
	Bytes, TotalBytes int64
	Parts             int // parts finished by this run
	PartsSkipped      int // parts a previous run finished
	PartsTotal        int // parts of this shard
	Elapsed           time.Duration
}

// RowsPerSecond is the throughput so far.
func (p Progress) RowsPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Rows) / p.Elapsed.Seconds()
}

// ETA estimates the time left from the input bytes read; 0 when unknown.
func (p Progress) ETA() time.Duration {
	if p.Bytes <= 0 || p.TotalBytes <= p.Bytes {
		return 0
	}
	left := float64(p.TotalBytes-p.Bytes) / float64(p.Bytes)
	return time.Duration(left * float64(p.Elapsed)).Round(time.Second)
}

// Summary is a finished run.
type Summary struct {
	Progress
	Output   string
	ScoredAt time.Time
	Manifest string // the manifest's name in Output
}
