package pmml

// tri is a predicate's three-valued result.
type tri uint8

const (
	tFalse tri = iota
	tTrue
	tUnknown
)

type predOp uint8

const (
	pTrue predOp = iota
	pFalse
	pEqual
	pNotEqual
	pLess
	pLessEq
	pGreater
	pGreaterEq
	pIsMissing
	pIsNotMissing
	pIsIn
	pIsNotIn
	pAnd
	pOr
	pXor
	pSurrogate
)

// pred is a compiled predicate: a flat struct evaluated by a switch, which
// keeps tree traversal free of closure calls.
type pred struct {
	op      predOp
	f32     bool // mathContext="float": compare in float32
	numeric bool // the constant is a number and the field numeric
	slot    int32
	num     float64
	val     value
	strSet  map[string]bool
	numSet  map[float64]bool
	kids    []pred
	// order ranks an ordinal field's Values (keyed by tableKey), so that
	// lessThan and the like follow the declared order, not the text's.
	order map[string]int
}

var simpleOps = map[string]predOp{
	"equal": pEqual, "notEqual": pNotEqual, "lessThan": pLess, "lessOrEqual": pLessEq,
	"greaterThan": pGreater, "greaterOrEqual": pGreaterEq, "isMissing": pIsMissing, "isNotMissing": pIsNotMissing,
}

// isPredicate reports whether an element name is a predicate.
func isPredicate(name string) bool {
	switch name {
	case "SimplePredicate", "CompoundPredicate", "SimpleSetPredicate", "True", "False":
		return true
	}
	return false
}

func (c *compiler) compilePredicate(e *elem, sc *scope, f32 bool) (pred, error) {
	switch e.name {
	case "True", "False":
		if err := e.check(); err != nil {
			return pred{}, err
		}
		if err := e.checkKids(); err != nil {
			return pred{}, err
		}
		if e.name == "True" {
			return pred{op: pTrue}, nil
		}
		return pred{op: pFalse}, nil
	case "SimplePredicate":
		if err := e.check("field", "operator", "value"); err != nil {
			return pred{}, err
		}
		if err := e.checkKids(); err != nil {
			return pred{}, err
		}
		slot, err := c.fieldSlot(e, "field", sc)
		if err != nil {
			return pred{}, err
		}
		opName, err := e.need("operator")
		if err != nil {
			return pred{}, err
		}
		op, ok := simpleOps[opName]
		if !ok {
			return pred{}, e.unsupported("operator %q of <SimplePredicate> is not supported", opName)
		}
		p := pred{op: op, slot: slot, f32: f32}
		if op == pIsMissing || op == pIsNotMissing {
			return p, nil
		}
		raw, err := e.need("value")
		if err != nil {
			return pred{}, err
		}
		dt := c.prog.types[slot]
		p.val, _ = parseLiteral(raw, dt)
		if p.val.k == kMissing {
			p.val = str(raw)
		}
		if dt.numeric() && p.val.k == kNum {
			p.numeric = true
			p.num = p.val.n
			if f32 {
				p.num = float64(float32(p.num))
			}
		}
		if op >= pLess && op <= pGreaterEq {
			if p.order, err = c.ordinalOrder(e, slot, raw); err != nil {
				return pred{}, err
			}
			if p.order != nil {
				p.numeric = false
			}
		}
		return p, nil
	case "SimpleSetPredicate":
		if err := e.check("field", "booleanOperator"); err != nil {
			return pred{}, err
		}
		if err := e.checkKids("Array"); err != nil {
			return pred{}, err
		}
		slot, err := c.fieldSlot(e, "field", sc)
		if err != nil {
			return pred{}, err
		}
		bop, err := e.oneOf("booleanOperator", "", "isIn", "isNotIn")
		if err != nil {
			return pred{}, err
		}
		arr := e.kid("Array")
		if arr == nil {
			return pred{}, e.invalid("<SimpleSetPredicate> needs an <Array>")
		}
		items, err := parseArray(arr)
		if err != nil {
			return pred{}, err
		}
		p := pred{op: pIsIn, slot: slot, strSet: map[string]bool{}, numSet: map[float64]bool{}}
		if bop == "isNotIn" {
			p.op = pIsNotIn
		}
		for _, it := range items {
			p.strSet[it] = true
			if f, err := parseNumber(it); err == nil {
				p.numSet[f] = true
			}
		}
		return p, nil
	case "CompoundPredicate":
		if err := e.check("booleanOperator"); err != nil {
			return pred{}, err
		}
		bop, err := e.oneOf("booleanOperator", "", "and", "or", "xor", "surrogate")
		if err != nil {
			return pred{}, err
		}
		p := pred{op: map[string]predOp{"and": pAnd, "or": pOr, "xor": pXor, "surrogate": pSurrogate}[bop]}
		for _, k := range e.kids {
			if !isPredicate(k.name) {
				return pred{}, k.unsupported("<%s> inside <CompoundPredicate> is not supported", k.name)
			}
			kp, err := c.compilePredicate(k, sc, f32)
			if err != nil {
				return pred{}, err
			}
			p.kids = append(p.kids, kp)
		}
		if len(p.kids) < 2 {
			return pred{}, e.invalid("<CompoundPredicate> needs at least two predicates, has %d", len(p.kids))
		}
		return p, nil
	}
	return pred{}, e.unsupported("predicate <%s> is not supported", e.name)
}

// findPredicate returns the predicate child of an element.
func findPredicate(e *elem) *elem {
	for _, k := range e.kids {
		if isPredicate(k.name) {
			return k
		}
	}
	return nil
}

func triOf(b bool) tri {
	if b {
		return tTrue
	}
	return tFalse
}

func (p *pred) eval(ctx *rowCtx) tri {
	switch p.op {
	case pTrue:
		return tTrue
	case pFalse:
		return tFalse
	case pIsMissing:
		return triOf(ctx.get(p.slot).k == kMissing)
	case pIsNotMissing:
		return triOf(ctx.get(p.slot).k != kMissing)
	case pEqual, pNotEqual, pLess, pLessEq, pGreater, pGreaterEq:
		v := ctx.get(p.slot)
		if v.k == kMissing {
			return tUnknown
		}
		var c int
		if p.numeric && v.k == kNum {
			x := v.n
			if p.f32 {
				x = float64(float32(x))
			}
			switch {
			case x < p.num:
				c = -1
			case x > p.num:
				c = 1
			}
		} else if p.order != nil && p.op != pEqual && p.op != pNotEqual {
			rank, ok := p.order[tableKey(v.text())]
			if !ok {
				return tUnknown // an invalid value kept asIs has no rank
			}
			c = rank - p.order[tableKey(p.val.text())]
		} else if p.op == pEqual || p.op == pNotEqual {
			if equalValues(v, p.val) {
				c = 0
			} else {
				c = 1
			}
		} else {
			c = compareValues(v, p.val)
		}
		switch p.op {
		case pEqual:
			return triOf(c == 0)
		case pNotEqual:
			return triOf(c != 0)
		case pLess:
			return triOf(c < 0)
		case pLessEq:
			return triOf(c <= 0)
		case pGreater:
			return triOf(c > 0)
		}
		return triOf(c >= 0)
	case pIsIn, pIsNotIn:
		v := ctx.get(p.slot)
		if v.k == kMissing {
			return tUnknown
		}
		var in bool
		switch v.k {
		case kStr:
			in = p.strSet[v.s]
		case kTemporal: // a date's Array item is its ISO text
			in = p.strSet[v.text()]
		default:
			in = p.numSet[v.n]
		}
		return triOf(in == (p.op == pIsIn))
	case pAnd:
		r := tTrue
		for i := range p.kids {
			switch p.kids[i].eval(ctx) {
			case tFalse:
				return tFalse
			case tUnknown:
				r = tUnknown
			}
		}
		return r
	case pOr:
		r := tFalse
		for i := range p.kids {
			switch p.kids[i].eval(ctx) {
			case tTrue:
				return tTrue
			case tUnknown:
				r = tUnknown
			}
		}
		return r
	case pXor:
		r := false
		for i := range p.kids {
			switch p.kids[i].eval(ctx) {
			case tUnknown:
				return tUnknown
			case tTrue:
				r = !r
			}
		}
		return triOf(r)
	case pSurrogate:
		for i := range p.kids {
			if r := p.kids[i].eval(ctx); r != tUnknown {
				return r
			}
		}
		return tUnknown
	}
	return tUnknown
}

// ordinalOrder returns the rank of each Value of an ordinal DataField, or
// nil for a field of another optype or without Values. The predicate's
// constant must be one of the Values.
func (c *compiler) ordinalOrder(e *elem, slot int32, raw string) (map[string]int, error) {
	f := c.fields[e.attrOr("field", "")]
	if f == nil || f.slot != slot || f.optype != "ordinal" || len(f.values) == 0 {
		return nil, nil
	}
	order := make(map[string]int, len(f.values))
	for i, v := range f.values {
		order[tableKey(v)] = i
	}
	if _, ok := order[tableKey(raw)]; !ok {
		return nil, e.invalid("value %q compared with ordinal field %q is not one of its Values", raw, f.name)
	}
	return order, nil
}
