package pmml

import (
	"math"
	"strings"
)

// builtin is one of PMML's built-in functions for Apply.
type builtin struct {
	min, max int // argument count; max -1 for any
	dt       dataType
	// call computes the result; args hold no missing value unless
	// acceptsMissing is set.
	call           func(args []value) value
	acceptsMissing bool
}

func numeric1(f func(float64) float64) builtin {
	return builtin{min: 1, max: 1, dt: dtDouble, call: func(a []value) value {
		x, ok := a[0].number()
		if !ok {
			return missing
		}
		return num(f(x))
	}}
}

func numeric2(f func(x, y float64) float64) builtin {
	return builtin{min: 2, max: 2, dt: dtDouble, call: func(a []value) value {
		x, ok1 := a[0].number()
		y, ok2 := a[1].number()
		if !ok1 || !ok2 {
			return missing
		}
		return num(f(x, y))
	}}
}

// aggregate folds all arguments; PMML's min, max, sum, avg, product.
func aggregate(f func(xs []float64) float64) builtin {
	return builtin{min: 1, max: -1, dt: dtDouble, call: func(a []value) value {
		xs := make([]float64, len(a))
		for i, v := range a {
			x, ok := v.number()
			if !ok {
				return missing
			}
			xs[i] = x
		}
		return num(f(xs))
	}}
}

func compare(f func(c int) bool) builtin {
	return builtin{min: 2, max: 2, dt: dtBoolean, call: func(a []value) value {
		return boolean(f(compareValues(a[0], a[1])))
	}}
}

func logical(f func(acc, x bool) bool) builtin {
	return builtin{min: 2, max: -1, dt: dtBoolean, call: func(a []value) value {
		acc, ok := a[0].truth()
		if !ok {
			return missing
		}
		for _, v := range a[1:] {
			x, ok := v.truth()
			if !ok {
				return missing
			}
			acc = f(acc, x)
		}
		return boolean(acc)
	}}
}

func stringFn(min, max int, f func(a []value) value) builtin {
	return builtin{min: min, max: max, dt: dtString, call: f}
}

// roundHalfUp rounds like Java's Math.round, which PMML evaluators follow.
func roundHalfUp(x float64) float64 { return math.Floor(x + 0.5) }

var builtins = map[string]builtin{
	"+":      numeric2(func(x, y float64) float64 { return x + y }),
	"-":      numeric2(func(x, y float64) float64 { return x - y }),
	"*":      numeric2(func(x, y float64) float64 { return x * y }),
	"/":      numeric2(func(x, y float64) float64 { return x / y }),
	"modulo": numeric2(func(x, y float64) float64 { return x - y*math.Floor(x/y) }),
	"pow":    numeric2(math.Pow),
	"hypot":  numeric2(math.Hypot),
	"atan2":  numeric2(math.Atan2),
	"threshold": numeric2(func(x, y float64) float64 {
		if x > y {
			return 1
		}
		return 0
	}),
	"log10": numeric1(math.Log10),
	"ln":    numeric1(math.Log),
	"ln1p":  numeric1(math.Log1p),
	"exp":   numeric1(math.Exp),
	"expm1": numeric1(math.Expm1),
	"sqrt":  numeric1(math.Sqrt),
	"abs":   numeric1(math.Abs),
	"floor": numeric1(math.Floor),
	"ceil":  numeric1(math.Ceil),
	"round": numeric1(roundHalfUp),
	"rint":  numeric1(math.RoundToEven),
	"sin":   numeric1(math.Sin),
	"cos":   numeric1(math.Cos),
	"tan":   numeric1(math.Tan),
	"asin":  numeric1(math.Asin),
	"acos":  numeric1(math.Acos),
	"atan":  numeric1(math.Atan),
	"sinh":  numeric1(math.Sinh),
	"cosh":  numeric1(math.Cosh),
	"tanh":  numeric1(math.Tanh),
	"min": aggregate(func(xs []float64) float64 {
		m := xs[0]
		for _, x := range xs[1:] {
			m = math.Min(m, x)
		}
		return m
	}),
	"max": aggregate(func(xs []float64) float64 {
		m := xs[0]
		for _, x := range xs[1:] {
			m = math.Max(m, x)
		}
		return m
	}),
	"sum": aggregate(func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s
	}),
	"product": aggregate(func(xs []float64) float64 {
		p := 1.0
		for _, x := range xs {
			p *= x
		}
		return p
	}),
	"avg": aggregate(func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}),
	"isMissing":      {min: 1, max: 1, dt: dtBoolean, acceptsMissing: true, call: func(a []value) value { return boolean(a[0].k == kMissing) }},
	"isNotMissing":   {min: 1, max: 1, dt: dtBoolean, acceptsMissing: true, call: func(a []value) value { return boolean(a[0].k != kMissing) }},
	"equal":          {min: 2, max: 2, dt: dtBoolean, call: func(a []value) value { return boolean(equalValues(a[0], a[1])) }},
	"notEqual":       {min: 2, max: 2, dt: dtBoolean, call: func(a []value) value { return boolean(!equalValues(a[0], a[1])) }},
	"lessThan":       compare(func(c int) bool { return c < 0 }),
	"lessOrEqual":    compare(func(c int) bool { return c <= 0 }),
	"greaterThan":    compare(func(c int) bool { return c > 0 }),
	"greaterOrEqual": compare(func(c int) bool { return c >= 0 }),
	"and":            logical(func(acc, x bool) bool { return acc && x }),
	"or":             logical(func(acc, x bool) bool { return acc || x }),
	"not": {min: 1, max: 1, dt: dtBoolean, call: func(a []value) value {
		b, ok := a[0].truth()
		if !ok {
			return missing
		}
		return boolean(!b)
	}},
	"isIn": {min: 2, max: -1, dt: dtBoolean, call: func(a []value) value {
		for _, v := range a[1:] {
			if equalValues(a[0], v) {
				return boolean(true)
			}
		}
		return boolean(false)
	}},
	"isNotIn": {min: 2, max: -1, dt: dtBoolean, call: func(a []value) value {
		for _, v := range a[1:] {
			if equalValues(a[0], v) {
				return boolean(false)
			}
		}
		return boolean(true)
	}},
	"concat": stringFn(1, -1, func(a []value) value {
		var b strings.Builder
		for _, v := range a {
			b.WriteString(v.text())
		}
		return str(b.String())
	}),
	"lowercase":    stringFn(1, 1, func(a []value) value { return str(strings.ToLower(a[0].text())) }),
	"uppercase":    stringFn(1, 1, func(a []value) value { return str(strings.ToUpper(a[0].text())) }),
	"trimBlanks":   stringFn(1, 1, func(a []value) value { return str(strings.TrimSpace(a[0].text())) }),
	"stringLength": {min: 1, max: 1, dt: dtInteger, call: func(a []value) value { return num(float64(len([]rune(a[0].text())))) }},
	"substring": stringFn(3, 3, func(a []value) value {
		r := []rune(a[0].text())
		start, ok1 := a[1].number()
		n, ok2 := a[2].number()
		if !ok1 || !ok2 || start < 1 || n < 0 {
			return missing
		}
		from := int(start) - 1
		if from > len(r) {
			from = len(r)
		}
		to := from + int(n)
		if to > len(r) {
			to = len(r)
		}
		return str(string(r[from:to]))
	}),
}

func (c *compiler) compileApply(e *elem, sc *scope) (expr, error) {
	if err := e.check("function", "mapMissingTo", "defaultValue", "invalidValueTreatment"); err != nil {
		return expr{}, err
	}
	if _, err := e.oneOf("invalidValueTreatment", "returnInvalid", "returnInvalid", "asMissing"); err != nil {
		return expr{}, err
	}
	name, err := e.need("function")
	if err != nil {
		return expr{}, err
	}
	args := make([]expr, len(e.kids))
	for i, k := range e.kids {
		if args[i], err = c.compileExpr(k, sc); err != nil {
			return expr{}, err
		}
	}
	var x expr
	if uf := c.userFunction(name); uf != nil {
		if x, err = c.callUserFunction(e, uf, args); err != nil {
			return expr{}, err
		}
	} else if sf, ok := specialFns[name]; ok {
		if len(args) < sf.min || len(args) > sf.max {
			return expr{}, e.invalid("function %s takes %s arguments, got %d", name, arity(builtin{min: sf.min, max: sf.max}), len(args))
		}
		if x, err = sf.compile(c, e, args, sc); err != nil {
			return expr{}, err
		}
	} else if ox, ok := c.ordinalCompare(e, name, args, sc); ok {
		x = ox
	} else if name == "if" {
		if len(args) < 2 || len(args) > 3 {
			return expr{}, e.invalid("function if takes 2 or 3 arguments, got %d", len(args))
		}
		x = ifExpr(args)
	} else {
		fn, ok := builtins[name]
		if !ok {
			return expr{}, e.unsupported("function %q is not supported", name)
		}
		if len(args) < fn.min || (fn.max >= 0 && len(args) > fn.max) {
			return expr{}, e.invalid("function %s takes %s arguments, got %d", name, arity(fn), len(args))
		}
		dt := fn.dt
		if (name == "floor" || name == "ceil" || name == "round" || name == "rint") && dt == dtDouble {
			dt = dtInteger
		}
		x = callExpr(fn, args, dt)
	}
	mm, hasMM := optLiteral(e, "mapMissingTo", x.dt)
	def, hasDef := optLiteral(e, "defaultValue", x.dt)
	if !hasMM && !hasDef {
		return x, nil
	}
	inner := x.eval
	x.eval = func(ctx *rowCtx) value {
		if hasMM {
			for _, a := range args {
				if a.eval(ctx).k == kMissing {
					return mm
				}
			}
		}
		v := inner(ctx)
		if v.k == kMissing && hasDef {
			return def
		}
		return v
	}
	return x, nil
}

func arity(fn builtin) string {
	switch {
	case fn.max < 0:
		return "at least " + itoa(fn.min)
	case fn.min == fn.max:
		return itoa(fn.min)
	}
	return itoa(fn.min) + " to " + itoa(fn.max)
}

func itoa(n int) string { return formatNumber(float64(n)) }

func callExpr(fn builtin, args []expr, dt dataType) expr {
	return expr{dt: dt, eval: func(ctx *rowCtx) value {
		var buf [4]value
		vals := buf[:0]
		for _, a := range args {
			v := a.eval(ctx)
			if v.k == kMissing && !fn.acceptsMissing {
				return missing
			}
			vals = append(vals, v)
		}
		return fn.call(vals)
	}}
}

// ifExpr evaluates only the branch the condition picks.
func ifExpr(args []expr) expr {
	cond, then := args[0], args[1]
	var otherwise func(*rowCtx) value
	if len(args) == 3 {
		otherwise = args[2].eval
	}
	return expr{dt: then.dt, eval: func(ctx *rowCtx) value {
		b, ok := cond.eval(ctx).truth()
		switch {
		case !ok:
			return missing
		case b:
			return then.eval(ctx)
		case otherwise != nil:
			return otherwise(ctx)
		}
		return missing
	}}
}
