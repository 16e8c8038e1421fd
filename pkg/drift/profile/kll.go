package profile

import (
	"math"
	"slices"
	"sort"
)

// KLL is a mergeable quantile sketch (Karnin, Lang, Liberty 2016) in the
// shape Apache DataSketches uses: levels of compactors whose capacity shrinks
// by 2/3 per level below the top; an item at level h stands for 2^h values.
// Its normalised rank error is about 1.7/K at 99% confidence.
// apache/datasketches-go is not on the module proxy, hence this small one.
type KLL struct {
	K      int         `json:"k"`
	N      int64       `json:"n"`
	Levels [][]float64 `json:"levels"`
	Coin   uint64      `json:"coin"` // compaction coin state: reproducible sketches

	// capLevels and capTotal cache capacity() for a number of levels: it
	// is asked on every Add and costs a power per level.
	capLevels, capTotal int
}

// DefaultSketchK gives about 0.7% rank error.
const DefaultSketchK = 256

const kllMinLevelCap = 8

func newKLL(k int) *KLL {
	return &KLL{K: k, Levels: [][]float64{nil}, Coin: 0x2545F4914F6CDD1D}
}

// levelCap is the capacity of level h when the sketch has nLevels levels.
func (s *KLL) levelCap(h int) int {
	depth := len(s.Levels) - 1 - h
	return max(int(math.Ceil(float64(s.K)*math.Pow(2.0/3.0, float64(depth)))), kllMinLevelCap)
}

func (s *KLL) size() int {
	n := 0
	for _, l := range s.Levels {
		n += len(l)
	}
	return n
}

func (s *KLL) capacity() int {
	if s.capLevels == len(s.Levels) && s.capTotal > 0 {
		return s.capTotal
	}
	c := 0
	for h := range s.Levels {
		c += s.levelCap(h)
	}
	s.capLevels, s.capTotal = len(s.Levels), c
	return c
}

// Add inserts one value.
func (s *KLL) Add(v float64) {
	s.Levels[0] = append(s.Levels[0], v)
	s.N++
	if s.size() > s.capacity() {
		s.compress()
	}
}

// addWeighted inserts v standing for count values: one item per set bit of
// count, at the level whose weight that bit is, so cost is O(log count).
func (s *KLL) addWeighted(v float64, count uint64) {
	for h := 0; count != 0; h, count = h+1, count>>1 {
		if count&1 == 0 {
			continue
		}
		for len(s.Levels) <= h {
			s.Levels = append(s.Levels, nil)
		}
		s.Levels[h] = append(s.Levels[h], v)
	}
	for s.size() > s.capacity() {
		s.compress()
	}
}

// addValues inserts exact value counts in ascending value order.
func (s *KLL) addValues(counts map[float64]float64) {
	for _, v := range sortedKeys(counts) {
		s.addWeighted(v, uint64(counts[v]))
		s.N += int64(counts[v])
	}
}

// Merge adds other's values into s; s's K is kept.
func (s *KLL) Merge(o *KLL) {
	for len(s.Levels) < len(o.Levels) {
		s.Levels = append(s.Levels, nil)
	}
	for h, l := range o.Levels {
		s.Levels[h] = append(s.Levels[h], l...)
	}
	s.N += o.N
	for s.size() > s.capacity() {
		s.compress()
	}
}

// compress halves the lowest over-full level into the next one.
func (s *KLL) compress() {
	for h := range s.Levels {
		if len(s.Levels[h]) < s.levelCap(h) {
			continue
		}
		if h+1 == len(s.Levels) {
			s.Levels = append(s.Levels, nil)
		}
		l := s.Levels[h]
		slices.Sort(l)
		var keep []float64
		if len(l)%2 == 1 { // an odd item stays behind at its weight
			keep = []float64{l[0]}
			l = l[1:]
		}
		off := int(s.flip())
		for i := off; i < len(l); i += 2 {
			s.Levels[h+1] = append(s.Levels[h+1], l[i])
		}
		s.Levels[h] = keep
		return
	}
}

func (s *KLL) flip() uint64 {
	s.Coin += 0x9E3779B97F4A7C15
	z := s.Coin
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return (z ^ (z >> 31)) & 1
}

// weighted is the sketch as sorted (value, cumulative weight) pairs.
type weighted struct {
	values []float64
	cum    []float64 // weight of values ≤ values[i]
	total  float64
}

func (s *KLL) sorted() weighted {
	type item struct{ v, w float64 }
	var items []item
	for h, l := range s.Levels {
		w := math.Ldexp(1, h)
		for _, v := range l {
			items = append(items, item{v, w})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].v < items[j].v })
	out := weighted{}
	acc := 0.0
	for _, it := range items {
		acc += it.w
		if n := len(out.values); n > 0 && out.values[n-1] == it.v {
			out.cum[n-1] = acc
			continue
		}
		out.values = append(out.values, it.v)
		out.cum = append(out.cum, acc)
	}
	out.total = acc
	return out
}

// CDF is the estimated share of values ≤ x.
func (w weighted) CDF(x float64) float64 {
	i := sort.Search(len(w.values), func(i int) bool { return w.values[i] > x })
	if i == 0 || w.total == 0 {
		return 0
	}
	return w.cum[i-1] / w.total
}

// Quantile is the smallest retained value whose estimated CDF reaches q.
func (s *KLL) Quantile(q float64) float64 {
	w := s.sorted()
	if len(w.values) == 0 {
		return math.NaN()
	}
	target := q * w.total
	i := sort.Search(len(w.cum), func(i int) bool { return w.cum[i] >= target })
	return w.values[min(i, len(w.values)-1)]
}

// Rank is the estimated share of values ≤ x.
func (s *KLL) Rank(x float64) float64 { return s.sorted().CDF(x) }
