package pmml

// treeNode is one Node of a TreeModel; the children of a node are stored
// next to each other so that traversal walks one slice.
type treeNode struct {
	pred         pred
	first, count int32 // children: nodes[first : first+count]
	defaultChild int32 // index into nodes, -1 when none
	hasScore     bool
	label        string
	score        float64
	probs        []float64 // classification: aligned with the model's classes
	counts       []float64 // recordCount per class, for aggregateNodes
	recordCount  float64
	id           string
}

// hotNode is the part of a node that traversal touches, packed so that a
// forest's nodes stay in cache. simple marks a numeric comparison on a
// field read straight from the row; other predicates go through pred.
type hotNode struct {
	num    float64
	slot   int32
	first  int32
	count  int32
	op     predOp
	simple bool
	f32    bool // compare the value rounded to float32 (mathContext="float")
	// complement: this simple predicate's next sibling is its exact
	// negation on the same field, so a false here means true there.
	complement bool
}

// split is how node i picks its child in one load: for a node whose
// first two children are a simple comparison and its negation (the usual
// binary tree), the comparison itself; child is the first child's index,
// taken when the comparison holds, else child+1.
type split struct {
	num   float64
	slot  int32
	child int32
	col   int32 // the slot's input column, -1 when none (see ensemble.go)
	op    predOp
	kind  uint8 // splitLeaf, splitBinary or splitOther
	f32   bool
}

const (
	splitOther uint8 = iota
	splitLeaf
	splitBinary
)

type tree struct {
	m           *modelNode
	nodes       []treeNode
	hot         []hotNode
	splits      []split
	rootTrue    bool        // the root's predicate is <True/>, as exporters write it
	leafProbs   [][]float64 // classification: nodes[i].probs, packed for fastLeaf's callers
	missing     string
	noTrueChild string
	classifier  bool
}

func (c *compiler) compileTree(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "missingValueStrategy", "missingValuePenalty", "noTrueChildStrategy", "splitCharacteristic")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "Node")...); err != nil {
		return err
	}
	t := &tree{m: m, classifier: m.fn == fnClassification}
	var err error
	if t.missing, err = e.oneOf("missingValueStrategy", "none", "none", "lastPrediction", "nullPrediction", "defaultChild", "weightedConfidence", "aggregateNodes"); err != nil {
		return err
	}
	if t.noTrueChild, err = e.oneOf("noTrueChildStrategy", "returnNullPrediction", "returnNullPrediction", "returnLastPrediction"); err != nil {
		return err
	}
	if (t.missing == "weightedConfidence" || t.missing == "aggregateNodes") && !t.classifier {
		return e.unsupported("missingValueStrategy=%q is supported for classification trees only", t.missing)
	}
	if _, err := e.oneOf("splitCharacteristic", "multiSplit", "binarySplit", "multiSplit"); err != nil {
		return err
	}
	if _, err := e.float("missingValuePenalty", 1); err != nil { // scales confidence only, which is not an output here
		return err
	}
	roots := e.kidsNamed("Node")
	if len(roots) != 1 {
		return e.invalid("TreeModel needs exactly one root <Node>, has %d", len(roots))
	}
	t.nodes = make([]treeNode, 1)
	if err := c.compileNode(t, roots[0], 0); err != nil {
		return err
	}
	// Classes may have grown while compiling: widen every distribution.
	for i := range t.nodes {
		n := &t.nodes[i]
		if !t.classifier {
			continue
		}
		if n.probs == nil && n.hasScore {
			n.probs = make([]float64, len(m.classes))
			n.probs[m.classIndex[n.label]] = 1
		}
		for len(n.probs) > 0 && len(n.probs) < len(m.classes) {
			n.probs = append(n.probs, 0)
		}
		for len(n.counts) > 0 && len(n.counts) < len(m.classes) {
			n.counts = append(n.counts, 0)
		}
	}
	t.hot = make([]hotNode, len(t.nodes))
	for i := range t.nodes {
		n := &t.nodes[i]
		p := &n.pred
		t.hot[i] = hotNode{num: p.num, slot: p.slot, first: n.first, count: n.count, op: p.op,
			f32:    p.f32,
			simple: p.numeric && p.op >= pEqual && p.op <= pGreaterEq && c.prog.compute[p.slot] == nil}
	}
	negation := map[predOp]predOp{pLessEq: pGreater, pGreater: pLessEq, pLess: pGreaterEq, pGreaterEq: pLess, pEqual: pNotEqual, pNotEqual: pEqual}
	for i := range t.hot {
		h := &t.hot[i]
		for k := h.first; k+1 < h.first+h.count; k++ {
			a, b := &t.hot[k], &t.hot[k+1]
			a.complement = a.simple && b.simple && a.slot == b.slot && a.f32 == b.f32 && a.num == b.num && negation[a.op] == b.op
		}
	}
	t.rootTrue = t.nodes[0].pred.op == pTrue
	if t.classifier {
		t.leafProbs = make([][]float64, len(t.nodes))
		for i := range t.nodes {
			t.leafProbs[i] = t.nodes[i].probs
		}
	}
	t.splits = make([]split, len(t.hot))
	for i, h := range t.hot {
		sp := &t.splits[i]
		switch {
		case h.count == 0 && t.nodes[i].hasScore:
			// A scored leaf keeps its score here, next to the splits.
			*sp = split{num: t.nodes[i].score, kind: splitLeaf}
		case h.count > 0 && t.hot[h.first].complement:
			c := t.hot[h.first]
			*sp = split{num: c.num, slot: c.slot, child: h.first, op: c.op, kind: splitBinary, f32: c.f32}
		}
	}
	m.impl = t
	return nil
}

// test evaluates node i's predicate, inline for a simple comparison.
func (t *tree) test(ctx *rowCtx, i int32) tri {
	h := &t.hot[i]
	if h.simple {
		v := &ctx.vals[h.slot]
		switch v.k {
		case kNum:
			x := v.n
			if h.f32 {
				x = float64(float32(x))
			}
			switch h.op {
			case pLessEq:
				return triOf(x <= h.num)
			case pGreater:
				return triOf(x > h.num)
			case pLess:
				return triOf(x < h.num)
			case pGreaterEq:
				return triOf(x >= h.num)
			case pEqual:
				return triOf(x == h.num)
			case pNotEqual:
				return triOf(x != h.num)
			}
		case kMissing:
			return tUnknown
		}
	}
	return t.nodes[i].pred.eval(ctx)
}

// fastLeaf walks a tree whose root is <True/> through binary splits on
// numbers present in the row; it returns the scored leaf reached (its score
// is splits[leaf].num, its probabilities leafProbs[leaf]), or -1 when any
// step needs the general evaluation (another predicate, a missing value, a
// leaf without a score).
func (t *tree) fastLeaf(vals []value) int32 {
	if !t.rootTrue {
		return -1
	}
	splits := t.splits
	cur := int32(0)
	for {
		sp := &splits[cur]
		switch sp.kind {
		case splitLeaf:
			return cur
		case splitBinary:
		default:
			return -1
		}
		v := &vals[sp.slot]
		if v.k != kNum {
			return -1
		}
		x := v.n
		if sp.f32 {
			x = float64(float32(x))
		}
		// Arithmetic rather than a branch: the direction is data-dependent
		// and mispredicts half the time.
		cur = sp.child + 1 - b2i(compareOp(sp.op, x, sp.num))
	}
}

// b2i is 1 for true; the compiler turns it into a flag move.
func b2i(b bool) int32 {
	var i int32
	if b {
		i = 1
	}
	return i
}

// compareOp applies a simple numeric comparison.
func compareOp(op predOp, x, y float64) bool {
	switch op {
	case pLessEq:
		return x <= y
	case pGreater:
		return x > y
	case pLess:
		return x < y
	case pGreaterEq:
		return x >= y
	case pEqual:
		return x == y
	}
	return x != y
}

func (c *compiler) compileNode(t *tree, e *elem, idx int) error {
	if err := e.check("id", "score", "recordCount", "defaultChild"); err != nil {
		return err
	}
	if err := e.checkKids("SimplePredicate", "CompoundPredicate", "SimpleSetPredicate", "True", "False", "ScoreDistribution", "Node", "Partition"); err != nil {
		return err
	}
	pe := findPredicate(e)
	if pe == nil {
		return e.invalid("<Node> needs a predicate")
	}
	p, err := c.compilePredicate(pe, t.m.scope, t.m.f32)
	if err != nil {
		return err
	}
	n := treeNode{pred: p, defaultChild: -1, id: e.attrOr("id", "")}
	if n.recordCount, err = e.float("recordCount", 0); err != nil {
		return err
	}
	m := t.m
	if s, ok := e.attr("score"); ok {
		n.hasScore = true
		if t.classifier {
			n.label = s
			m.classOf(s)
		} else if n.score, err = parseNumber(s); err != nil {
			return e.invalid("score %q of a regression tree node is not a number", s)
		}
	}
	if dists := e.kidsNamed("ScoreDistribution"); len(dists) > 0 && t.classifier {
		var total float64
		hasProb := false
		for _, d := range dists {
			if err := d.check("value", "recordCount", "confidence", "probability"); err != nil {
				return err
			}
			if err := d.checkKids(); err != nil {
				return err
			}
			hasProb = hasProb || hasAttr(d, "probability")
		}
		n.probs = make([]float64, len(m.classes))
		n.counts = make([]float64, len(m.classes))
		for _, d := range dists {
			v, err := d.need("value")
			if err != nil {
				return err
			}
			rc, err := d.float("recordCount", 0)
			if err != nil {
				return err
			}
			pr, err := d.float("probability", 0)
			if err != nil {
				return err
			}
			i := m.classOf(v)
			for len(n.probs) <= i {
				n.probs = append(n.probs, 0)
				n.counts = append(n.counts, 0)
			}
			n.counts[i] += rc
			n.probs[i] += pr
			total += rc
		}
		if !hasProb {
			for i := range n.probs {
				if total > 0 {
					n.probs[i] = n.counts[i] / total
				}
			}
		}
		if !n.hasScore {
			n.hasScore = true
			n.label = m.classes[argmax(n.probs)]
		}
	}
	kids := e.kidsNamed("Node")
	n.first, n.count = int32(len(t.nodes)), int32(len(kids))
	t.nodes = append(t.nodes, make([]treeNode, len(kids))...)
	if dc, ok := e.attr("defaultChild"); ok {
		for i, k := range kids {
			if k.attrOr("id", "") == dc {
				n.defaultChild = n.first + int32(i)
			}
		}
		if n.defaultChild < 0 {
			return e.invalid("defaultChild %q names no child of node %q", dc, n.id)
		}
	}
	t.nodes[idx] = n
	for i, k := range kids {
		if err := c.compileNode(t, k, int(n.first)+i); err != nil {
			return err
		}
	}
	return nil
}

// nodeResult is a node's own prediction.
func (t *tree) nodeResult(n *treeNode, res *result) {
	if !n.hasScore {
		return
	}
	res.ok = true
	res.label, res.val, res.probs, res.entity = n.label, n.score, n.probs, n.id
}

func (t *tree) eval(ctx *rowCtx, res *result) {
	hot := t.hot
	rootTest := tTrue
	if !t.rootTrue {
		rootTest = t.test(ctx, 0)
	}
	switch rootTest {
	case tTrue:
	case tUnknown:
		if t.missing == "lastPrediction" || t.missing == "defaultChild" {
			break
		}
		return
	default:
		return
	}
	cur := int32(0)
	vals := ctx.vals
	splits := t.splits
	for {
		sp := &splits[cur]
		if sp.kind == splitBinary {
			// The fast path: a number present in the row picks one of two.
			if v := &vals[sp.slot]; v.k == kNum {
				x := v.n
				if sp.f32 {
					x = float64(float32(x))
				}
				if compareOp(sp.op, x, sp.num) {
					cur = sp.child
				} else {
					cur = sp.child + 1
				}
				continue
			}
		}
		h := &hot[cur]
		if h.count == 0 {
			t.nodeResult(&t.nodes[cur], res)
			return
		}
		n := &t.nodes[cur]
		next := int32(-1)
	children:
		for i := h.first; i < h.first+h.count; i++ {
			switch t.test(ctx, i) {
			case tTrue:
				next = i
				break children
			case tFalse:
				if hot[i].complement {
					next = i + 1
					break children
				}
			case tUnknown:
				switch t.missing {
				case "none":
					continue
				case "lastPrediction":
					t.nodeResult(n, res)
					return
				case "nullPrediction":
					return
				case "defaultChild":
					if n.defaultChild < 0 {
						t.nodeResult(n, res)
						return
					}
					next = n.defaultChild
					break children
				default: // weightedConfidence, aggregateNodes
					t.aggregate(ctx, cur, res)
					return
				}
			}
		}
		if next < 0 {
			if t.noTrueChild == "returnLastPrediction" {
				t.nodeResult(n, res)
			}
			return
		}
		cur = next
	}
}

// aggregate scores a node whose children could not all be decided, by
// combining every child not known to be false: weighted by record counts
// (weightedConfidence) or by summing the leaves' counts (aggregateNodes).
func (t *tree) aggregate(ctx *rowCtx, at int32, res *result) {
	acc := make([]float64, len(t.m.classes))
	if !t.collect(ctx, at, 1, acc) {
		return
	}
	if t.missing == "aggregateNodes" {
		var total float64
		for _, x := range acc {
			total += x
		}
		if total == 0 {
			return
		}
		for i := range acc {
			acc[i] /= total
		}
	}
	res.ok = true
	res.probs = acc
	res.label = t.m.classes[argmax(acc)]
}

// collect adds a subtree's contribution into acc; false when nothing could
// be scored. A node whose first non-false child is true descends into it; a
// node with an undecided child combines every child that is not false.
func (t *tree) collect(ctx *rowCtx, at int32, weight float64, acc []float64) bool {
	n := &t.nodes[at]
	if n.count == 0 {
		return t.addNode(n, weight, acc)
	}
	undecided := false
	for i := n.first; i < n.first+n.count; i++ {
		switch t.nodes[i].pred.eval(ctx) {
		case tTrue:
			if !undecided {
				return t.collect(ctx, i, weight, acc)
			}
		case tUnknown:
			undecided = true
		}
	}
	if !undecided {
		if t.noTrueChild == "returnLastPrediction" {
			return t.addNode(n, weight, acc)
		}
		return false
	}
	scored := false
	for i := n.first; i < n.first+n.count; i++ {
		if t.nodes[i].pred.eval(ctx) == tFalse {
			continue
		}
		w := weight
		if t.missing == "weightedConfidence" && n.recordCount > 0 {
			w = weight * t.nodes[i].recordCount / n.recordCount
		}
		if t.collect(ctx, i, w, acc) {
			scored = true
		}
	}
	return scored
}

func (t *tree) addNode(n *treeNode, weight float64, acc []float64) bool {
	if t.missing == "aggregateNodes" {
		for i, x := range n.counts {
			acc[i] += x
		}
		return len(n.counts) > 0
	}
	for i, x := range n.probs {
		acc[i] += weight * x
	}
	return len(n.probs) > 0
}
