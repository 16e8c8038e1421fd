package predlog

import (
	"math/rand/v2"
	"sync/atomic"
)

// sampler decides, per Log call, whether a request is logged. The n-th call
// is kept when a hash of (seed, n) falls below the rate, so a fixed seed
// keeps the same positions whatever the timing, and concurrent callers
// share one atomic counter instead of a locked generator.
type sampler struct {
	seed uint64
	rate float64
	n    atomic.Uint64
}

func newSampler(rate float64, seed uint64) *sampler {
	if seed == 0 {
		seed = rand.Uint64() | 1
	}
	return &sampler{seed: seed, rate: rate}
}

// keep reports whether the next request is logged.
func (s *sampler) keep() bool {
	if s.rate >= 1 {
		return true
	}
	x := splitmix64(s.seed + s.n.Add(1)*0x9e3779b97f4a7c15)
	// The top 53 bits as a uniform float in [0, 1).
	return float64(x>>11)/(1<<53) < s.rate
}

// splitmix64 is the finaliser of the SplitMix64 generator: a cheap hash
// whose outputs for consecutive inputs are statistically independent.
func splitmix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
