package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// subBits sets the histogram's precision: each power of two is split into
// 2^(subBits-1) buckets, so a recorded value is off by at most 1/64 (1.6%).
const subBits = 7

const (
	subCount   = 1 << subBits
	halfCount  = subCount / 2
	numBuckets = subCount + (63-subBits)*halfCount // int64 values: at most 63 bits
)

// histogram is a log-linear latency histogram (HDR-style) with atomic
// buckets, so concurrent requests record without a lock and memory stays
// fixed however many requests are sent.
type histogram struct {
	buckets [numBuckets]atomic.Uint64
	count   atomic.Uint64
	max     atomic.Int64
}

func bucketOf(ns int64) int {
	if ns < 0 {
		ns = 0
	}
	v := uint64(ns)
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits
	top := v >> shift // in [halfCount, subCount)
	return subCount + (shift-1)*halfCount + int(top) - halfCount
}

// bucketLow is the smallest value that lands in bucket i.
func bucketLow(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	shift := (i-subCount)/halfCount + 1
	top := uint64((i-subCount)%halfCount + halfCount)
	return int64(top << shift)
}

// bucketMid is the value reported for bucket i: the middle of its range.
func bucketMid(i int) int64 {
	lo := bucketLow(i)
	if i < subCount {
		return lo
	}
	return lo + (bucketLow(i+1)-lo)/2
}

func (h *histogram) record(d time.Duration) {
	h.buckets[bucketOf(int64(d))].Add(1)
	h.count.Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// quantile returns the value at quantile q (0..1); the exact maximum for 1.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	if q >= 1 {
		return time.Duration(h.max.Load())
	}
	rank := uint64(q*float64(n-1)) + 1
	var seen uint64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= rank {
			v := bucketMid(i)
			if m := h.max.Load(); v > m {
				v = m
			}
			return time.Duration(v)
		}
	}
	return time.Duration(h.max.Load())
}

func (h *histogram) mean() time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	var sum float64
	for i := range h.buckets {
		if c := h.buckets[i].Load(); c > 0 {
			sum += float64(c) * float64(bucketMid(i))
		}
	}
	return time.Duration(sum / float64(n))
}
