package batch

import (
	"fmt"
	"strconv"
	"strings"
)

// Shard selects a deterministic slice of a run's work: unit u (a whole
// input file, or a run of row groups of a Parquet file) belongs to shard
// u mod Count. Every shard computes the same list of units from the same
// inputs, so Count machines with Index 0..Count-1 score every unit once.
type Shard struct {
	Index, Count int
}

// ParseShard reads "i/N" with 0 ≤ i < N.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: expected i/N with 0 ≤ i < N, as in 0/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (s Shard) String() string {
	if s.Count <= 1 {
		return "0/1"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

func (s Shard) owns(unit int) bool { return s.Count <= 1 || unit%s.Count == s.Index }
