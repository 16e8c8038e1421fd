package pmml

import (
	"math"
	"slices"
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

// missingTreatment is the Segmentation's missingPredictionTreatment.
type missingTreatment uint8

const (
	returnMissing missingTreatment = iota
	skipSegment
	continueMissing // "continue": a missing vote is a vote; elsewhere as returnMissing
)

type mining struct {
	m        *modelNode
	segments []segment
	method   string
	treat    missingTreatment
	// threshold is missingThreshold: the largest share of the selected
	// segments' weight that may miss a prediction.
	threshold float64
	buf       int  // per-row scratch for probabilities
	vbuf      int  // per-row scratch for median, weightedMedian and max
	sub       int  // per-row scratch for a segment's result
	summing   bool // sum, weightedSum, average or weightedAverage
	weighted  bool // weightedSum or weightedAverage
	// hot mirrors segments with what the summing fast path reads, packed
	// so that a row's walk over the segments stays in cache.
	hot []hotSegment
	// flatCols are the input columns the flattened trees read: a row with
	// a NaN in one of them takes the general path (see ensemble.go).
	flatCols []int32
	rowMajor bool // walk the flat trees row by row (see sumRowMajor)
}

type hotSegment struct {
	tree   *tree     // nil: the segment takes the general path
	flat   *flatTree // tree compiled for the batch walk, when it can be
	weight float64
	remap  []int
	always bool // the segment's predicate is <True/>
}

// miningMethods are the multipleModelMethods implemented; PMML 4.3's
// x-weightedMedian and x-weightedSum are read as their PMML 4.4 names.
var miningMethods = []string{"sum", "weightedSum", "average", "weightedAverage", "median", "weightedMedian", "max",
	"majorityVote", "weightedMajorityVote", "modelChain", "selectFirst", "selectAll", "x-weightedMedian", "x-weightedSum"}

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
	if err := se.check("multipleModelMethod", "missingPredictionTreatment", "missingThreshold"); err != nil {
		return err
	}
	if err := se.checkKids("Segment", "LocalTransformations"); err != nil {
		return err
	}
	mm := &mining{m: m, sub: c.prog.addResult()}
	var err error
	if mm.method, err = se.oneOf("multipleModelMethod", "", miningMethods...); err != nil {
		return err
	}
	switch mm.method {
	case "x-weightedMedian", "x-weightedSum":
		mm.method = mm.method[len("x-"):]
	case "selectAll":
		return se.unsupported("multipleModelMethod=\"selectAll\" returns every segment's result rather than one prediction; it is not supported")
	}
	treat, err := se.oneOf("missingPredictionTreatment", "returnMissing", "returnMissing", "skipSegment", "continue")
	if err != nil {
		return err
	}
	mm.treat = map[string]missingTreatment{"returnMissing": returnMissing, "skipSegment": skipSegment, "continue": continueMissing}[treat]
	if mm.threshold, err = se.float("missingThreshold", 1); err != nil {
		return err
	}
	if !(mm.threshold >= 0 && mm.threshold <= 1) {
		return se.invalid("missingThreshold of <Segmentation> is %v, expected a number from 0 to 1", mm.threshold)
	}
	mm.summing = mm.method == "sum" || mm.method == "weightedSum" || mm.method == "average" || mm.method == "weightedAverage"
	mm.weighted = mm.method == "weightedAverage" || mm.method == "weightedSum"
	classification := m.fn == fnClassification
	switch {
	case classification && (mm.method == "sum" || mm.method == "weightedSum" || mm.method == "weightedMedian"):
		return se.unsupported("multipleModelMethod=%q applies to regression, the model is a classifier", mm.method)
	case !classification && (mm.method == "majorityVote" || mm.method == "weightedMajorityVote"):
		return se.unsupported("multipleModelMethod=%q applies to classification, the model is a regression", mm.method)
	}
	sc := m.scope
	if lt := se.kid("LocalTransformations"); lt != nil {
		if err := lt.check(); err != nil {
			return err
		}
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
		if !(seg.weight >= 0) || math.IsInf(seg.weight, 1) {
			return s.invalid("weight of <Segment> is %v, expected a finite number not below 0", seg.weight)
		}
		var pe, me *elem
		for _, k := range s.kids {
			switch {
			case k.name == "VariableWeight":
				return k.unsupported("<VariableWeight> of a <Segment> is not supported")
			case isPredicate(k.name) && pe == nil && me == nil:
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
		// The predicate sees the enclosing scope: the Segmentation's
		// LocalTransformations and, in a chain, earlier segments' outputs.
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
	if last := mm.segments[len(mm.segments)-1].model; mm.method == "modelChain" && last.fn != m.fn {
		return se.invalid("the last segment of a modelChain is a %s model, the MiningModel a %s", fnName(last.fn), fnName(m.fn))
	}
	if classification {
		for i := range mm.segments {
			s := &mm.segments[i]
			if s.model.fn != fnClassification {
				continue
			}
			if mm.method == "modelChain" && s.model.target != nil && m.target != nil && s.model.target != m.target {
				continue // an intermediate step of the chain predicts another field
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
	if !mm.summing {
		mm.vbuf = c.prog.addBuffer(2 * len(mm.segments))
	}
	mm.hot = make([]hotSegment, len(mm.segments))
	for i, s := range mm.segments {
		mm.hot[i] = hotSegment{tree: s.tree, weight: s.weight, remap: s.remap, always: s.pred.op == pTrue}
		if !mm.summing {
			mm.hot[i].tree = nil
		}
	}
	if err := c.exposeNestedOutputs(e, mm); err != nil {
		return err
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
	switch mm.method {
	case "selectFirst", "modelChain":
		mm.evalSelect(ctx, res)
	case "majorityVote", "weightedMajorityVote":
		mm.evalVote(ctx, res)
	case "median", "weightedMedian", "max":
		if mm.m.fn == fnClassification {
			mm.evalOrderedProbs(ctx, res)
		} else {
			mm.evalOrdered(ctx, res)
		}
	default:
		mm.evalSum(ctx, res)
	}
}

// probBuffer returns the row's scratch for n probabilities.
func (mm *mining) probBuffer(ctx *rowCtx, n int) []float64 {
	acc := ctx.bufs[mm.buf]
	if len(acc) != n {
		acc = make([]float64, n)
		ctx.bufs[mm.buf] = acc
	}
	clear(acc)
	return acc
}

// tooMuchMissing applies missingThreshold: the share of the selected
// segments' weight whose prediction was missing.
func (mm *mining) tooMuchMissing(missW, presentW float64) bool {
	if missW == 0 {
		return false
	}
	return missW/(missW+presentW) > mm.threshold
}

// evalSum sums or averages, plainly or weighted, the segments' values or
// probability distributions.
func (mm *mining) evalSum(ctx *rowCtx, res *result) {
	m := mm.m
	var acc []float64
	if m.fn == fnClassification {
		acc = mm.probBuffer(ctx, len(m.classes))
	}
	var sum, wsum, missW float64
	var n int
	sub := &ctx.res[mm.sub]
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
		if !sub.ok {
			if mm.treat != skipSegment {
				*res = result{}
				return
			}
			missW += s.weight
			continue
		}
		n++
		wsum += s.weight
		w := 1.0
		if mm.weighted {
			w = s.weight
		}
		if m.fn == fnClassification {
			addProbs(acc, sub.probs, s.remap, w)
		} else if mm.weighted {
			sum = round32(m.f32, sum+w*sub.val)
		} else {
			sum = round32(m.f32, sum+sub.val)
		}
	}
	if n == 0 || mm.tooMuchMissing(missW, wsum) {
		*res = result{}
		return
	}
	*res = result{ok: true}
	var div float64
	switch mm.method {
	case "average":
		div = float64(n)
	case "weightedAverage":
		div = wsum
	}
	if m.fn == fnRegression {
		res.val = sum
		if div != 0 {
			res.val = round32(m.f32, sum/div)
		} else if mm.method == "weightedAverage" {
			res.ok = false // every weight is 0
		}
		return
	}
	if div > 0 {
		for i := range acc {
			acc[i] = round32(m.f32, acc[i]/div)
		}
	}
	res.probs = acc
	res.label = m.classes[argmax(acc)]
}

// evalSelect returns the first selected segment's result (selectFirst) or
// the last one's (modelChain, whose earlier segments feed their Output
// fields to later ones).
func (mm *mining) evalSelect(ctx *rowCtx, res *result) {
	sub := &ctx.res[mm.sub]
	var last *segment
	for i := range mm.segments {
		s := &mm.segments[i]
		if s.pred.op != pTrue && s.pred.eval(ctx) != tTrue {
			continue
		}
		s.model.evaluate(ctx, sub)
		last = s
		if mm.method == "selectFirst" {
			break
		}
	}
	if last == nil || !sub.ok {
		*res = result{}
		return
	}
	*res = *sub
	if mm.m.fn == fnClassification && last.remap != nil {
		acc := mm.probBuffer(ctx, len(mm.m.classes))
		addProbs(acc, sub.probs, last.remap, 1)
		res.probs = acc
	}
}

// evalVote counts the segments' predicted classes, each segment's vote
// weighing 1 or its weight; the probabilities are the vote shares.
func (mm *mining) evalVote(ctx *rowCtx, res *result) {
	m := mm.m
	acc := mm.probBuffer(ctx, len(m.classes))
	sub := &ctx.res[mm.sub]
	var votes, missVotes, missW, presentW float64
	for i := range mm.segments {
		s := &mm.segments[i]
		if s.pred.op != pTrue && s.pred.eval(ctx) != tTrue {
			continue
		}
		s.model.evaluate(ctx, sub)
		w := 1.0
		if mm.method == "weightedMajorityVote" {
			w = s.weight
		}
		if !sub.ok {
			if mm.treat == returnMissing {
				*res = result{}
				return
			}
			missW += s.weight
			if mm.treat == continueMissing {
				missVotes += w // the missing result is a vote of its own
			}
			continue
		}
		presentW += s.weight
		if j, ok := m.classIndex[sub.label]; ok {
			acc[j] += w
			votes += w
		}
	}
	best := argmax(acc)
	if best < 0 || votes == 0 && missVotes == 0 || mm.tooMuchMissing(missW, presentW) {
		*res = result{}
		return
	}
	if missVotes > acc[best] {
		*res = result{} // the missing result won the vote
		return
	}
	if votes > 0 {
		for i := range acc {
			acc[i] = round32(m.f32, acc[i]/votes)
		}
	}
	*res = result{ok: true, probs: acc, label: m.classes[best]}
}

// scoreSegments scores the segments whose predicate holds, in order, and
// hands each prediction to use. A segment without one is skipped under
// skipSegment (its weight counted in missW); under any other treatment the
// row has no prediction and ok is false.
func (mm *mining) scoreSegments(ctx *rowCtx, use func(s *segment, sub *result)) (missW, presentW float64, ok bool) {
	sub := &ctx.res[mm.sub]
	for i := range mm.segments {
		s := &mm.segments[i]
		if s.pred.op != pTrue && s.pred.eval(ctx) != tTrue {
			continue
		}
		s.model.evaluate(ctx, sub)
		if !sub.ok {
			if mm.treat != skipSegment {
				return 0, 0, false
			}
			missW += s.weight
			continue
		}
		presentW += s.weight
		use(s, sub)
	}
	return missW, presentW, true
}

// evalOrdered computes a regression's median, weightedMedian or max.
func (mm *mining) evalOrdered(ctx *rowCtx, res *result) {
	m := mm.m
	buf := ctx.bufs[mm.vbuf]
	k := len(mm.segments)
	values, weights := buf[:0:k], buf[k:k]
	missW, presentW, ok := mm.scoreSegments(ctx, func(s *segment, sub *result) {
		values = append(values, sub.val)
		weights = append(weights, s.weight)
	})
	if !ok || len(values) == 0 || mm.tooMuchMissing(missW, presentW) {
		*res = result{}
		return
	}
	*res = result{ok: true}
	switch mm.method {
	case "max":
		res.val = slices.Max(values)
	case "median":
		slices.Sort(values)
		if n := len(values); n%2 == 1 {
			res.val = values[n/2]
		} else {
			res.val = round32(m.f32, (values[n/2-1]+values[n/2])/2)
		}
	case "weightedMedian":
		res.val = weightedMedian(values, weights)
	}
}

// weightedMedian sorts the values (with their weights) and returns the first
// whose cumulative weight reaches half the total, as JPMML does; values and
// weights are reordered.
func weightedMedian(values, weights []float64) float64 {
	// Insertion sort: segments are few, and this allocates nothing.
	for i := 1; i < len(values); i++ {
		for j := i; j > 0 && values[j] < values[j-1]; j-- {
			values[j], values[j-1] = values[j-1], values[j]
			weights[j], weights[j-1] = weights[j-1], weights[j]
		}
	}
	var total float64
	for _, w := range weights {
		total += w
	}
	var cum float64
	for i, w := range weights {
		cum += w
		if cum >= total/2 {
			return values[i]
		}
	}
	return values[len(values)-1]
}

// evalOrderedProbs computes a classification's median or max, as JPMML
// does: per class the median (or max) of the segments' probabilities; the
// class where that is highest wins, and the result is the average of the
// distributions of the segments whose probability for the winner is
// closest to that median (or equal to that max).
func (mm *mining) evalOrderedProbs(ctx *rowCtx, res *result) {
	m := mm.m
	c := len(m.classes)
	k := len(mm.segments)
	need := k*c + k + c
	buf := ctx.bufs[mm.vbuf]
	if len(buf) < need {
		buf = make([]float64, need)
		ctx.bufs[mm.vbuf] = buf
	}
	rows, col, stat := buf[:k*c], buf[k*c:k*c+k], buf[k*c+k:need]
	n := 0
	missW, presentW, ok := mm.scoreSegments(ctx, func(s *segment, sub *result) {
		row := rows[n*c : (n+1)*c]
		clear(row)
		addProbs(row, sub.probs, s.remap, 1)
		n++
	})
	if !ok || n == 0 || mm.tooMuchMissing(missW, presentW) {
		*res = result{}
		return
	}
	for j := 0; j < c; j++ {
		for r := 0; r < n; r++ {
			col[r] = rows[r*c+j]
		}
		vals := col[:n]
		if mm.method == "max" {
			stat[j] = slices.Max(vals)
			continue
		}
		slices.Sort(vals)
		if n%2 == 1 {
			stat[j] = vals[n/2]
		} else {
			stat[j] = (vals[n/2-1] + vals[n/2]) / 2
		}
	}
	win := argmax(stat)
	if win < 0 {
		*res = result{}
		return
	}
	closest := math.Inf(1)
	for r := 0; r < n; r++ {
		closest = math.Min(closest, math.Abs(rows[r*c+win]-stat[win]))
	}
	acc := mm.probBuffer(ctx, c)
	contributors := 0
	for r := 0; r < n; r++ {
		if math.Abs(rows[r*c+win]-stat[win]) == closest {
			contributors++
			for j := 0; j < c; j++ {
				acc[j] += rows[r*c+j]
			}
		}
	}
	for j := range acc {
		acc[j] = round32(m.f32, acc[j]/float64(contributors))
	}
	*res = result{ok: true, probs: acc, label: m.classes[argmax(acc)]}
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

// exposeNestedOutputs makes the Output fields of the segments whose result
// may become the MiningModel's own (selectFirst: up to the first segment
// under <True/>; modelChain: from the last one under <True/>) Output fields
// of the MiningModel as well, as JPMML does, so that a chain's final
// probabilities or decision function reach the caller. A name declared by
// the MiningModel's own Output, a field or a conventional output is left
// alone. When several segments declare the name, the value is the selected
// segment's: the first present one (selectFirst) or the last (modelChain).
func (c *compiler) exposeNestedOutputs(e *elem, mm *mining) error {
	var active []segment
	switch mm.method {
	case "selectFirst":
		active = mm.segments
		for i, s := range mm.segments {
			if s.pred.op == pTrue {
				active = mm.segments[:i+1]
				break
			}
		}
	case "modelChain":
		active = mm.segments
		for i := len(mm.segments) - 1; i >= 0; i-- {
			if mm.segments[i].pred.op == pTrue {
				active = mm.segments[i:]
				break
			}
		}
	default:
		return nil
	}
	own := map[string]bool{outLabel: true, outPrediction: true, outProbabilities: true, outCluster: true}
	if oe := e.kid("Output"); oe != nil {
		for _, k := range oe.kidsNamed("OutputField") {
			own[k.attrOr("name", "")] = true
		}
	}
	m := mm.m
	var order []string
	nested := map[string][]*outputField{}
	for _, s := range active {
		for _, o := range s.model.outputs {
			if _, declared := m.scope.lookup(o.name); declared || own[o.name] {
				continue
			}
			if nested[o.name] == nil {
				order = append(order, o.name)
			}
			nested[o.name] = append(nested[o.name], o)
		}
	}
	for _, name := range order {
		from := nested[name]
		slots := make([]int32, len(from))
		for i, o := range from {
			slots[i] = o.slot
		}
		if mm.method == "modelChain" {
			slices.Reverse(slots) // the last segment that set it wins
		}
		first := from[0]
		read := func(ctx *rowCtx) value {
			for _, s := range slots {
				if v := ctx.get(s); v.k != kMissing {
					return v
				}
			}
			return missing
		}
		o := &outputField{name: name, feature: "transformedValue", dtype: first.dtype, dt: first.dt,
			expr: expr{eval: read, dt: first.dt}}
		o.slot = c.prog.addSlot(name, o.dt, nil)
		m.scope.names[name] = o.slot
		m.outputs = append(m.outputs, o)
	}
	return nil
}
