package predlog

import (
	"fmt"
	"math"
	"time"
)

// Defaults for the zero values of Config's fields.
const (
	DefaultMaxFileBytes  = 64 << 20
	DefaultMaxFiles      = 20
	DefaultBufferRecords = 4096
	DefaultFlushInterval = time.Second
)

// Config says where the log goes and how much of it to keep. The zero value
// of every field but Dir means its default, so a config file that leaves a
// field out gets the default and not "none".
type Config struct {
	// Dir is the directory for the files; it is created when missing.
	Dir string
	// SampleRate is the share of requests logged, in [0, 1]; 0 means the
	// default, 1 (every request). A server that should log nothing does not
	// open a Logger. Sampling is decided per request, before the request
	// takes a place in the buffer.
	SampleRate float64
	// MaxFileBytes starts a new file before a row would take the current
	// one past this size (default 64 MiB). A single row larger than this
	// still gets a file of its own.
	MaxFileBytes int64
	// MaxFiles is how many finished (rotated) files to keep besides the one
	// being written; older ones are deleted (default 20; negative keeps all).
	MaxFiles int
	// BufferRecords bounds the queue of requests waiting to be written
	// (default 4096). When it is full, Log drops the request and counts it.
	BufferRecords int
	// FlushInterval is how often buffered rows are written to the file
	// (default 1s), so a reader sees them without waiting for Close.
	FlushInterval time.Duration
	// Seed makes sampling reproducible: the same seed samples the same
	// positions in the sequence of Log calls. 0 picks a random seed.
	Seed uint64
}

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.Dir == "" {
		return c, fmt.Errorf("prediction log: Dir is empty: expected a directory for the log files")
	}
	if math.IsNaN(c.SampleRate) || c.SampleRate < 0 || c.SampleRate > 1 {
		return c, fmt.Errorf("prediction log: SampleRate %g: expected a share in [0, 1]", c.SampleRate)
	}
	if c.SampleRate == 0 {
		c.SampleRate = 1
	}
	if c.MaxFileBytes < 0 {
		return c, fmt.Errorf("prediction log: MaxFileBytes %d: expected a size ≥ 0 (0 = %d)", c.MaxFileBytes, DefaultMaxFileBytes)
	}
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
	if c.MaxFiles == 0 {
		c.MaxFiles = DefaultMaxFiles
	}
	if c.BufferRecords < 0 {
		return c, fmt.Errorf("prediction log: BufferRecords %d: expected a count ≥ 0 (0 = %d)", c.BufferRecords, DefaultBufferRecords)
	}
	if c.BufferRecords == 0 {
		c.BufferRecords = DefaultBufferRecords
	}
	if c.FlushInterval < 0 {
		return c, fmt.Errorf("prediction log: FlushInterval %v: expected a duration ≥ 0 (0 = %v)", c.FlushInterval, DefaultFlushInterval)
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	return c, nil
}
