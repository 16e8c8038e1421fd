package pmml

import "math"

func init() { modelCompilers["Scorecard"] = (*compiler).compileScorecard }

// scorecardAttribute is one compiled <Attribute> of a Characteristic.
type scorecardAttribute struct {
	pred    pred
	partial float64
	complex *expr // ComplexPartialScore, when the score is computed
	code    int   // index into scorecard.codes, -1 without reason codes
}

// characteristic is one compiled <Characteristic>: its attributes in
// document order (the first one that holds scores) and its baseline.
type characteristic struct {
	attrs    []scorecardAttribute
	baseline float64
}

// scorecard is a compiled Scorecard: the score is the initial score plus
// one partial score per characteristic. With reason codes, a row's buffer
// holds the points of each reason code (NaN when it did not contribute),
// then the codes in ranked order, then how many are ranked.
type scorecard struct {
	m           *modelNode
	initial     float64
	chars       []characteristic
	reasons     bool
	pointsAbove bool
	codes       []string
	buf         int
}

func (c *compiler) compileScorecard(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "initialScore", "useReasonCodes", "reasonCodeAlgorithm", "baselineScore", "baselineMethod")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "Characteristics")...); err != nil {
		return err
	}
	if m.fn != fnRegression {
		return e.unsupported("functionName=%q of Scorecard is not supported (regression is)", fnName(m.fn))
	}
	sc := &scorecard{m: m}
	var err error
	if sc.initial, err = e.float("initialScore", 0); err != nil {
		return err
	}
	use, err := e.oneOf("useReasonCodes", "true", "true", "false")
	if err != nil {
		return err
	}
	sc.reasons = use == "true"
	algo, err := e.oneOf("reasonCodeAlgorithm", "pointsBelow", "pointsBelow", "pointsAbove")
	if err != nil {
		return err
	}
	sc.pointsAbove = algo == "pointsAbove"
	// baselineMethod only documents how the baselines were chosen.
	if _, err := e.oneOf("baselineMethod", "other", "max", "min", "mean", "neutral", "other"); err != nil {
		return err
	}
	baseline, err := e.float("baselineScore", math.NaN())
	if err != nil {
		return err
	}
	ce := e.kid("Characteristics")
	if ce == nil {
		return e.invalid("Scorecard needs <Characteristics>")
	}
	if err := ce.check(); err != nil {
		return err
	}
	if err := ce.checkKids("Characteristic"); err != nil {
		return err
	}
	codeIndex := map[string]int{}
	codeOf := func(code string) int {
		if i, ok := codeIndex[code]; ok {
			return i
		}
		sc.codes = append(sc.codes, code)
		codeIndex[code] = len(sc.codes) - 1
		return len(sc.codes) - 1
	}
	for _, ch := range ce.kids {
		if err := ch.check("name", "reasonCode", "baselineScore"); err != nil {
			return err
		}
		if err := ch.checkKids("Attribute"); err != nil {
			return err
		}
		char := characteristic{}
		if char.baseline, err = ch.float("baselineScore", baseline); err != nil {
			return err
		}
		if sc.reasons && math.IsNaN(char.baseline) {
			return ch.invalid("<Characteristic> needs a baselineScore when useReasonCodes is true and the Scorecard has none")
		}
		charCode, hasCharCode := ch.attr("reasonCode")
		for _, ae := range ch.kids {
			a, err := c.compileScorecardAttribute(ae, m)
			if err != nil {
				return err
			}
			if sc.reasons {
				code, ok := ae.attr("reasonCode")
				if !ok && !hasCharCode {
					return ae.invalid("<Attribute> needs a reasonCode, on itself or its Characteristic, when useReasonCodes is true")
				}
				if !ok {
					code = charCode
				}
				a.code = codeOf(code)
			}
			char.attrs = append(char.attrs, a)
		}
		if len(char.attrs) == 0 {
			return ch.invalid("<Characteristic> needs an <Attribute>")
		}
		sc.chars = append(sc.chars, char)
	}
	if len(sc.chars) == 0 {
		return ce.invalid("<Characteristics> needs a <Characteristic>")
	}
	if sc.reasons {
		sc.buf = c.prog.addBuffer(2*len(sc.codes) + 1)
	}
	m.impl = sc
	return nil
}

func (c *compiler) compileScorecardAttribute(ae *elem, m *modelNode) (scorecardAttribute, error) {
	a := scorecardAttribute{code: -1}
	if err := ae.check("reasonCode", "partialScore"); err != nil {
		return a, err
	}
	pe := findPredicate(ae)
	if pe == nil {
		return a, ae.invalid("<Attribute> needs a predicate")
	}
	for _, k := range ae.kids {
		switch {
		case k == pe:
		case k.name == "ComplexPartialScore" && a.complex == nil:
			if err := k.check(); err != nil {
				return a, err
			}
			if len(k.kids) != 1 {
				return a, k.invalid("<ComplexPartialScore> needs one expression")
			}
			x, err := c.compileExpr(k.kids[0], m.scope)
			if err != nil {
				return a, err
			}
			a.complex = &x
		default:
			return a, k.unsupported("<%s> inside <Attribute> is not supported", k.name)
		}
	}
	var err error
	if a.pred, err = c.compilePredicate(pe, m.scope, m.f32); err != nil {
		return a, err
	}
	if _, ok := ae.attr("partialScore"); !ok && a.complex == nil {
		return a, ae.invalid("<Attribute> needs a partialScore or a <ComplexPartialScore>")
	}
	if a.partial, err = ae.float("partialScore", 0); err != nil {
		return a, err
	}
	return a, nil
}

// eval adds the first matching attribute's partial score of every
// characteristic. A characteristic without a matching attribute, or a
// ComplexPartialScore without a number, leaves the row without a score.
func (sc *scorecard) eval(ctx *rowCtx, res *result) {
	var points, order []float64
	if sc.reasons {
		buf := ctx.bufs[sc.buf]
		n := len(sc.codes)
		points, order = buf[:n], buf[n:2*n]
		for i := range points {
			points[i] = math.NaN()
		}
		buf[2*n] = 0
	}
	score := sc.initial
	seen := 0
	for i := range sc.chars {
		ch := &sc.chars[i]
		var a *scorecardAttribute
		for j := range ch.attrs {
			if ch.attrs[j].pred.eval(ctx) == tTrue {
				a = &ch.attrs[j]
				break
			}
		}
		if a == nil {
			return
		}
		partial := a.partial
		if a.complex != nil {
			v, ok := a.complex.eval(ctx).number()
			if !ok {
				return
			}
			partial = round32(sc.m.f32, v)
		}
		score = round32(sc.m.f32, score+partial)
		if points == nil {
			continue
		}
		diff := ch.baseline - partial
		if sc.pointsAbove {
			diff = partial - ch.baseline
		}
		if math.IsNaN(points[a.code]) {
			points[a.code] = diff
			order[seen] = float64(a.code)
			seen++
		} else {
			points[a.code] += diff // a reason code shared by characteristics sums
		}
	}
	if points != nil {
		sc.rank(points, order[:seen], ctx.bufs[sc.buf])
	}
	res.ok, res.val = true, score
}

// rank sorts the codes by points, highest first, keeping the order in
// which the characteristics named them on a tie, and drops the codes with
// negative points (the attribute scored better than the baseline).
func (sc *scorecard) rank(points, order, buf []float64) {
	kept := 0
	for _, f := range order {
		if points[int(f)] >= 0 {
			order[kept] = f
			kept++
		}
	}
	order = order[:kept]
	for i := 1; i < len(order); i++ { // insertion sort: stable, no allocation
		for j := i; j > 0 && points[int(order[j])] > points[int(order[j-1])]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	buf[len(buf)-1] = float64(kept)
}

// compileFeature provides feature="reasonCode": the rank-th reason code.
func (sc *scorecard) compileFeature(k *elem, o *outputField) (bool, error) {
	if o.feature != "reasonCode" {
		return false, nil
	}
	if !sc.reasons {
		return false, k.invalid("output field %q asks for a reason code, but the Scorecard has useReasonCodes=\"false\"", o.name)
	}
	o.dt = dtString
	n, rank := len(sc.codes), o.rank
	o.fromModel = func(ctx *rowCtx, res *result) value {
		buf := ctx.bufs[sc.buf]
		if rank > int(buf[2*n]) {
			return missing
		}
		return str(sc.codes[int(buf[n+rank-1])])
	}
	return true, nil
}
