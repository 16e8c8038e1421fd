package pmml

import "math"

type numericTerm struct {
	slot     int32
	exponent float64
	coef     float64
}

type categoricalTerm struct {
	slot  int32
	coefs map[string]float64 // by value text
}

type productTerm struct {
	slots []int32
	coef  float64
}

type regressionTable struct {
	intercept   float64
	numeric     []numericTerm
	categorical []categoricalTerm
	products    []productTerm
	class       int // column in the model's classes; classification only
}

type regression struct {
	m      *modelNode
	tables []regressionTable
	norm   string
}

func (c *compiler) compileRegression(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "modelType", "targetFieldName", "normalizationMethod")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "RegressionTable")...); err != nil {
		return err
	}
	if tf, ok := e.attr("targetFieldName"); ok && m.target != nil && tf != m.target.name {
		return e.invalid("targetFieldName %q differs from the target field %q", tf, m.target.name)
	}
	r := &regression{m: m}
	var err error
	if r.norm, err = e.oneOf("normalizationMethod", "none", "none", "simplemax", "softmax", "logit", "probit", "cloglog", "loglog", "cauchit", "exp"); err != nil {
		return err
	}
	tables := e.kidsNamed("RegressionTable")
	if len(tables) == 0 {
		return e.invalid("RegressionModel needs a <RegressionTable>")
	}
	if m.fn == fnRegression && len(tables) != 1 {
		return e.invalid("a regression RegressionModel needs one <RegressionTable>, has %d", len(tables))
	}
	if m.fn == fnRegression && r.norm == "simplemax" {
		return e.unsupported("normalizationMethod=\"simplemax\" applies to classification only")
	}
	if m.fn == fnClassification && len(tables) > 2 {
		switch r.norm {
		case "none", "simplemax", "softmax":
		default:
			return e.unsupported("normalizationMethod=%q with more than two categories is not supported", r.norm)
		}
	}
	for _, te := range tables {
		t, err := c.compileRegressionTable(te, m)
		if err != nil {
			return err
		}
		r.tables = append(r.tables, t)
	}
	m.impl = r
	return nil
}

func (c *compiler) compileRegressionTable(e *elem, m *modelNode) (regressionTable, error) {
	var t regressionTable
	if err := e.check("intercept", "targetCategory"); err != nil {
		return t, err
	}
	if err := e.checkKids("NumericPredictor", "CategoricalPredictor", "PredictorTerm"); err != nil {
		return t, err
	}
	var err error
	if t.intercept, err = e.needFloat("intercept"); err != nil {
		return t, err
	}
	if m.fn == fnClassification {
		tc, err := e.need("targetCategory")
		if err != nil {
			return t, err
		}
		t.class = m.classOf(tc)
	}
	cats := map[int32]int{}
	for _, k := range e.kids {
		switch k.name {
		case "NumericPredictor":
			if err := k.check("name", "exponent", "coefficient"); err != nil {
				return t, err
			}
			slot, err := c.fieldSlot(k, "name", m.scope)
			if err != nil {
				return t, err
			}
			ex, err := k.float("exponent", 1)
			if err != nil {
				return t, err
			}
			co, err := k.needFloat("coefficient")
			if err != nil {
				return t, err
			}
			t.numeric = append(t.numeric, numericTerm{slot, ex, co})
		case "CategoricalPredictor":
			if err := k.check("name", "value", "coefficient"); err != nil {
				return t, err
			}
			slot, err := c.fieldSlot(k, "name", m.scope)
			if err != nil {
				return t, err
			}
			v, err := k.need("value")
			if err != nil {
				return t, err
			}
			co, err := k.needFloat("coefficient")
			if err != nil {
				return t, err
			}
			i, ok := cats[slot]
			if !ok {
				i = len(t.categorical)
				cats[slot] = i
				t.categorical = append(t.categorical, categoricalTerm{slot: slot, coefs: map[string]float64{}})
			}
			t.categorical[i].coefs[tableKey(v)] += co
		case "PredictorTerm":
			if err := k.check("name", "coefficient"); err != nil {
				return t, err
			}
			if err := k.checkKids("FieldRef"); err != nil {
				return t, err
			}
			co, err := k.needFloat("coefficient")
			if err != nil {
				return t, err
			}
			pt := productTerm{coef: co}
			for _, f := range k.kids {
				if err := f.check("field"); err != nil {
					return t, err
				}
				slot, err := c.fieldSlot(f, "field", m.scope)
				if err != nil {
					return t, err
				}
				pt.slots = append(pt.slots, slot)
			}
			if len(pt.slots) == 0 {
				return t, k.invalid("<PredictorTerm> needs at least one <FieldRef>")
			}
			t.products = append(t.products, pt)
		}
	}
	return t, nil
}

// score computes one table's linear predictor; ok is false when an input
// is missing.
func (t *regressionTable) score(ctx *rowCtx, f32 bool) (float64, bool) {
	var y float64
	for _, n := range t.numeric {
		x, ok := ctx.get(n.slot).number()
		if !ok {
			return 0, false
		}
		if n.exponent != 1 {
			x = math.Pow(x, n.exponent)
		}
		y = round32(f32, y+round32(f32, n.coef*x))
	}
	for _, c := range t.categorical {
		v := ctx.get(c.slot)
		if v.k == kMissing {
			return 0, false
		}
		y = round32(f32, y+c.coefs[tableKey(v.text())])
	}
	for _, p := range t.products {
		x := p.coef
		for _, s := range p.slots {
			f, ok := ctx.get(s).number()
			if !ok {
				return 0, false
			}
			x *= f
		}
		y = round32(f32, y+round32(f32, x))
	}
	return round32(f32, y+t.intercept), true
}

// link applies a single-value normalization.
func link(method string, y float64) float64 {
	switch method {
	case "logit", "softmax":
		return 1 / (1 + math.Exp(-y))
	case "probit":
		return 0.5 * math.Erfc(-y/math.Sqrt2)
	case "cloglog":
		return 1 - math.Exp(-math.Exp(y))
	case "loglog":
		return math.Exp(-math.Exp(-y))
	case "cauchit":
		return 0.5 + math.Atan(y)/math.Pi
	case "exp":
		return math.Exp(y)
	}
	return y
}

func (r *regression) eval(ctx *rowCtx, res *result) {
	f32 := r.m.f32
	if r.m.fn == fnRegression {
		y, ok := r.tables[0].score(ctx, f32)
		if !ok {
			return
		}
		res.ok, res.val = true, round32(f32, link(r.norm, y))
		return
	}
	probs := make([]float64, len(r.m.classes))
	for i := range r.tables {
		y, ok := r.tables[i].score(ctx, f32)
		if !ok {
			return
		}
		probs[r.tables[i].class] = y
	}
	cls := make([]int, len(r.tables))
	for i := range r.tables {
		cls[i] = r.tables[i].class
	}
	switch {
	case len(cls) == 2 && r.norm != "softmax" && r.norm != "simplemax":
		// Binary: the first table decides, the second takes the rest.
		p := round32(f32, link(r.norm, probs[cls[0]]))
		probs[cls[0]], probs[cls[1]] = p, round32(f32, 1-p)
	case r.norm == "softmax":
		max := math.Inf(-1)
		for _, c := range cls {
			max = math.Max(max, probs[c])
		}
		var sum float64
		for _, c := range cls {
			probs[c] = math.Exp(probs[c] - max)
			sum += probs[c]
		}
		for _, c := range cls {
			probs[c] = round32(f32, probs[c]/sum)
		}
	case r.norm == "simplemax":
		var sum float64
		for _, c := range cls {
			sum += probs[c]
		}
		for _, c := range cls {
			probs[c] = round32(f32, probs[c]/sum)
		}
	}
	res.ok, res.probs = true, probs
	res.label = r.m.classes[argmax(probs)]
}
