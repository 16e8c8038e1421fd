package pmml

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// maxYear bounds the year argument of the date functions.
const maxYear = 9999

// temporalArg reads a date, time or dateTime argument as seconds since
// 1970 (a time: since midnight) and its kind. A counting temporal type
// (dateDaysSince[1970], ...) is turned back into a date from its epoch; a
// string is read as ISO 8601.
func temporalArg(v value, dt dataType) (sec float64, tag string, ok bool) {
	switch v.k {
	case kTemporal:
		return v.n, v.s, true
	case kStr:
		return parseTemporal(v.s)
	case kNum:
		switch {
		case dt == dtTimeSeconds:
			return v.n, tagTime, true
		case dt >= dtDateDaysSince0:
			epoch, unit := countBase(dt)
			tag = tagDateTime
			if unit == secondsPerDay {
				tag = tagDate
			}
			return epoch + v.n*unit, tag, true
		}
	}
	return 0, "", false
}

// compileDateSinceYear is dateDaysSinceYear (unit a day) and
// dateSecondsSinceYear (unit a second): the whole units from January 1st
// of the year to the date or dateTime.
func compileDateSinceYear(unit float64) func(*compiler, *elem, []expr, *scope) (expr, error) {
	return func(_ *compiler, _ *elem, args []expr, _ *scope) (expr, error) {
		argType := args[0].dt
		return expr{dt: dtInteger, eval: func(ctx *rowCtx) value {
			d, y := args[0].eval(ctx), args[1].eval(ctx)
			sec, tag, ok := temporalArg(d, argType)
			year, yok := y.number()
			if !ok || !yok || tag == tagTime || year != math.Trunc(year) || math.Abs(year) > maxYear {
				return missing
			}
			return num(math.Floor((sec - yearEpoch(int(year))) / unit))
		}}, nil
	}
}

// compileSecondsSinceMidnight is dateSecondsSinceMidnight: the clock of a
// time or dateTime in whole seconds.
func compileSecondsSinceMidnight(_ *compiler, _ *elem, args []expr, _ *scope) (expr, error) {
	argType := args[0].dt
	return expr{dt: dtInteger, eval: func(ctx *rowCtx) value {
		sec, tag, ok := temporalArg(args[0].eval(ctx), argType)
		if !ok {
			return missing
		}
		if tag != tagTime {
			sec -= math.Floor(sec/secondsPerDay) * secondsPerDay
		}
		return num(math.Floor(sec))
	}}, nil
}

// strftime conversions formatDatetime supports, as Go layouts.
var strftimeLayouts = map[byte]string{
	'Y': "2006", 'y': "06", 'm': "01", 'd': "02", 'e': "_2", 'H': "15", 'I': "03", 'M': "04", 'S': "05",
	'p': "PM", 'b': "Jan", 'h': "Jan", 'B': "January", 'a': "Mon", 'A': "Monday", 'j': "002",
	'F': "2006-01-02", 'T': "15:04:05", 'D': "01/02/06", 'R': "15:04",
}

// parseStrftime turns a C strftime pattern (the subset in
// strftimeLayouts, and %%) into a Go time layout; literal text that Go
// would read as a layout element is refused rather than misprinted.
func parseStrftime(p string) (string, error) {
	if len(p) > MaxPatternLength {
		return "", fmt.Errorf("the pattern is %d bytes, the limit is %d", len(p), MaxPatternLength)
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			b.WriteByte(p[i])
			continue
		}
		if i+1 >= len(p) {
			return "", fmt.Errorf("the pattern %q ends with a lone %%", p)
		}
		i++
		if p[i] == '%' {
			b.WriteByte('%')
			continue
		}
		l, ok := strftimeLayouts[p[i]]
		if !ok {
			return "", fmt.Errorf("conversion %%%c of the pattern %q is not supported (supported: %%Y %%y %%m %%d %%e %%H %%I %%M %%S %%p %%b %%B %%a %%A %%j %%F %%T %%D %%R %%%%)", p[i], p)
		}
		b.WriteString(l)
	}
	layout := b.String()
	// Literal text must survive Go's layout parsing unchanged.
	if lit := stripConversions(p); strings.ContainsAny(lit, "0123456789") || strings.Contains(lit, "Jan") ||
		strings.Contains(lit, "Mon") || strings.Contains(lit, "PM") || strings.Contains(lit, "pm") || strings.Contains(lit, "MST") {
		return "", fmt.Errorf("the literal text of the pattern %q holds digits or names Go would read as a date element", p)
	}
	return layout, nil
}

// stripConversions drops the %x conversions of a strftime pattern.
func stripConversions(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' {
			i++
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// compileFormatDatetime is formatDatetime(x, pattern) with a strftime
// pattern such as "%m/%d/%Y".
func compileFormatDatetime(_ *compiler, e *elem, args []expr, _ *scope) (expr, error) {
	fixed := ""
	if v, ok := constantArg(e, args, 1); ok {
		l, err := parseStrftime(v.text())
		if err != nil {
			return expr{}, e.unsupported("function formatDatetime: %v", err)
		}
		fixed = l
	}
	argType := args[0].dt
	return expr{dt: dtString, eval: func(ctx *rowCtx) value {
		x, p := args[0].eval(ctx), args[1].eval(ctx)
		if x.k == kMissing || p.k == kMissing {
			return missing
		}
		sec, _, ok := temporalArg(x, argType)
		if !ok || math.Abs(sec) > 1e13 {
			return missing
		}
		layout := fixed
		if layout == "" {
			var err error
			if layout, err = parseStrftime(p.text()); err != nil {
				return missing
			}
		}
		whole := math.Floor(sec)
		t := time.Unix(int64(whole), int64((sec-whole)*1e9)).UTC()
		return str(t.Format(layout))
	}}, nil
}

// compileValidity is isValid (want true) and isNotValid: whether a value
// is present and valid, or present and invalid. Only a DataField has
// invalid values (those its Values and Intervals leave out, kept by
// invalidValueTreatment="asIs"); any other present value is valid.
func compileValidity(want bool) func(*compiler, *elem, []expr, *scope) (expr, error) {
	return func(c *compiler, e *elem, args []expr, sc *scope) (expr, error) {
		var field *dataField
		if k := e.kids[0]; k.name == "FieldRef" {
			name := k.attrOr("field", "")
			if f := c.fields[name]; f != nil {
				if slot, ok := sc.lookup(name); ok && slot == f.slot {
					field = f // not a derived field of the same name
				}
			}
		}
		arg := args[0]
		return expr{dt: dtBoolean, eval: func(ctx *rowCtx) value {
			v := arg.eval(ctx)
			if v.k == kMissing {
				return boolean(false)
			}
			valid := true
			if field != nil {
				_, st := field.classify(v)
				valid = st == statusValid
			}
			return boolean(valid == want)
		}}, nil
	}
}
