package pmml

import "math"

// flatTree is a tree of an ensemble compiled for the batch walk: every
// split rewritten as "x <= thr" with its successors side by side (the one
// for x <= thr first), and every leaf stepping to itself, so a walk is
// exactly depth steps of a load, a comparison and an addition, with no
// branch to mispredict. Rows with a NaN in a column the trees read never
// reach it (see ensembleSums), so the rewrite only needs to be exact for
// numbers.
type flatTree struct {
	nodes []flatNode
	f32   bool // compare float32(x), as mathContext="float" asks
	depth int  // the longest path from the root to a leaf, in splits
	// leafOf is each node's index in tree.splits, where a leaf's score or
	// probabilities are found; score is a leaf's score, next to the nodes.
	leafOf []int32
	score  []float64
}

// flatNode steps to first when x[col] <= thr, else to first+1. A leaf
// compares the root's column with +Inf and has first = itself.
type flatNode struct {
	thr   float64
	col   int32
	first int32
}

// flatten compiles t for the batch walk, or reports false when a reachable
// split is not a numeric comparison of an input column, or splits disagree
// on mathContext.
func flatten(t *tree) (*flatTree, bool) {
	if !t.rootTrue || len(t.splits) == 0 {
		return nil, false
	}
	ft := &flatTree{f32: t.splits[0].f32}
	rootCol := int32(0)
	if t.splits[0].kind == splitBinary {
		rootCol = t.splits[0].col
	}
	var fill func(at, i int32, depth int) bool
	fill = func(at, i int32, depth int) bool {
		if int(i) >= len(t.splits) || depth > MaxNesting {
			return false
		}
		sp := &t.splits[i]
		ft.leafOf[at] = i
		switch {
		case sp.kind == splitLeaf:
			ft.nodes[at] = flatNode{thr: math.Inf(1), col: rootCol, first: at}
			ft.score[at] = sp.num
			ft.depth = max(ft.depth, depth)
			return true
		case sp.kind != splitBinary || sp.col < 0 || sp.f32 != ft.f32:
			return false
		}
		// compareOp true takes sp.child, false sp.child+1.
		n := flatNode{col: sp.col, thr: sp.num}
		yes, no := sp.child, sp.child+1
		switch sp.op {
		case pLessEq:
		case pLess: // x < t ⇔ x <= the double below t
			n.thr = math.Nextafter(sp.num, math.Inf(-1))
		case pGreater: // x > t ⇔ !(x <= t)
			yes, no = no, yes
		case pGreaterEq: // x >= t ⇔ !(x <= the double below t)
			n.thr = math.Nextafter(sp.num, math.Inf(-1))
			yes, no = no, yes
		default:
			return false
		}
		n.first = int32(len(ft.nodes))
		ft.nodes[at] = n
		ft.nodes = append(ft.nodes, flatNode{}, flatNode{})
		ft.leafOf = append(ft.leafOf, 0, 0)
		ft.score = append(ft.score, 0, 0)
		return fill(n.first, yes, depth+1) && fill(n.first+1, no, depth+1)
	}
	ft.nodes, ft.leafOf, ft.score = make([]flatNode, 1, 2*len(t.splits)), make([]int32, 1, 2*len(t.splits)), make([]float64, 1, 2*len(t.splits))
	if !fill(0, 0, 0) {
		return nil, false
	}
	return ft, true
}

// walk returns the node of the leaf one row reaches.
func (ft *flatTree) walk(row []float64) int32 {
	nodes := ft.nodes
	cur := int32(0)
	if ft.f32 {
		for d := 0; d < ft.depth; d++ {
			nd := &nodes[cur]
			cur = nd.first + 1 - b2i(float64(float32(row[nd.col])) <= nd.thr)
		}
		return cur
	}
	for d := 0; d < ft.depth; d++ {
		nd := &nodes[cur]
		cur = nd.first + 1 - b2i(row[nd.col] <= nd.thr)
	}
	return cur
}

// walk4 walks four rows at once, the rows starting at x[b0], x[b1], x[b2]
// and x[b3]: four independent chains of loads that the processor overlaps.
func (ft *flatTree) walk4(x []float64, b0, b1, b2, b3 int) (int32, int32, int32, int32) {
	nodes := ft.nodes
	var c0, c1, c2, c3 int32
	for d := 0; d < ft.depth; d++ {
		n0, n1, n2, n3 := &nodes[c0], &nodes[c1], &nodes[c2], &nodes[c3]
		v0, v1, v2, v3 := x[b0+int(n0.col)], x[b1+int(n1.col)], x[b2+int(n2.col)], x[b3+int(n3.col)]
		if ft.f32 {
			v0, v1, v2, v3 = float64(float32(v0)), float64(float32(v1)), float64(float32(v2)), float64(float32(v3))
		}
		c0 = n0.first + 1 - b2i(v0 <= n0.thr)
		c1 = n1.first + 1 - b2i(v1 <= n1.thr)
		c2 = n2.first + 1 - b2i(v2 <= n2.thr)
		c3 = n3.first + 1 - b2i(v3 <= n3.thr)
	}
	return c0, c1, c2, c3
}

// leaf walks one row (no NaN in the columns the tree reads) to its leaf and
// returns the leaf's index in tree.splits.
func (ft *flatTree) leaf(row []float64) int32 { return ft.leafOf[ft.walk(row)] }

// columns adds to used the input columns the tree reads.
func (ft *flatTree) columns(used map[int32]bool) {
	for i, n := range ft.nodes {
		if n.first != int32(i) { // a split; a leaf steps to itself
			used[n.col] = true
		}
	}
}
