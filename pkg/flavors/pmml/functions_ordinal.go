package pmml

// ordinalCompare compiles lessThan, lessOrEqual, greaterThan and
// greaterOrEqual when an argument is a FieldRef to an ordinal DataField
// with Values: both sides are then ranked by the Values' order rather
// than compared as text. ok is false when no argument is such a field.
func (c *compiler) ordinalCompare(e *elem, name string, args []expr, sc *scope) (x expr, ok bool) {
	var test func(int) bool
	switch name {
	case "lessThan":
		test = func(c int) bool { return c < 0 }
	case "lessOrEqual":
		test = func(c int) bool { return c <= 0 }
	case "greaterThan":
		test = func(c int) bool { return c > 0 }
	case "greaterOrEqual":
		test = func(c int) bool { return c >= 0 }
	default:
		return expr{}, false
	}
	if len(args) != 2 {
		return expr{}, false
	}
	var order map[string]int
	for _, k := range e.kids {
		if order = c.fieldOrder(k, sc); order != nil {
			break
		}
	}
	if order == nil {
		return expr{}, false
	}
	a, b := args[0], args[1]
	return expr{dt: dtBoolean, eval: func(ctx *rowCtx) value {
		va, vb := a.eval(ctx), b.eval(ctx)
		if va.k == kMissing || vb.k == kMissing {
			return missing
		}
		ra, oka := order[tableKey(va.text())]
		rb, okb := order[tableKey(vb.text())]
		if !oka || !okb {
			return missing // a value outside the Values has no rank
		}
		return boolean(test(ra - rb))
	}}, true
}

// fieldOrder ranks the Values of the ordinal DataField a FieldRef names;
// nil for anything else.
func (c *compiler) fieldOrder(k *elem, sc *scope) map[string]int {
	if k.name != "FieldRef" {
		return nil
	}
	name := k.attrOr("field", "")
	f := c.fields[name]
	if f == nil || f.optype != "ordinal" || len(f.values) == 0 {
		return nil
	}
	if slot, ok := sc.lookup(name); !ok || slot != f.slot {
		return nil
	}
	order := make(map[string]int, len(f.values))
	for i, v := range f.values {
		order[tableKey(v)] = i
	}
	return order
}
