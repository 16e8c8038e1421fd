package pmml

import "math"

// flatTree is a tree of an ensemble compiled for the batch walk: every
// split rewritten as "x <= thr" with its two successors, so one level costs
// one load, one comparison and a conditional move. Rows with a NaN in a
// column the trees read never reach it (see ensembleSums), so the rewrite
// only needs to be exact for numbers.
type flatTree struct {
	nodes []flatNode
	f32   bool // compare float32(x), as mathContext="float" asks
}

// flatNode is a split, or a leaf when col < 0; a leaf's lo is its index in
// tree.splits, where its score or probabilities are found.
type flatNode struct {
	thr    float64
	col    int32
	lo, hi int32 // the next node when x <= thr, and otherwise
}

// flatten compiles t for the batch walk, or reports false when a reachable
// split is not a numeric comparison of an input column, or splits disagree
// on mathContext.
func flatten(t *tree) (*flatTree, bool) {
	if !t.rootTrue || len(t.splits) == 0 {
		return nil, false
	}
	ft := &flatTree{f32: t.splits[0].f32}
	var add func(i int32) (int32, bool)
	add = func(i int32) (int32, bool) {
		if int(i) >= len(t.splits) {
			return 0, false
		}
		sp := &t.splits[i]
		at := int32(len(ft.nodes))
		ft.nodes = append(ft.nodes, flatNode{})
		switch {
		case sp.kind == splitLeaf:
			ft.nodes[at] = flatNode{col: -1, lo: i}
			return at, true
		case sp.kind != splitBinary || sp.col < 0 || sp.f32 != ft.f32:
			return 0, false
		}
		// compareOp true takes sp.child, false sp.child+1.
		n := flatNode{col: sp.col, thr: sp.num}
		swap := false
		switch sp.op {
		case pLessEq:
		case pLess: // x < t ⇔ x <= the double below t
			n.thr = math.Nextafter(sp.num, math.Inf(-1))
		case pGreater: // x > t ⇔ !(x <= t)
			swap = true
		case pGreaterEq: // x >= t ⇔ !(x <= the double below t)
			n.thr, swap = math.Nextafter(sp.num, math.Inf(-1)), true
		default:
			return 0, false
		}
		yes, ok := add(sp.child)
		if !ok {
			return 0, false
		}
		no, ok := add(sp.child + 1)
		if !ok {
			return 0, false
		}
		n.lo, n.hi = yes, no
		if swap {
			n.lo, n.hi = no, yes
		}
		ft.nodes[at] = n
		return at, true
	}
	if _, ok := add(0); !ok || len(ft.nodes) > math.MaxInt32 {
		return nil, false
	}
	return ft, true
}

// leaf walks one row (no NaN in the columns the tree reads) to its leaf and
// returns the leaf's index in tree.splits.
func (ft *flatTree) leaf(row []float64) int32 {
	nodes := ft.nodes
	n := &nodes[0]
	if ft.f32 {
		for n.col >= 0 {
			next := n.hi
			if float64(float32(row[n.col])) <= n.thr {
				next = n.lo
			}
			n = &nodes[next]
		}
		return n.lo
	}
	for n.col >= 0 {
		next := n.hi
		if row[n.col] <= n.thr {
			next = n.lo
		}
		n = &nodes[next]
	}
	return n.lo
}

// columns adds to used the input columns the tree reads.
func (ft *flatTree) columns(used map[int32]bool) {
	for _, n := range ft.nodes {
		if n.col >= 0 {
			used[n.col] = true
		}
	}
}
