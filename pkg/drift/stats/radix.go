package stats

import (
	"math"
	"slices"
)

// radixMinLen is where an LSD radix sort beats pdqsort on float64s.
const radixMinLen = 4096

// sortFloats sorts finite float64s ascending. Large inputs use an LSD radix
// sort over the order-preserving uint64 image of each float (4 passes of 16
// bits), several times faster than comparison sorting on a million values;
// sorting dominates the numeric tests.
func sortFloats(x []float64) {
	if len(x) < radixMinLen {
		slices.Sort(x)
		return
	}
	keys := make([]uint64, len(x))
	for i, v := range x {
		keys[i] = floatKey(v)
	}
	tmp := make([]uint64, len(x))
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for _, k := range keys {
			count[(k>>shift)&0xFFFF]++
		}
		if count[(keys[0]>>shift)&0xFFFF] == len(keys) {
			continue // every key has this digit: the pass would not move anything
		}
		pos := 0
		for i, c := range count {
			count[i] = pos
			pos += c
		}
		for _, k := range keys {
			d := (k >> shift) & 0xFFFF
			tmp[count[d]] = k
			count[d]++
		}
		keys, tmp = tmp, keys
	}
	for i, k := range keys {
		x[i] = keyFloat(k)
	}
}

// floatKey maps a float64 to a uint64 with the same order: negative numbers
// have all bits flipped, others just the sign bit.
func floatKey(v float64) uint64 {
	b := math.Float64bits(v)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

func keyFloat(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}
