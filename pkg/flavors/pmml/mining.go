package pmml

import (
	"math"
	"sort"
)

type segment struct {
	pred   pred
	weight float64
	model  *modelNode
	// tree is the segment's TreeModel when it has no Targets and no Output,
	// so that its leaf's score is the segment's result as it stands.
	tree  *tree
	remap []int // child class column → parent column; nil when identical
}

type mining struct {
	m        *modelNode
	segments []segment
	method   string
	skip     bool // missingPredictionTreatment="skipSegment"
	buf      int  // per-row scratch for probabilities
	sub      int  // per-row scratch for a segment's result
	summing  bool // sum, average or weightedAverage
	weighted bool // weightedAverage
	// hot mirrors segments with what the summing fast path reads, packed
	// so that a row's walk over the segments stays in cache.
	hot []hotSegment
}

type hotSegment struct {
	tree   *tree // nil: the segment takes the general path
	weight float64
	remap  []int
	always bool // the segment's predicate is <True/>
}

func (c *compiler) compileMining(e *elem, m *modelNode) error {
	if err := e.check(modelAttrs...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "Segmentation")...); err != nil {
		return err
	}
	se := e.kid("Segmentation")
	if se == nil {
		return e.invalid("MiningModel needs a <Segmentation>")
	}
	if err := se.check("multipleModelMethod", "missingPredictionTreatment"); err != nil {
		return err
	}
	if err := se.checkKids("Segment", "LocalTransformations"); err != nil {
		return err
	}
	mm := &mining{m: m, sub: c.prog.addResult()}
	var err error
	methods := []string{"sum", "average", "weightedAverage", "median", "max", "majorityVote", "weightedMajorityVote", "modelChain", "selectFirst"}
	if mm.method, err = se.oneOf("multipleModelMethod", "", methods...); err != nil {
		return err
	}
	treat, err := se.oneOf("missingPredictionTreatment", "returnMissing", "returnMissing", "skipSegment")
	if err != nil {
		return err
	}
	mm.skip = treat == "skipSegment"
	mm.summing = mm.method == "sum" || mm.method == "average" || mm.method == "weightedAverage"
	mm.weighted = mm.method == "weightedAverage"
	classification := m.fn == fnClassification
	switch {
	case classification && (mm.method == "sum" || mm.method == "median"):
		return se.unsupported("multipleModelMethod=%q applies to regression, the model is a classifier", mm.method)
	case !classification && (mm.method == "majorityVote" || mm.method == "weightedMajorityVote"):
		return se.unsupported("multipleModelMethod=%q applies to classification, the model is a regression", mm.method)
	}
	sc := m.scope
	if lt := se.kid("LocalTransformations"); lt != nil {
		sc = newScope(m.scope)
		if err := c.compileDerivedFields(lt.kids, sc); err != nil {
			return err
		}
	}
	for _, s := range se.kidsNamed("Segment") {
		if err := s.check("id", "weight"); err != nil {
			return err
		}
		seg := segment{}
		if seg.weight, err = s.float("weight", 1); err != nil {
			return err
		}
		var pe, me *elem
		for _, k := range s.kids {
			switch {
			case isPredicate(k.name):
				pe = k
			case me == nil:
				me = k
			default:
				return k.unsupported("<%s> after the segment's model is not supported", k.name)
			}
		}
		if pe == nil || me == nil {
			return s.invalid("<Segment> needs a predicate and a model")
		}
		if seg.pred, err = c.compilePredicate(pe, sc, m.f32); err != nil {
			return err
		}
		if seg.model, err = c.compileModel(me, sc, false); err != nil {
			return err
		}
		child := seg.model
		if mm.method != "modelChain" && mm.method != "selectFirst" && child.fn != m.fn {
			return me.unsupported("a %s segment inside a %s MiningModel with multipleModelMethod=%q is not supported",
				fnName(child.fn), fnName(m.fn), mm.method)
		}
		if mm.method == "modelChain" {
			// Later segments see this segment's output fields.
			chained := newScope(sc)
			for _, o := range child.outputs {
				chained.names[o.name] = o.slot
			}
			sc = chained
		}
		if t, ok := seg.model.impl.(*tree); ok && seg.model.targets == nil && len(seg.model.outputs) == 0 {
			seg.tree = t
		}
		mm.segments = append(mm.segments, seg)
	}
	if len(mm.segments) == 0 {
		return se.invalid("<Segmentation> has no segments")
	}
	if classification {
		for i := range mm.segments {
			s := &mm.segments[i]
			if s.model.fn != fnClassification {
				continue
			}
			s.remap = make([]int, len(s.model.classes))
			same := len(s.model.classes) == len(m.classes)
			for j, cl := range s.model.classes {
				s.remap[j] = m.classOf(cl)
				same = same && s.remap[j] == j
			}
			if same {
				s.remap = nil
			}
		}
		mm.buf = c.prog.addBuffer(0)
	}
	mm.hot = make([]hotSegment, len(mm.segments))
	for i, s := range mm.segments {
		mm.hot[i] = hotSegment{tree: s.tree, weight: s.weight, remap: s.remap, always: s.pred.op == pTrue}
		if !mm.summing {
			mm.hot[i].tree = nil
		}
	}
	m.impl = mm
	return nil
}

func fnName(f function) string {
	switch f {
	case fnClassification:
		return "classification"
	case fnClustering:
		return "clustering"
	case fnAssociation:
		return "associationRules"
	}
	return "regression"
}

func (mm *mining) eval(ctx *rowCtx, res *result) {
	m := mm.m
	var acc []float64
	if m.fn == fnClassification {
		acc = ctx.bufs[mm.buf]
		if len(acc) != len(m.classes) {
			acc = make([]float64, len(m.classes))
			ctx.bufs[mm.buf] = acc
		}
		clear(acc)
	}
	var sum, wsum float64
	var n int
	var values []float64 // median
	sub := &ctx.res[mm.sub]
	best, bestP := -1, math.Inf(-1)
	segments := mm.segments
	if es := ctx.sums; es != nil && es.mm == mm {
		// Summed over the batch already (see ensemble.go).
		segments = nil
		n, wsum = es.n, es.wsum
		if acc != nil {
			c := len(acc)
			copy(acc, es.probs[ctx.row*c:(ctx.row+1)*c])
		} else {
			sum = es.sums[ctx.row]
		}
	}
	for i := range segments {
		if h := &mm.hot[i]; h.tree != nil && h.always {
			// Fast path: add the leaf's score without building a result.
			if leaf := h.tree.fastLeaf(ctx.vals); leaf >= 0 {
				n++
				wsum += h.weight
				switch {
				case m.fn == fnClassification && mm.weighted:
					addProbs(acc, h.tree.leafProbs[leaf], h.remap, h.weight)
				case m.fn == fnClassification:
					addProbs(acc, h.tree.leafProbs[leaf], h.remap, 1)
				case mm.weighted:
					sum = round32(m.f32, sum+h.weight*h.tree.splits[leaf].num)
				default:
					sum = round32(m.f32, sum+h.tree.splits[leaf].num)
				}
				continue
			}
		}
		s := &mm.segments[i]
		if s.pred.op != pTrue && s.pred.eval(ctx) != tTrue {
			continue
		}
		s.model.evaluate(ctx, sub)
		switch mm.method {
		case "selectFirst":
			*res = *sub
			return
		case "modelChain":
			*res = *sub
			continue
		}
		if !sub.ok {
			if mm.skip {
				continue
			}
			*res = result{}
			return
		}
		n++
		wsum += s.weight
		switch mm.method {
		case "sum", "average":
			if m.fn == fnClassification {
				addProbs(acc, sub.probs, s.remap, 1)
			} else {
				sum = round32(m.f32, sum+sub.val)
			}
		case "weightedAverage":
			if m.fn == fnClassification {
				addProbs(acc, sub.probs, s.remap, s.weight)
			} else {
				sum = round32(m.f32, sum+s.weight*sub.val)
			}
		case "median":
			values = append(values, sub.val)
		case "max":
			if m.fn == fnClassification {
				for _, p := range sub.probs {
					if p > bestP {
						best, bestP = i, p
						clear(acc)
						addProbs(acc, sub.probs, s.remap, 1)
						*res = *sub
						res.probs = acc
					}
				}
			} else if sub.val > bestP {
				best, bestP = i, sub.val
				*res = *sub
			}
		case "majorityVote", "weightedMajorityVote":
			w := 1.0
			if mm.method == "weightedMajorityVote" {
				w = s.weight
			}
			if j, ok := m.classIndex[sub.label]; ok {
				acc[j] += w
			}
		}
	}
	if mm.method == "modelChain" || n == 0 {
		if n == 0 && mm.method != "modelChain" {
			*res = result{}
		}
		return
	}
	if mm.method == "max" {
		res.ok = best >= 0
		return
	}
	*res = result{ok: true}
	if m.fn == fnRegression {
		switch mm.method {
		case "sum":
			res.val = sum
		case "average":
			res.val = round32(m.f32, sum/float64(n))
		case "weightedAverage":
			res.val = round32(m.f32, sum/wsum)
		case "median":
			sort.Float64s(values)
			if k := len(values); k%2 == 1 {
				res.val = values[k/2]
			} else {
				res.val = round32(m.f32, (values[k/2-1]+values[k/2])/2)
			}
		}
		return
	}
	var div float64
	switch mm.method {
	case "average":
		div = float64(n)
	case "weightedAverage":
		div = wsum
	case "majorityVote", "weightedMajorityVote":
		for _, v := range acc {
			div += v
		}
	}
	if div > 0 {
		for i := range acc {
			acc[i] = round32(m.f32, acc[i]/div)
		}
	}
	res.probs = acc
	res.label = m.classes[argmax(acc)]
}

func addProbs(acc, probs []float64, remap []int, w float64) {
	if remap == nil {
		for i, p := range probs {
			if i < len(acc) {
				acc[i] += w * p
			}
		}
		return
	}
	for i, p := range probs {
		if i < len(remap) {
			acc[remap[i]] += w * p
		}
	}
}
