package pmml

import (
	"sort"
	"strings"
)

// expr is a compiled PMML expression.
type expr struct {
	eval func(*rowCtx) value
	dt   dataType // dtUnknown when the type depends on the data
}

// fieldSlot resolves a field name, refusing one that is not declared.
func (c *compiler) fieldSlot(e *elem, attr string, sc *scope) (int32, error) {
	name, err := e.need(attr)
	if err != nil {
		return 0, err
	}
	slot, ok := sc.lookup(name)
	if !ok {
		return 0, e.invalid("<%s> refers to field %q, which is not declared", e.name, name)
	}
	return slot, nil
}

// optLiteral reads an optional literal attribute (mapMissingTo, defaultValue).
func optLiteral(e *elem, name string, dt dataType) (value, bool) {
	s, ok := e.attr(name)
	if !ok {
		return missing, false
	}
	v, _ := parseLiteral(s, dt)
	return v, true
}

func (c *compiler) compileExpr(e *elem, sc *scope) (expr, error) {
	switch e.name {
	case "Constant":
		return compileConstant(e)
	case "FieldRef":
		return c.compileFieldRef(e, sc)
	case "Apply":
		return c.compileApply(e, sc)
	case "NormContinuous":
		return c.compileNormContinuous(e, sc)
	case "NormDiscrete":
		return c.compileNormDiscrete(e, sc)
	case "Discretize":
		return c.compileDiscretize(e, sc)
	case "MapValues":
		return c.compileMapValues(e, sc)
	case "Aggregate":
		return expr{}, e.unsupported("Aggregate is not supported: it summarises a group of records, and rows are scored one by one")
	case "Lag":
		return expr{}, e.unsupported("Lag is not supported: it reads earlier records of a sequence, and rows are scored one by one")
	case "TextIndex":
		return c.compileTextIndex(e, sc)
	}
	return expr{}, e.unsupported("expression <%s> is not supported", e.name)
}

func compileConstant(e *elem) (expr, error) {
	if err := e.check("dataType", "missing"); err != nil {
		return expr{}, err
	}
	if err := e.checkKids(); err != nil {
		return expr{}, err
	}
	if e.attrOr("missing", "false") == "true" {
		return expr{eval: func(*rowCtx) value { return missing }}, nil
	}
	dt := dtUnknown
	if s, ok := e.attr("dataType"); ok {
		d, ok := parseDataType(s)
		if !ok {
			return expr{}, e.unsupported("dataType %q of <Constant> is not supported", s)
		}
		dt = d
	}
	text := strings.TrimSpace(e.text)
	v, ok := parseLiteral(text, dt)
	if !ok {
		return expr{}, e.invalid("<Constant> %q is not a valid %s", text, e.attrOr("dataType", "value"))
	}
	if dt == dtUnknown {
		dt = dtString
		if v.k == kNum {
			dt = dtDouble
		}
	}
	return expr{eval: func(*rowCtx) value { return v }, dt: dt}, nil
}

func (c *compiler) compileFieldRef(e *elem, sc *scope) (expr, error) {
	if err := e.check("field", "mapMissingTo"); err != nil {
		return expr{}, err
	}
	if err := e.checkKids(); err != nil {
		return expr{}, err
	}
	slot, err := c.fieldSlot(e, "field", sc)
	if err != nil {
		return expr{}, err
	}
	dt := c.prog.types[slot]
	if mm, ok := optLiteral(e, "mapMissingTo", dt); ok {
		return expr{eval: func(ctx *rowCtx) value {
			if v := ctx.get(slot); v.k != kMissing {
				return v
			}
			return mm
		}, dt: dt}, nil
	}
	return expr{eval: func(ctx *rowCtx) value { return ctx.get(slot) }, dt: dt}, nil
}

func (c *compiler) compileNormContinuous(e *elem, sc *scope) (expr, error) {
	if err := e.check("field", "mapMissingTo", "outliers"); err != nil {
		return expr{}, err
	}
	if err := e.checkKids("LinearNorm"); err != nil {
		return expr{}, err
	}
	outliers, err := e.oneOf("outliers", "asIs", "asIs", "asMissingValues", "asExtremeValues")
	if err != nil {
		return expr{}, err
	}
	slot, err := c.fieldSlot(e, "field", sc)
	if err != nil {
		return expr{}, err
	}
	var orig, norm []float64
	for _, k := range e.kids {
		if err := k.check("orig", "norm"); err != nil {
			return expr{}, err
		}
		o, err := k.needFloat("orig")
		if err != nil {
			return expr{}, err
		}
		n, err := k.needFloat("norm")
		if err != nil {
			return expr{}, err
		}
		if len(orig) > 0 && o <= orig[len(orig)-1] {
			return expr{}, k.invalid("LinearNorm orig values must increase")
		}
		orig, norm = append(orig, o), append(norm, n)
	}
	if len(orig) < 2 {
		return expr{}, e.invalid("<NormContinuous> needs at least two LinearNorm points")
	}
	mm, hasMM := optLiteral(e, "mapMissingTo", dtDouble)
	last := len(orig) - 1
	return expr{dt: dtDouble, eval: func(ctx *rowCtx) value {
		x, ok := ctx.get(slot).number()
		if !ok {
			if hasMM {
				return mm
			}
			return missing
		}
		i := 0
		switch {
		case x < orig[0] || x > orig[last]:
			switch outliers {
			case "asMissingValues":
				return missing
			case "asExtremeValues":
				if x < orig[0] {
					return num(norm[0])
				}
				return num(norm[last])
			}
			if x > orig[last] {
				i = last - 1
			}
		default:
			i = sort.SearchFloat64s(orig, x) - 1 // orig[i] < x <= orig[i+1]
			if i < 0 {
				i = 0
			}
		}
		return num(norm[i] + (x-orig[i])/(orig[i+1]-orig[i])*(norm[i+1]-norm[i]))
	}}, nil
}

func (c *compiler) compileNormDiscrete(e *elem, sc *scope) (expr, error) {
	if err := e.check("field", "value", "mapMissingTo", "method"); err != nil {
		return expr{}, err
	}
	if err := e.checkKids(); err != nil {
		return expr{}, err
	}
	if _, err := e.oneOf("method", "indicator", "indicator"); err != nil {
		return expr{}, err
	}
	slot, err := c.fieldSlot(e, "field", sc)
	if err != nil {
		return expr{}, err
	}
	raw, err := e.need("value")
	if err != nil {
		return expr{}, err
	}
	want, _ := parseLiteral(raw, c.prog.types[slot])
	mm, hasMM := optLiteral(e, "mapMissingTo", dtDouble)
	return expr{dt: dtDouble, eval: func(ctx *rowCtx) value {
		v := ctx.get(slot)
		if v.k == kMissing {
			if hasMM {
				return mm
			}
			return missing
		}
		if equalValues(v, want) {
			return num(1)
		}
		return num(0)
	}}, nil
}

func (c *compiler) compileDiscretize(e *elem, sc *scope) (expr, error) {
	if err := e.check("field", "mapMissingTo", "defaultValue", "dataType"); err != nil {
		return expr{}, err
	}
	if err := e.checkKids("DiscretizeBin"); err != nil {
		return expr{}, err
	}
	slot, err := c.fieldSlot(e, "field", sc)
	if err != nil {
		return expr{}, err
	}
	dt := dtString
	if s, ok := e.attr("dataType"); ok {
		if dt, ok = parseDataType(s); !ok {
			return expr{}, e.unsupported("dataType %q of <Discretize> is not supported", s)
		}
	}
	type bin struct {
		iv  interval
		val value
	}
	var bins []bin
	for _, k := range e.kids {
		if err := k.check("binValue"); err != nil {
			return expr{}, err
		}
		if err := k.checkKids("Interval"); err != nil {
			return expr{}, err
		}
		bv, err := k.need("binValue")
		if err != nil {
			return expr{}, err
		}
		ie := k.kid("Interval")
		if ie == nil {
			return expr{}, k.invalid("<DiscretizeBin> needs an <Interval>")
		}
		iv, err := compileInterval(ie)
		if err != nil {
			return expr{}, err
		}
		v, _ := parseLiteral(bv, dt)
		bins = append(bins, bin{iv, v})
	}
	mm, hasMM := optLiteral(e, "mapMissingTo", dt)
	def, _ := optLiteral(e, "defaultValue", dt)
	return expr{dt: dt, eval: func(ctx *rowCtx) value {
		x, ok := ctx.get(slot).number()
		if !ok {
			if hasMM {
				return mm
			}
			return missing
		}
		for _, b := range bins {
			if b.iv.contains(x) {
				return b.val
			}
		}
		return def
	}}, nil
}

// tableKey normalises a cell or a value so that 8, 8.0 and "8" meet.
func tableKey(s string) string {
	if f, err := parseNumber(s); err == nil {
		return formatNumber(f)
	}
	return s
}

func (c *compiler) compileMapValues(e *elem, sc *scope) (expr, error) {
	if err := e.check("mapMissingTo", "defaultValue", "outputColumn", "dataType", "invalidValueTreatment"); err != nil {
		return expr{}, err
	}
	if err := e.checkKids("FieldColumnPair", "InlineTable", "TableLocator"); err != nil {
		return expr{}, err
	}
	if t := e.kid("TableLocator"); t != nil {
		return expr{}, t.unsupported("TableLocator is not supported; use an InlineTable")
	}
	if _, err := e.oneOf("invalidValueTreatment", "returnInvalid", "returnInvalid", "asMissing"); err != nil {
		return expr{}, err
	}
	out, err := e.need("outputColumn")
	if err != nil {
		return expr{}, err
	}
	dt := dtString
	if s, ok := e.attr("dataType"); ok {
		if dt, ok = parseDataType(s); !ok {
			return expr{}, e.unsupported("dataType %q of <MapValues> is not supported", s)
		}
	}
	var slots []int32
	var cols []string
	for _, p := range e.kidsNamed("FieldColumnPair") {
		if err := p.check("field", "column"); err != nil {
			return expr{}, err
		}
		s, err := c.fieldSlot(p, "field", sc)
		if err != nil {
			return expr{}, err
		}
		col, err := p.need("column")
		if err != nil {
			return expr{}, err
		}
		slots, cols = append(slots, s), append(cols, col)
	}
	table := e.kid("InlineTable")
	if table == nil {
		return expr{}, e.invalid("<MapValues> needs an <InlineTable>")
	}
	if err := table.checkKids("row"); err != nil {
		return expr{}, err
	}
	rows := map[string]value{}
	for _, r := range table.kids {
		cells := map[string]string{}
		for _, cell := range r.kids {
			cells[cell.name] = strings.TrimSpace(cell.text)
		}
		parts := make([]string, len(cols))
		ok := true
		for i, col := range cols {
			v, has := cells[col]
			if !has {
				ok = false
				break
			}
			parts[i] = tableKey(v)
		}
		ov, has := cells[out]
		if !ok || !has {
			continue // a row without every column cannot match
		}
		key := strings.Join(parts, "\x00")
		if _, dup := rows[key]; !dup {
			v, _ := parseLiteral(ov, dt)
			rows[key] = v
		}
	}
	mm, hasMM := optLiteral(e, "mapMissingTo", dt)
	def, _ := optLiteral(e, "defaultValue", dt)
	return expr{dt: dt, eval: func(ctx *rowCtx) value {
		parts := make([]string, len(slots))
		for i, s := range slots {
			v := ctx.get(s)
			if v.k == kMissing {
				if hasMM {
					return mm
				}
				return missing
			}
			parts[i] = tableKey(v.text())
		}
		if v, ok := rows[strings.Join(parts, "\x00")]; ok {
			return v
		}
		return def
	}}, nil
}
