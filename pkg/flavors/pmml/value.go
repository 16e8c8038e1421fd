package pmml

import (
	"math"
	"strconv"
	"strings"
)

// kind is the runtime type of a field value.
type kind uint8

const (
	kMissing kind = iota
	kNum
	kStr
	kBool
	// kTemporal is a date, time or dateTime (see value_time.go): n holds
	// seconds since 1970-01-01T00:00:00 (a time: since midnight) and s
	// which of the three it is, so that it prints as ISO 8601.
	kTemporal
)

// value is one field value of one row. Booleans keep 0/1 in n.
type value struct {
	k kind
	n float64
	s string
}

var missing = value{}

func num(f float64) value {
	if math.IsNaN(f) {
		return missing
	}
	return value{k: kNum, n: f}
}

func str(s string) value { return value{k: kStr, s: s} }

func boolean(b bool) value {
	if b {
		return value{k: kBool, n: 1}
	}
	return value{k: kBool}
}

// dataType is a PMML dataType this evaluator handles.
type dataType uint8

const (
	dtUnknown dataType = iota
	dtDouble
	dtFloat
	dtInteger
	dtString
	dtBoolean
	// dtDate, dtTime and dtDateTime hold kTemporal values.
	dtDate
	dtTime
	dtDateTime
	// The counting temporal types hold integers (kNum): days or seconds
	// since January 1st of a year, or seconds since midnight.
	dtDateDaysSince0
	dtDateDaysSince1960
	dtDateDaysSince1970
	dtDateDaysSince1980
	dtTimeSeconds
	dtDateTimeSecondsSince0
	dtDateTimeSecondsSince1960
	dtDateTimeSecondsSince1970
	dtDateTimeSecondsSince1980
)

// numeric reports whether values of the type are numbers; the counting
// temporal types are.
func (d dataType) numeric() bool {
	return d == dtDouble || d == dtFloat || d == dtInteger || d >= dtDateDaysSince0
}

// parseDataType maps the PMML name; ok is false for a type not implemented.
func parseDataType(s string) (dataType, bool) {
	if d, ok := temporalTypes[s]; ok {
		return d, true
	}
	switch s {
	case "double":
		return dtDouble, true
	case "float":
		return dtFloat, true
	case "integer":
		return dtInteger, true
	case "string":
		return dtString, true
	case "boolean":
		return dtBoolean, true
	}
	return dtUnknown, false
}

// formatNumber prints a number the way categorical values are written:
// integral values without a fraction, so 8.0 matches the category "8".
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// text returns a value as a string (for string functions and labels).
func (v value) text() string {
	switch v.k {
	case kStr:
		return v.s
	case kNum:
		return formatNumber(v.n)
	case kBool:
		if v.n != 0 {
			return "true"
		}
		return "false"
	case kTemporal:
		return formatTemporal(v)
	}
	return ""
}

// number returns a value as a number; ok is false when it has none.
func (v value) number() (float64, bool) {
	switch v.k {
	case kNum, kBool, kTemporal:
		return v.n, true
	case kStr:
		f, err := parseNumber(v.s)
		if err != nil || math.IsNaN(f) {
			return 0, false
		}
		return f, true
	}
	return 0, false
}

// truth returns a value as a boolean; ok is false when it has none.
func (v value) truth() (bool, bool) {
	switch v.k {
	case kNum, kBool:
		return v.n != 0, true
	case kStr:
		switch strings.ToLower(strings.TrimSpace(v.s)) {
		case "true", "1":
			return true, true
		case "false", "0":
			return false, true
		}
	}
	return false, false
}

// cast converts v to dataType d; a value that cannot be converted becomes
// missing (PMML's invalid result), and ok reports whether it converted.
func cast(v value, d dataType) (value, bool) {
	if v.k == kMissing {
		return v, true
	}
	switch d {
	case dtDouble:
		if f, ok := v.number(); ok {
			return num(f), true
		}
	case dtFloat:
		if f, ok := v.number(); ok {
			return num(float64(float32(f))), true
		}
	case dtInteger:
		if v.k == kTemporal {
			return missing, false
		}
		if f, ok := v.number(); ok {
			if f != math.Trunc(f) || math.IsInf(f, 0) {
				return missing, false
			}
			return num(f), true
		}
	case dtString:
		return str(v.text()), true
	case dtBoolean:
		if b, ok := v.truth(); ok {
			return boolean(b), true
		}
	case dtDate, dtTime, dtDateTime:
		return castTemporal(v, d)
	case dtDateDaysSince0, dtDateDaysSince1960, dtDateDaysSince1970, dtDateDaysSince1980,
		dtTimeSeconds, dtDateTimeSecondsSince0, dtDateTimeSecondsSince1960, dtDateTimeSecondsSince1970, dtDateTimeSecondsSince1980:
		return castCount(v, d)
	default:
		return v, true
	}
	return missing, false
}

// parseLiteral reads a constant of the PMML document as dataType d.
func parseLiteral(s string, d dataType) (value, bool) {
	if d == dtUnknown {
		if f, err := parseNumber(s); err == nil {
			return num(f), true
		}
		return str(s), true
	}
	return cast(str(s), d)
}

// equalValues compares two values as PMML's equal does: numerically when
// both are numbers, else as text.
func equalValues(a, b value) bool {
	a, b = temporalPair(a, b)
	if a.k == kStr && b.k == kStr {
		return a.s == b.s
	}
	if a.k != kStr && b.k != kStr {
		return a.n == b.n
	}
	fa, oka := a.number()
	fb, okb := b.number()
	if oka && okb {
		return fa == fb
	}
	return a.text() == b.text()
}

// compareValues orders two present values: -1, 0, 1.
func compareValues(a, b value) int {
	a, b = temporalPair(a, b)
	fa, oka := a.number()
	fb, okb := b.number()
	if oka && okb {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(a.text(), b.text())
}

// temporalPair reads a text compared with a date, time or dateTime as
// one of the same kind, so that "2003-04-01" meets the date it names.
func temporalPair(a, b value) (value, value) {
	switch {
	case a.k == kTemporal && b.k == kStr:
		if sec, tag, ok := parseTemporal(b.s); ok && tag == a.s {
			b = temporal(sec, tag)
		}
	case b.k == kTemporal && a.k == kStr:
		if sec, tag, ok := parseTemporal(a.s); ok && tag == b.s {
			a = temporal(sec, tag)
		}
	}
	return a, b
}

// textual reports whether values of the type are best returned as text
// (BYTES) rather than numbers: strings, booleans, dates and times.
func (d dataType) textual() bool {
	return d == dtString || d == dtBoolean || d == dtUnknown || d == dtDate || d == dtTime || d == dtDateTime
}
