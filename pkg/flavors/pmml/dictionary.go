package pmml

import (
	"math"
)

// dataField is a DataField of the DataDictionary.
type dataField struct {
	name      string
	dt        dataType
	optype    string
	slot      int32
	values    []string // valid values, document order
	valid     map[string]bool
	validNum  map[float64]bool
	invalid   map[string]bool
	missing   map[string]bool
	display   map[string]string
	intervals []interval
	line      int
}

// interval is a numeric range with its closure.
type interval struct {
	lo, hi         float64
	loOpen, hiOpen bool
}

func (iv interval) contains(x float64) bool {
	if x < iv.lo || (iv.loOpen && x == iv.lo) {
		return false
	}
	if x > iv.hi || (iv.hiOpen && x == iv.hi) {
		return false
	}
	return true
}

func compileInterval(e *elem) (interval, error) {
	if err := e.check("closure", "leftMargin", "rightMargin"); err != nil {
		return interval{}, err
	}
	if _, err := e.need("closure"); err != nil {
		return interval{}, err
	}
	cl, err := e.oneOf("closure", "", "openClosed", "openOpen", "closedOpen", "closedClosed")
	if err != nil {
		return interval{}, err
	}
	lo, err := e.float("leftMargin", math.Inf(-1))
	if err != nil {
		return interval{}, err
	}
	hi, err := e.float("rightMargin", math.Inf(1))
	if err != nil {
		return interval{}, err
	}
	if lo > hi || math.IsNaN(lo) || math.IsNaN(hi) {
		return interval{}, e.invalid("<Interval> leftMargin %v is greater than rightMargin %v", lo, hi)
	}
	return interval{lo: lo, hi: hi, loOpen: cl[:4] == "open", hiOpen: cl == "openOpen" || cl == "closedOpen"}, nil
}

// compileDataDictionary declares every DataField in the root scope.
func (c *compiler) compileDataDictionary(e *elem, sc *scope) error {
	if err := e.check("numberOfFields"); err != nil {
		return err
	}
	if err := e.checkKids("DataField", "Taxonomy"); err != nil {
		return err
	}
	if t := e.kid("Taxonomy"); t != nil {
		return t.unsupported("Taxonomy is not supported")
	}
	for _, k := range e.kids {
		if err := k.check("name", "displayName", "optype", "dataType", "taxonomy", "isCyclic", "intervalsAllowed"); err != nil {
			return err
		}
		if err := k.checkKids("Value", "Interval"); err != nil {
			return err
		}
		if cyc, err := k.oneOf("isCyclic", "0", "0", "1"); err != nil {
			return err
		} else if cyc == "1" {
			// Cyclic distances matter to clustering and nearest-neighbour
			// comparisons, which do not implement them.
			return k.unsupported("cyclic field %q (isCyclic=\"1\") is not supported", k.attrOr("name", ""))
		}
		if _, ok := k.attr("taxonomy"); ok {
			return k.unsupported("taxonomy of <DataField> is not supported")
		}
		name, err := k.need("name")
		if err != nil {
			return err
		}
		dts, hasType := k.attr("dataType")
		if !hasType {
			// PMML 4 requires dataType; documents of PMML 3 may leave it
			// out, and the optype then says what the field holds.
			switch k.attrOr("optype", "") {
			case "continuous":
				dts = "double"
			case "categorical", "ordinal":
				dts = "string"
			default:
				return k.invalid("<DataField> %q needs a dataType (or an optype to derive it from)", name)
			}
		}
		dt, ok := parseDataType(dts)
		if !ok {
			return k.unsupported("dataType %q of field %q is not supported", dts, name)
		}
		op, err := k.oneOf("optype", defaultOptype(dt), "categorical", "ordinal", "continuous")
		if err != nil {
			return err
		}
		if _, dup := c.fields[name]; dup {
			return k.invalid("field %q is declared twice", name)
		}
		f := &dataField{name: name, dt: dt, optype: op, line: k.line,
			valid: map[string]bool{}, validNum: map[float64]bool{}, invalid: map[string]bool{}, missing: map[string]bool{}, display: map[string]string{}}
		for _, v := range k.kidsNamed("Value") {
			if err := v.check("value", "displayValue", "property"); err != nil {
				return err
			}
			val, err := v.need("value")
			if err != nil {
				return err
			}
			prop, err := v.oneOf("property", "valid", "valid", "invalid", "missing")
			if err != nil {
				return err
			}
			if dt == dtDate || dt == dtTime || dt == dtDateTime {
				x, ok := parseLiteral(val, dt)
				if !ok {
					return v.invalid("value %q of field %q is not a valid %s", val, name, dts)
				}
				val = x.text() // the canonical ISO text inputs are compared by
			}
			switch prop {
			case "valid":
				f.values = append(f.values, val)
				f.valid[val] = true
				if dt.numeric() {
					x, ok := parseLiteral(val, dt)
					if !ok || x.k != kNum {
						return v.invalid("value %q of field %q is not a valid %s", val, name, dts)
					}
					f.validNum[x.n] = true
				}
			case "invalid":
				f.invalid[val] = true
			case "missing":
				f.missing[val] = true
			}
			if d, ok := v.attr("displayValue"); ok {
				f.display[val] = d
			}
		}
		for _, iv := range k.kidsNamed("Interval") {
			r, err := compileInterval(iv)
			if err != nil {
				return err
			}
			f.intervals = append(f.intervals, r)
		}
		f.slot = c.prog.addSlot(name, dt, nil)
		c.fields[name] = f
		sc.names[name] = f.slot
	}
	return nil
}

func defaultOptype(dt dataType) string {
	if dt.numeric() {
		return "continuous"
	}
	return "categorical"
}

// inputStatus says whether an input value is valid, invalid or missing.
type inputStatus uint8

const (
	statusValid inputStatus = iota
	statusInvalid
	statusMissing
)

// classify checks a raw input value against the field's declared values.
func (f *dataField) classify(v value) (value, inputStatus) {
	if v.k == kMissing {
		return v, statusMissing
	}
	if v.k == kStr && (f.missing[v.s] || (v.s == "" && f.dt != dtString)) {
		return missing, statusMissing
	}
	if v.k == kStr && f.invalid[v.s] {
		return v, statusInvalid
	}
	cv, ok := cast(v, f.dt)
	if !ok {
		return v, statusInvalid
	}
	if f.dt.numeric() && len(f.missing) > 0 && f.missing[formatNumber(cv.n)] {
		return missing, statusMissing
	}
	if len(f.values) > 0 && f.optype != "continuous" {
		if f.dt.numeric() {
			if !f.validNum[cv.n] {
				return cv, statusInvalid
			}
		} else if !f.valid[cv.text()] {
			return cv, statusInvalid
		}
	}
	if len(f.intervals) > 0 && cv.k == kNum {
		in := f.validNum[cv.n]
		for _, iv := range f.intervals {
			if iv.contains(cv.n) {
				in = true
				break
			}
		}
		if !in {
			return cv, statusInvalid
		}
	}
	return cv, statusValid
}

// compileTransformationDictionary declares the document-wide derived fields.
func (c *compiler) compileTransformationDictionary(e *elem, sc *scope) error {
	if err := e.check(); err != nil {
		return err
	}
	if err := e.checkKids("DerivedField", "DefineFunction"); err != nil {
		return err
	}
	if err := c.compileDefineFunctions(e.kidsNamed("DefineFunction")); err != nil {
		return err
	}
	return c.compileDerivedFields(e.kidsNamed("DerivedField"), sc)
}

// compileDerivedFields declares all the fields first so that one may refer
// to another declared after it, then compiles their expressions.
func (c *compiler) compileDerivedFields(kids []*elem, sc *scope) error {
	type pending struct {
		e    *elem
		slot int32
		dt   dataType
	}
	var todo []pending
	for _, k := range kids {
		if k.name != "DerivedField" {
			return k.unsupported("<%s> among derived fields is not supported", k.name)
		}
		if err := k.check("name", "displayName", "optype", "dataType"); err != nil {
			return err
		}
		name, err := k.need("name")
		if err != nil {
			return err
		}
		dts, err := k.need("dataType")
		if err != nil {
			return err
		}
		dt, ok := parseDataType(dts)
		if !ok {
			return k.unsupported("dataType %q of derived field %q is not supported", dts, name)
		}
		if _, err := k.oneOf("optype", "continuous", "categorical", "ordinal", "continuous"); err != nil {
			return err
		}
		if _, dup := sc.names[name]; dup {
			return k.invalid("field %q is declared twice", name)
		}
		if len(k.kids) != 1 {
			return k.invalid("derived field %q needs exactly one expression, has %d elements", name, len(k.kids))
		}
		slot := c.prog.addSlot(name, dt, nil)
		sc.names[name] = slot
		todo = append(todo, pending{k, slot, dt})
	}
	for _, p := range todo {
		x, err := c.compileExpr(p.e.kids[0], sc)
		if err != nil {
			return err
		}
		eval, dt := x.eval, p.dt
		c.prog.compute[p.slot] = func(ctx *rowCtx) value {
			v, _ := cast(eval(ctx), dt)
			return v
		}
	}
	return nil
}
