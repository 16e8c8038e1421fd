package pmml

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
)

// specialFn is a built-in whose compilation needs more than its argument
// values: a pattern checked when it is a Constant, or the field an argument
// names (isValid).
type specialFn struct {
	min, max int
	compile  func(c *compiler, e *elem, args []expr, sc *scope) (expr, error)
}

// specialFns is filled in init: its functions refer to compileApply's
// helpers, which refer back to the table.
var specialFns map[string]specialFn

func init() {
	specialFns = map[string]specialFn{
		"matches":                  {2, 2, compileMatches},
		"replace":                  {3, 3, compileReplace},
		"formatNumber":             {2, 2, compileFormatNumber},
		"formatDatetime":           {2, 2, compileFormatDatetime},
		"dateDaysSinceYear":        {2, 2, compileDateSinceYear(secondsPerDay)},
		"dateSecondsSinceYear":     {2, 2, compileDateSinceYear(1)},
		"dateSecondsSinceMidnight": {1, 1, compileSecondsSinceMidnight},
		"isValid":                  {1, 1, compileValidity(true)},
		"isNotValid":               {1, 1, compileValidity(false)},
	}
}

// Limits on client-controlled patterns.
const (
	// MaxPatternLength bounds a regular expression or format pattern.
	MaxPatternLength = 1024
	// maxRegexCache bounds the compiled patterns kept for patterns that
	// come from the data rather than a Constant.
	maxRegexCache = 256
	// maxFormatWidth bounds a printf width or precision.
	maxFormatWidth = 99
)

// constantArg returns the value of argument i when it is a <Constant>, so
// that its pattern can be checked when the document is parsed.
func constantArg(e *elem, args []expr, i int) (value, bool) {
	if i >= len(e.kids) || e.kids[i].name != "Constant" {
		return missing, false
	}
	return args[i].eval(nil), true // a Constant ignores the row
}

// compileRegex compiles a pattern with Go's RE2 syntax, which covers
// the Java patterns PMML producers write except backreferences and
// lookaround; those are refused rather than matched differently.
func compileRegex(p string) (*regexp.Regexp, error) {
	if len(p) > MaxPatternLength {
		return nil, fmt.Errorf("the pattern is %d bytes, the limit is %d", len(p), MaxPatternLength)
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("the pattern %q is not an RE2 regular expression (backreferences and lookaround are not supported): %v", p, err)
	}
	return re, nil
}

// regexCache keeps the patterns that arrive with the data.
type regexCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp // nil for a pattern that does not compile
}

func (rc *regexCache) get(p string) *regexp.Regexp {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if re, ok := rc.m[p]; ok {
		return re
	}
	re, _ := compileRegex(p)
	if rc.m == nil || len(rc.m) >= maxRegexCache {
		rc.m = map[string]*regexp.Regexp{}
	}
	rc.m[p] = re
	return re
}

// regexArg resolves the pattern argument: compiled once when constant,
// else looked up per row (an invalid pattern makes the result missing).
func regexArg(e *elem, args []expr, i int, fn string) (func(value) *regexp.Regexp, error) {
	if v, ok := constantArg(e, args, i); ok {
		re, err := compileRegex(v.text())
		if err != nil {
			return nil, e.unsupported("function %s: %v", fn, err)
		}
		return func(value) *regexp.Regexp { return re }, nil
	}
	cache := &regexCache{}
	return func(v value) *regexp.Regexp { return cache.get(v.text()) }, nil
}

// compileMatches is matches(input, pattern): true when any substring of
// input matches.
func compileMatches(_ *compiler, e *elem, args []expr, _ *scope) (expr, error) {
	pattern, err := regexArg(e, args, 1, "matches")
	if err != nil {
		return expr{}, err
	}
	return expr{dt: dtBoolean, eval: func(ctx *rowCtx) value {
		s, p := args[0].eval(ctx), args[1].eval(ctx)
		if s.k == kMissing || p.k == kMissing {
			return missing
		}
		re := pattern(p)
		if re == nil {
			return missing
		}
		return boolean(re.MatchString(s.text()))
	}}, nil
}

// compileReplace is replace(input, pattern, replacement): every match
// replaced; $1 in the replacement is the first group, as in Java.
func compileReplace(_ *compiler, e *elem, args []expr, _ *scope) (expr, error) {
	pattern, err := regexArg(e, args, 1, "replace")
	if err != nil {
		return expr{}, err
	}
	return expr{dt: dtString, eval: func(ctx *rowCtx) value {
		s, p, r := args[0].eval(ctx), args[1].eval(ctx), args[2].eval(ctx)
		if s.k == kMissing || p.k == kMissing || r.k == kMissing {
			return missing
		}
		re := pattern(p)
		if re == nil {
			return missing
		}
		return str(re.ReplaceAllString(s.text(), r.text()))
	}}, nil
}

// numFormat is a parsed C printf pattern with one conversion.
type numFormat struct {
	prefix, suffix string
	verb           string // the Go fmt verb
	conv           byte   // d, f, e, E, g, G, s, x, X, o
}

// parseNumFormat reads the subset of C's printf that formatNumber
// supports: literal text, %%, and one %[flags][width][.precision]conv
// with flags -+ 0#, width and precision up to 99, and conv one of
// d i u f F e E g G s x X o (C's length modifiers h, l, ll are ignored).
func parseNumFormat(p string) (numFormat, error) {
	if len(p) > MaxPatternLength {
		return numFormat{}, fmt.Errorf("the pattern is %d bytes, the limit is %d", len(p), MaxPatternLength)
	}
	var f numFormat
	var lit strings.Builder
	found := false
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			lit.WriteByte(p[i])
			continue
		}
		if i+1 < len(p) && p[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		if found {
			return numFormat{}, fmt.Errorf("the pattern %q has more than one conversion", p)
		}
		found = true
		f.prefix = lit.String()
		lit.Reset()
		j := i + 1
		for j < len(p) && strings.IndexByte("-+ 0#", p[j]) >= 0 {
			j++
		}
		flags := p[i+1 : j]
		w := j
		for j < len(p) && p[j] >= '0' && p[j] <= '9' {
			j++
		}
		width := p[w:j]
		prec := ""
		if j < len(p) && p[j] == '.' {
			k := j + 1
			for k < len(p) && p[k] >= '0' && p[k] <= '9' {
				k++
			}
			prec = p[j+1 : k]
			if prec == "" {
				prec = "0"
			}
			j = k
		}
		if len(width) > 2 || len(prec) > 2 {
			return numFormat{}, fmt.Errorf("the pattern %q has a width or precision over %d", p, maxFormatWidth)
		}
		for j < len(p) && (p[j] == 'l' || p[j] == 'h') {
			j++
		}
		if j >= len(p) || strings.IndexByte("diufFeEgGsxXo", p[j]) < 0 {
			return numFormat{}, fmt.Errorf("the pattern %q has an unsupported conversion (supported: d i u f e E g G s x X o)", p)
		}
		f.conv = p[j]
		switch f.conv {
		case 'i', 'u':
			f.conv = 'd'
		case 'F':
			f.conv = 'f'
		}
		if (f.conv == 'g' || f.conv == 'G') && prec == "" {
			prec = "6" // C's default; Go's %g would print the shortest form
		}
		f.verb = "%" + flags + width
		if prec != "" {
			f.verb += "." + prec
		}
		f.verb += string(f.conv)
		i = j
	}
	if !found {
		return numFormat{}, fmt.Errorf("the pattern %q has no conversion such as %%d or %%.2f", p)
	}
	f.suffix = lit.String()
	return f, nil
}

// format prints v; an integer conversion of a fractional number, or a
// number conversion of text, is invalid.
func (f numFormat) format(v value) (string, bool) {
	if f.conv == 's' {
		return f.prefix + fmt.Sprintf(f.verb, v.text()) + f.suffix, true
	}
	x, ok := v.number()
	if !ok {
		return "", false
	}
	switch f.conv {
	case 'd', 'x', 'X', 'o':
		if x != math.Trunc(x) || math.Abs(x) > 1<<62 {
			return "", false
		}
		return f.prefix + fmt.Sprintf(f.verb, int64(x)) + f.suffix, true
	}
	return f.prefix + fmt.Sprintf(f.verb, x) + f.suffix, true
}

// compileFormatNumber is formatNumber(x, pattern).
func compileFormatNumber(_ *compiler, e *elem, args []expr, _ *scope) (expr, error) {
	var fixed *numFormat
	if v, ok := constantArg(e, args, 1); ok {
		f, err := parseNumFormat(v.text())
		if err != nil {
			return expr{}, e.unsupported("function formatNumber: %v", err)
		}
		fixed = &f
	}
	return expr{dt: dtString, eval: func(ctx *rowCtx) value {
		x, p := args[0].eval(ctx), args[1].eval(ctx)
		if x.k == kMissing || p.k == kMissing {
			return missing
		}
		f := fixed
		if f == nil {
			pf, err := parseNumFormat(p.text())
			if err != nil {
				return missing
			}
			f = &pf
		}
		s, ok := f.format(x)
		if !ok {
			return missing
		}
		return str(s)
	}}, nil
}
