package pmml

import "strconv"

func init() { modelCompilers["RuleSetModel"] = (*compiler).compileRuleSet }

// simpleRule is a compiled <SimpleRule>; path holds its predicate and those
// of the CompoundRules around it, outermost first, all of which must hold
// for it to fire.
type simpleRule struct {
	path       []pred
	id         string
	class      int
	confidence float64
	weight     float64
	dist       []classProb // its ScoreDistribution; nil when it has none
}

// classProb is one class's probability of a ScoreDistribution.
type classProb struct {
	class int
	p     float64
}

// ruleSet is a compiled RuleSetModel. A row's buffer holds the simple rules
// that fired (ranked: in document order for firstHit, by weight for
// weightedMax), their count, the winner's confidence and the winning rule.
type ruleSet struct {
	m                 *modelNode
	method            string // firstHit, weightedSum, weightedMax
	rules             []simpleRule
	defaultClass      int // -1 without a defaultScore
	defaultConfidence float64
	defaultDist       []classProb
	buf, probs        int
}

func (c *compiler) compileRuleSet(e *elem, m *modelNode) error {
	if err := e.check(modelAttrs...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "RuleSet")...); err != nil {
		return err
	}
	if m.fn != fnClassification {
		return e.unsupported("functionName=%q of RuleSetModel is not supported (classification is)", fnName(m.fn))
	}
	re := e.kid("RuleSet")
	if re == nil {
		return e.invalid("RuleSetModel needs a <RuleSet>")
	}
	if err := re.check("recordCount", "nbCorrect", "defaultScore", "defaultConfidence"); err != nil {
		return err
	}
	if err := re.checkKids("RuleSelectionMethod", "ScoreDistribution", "SimpleRule", "CompoundRule"); err != nil {
		return err
	}
	rs := &ruleSet{m: m, defaultClass: -1}
	sel := re.kid("RuleSelectionMethod")
	if sel == nil {
		return re.invalid("<RuleSet> needs a <RuleSelectionMethod>")
	}
	if err := sel.check("criterion"); err != nil {
		return err
	}
	if err := sel.checkKids(); err != nil {
		return err
	}
	// The first RuleSelectionMethod is the one used; the others are
	// alternatives the producer lists.
	var err error
	if rs.method, err = sel.oneOf("criterion", "", "firstHit", "weightedSum", "weightedMax"); err != nil {
		return err
	}
	if d, ok := re.attr("defaultScore"); ok {
		rs.defaultClass = m.classOf(d)
	}
	if rs.defaultConfidence, err = re.float("defaultConfidence", 0); err != nil {
		return err
	}
	if rs.defaultDist, err = compileRuleDistribution(re, m); err != nil {
		return err
	}
	for _, k := range re.kids {
		if k.name == "SimpleRule" || k.name == "CompoundRule" {
			if err := c.compileRule(k, rs, nil); err != nil {
				return err
			}
		}
	}
	rs.buf = c.prog.addBuffer(len(rs.rules) + 3)
	rs.probs = c.prog.addBuffer(0)
	m.impl = rs
	return nil
}

// compileRule adds the simple rules under e, each with the predicates of
// the compound rules above it.
func (c *compiler) compileRule(e *elem, rs *ruleSet, path []pred) error {
	m := rs.m
	pe := findPredicate(e)
	if pe == nil {
		return e.invalid("<%s> needs a predicate", e.name)
	}
	p, err := c.compilePredicate(pe, m.scope, m.f32)
	if err != nil {
		return err
	}
	path = append(path[:len(path):len(path)], p)
	if e.name == "CompoundRule" {
		if err := e.check(); err != nil {
			return err
		}
		n := 0
		for _, k := range e.kids {
			switch {
			case k == pe:
			case k.name == "SimpleRule" || k.name == "CompoundRule":
				n++
				if err := c.compileRule(k, rs, path); err != nil {
					return err
				}
			default:
				return k.unsupported("<%s> inside <CompoundRule> is not supported", k.name)
			}
		}
		if n == 0 {
			return e.invalid("<CompoundRule> needs a rule")
		}
		return nil
	}
	if err := e.check("id", "score", "recordCount", "nbCorrect", "confidence", "weight"); err != nil {
		return err
	}
	for _, k := range e.kids {
		if k != pe && k.name != "ScoreDistribution" {
			return k.unsupported("<%s> inside <SimpleRule> is not supported", k.name)
		}
	}
	r := simpleRule{path: path, id: e.attrOr("id", strconv.Itoa(len(rs.rules)+1))}
	score, err := e.need("score")
	if err != nil {
		return err
	}
	r.class = m.classOf(score)
	if r.confidence, err = e.float("confidence", 1); err != nil {
		return err
	}
	if r.weight, err = e.float("weight", 1); err != nil {
		return err
	}
	if r.dist, err = compileRuleDistribution(e, m); err != nil {
		return err
	}
	rs.rules = append(rs.rules, r)
	return nil
}

// compileRuleDistribution reads the ScoreDistributions of a rule or rule
// set: their probability attributes when every one has one, else their
// record counts over the total.
func compileRuleDistribution(e *elem, m *modelNode) ([]classProb, error) {
	dists := e.kidsNamed("ScoreDistribution")
	if len(dists) == 0 {
		return nil, nil
	}
	var out []classProb
	var total float64
	allProbs := true
	for _, d := range dists {
		if err := d.check("value", "recordCount", "confidence", "probability"); err != nil {
			return nil, err
		}
		if err := d.checkKids(); err != nil {
			return nil, err
		}
		v, err := d.need("value")
		if err != nil {
			return nil, err
		}
		rc, err := d.float("recordCount", 0)
		if err != nil {
			return nil, err
		}
		total += rc
		_, has := d.attr("probability")
		allProbs = allProbs && has
		out = append(out, classProb{class: m.classOf(v), p: rc})
	}
	for i, d := range dists {
		switch {
		case allProbs:
			p, err := d.float("probability", 0)
			if err != nil {
				return nil, err
			}
			out[i].p = p
		case total > 0:
			out[i].p /= total
		default:
			return nil, d.invalid("<ScoreDistribution> needs a probability or a positive recordCount")
		}
	}
	return out, nil
}

func (r *simpleRule) fires(ctx *rowCtx) bool {
	for i := range r.path {
		if r.path[i].eval(ctx) != tTrue {
			return false
		}
	}
	return true
}

// eval selects the winning rule: the first that fires (firstHit), the
// fired rule of highest weight, the first on a tie (weightedMax), or the
// score whose fired rules weigh most in sum, the first class on a tie
// (weightedSum). Probabilities are the winner's ScoreDistribution, or its
// confidence for its score; for weightedSum each score's summed weight
// over the number of rules fired, which is the winner's confidence.
func (rs *ruleSet) eval(ctx *rowCtx, res *result) {
	m := rs.m
	buf := ctx.bufs[rs.buf]
	n := len(rs.rules)
	fired := buf[:0]
	for i := range rs.rules {
		if rs.rules[i].fires(ctx) {
			fired = append(fired, float64(i)) // all of them, for rank > 1
		}
	}
	buf[n] = float64(len(fired))
	buf[n+2] = -1
	probs := ctx.bufs[rs.probs]
	if len(probs) != len(m.classes) {
		probs = make([]float64, len(m.classes))
		ctx.bufs[rs.probs] = probs
	}
	clear(probs)
	if len(fired) == 0 {
		if rs.defaultClass < 0 {
			return
		}
		buf[n+1] = rs.defaultConfidence
		rs.fill(probs, rs.defaultDist, rs.defaultClass, rs.defaultConfidence)
		res.ok, res.label, res.probs = true, m.classes[rs.defaultClass], probs
		return
	}
	if rs.method == "weightedMax" {
		for i := 1; i < len(fired); i++ { // insertion sort: stable, no allocation
			for j := i; j > 0 && rs.rules[int(fired[j])].weight > rs.rules[int(fired[j-1])].weight; j-- {
				fired[j], fired[j-1] = fired[j-1], fired[j]
			}
		}
	}
	if rs.method == "weightedSum" {
		for _, f := range fired {
			r := &rs.rules[int(f)]
			probs[r.class] += r.weight
		}
		for i := range probs {
			probs[i] = round32(m.f32, probs[i]/float64(len(fired)))
		}
		best := argmax(probs)
		winner := -1
		for _, f := range fired {
			if r := &rs.rules[int(f)]; r.class == best && (winner < 0 || r.weight > rs.rules[winner].weight) {
				winner = int(f)
			}
		}
		buf[n+1], buf[n+2] = probs[best], float64(winner)
		res.ok, res.label, res.probs = true, m.classes[best], probs
		return
	}
	r := &rs.rules[int(fired[0])]
	buf[n+1], buf[n+2] = r.confidence, fired[0]
	rs.fill(probs, r.dist, r.class, r.confidence)
	res.ok, res.label, res.probs = true, m.classes[r.class], probs
}

func (rs *ruleSet) fill(probs []float64, dist []classProb, class int, confidence float64) {
	if dist == nil {
		probs[class] = confidence
		return
	}
	for _, d := range dist {
		probs[d.class] = d.p
	}
}

// compileFeature provides entityId (the winning rule's id, or the rank-th
// fired rule's), confidence, and ruleValue with ruleFeature ruleId,
// confidence or consequent.
func (rs *ruleSet) compileFeature(k *elem, o *outputField) (bool, error) {
	n := len(rs.rules)
	switch o.feature {
	case "confidence":
		if o.rank != 1 {
			return false, k.unsupported("rank=\"%d\" of output field %q (confidence) is not supported", o.rank, o.name)
		}
		o.dt = dtDouble
		o.fromModel = func(ctx *rowCtx, res *result) value { return num(ctx.bufs[rs.buf][n+1]) }
		return true, nil
	case "entityId", "ruleValue":
	default:
		return false, nil
	}
	feature := "ruleId"
	if o.feature == "ruleValue" {
		var err error
		if feature, err = k.oneOf("ruleFeature", "consequent", "ruleId", "confidence", "consequent"); err != nil {
			return false, err
		}
	} else if o.ruleFeature != "" {
		return false, k.unsupported("ruleFeature=%q of output field %q (entityId) is not supported", o.ruleFeature, o.name)
	}
	if o.rank != 1 && rs.method == "weightedSum" {
		return false, k.unsupported("rank=\"%d\" of output field %q is not supported with weightedSum rule selection", o.rank, o.name)
	}
	o.dt = dtString
	if feature == "confidence" {
		o.dt = dtDouble
	}
	rank := o.rank
	m := rs.m
	o.fromModel = func(ctx *rowCtx, res *result) value {
		buf := ctx.bufs[rs.buf]
		i := int(buf[n+2])
		if rank > 1 {
			i = -1
			if rank <= int(buf[n]) {
				i = int(buf[rank-1])
			}
		}
		if i < 0 {
			return missing
		}
		r := &rs.rules[i]
		switch feature {
		case "confidence":
			return num(r.confidence)
		case "consequent":
			return str(m.classes[r.class])
		}
		return str(r.id)
	}
	return true, nil
}
