package pmml

import "math"

// ppTerm is one PPCell: a factor level indicator or a covariate power.
type ppTerm struct {
	slot     int32
	factor   bool
	level    string  // factor: the level, as tableKey text
	exponent float64 // covariate
	contrast *contrast
	col      int // contrast: the column of the PPCell's category
}

// grmCategory is one target category's coefficients over the parameters.
type grmCategory struct {
	class int
	betas []float64
	// params, when set, are the category's own PPCells (PPCell
	// targetCategory), in place of the model's shared ones.
	params [][]ppTerm
}

// generalRegression is a compiled GeneralRegressionModel (no Cox).
type generalRegression struct {
	m          *modelNode
	modelType  string
	link       string
	linkParam  float64
	distParam  float64
	cumulative string
	params     [][]ppTerm // per parameter: the product of its cells
	cats       []grmCategory
	reference  int // classification: the class without coefficients; -1 for ordinal
	offsetSlot int32
	offset     float64
	hasOffset  bool
	trialsSlot int32
	trials     float64
	hasTrials  bool
	cox        *coxModel // modelType="CoxRegression"
	buf        int
}

func (c *compiler) compileGeneralRegression(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "modelType", "targetVariableName", "targetReferenceCategory", "cumulativeLink",
		"linkFunction", "linkParameter", "trialsVariable", "trialsValue", "distribution", "distParameter",
		"offsetVariable", "offsetValue", "modelDF", "endTimeVariable", "startTimeVariable", "subjectIDVariable",
		"statusVariable", "baselineStrataVariable")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "ParameterList", "FactorList", "CovariateList", "PPMatrix", "PCovMatrix",
		"ParamMatrix", "EventValues", "BaseCumHazardTables")...); err != nil {
		return err
	}
	g := &generalRegression{m: m, reference: -1, offsetSlot: -1, trialsSlot: -1}
	var err error
	if g.modelType, err = e.oneOf("modelType", "", "regression", "generalLinear", "multinomialLogistic",
		"ordinalMultinomial", "generalizedLinear", "CoxRegression"); err != nil {
		return err
	}
	if g.modelType == "" {
		return e.invalid("GeneralRegressionModel needs a modelType")
	}
	if g.link, err = e.oneOf("linkFunction", "", "", "cloglog", "identity", "log", "logc", "logit", "loglog",
		"negbin", "oddspower", "power", "probit", "cauchit"); err != nil {
		return err
	}
	if g.modelType == "generalizedLinear" && g.link == "" {
		return e.invalid("a generalizedLinear GeneralRegressionModel needs a linkFunction")
	}
	if g.linkParam, err = e.float("linkParameter", 1); err != nil {
		return err
	}
	if g.distParam, err = e.float("distParameter", 0); err != nil {
		return err
	}
	if g.cumulative, err = e.oneOf("cumulativeLink", "", "", "logit", "probit", "cloglog", "loglog", "cauchit"); err != nil {
		return err
	}
	if g.modelType == "ordinalMultinomial" && g.cumulative == "" {
		return e.invalid("an ordinalMultinomial GeneralRegressionModel needs a cumulativeLink")
	}
	if g.modelType != "CoxRegression" {
		for _, k := range []string{"EventValues", "BaseCumHazardTables"} {
			if x := e.kid(k); x != nil {
				return x.invalid("<%s> belongs to a CoxRegression, not modelType=%q", k, g.modelType)
			}
		}
	}
	if _, ok := e.attr("offsetVariable"); ok {
		if g.offsetSlot, err = c.fieldSlot(e, "offsetVariable", m.scope); err != nil {
			return err
		}
	}
	if g.offset, err = e.float("offsetValue", 0); err != nil {
		return err
	}
	if _, ok := e.attr("trialsVariable"); ok {
		if g.trialsSlot, err = c.fieldSlot(e, "trialsVariable", m.scope); err != nil {
			return err
		}
	}
	if _, ok := e.attr("trialsValue"); ok {
		g.hasTrials = true
		if g.trials, err = e.float("trialsValue", 1); err != nil {
			return err
		}
	}
	classify := m.fn == fnClassification
	switch g.modelType {
	case "multinomialLogistic", "ordinalMultinomial":
		if !classify {
			return e.invalid("modelType=%q needs functionName=\"classification\"", g.modelType)
		}
	case "regression", "generalLinear", "CoxRegression":
		if classify {
			return e.unsupported("modelType=%q with functionName=\"classification\" is not supported", g.modelType)
		}
	}

	// Parameters, in declaration order.
	pl := e.kid("ParameterList")
	if pl == nil {
		return e.invalid("GeneralRegressionModel needs a <ParameterList>")
	}
	if err := pl.check(); err != nil {
		return err
	}
	if err := pl.checkKids("Parameter"); err != nil {
		return err
	}
	paramIndex := map[string]int{}
	var refPoints []float64
	for _, p := range pl.kids {
		if err := p.check("name", "label", "referencePoint"); err != nil {
			return err
		}
		rp, err := p.float("referencePoint", 0)
		if err != nil {
			return err
		}
		if rp != 0 && g.modelType != "CoxRegression" {
			return p.unsupported("referencePoint of <Parameter> outside a CoxRegression is not supported")
		}
		refPoints = append(refPoints, rp)
		name, err := p.need("name")
		if err != nil {
			return err
		}
		if _, dup := paramIndex[name]; dup {
			return p.invalid("parameter %q is declared twice", name)
		}
		paramIndex[name] = len(paramIndex)
	}
	g.params = make([][]ppTerm, len(paramIndex))

	// Predictors: factors compare levels, covariates are numbers.
	isFactor := map[string]bool{}
	contrasts := map[string]*contrast{}
	for _, list := range []string{"FactorList", "CovariateList"} {
		l := e.kid(list)
		if l == nil {
			continue
		}
		if err := l.check(); err != nil {
			return err
		}
		if err := l.checkKids("Predictor"); err != nil {
			return err
		}
		for _, p := range l.kids {
			if err := p.check("name", "contrastMatrixType"); err != nil {
				return err
			}
			name, err := p.need("name")
			if err != nil {
				return err
			}
			if list == "FactorList" {
				if contrasts[name], err = compileContrast(p); err != nil {
					return err
				}
			} else if _, ok := p.attr("contrastMatrixType"); ok {
				return p.invalid("contrastMatrixType of covariate %q: contrasts code factors", name)
			} else if len(p.kids) > 0 {
				return p.kids[0].unsupported("<%s> inside a covariate <Predictor> is not supported", p.kids[0].name)
			}
			if _, ok := m.scope.lookup(name); !ok {
				return p.invalid("predictor %q is not a declared field", name)
			}
			isFactor[name] = list == "FactorList"
		}
	}
	var ownParams map[string][][]ppTerm // PPCells per targetCategory
	sharedCells := false
	if pp := e.kid("PPMatrix"); pp != nil {
		if err := pp.check(); err != nil {
			return err
		}
		if err := pp.checkKids("PPCell"); err != nil {
			return err
		}
		for _, cell := range pp.kids {
			if err := cell.check("value", "predictorName", "parameterName", "targetCategory"); err != nil {
				return err
			}
			tc, perCategory := cell.attr("targetCategory")
			if perCategory && !classify {
				return cell.invalid("targetCategory of <PPCell> applies to classification, the model is a regression")
			}
			pn, err := cell.need("parameterName")
			if err != nil {
				return err
			}
			pi, ok := paramIndex[pn]
			if !ok {
				return cell.invalid("<PPCell> names parameter %q, which is not in the ParameterList", pn)
			}
			pred, err := cell.need("predictorName")
			if err != nil {
				return err
			}
			factor, ok := isFactor[pred]
			if !ok {
				return cell.invalid("<PPCell> names predictor %q, which is in neither FactorList nor CovariateList", pred)
			}
			slot, err := c.fieldSlot(cell, "predictorName", m.scope)
			if err != nil {
				return err
			}
			v, err := cell.need("value")
			if err != nil {
				return err
			}
			t := ppTerm{slot: slot, factor: factor, level: tableKey(v), contrast: contrasts[pred]}
			if t.contrast != nil {
				if t.col, err = t.contrast.column(cell, v); err != nil {
					return err
				}
			}
			if !factor {
				if t.exponent, err = parseNumber(v); err != nil {
					return cell.invalid("<PPCell> value %q of covariate %q is not a number", v, pred)
				}
			}
			if perCategory {
				if ownParams == nil {
					ownParams = map[string][][]ppTerm{}
				}
				if ownParams[tc] == nil {
					ownParams[tc] = make([][]ppTerm, len(g.params))
				}
				ownParams[tc][pi] = append(ownParams[tc][pi], t)
				continue
			}
			sharedCells = true
			g.params[pi] = append(g.params[pi], t)
		}
	}

	// Coefficients per target category.
	pm := e.kid("ParamMatrix")
	if pm == nil {
		return e.invalid("GeneralRegressionModel needs a <ParamMatrix>")
	}
	if err := pm.check(); err != nil {
		return err
	}
	if err := pm.checkKids("PCell"); err != nil {
		return err
	}
	catIndex := map[string]int{}
	var shared []float64 // cells without a targetCategory
	for _, cell := range pm.kids {
		if err := cell.check("targetCategory", "parameterName", "beta", "df"); err != nil {
			return err
		}
		pn, err := cell.need("parameterName")
		if err != nil {
			return err
		}
		pi, ok := paramIndex[pn]
		if !ok {
			return cell.invalid("<PCell> names parameter %q, which is not in the ParameterList", pn)
		}
		beta, err := cell.needFloat("beta")
		if err != nil {
			return err
		}
		tc, ok := cell.attr("targetCategory")
		if !ok || !classify {
			if shared == nil {
				shared = make([]float64, len(g.params))
			}
			shared[pi] += beta
			continue
		}
		ci, ok := catIndex[tc]
		if !ok {
			ci = len(g.cats)
			catIndex[tc] = ci
			g.cats = append(g.cats, grmCategory{class: m.classOf(tc), betas: make([]float64, len(g.params))})
		}
		g.cats[ci].betas[pi] += beta
	}
	if !classify {
		if shared == nil {
			shared = make([]float64, len(g.params))
		}
		g.cats = []grmCategory{{betas: shared}}
	} else {
		for i := range g.cats {
			for j, b := range shared {
				g.cats[i].betas[j] += b
			}
		}
		if err := g.settleClasses(e, m, catIndex); err != nil {
			return err
		}
		if err := g.settleOwnParams(e, ownParams, sharedCells); err != nil {
			return err
		}
	}
	if g.modelType == "CoxRegression" {
		if g.cox, err = c.compileCox(e, m, g.cats[0].betas, refPoints); err != nil {
			return err
		}
	}
	g.buf = c.prog.addBuffer(2*len(g.params) + len(m.classes))
	m.impl = g
	return nil
}

// settleClasses finds the reference category (multinomial, binary GLM) or
// orders the categories as the target's values (ordinal).
func (g *generalRegression) settleClasses(e *elem, m *modelNode, catIndex map[string]int) error {
	if g.modelType == "ordinalMultinomial" {
		if m.target == nil || len(m.target.values) == 0 || len(m.target.values) != len(m.classes) {
			return e.invalid("an ordinalMultinomial model needs its target's categories as <Value>s of the DataField")
		}
		// Cumulative thresholds go in class order; the last class has none.
		ordered := make([]grmCategory, 0, len(g.cats))
		for ci, v := range m.target.values {
			i, ok := catIndex[v]
			if !ok {
				if ci != len(m.target.values)-1 {
					return e.invalid("ordinal category %q has no <PCell>", v)
				}
				continue
			}
			ordered = append(ordered, g.cats[i])
		}
		if len(ordered) != len(m.classes)-1 {
			return e.invalid("an ordinalMultinomial model needs coefficients for all categories but the last")
		}
		g.cats = ordered
		return nil
	}
	ref := ""
	if r, ok := e.attr("targetReferenceCategory"); ok {
		ref = r
		if _, has := catIndex[r]; has {
			return e.invalid("targetReferenceCategory %q has coefficients", r)
		}
		m.classOf(r)
	} else {
		var rest []string
		for _, cl := range m.classes {
			if _, has := catIndex[cl]; !has {
				rest = append(rest, cl)
			}
		}
		if len(rest) != 1 {
			return e.invalid("cannot tell the reference category: %d categories lack coefficients (set targetReferenceCategory)", len(rest))
		}
		ref = rest[0]
	}
	g.reference = m.classIndex[ref]
	if g.modelType == "generalizedLinear" && len(g.cats) != 1 {
		return e.unsupported("a generalizedLinear classification with %d categories is not supported (binary only)", len(m.classes))
	}
	return nil
}

// settleOwnParams gives each category its own PPCells where the PPMatrix
// has cells for it; the others use the cells without a targetCategory,
// which must then exist (as JPMML reads the PPMatrix).
func (g *generalRegression) settleOwnParams(e *elem, own map[string][][]ppTerm, shared bool) error {
	if own == nil {
		return nil
	}
	used := 0
	for i := range g.cats {
		c := &g.cats[i]
		label := g.m.classes[c.class]
		if c.params = own[label]; c.params != nil {
			used++
		} else if !shared {
			return e.invalid("category %q has no <PPCell>s of its own and the PPMatrix has none without a targetCategory", label)
		}
	}
	if used != len(own) {
		for label := range own {
			if _, ok := g.m.classIndex[label]; !ok {
				return e.invalid("<PPCell> targetCategory %q is not a category with coefficients", label)
			}
		}
		return e.invalid("<PPCell>s name the category without coefficients as their targetCategory")
	}
	return nil
}

// inverseLink maps the linear predictor to the mean.
func (g *generalRegression) inverseLink(method string, eta float64) float64 {
	a := g.linkParam
	switch method {
	case "identity", "":
		return eta
	case "log":
		return math.Exp(eta)
	case "logc":
		return 1 - math.Exp(eta)
	case "negbin":
		return 1 / (g.distParam * (math.Exp(-eta) - 1))
	case "oddspower":
		if a == 0 {
			return 1 / (1 + math.Exp(-eta))
		}
		return 1 / (1 + math.Pow(1+a*eta, -1/a))
	case "power":
		if a == 0 {
			return math.Exp(eta)
		}
		return math.Pow(eta, 1/a)
	}
	return link(method, eta) // logit, probit, cloglog, loglog, cauchit
}

// design fills x with the row's value of each parameter: the product of
// its PPCells' factor indicators (or contrast codes) and covariate powers;
// ok is false when a value the product needs is missing.
func design(ctx *rowCtx, params [][]ppTerm, x []float64) bool {
	for j, terms := range params {
		v := 1.0
		for _, t := range terms {
			in := ctx.get(t.slot)
			if in.k == kMissing {
				return false
			}
			if t.contrast != nil {
				row, ok := t.contrast.rows[tableKey(in.text())]
				if !ok {
					return false // a level the contrast matrix has no row for
				}
				v *= t.contrast.matrix[row][t.col]
				continue
			}
			if t.factor {
				if tableKey(in.text()) != t.level {
					v = 0
				}
				continue
			}
			f, ok := in.number()
			if !ok {
				return false
			}
			if t.exponent != 1 {
				f = math.Pow(f, t.exponent)
			}
			v *= f
		}
		x[j] = v
	}
	return true
}

func (g *generalRegression) eval(ctx *rowCtx, res *result) {
	buf := ctx.bufs[g.buf]
	n := len(g.params)
	x, own, probs := buf[:n], buf[n:2*n], buf[2*n:]
	if !design(ctx, g.params, x) {
		return
	}
	offset := g.offset
	if g.offsetSlot >= 0 {
		o, ok := ctx.get(g.offsetSlot).number()
		if !ok {
			return
		}
		offset += o
	}
	failed := false
	eta := func(c *grmCategory) float64 {
		xs := x
		if c.params != nil {
			xs = own
			failed = failed || !design(ctx, c.params, xs)
		}
		var s float64
		for j, b := range c.betas {
			s += b * xs[j]
		}
		return s + offset
	}
	if g.cox != nil {
		g.cox.eval(ctx, res, eta(&g.cats[0]))
		return
	}
	if g.m.fn == fnRegression {
		y := eta(&g.cats[0])
		if g.modelType == "generalizedLinear" {
			y = g.inverseLink(g.link, y)
			if g.trialsSlot >= 0 || g.hasTrials {
				n := g.trials
				if g.trialsSlot >= 0 {
					var ok bool
					if n, ok = ctx.get(g.trialsSlot).number(); !ok {
						return
					}
				}
				y *= n
			}
		}
		res.ok, res.val = true, y
		return
	}
	clear(probs)
	switch g.modelType {
	case "generalizedLinear":
		p := g.inverseLink(g.link, eta(&g.cats[0]))
		probs[g.cats[0].class], probs[g.reference] = p, 1-p
	case "multinomialLogistic":
		// The reference category's linear predictor is 0.
		max := 0.0
		for i := range g.cats {
			probs[g.cats[i].class] = eta(&g.cats[i])
			max = math.Max(max, probs[g.cats[i].class])
		}
		sum := math.Exp(-max)
		for i := range g.cats {
			c := g.cats[i].class
			probs[c] = math.Exp(probs[c] - max)
			sum += probs[c]
		}
		for i := range g.cats {
			probs[g.cats[i].class] /= sum
		}
		probs[g.reference] = math.Exp(-max) / sum
	case "ordinalMultinomial":
		prev := 0.0
		for i := range g.cats {
			cum := link(g.cumulative, eta(&g.cats[i]))
			probs[g.cats[i].class] = cum - prev
			prev = cum
		}
		probs[len(g.cats)] = 1 - prev // the last target value
	}
	if failed {
		return
	}
	res.ok, res.probs = true, probs
	res.label = g.m.classes[argmax(probs)]
}
