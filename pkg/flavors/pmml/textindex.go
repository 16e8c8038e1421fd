package pmml

import (
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// TextIndex counts how often a term (its expression) occurs in a text
// field, as PMML 4.4 defines: the text is normalised by the
// TextIndexNormalization tables in order, split into tokens by
// wordSeparatorCharacterRE with leading and trailing punctuation trimmed,
// and every run of text tokens as long as the term's is a hit when the sum
// of the per-token Levenshtein distances is at most maxLevenshteinDistance.
//
// Choices where the spec is loose: a literal normalisation row replaces
// whole tokens (a run of tokens equal to its inField's tokens), a regex
// row (regexField "true") rewrites the text with RE2; recursive="true"
// repeats the table until nothing changes (at most maxNormalizePasses);
// augmentedNormalizedTermFrequency divides by the count of the text's most
// frequent single token.

// Limits on what a TextIndex may ask for.
const (
	// MaxLevenshteinDistance bounds maxLevenshteinDistance: the cost of a
	// token comparison grows with it.
	MaxLevenshteinDistance = 16
	maxNormalizePasses     = 16
	// maxNormalizedGrowth bounds how much normalisation may lengthen a
	// text (beyond four times its length); past it the result is missing.
	maxNormalizedGrowth = 64 << 10
)

type textIndex struct {
	slot          int32
	term          expr
	weights       string
	caseSensitive bool
	maxDist       int
	bestHits      bool
	tokenize      bool
	sep           *regexp.Regexp
	norms         []textNorm
}

// textNorm is one TextIndexNormalization table.
type textNorm struct {
	rows          []normRow
	recursive     bool
	caseSensitive bool
	tokenize      bool
	sep           *regexp.Regexp
}

type normRow struct {
	re       *regexp.Regexp // a regex row, or a literal one when !tokenize
	in, out  []string       // a literal row's tokens
	outText  string
	isRegexp bool
}

func (c *compiler) compileTextIndex(e *elem, sc *scope) (expr, error) {
	if err := e.check("textField", "localTermWeights", "isCaseSensitive", "maxLevenshteinDistance", "countHits",
		"wordSeparatorCharacterRE", "tokenize"); err != nil {
		return expr{}, err
	}
	ti := &textIndex{}
	var err error
	if ti.slot, err = c.fieldSlot(e, "textField", sc); err != nil {
		return expr{}, err
	}
	if ti.weights, err = e.oneOf("localTermWeights", "termFrequency", "termFrequency", "binary", "logarithmic", "augmentedNormalizedTermFrequency"); err != nil {
		return expr{}, err
	}
	hits, err := e.oneOf("countHits", "allHits", "allHits", "bestHits")
	if err != nil {
		return expr{}, err
	}
	ti.bestHits = hits == "bestHits"
	opts, err := textOptions(e, textOpts{caseSensitive: false, maxDist: 0, tokenize: true, sep: `\s+`})
	if err != nil {
		return expr{}, err
	}
	ti.caseSensitive, ti.maxDist, ti.tokenize, ti.sep = opts.caseSensitive, opts.maxDist, opts.tokenize, opts.re
	var termElem *elem
	for _, k := range e.kids {
		if k.name == "TextIndexNormalization" {
			if termElem != nil {
				return expr{}, k.invalid("<TextIndexNormalization> comes after the term expression of <TextIndex>")
			}
			n, err := compileTextNorm(k, opts)
			if err != nil {
				return expr{}, err
			}
			ti.norms = append(ti.norms, n)
			continue
		}
		if termElem != nil {
			return expr{}, k.invalid("<TextIndex> has more than one term expression")
		}
		termElem = k
	}
	if termElem == nil {
		return expr{}, e.invalid("<TextIndex> needs an expression for its term")
	}
	if ti.term, err = c.compileExpr(termElem, sc); err != nil {
		return expr{}, err
	}
	return expr{dt: dtDouble, eval: ti.eval}, nil
}

type textOpts struct {
	caseSensitive bool
	maxDist       int
	tokenize      bool
	sep           string
	re            *regexp.Regexp
}

// textOptions reads the attributes TextIndex and TextIndexNormalization
// share, defaulting to def.
func textOptions(e *elem, def textOpts) (textOpts, error) {
	o := def
	cs, err := e.oneOf("isCaseSensitive", boolText(def.caseSensitive), "true", "false")
	if err != nil {
		return o, err
	}
	o.caseSensitive = cs == "true"
	tok, err := e.oneOf("tokenize", boolText(def.tokenize), "true", "false")
	if err != nil {
		return o, err
	}
	o.tokenize = tok == "true"
	d, err := e.float("maxLevenshteinDistance", float64(def.maxDist))
	if err != nil {
		return o, err
	}
	if d < 0 || d != math.Trunc(d) || d > MaxLevenshteinDistance {
		return o, e.unsupported("maxLevenshteinDistance=%v of <%s> is not supported (0 to %d)", d, e.name, MaxLevenshteinDistance)
	}
	o.maxDist = int(d)
	o.sep = e.attrOr("wordSeparatorCharacterRE", def.sep)
	if o.re, err = compileRegex(o.sep); err != nil {
		return o, e.unsupported("wordSeparatorCharacterRE of <%s>: %v", e.name, err)
	}
	return o, nil
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func compileTextNorm(e *elem, parent textOpts) (textNorm, error) {
	if err := e.check("inField", "outField", "regexField", "recursive", "isCaseSensitive", "maxLevenshteinDistance",
		"wordSeparatorCharacterRE", "tokenize"); err != nil {
		return textNorm{}, err
	}
	if err := e.checkKids("InlineTable", "TableLocator"); err != nil {
		return textNorm{}, err
	}
	if t := e.kid("TableLocator"); t != nil {
		return textNorm{}, t.unsupported("TableLocator is not supported; use an InlineTable")
	}
	parent.maxDist = 0
	o, err := textOptions(e, parent)
	if err != nil {
		return textNorm{}, err
	}
	if o.maxDist != 0 {
		return textNorm{}, e.unsupported("maxLevenshteinDistance of <TextIndexNormalization> (fuzzy normalisation) is not supported")
	}
	rec, err := e.oneOf("recursive", "false", "true", "false")
	if err != nil {
		return textNorm{}, err
	}
	n := textNorm{recursive: rec == "true", caseSensitive: o.caseSensitive, tokenize: o.tokenize, sep: o.re}
	inCol, outCol, reCol := e.attrOr("inField", "string"), e.attrOr("outField", "stem"), e.attrOr("regexField", "regex")
	table := e.kid("InlineTable")
	if table == nil {
		return textNorm{}, e.invalid("<TextIndexNormalization> needs an <InlineTable>")
	}
	for _, r := range table.kids {
		cells := map[string]string{}
		for _, cell := range r.kids {
			cells[cell.name] = cell.text
		}
		in, okIn := cells[inCol]
		out, okOut := cells[outCol]
		if !okIn || !okOut {
			return textNorm{}, r.invalid("a row of <TextIndexNormalization> needs the columns %q and %q", inCol, outCol)
		}
		row := normRow{outText: out, isRegexp: strings.TrimSpace(cells[reCol]) == "true"}
		switch {
		case row.isRegexp:
			p := in
			if !o.caseSensitive {
				p = "(?i)" + p
			}
			if row.re, err = compileRegex(p); err != nil {
				return textNorm{}, r.unsupported("<TextIndexNormalization> row: %v", err)
			}
		case o.tokenize:
			row.in, row.out = splitTokens(in, o.re), splitTokens(out, o.re)
			if len(row.in) == 0 {
				return textNorm{}, r.invalid("a row of <TextIndexNormalization> has an empty %q", inCol)
			}
		default:
			p := regexp.QuoteMeta(in)
			if !o.caseSensitive {
				p = "(?i)" + p
			}
			row.re = regexp.MustCompile(p) // a quoted literal always compiles
		}
		n.rows = append(n.rows, row)
	}
	return n, nil
}

// splitTokens splits text at the separators, trims leading and trailing
// punctuation from each token and drops the empty ones.
func splitTokens(text string, sep *regexp.Regexp) []string {
	parts := sep.Split(text, -1)
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimFunc(p, isASCIIPunct); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isASCIIPunct(r rune) bool {
	return r < utf8.RuneSelf && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", r)
}

// normalize applies one table to the text; ok is false when the rows
// grow the text past limit (a row that rewrites "a" as "a a", repeated).
func (n *textNorm) normalize(text string, limit int) (string, bool) {
	for pass := 0; pass < maxNormalizePasses; pass++ {
		before := text
		for i := range n.rows {
			if text = n.rows[i].apply(text, n); len(text) > limit {
				return "", false
			}
		}
		if !n.recursive || text == before {
			break
		}
	}
	return text, true
}

func (r *normRow) apply(text string, n *textNorm) string {
	if r.re != nil {
		if r.isRegexp {
			return r.re.ReplaceAllString(text, r.outText)
		}
		return r.re.ReplaceAllLiteralString(text, r.outText)
	}
	toks := splitTokens(text, n.sep)
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); {
		if i+len(r.in) <= len(toks) && tokensEqual(toks[i:i+len(r.in)], r.in, n.caseSensitive) {
			out = append(out, r.out...)
			i += len(r.in)
			continue
		}
		out = append(out, toks[i])
		i++
	}
	return strings.Join(out, " ")
}

func tokensEqual(a, b []string, caseSensitive bool) bool {
	for i := range a {
		if caseSensitive && a[i] != b[i] || !caseSensitive && !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

func (ti *textIndex) eval(ctx *rowCtx) value {
	tv, termV := ctx.get(ti.slot), ti.term.eval(ctx)
	if tv.k == kMissing || termV.k == kMissing {
		return missing
	}
	text := tv.text()
	limit := 4*len(text) + maxNormalizedGrowth
	for i := range ti.norms {
		var ok bool
		if text, ok = ti.norms[i].normalize(text, limit); !ok {
			return missing
		}
	}
	var textToks, termToks []string
	if ti.tokenize {
		textToks, termToks = splitTokens(text, ti.sep), splitTokens(termV.text(), ti.sep)
	} else {
		textToks, termToks = []string{text}, []string{termV.text()}
	}
	if !ti.caseSensitive {
		for i := range textToks {
			textToks[i] = strings.ToLower(textToks[i])
		}
		for i := range termToks {
			termToks[i] = strings.ToLower(termToks[i])
		}
	}
	if len(termToks) == 0 {
		return num(0)
	}
	freq, best := 0, math.MaxInt
	for i := 0; i+len(termToks) <= len(textToks); i++ {
		sum := 0
		for j := range termToks {
			d := levenshtein(textToks[i+j], termToks[j], ti.maxDist-sum)
			if d < 0 {
				sum = -1
				break
			}
			sum += d
		}
		switch {
		case sum < 0:
		case !ti.bestHits:
			freq++
		case sum < best:
			best, freq = sum, 1
		case sum == best:
			freq++
		}
	}
	f := float64(freq)
	switch ti.weights {
	case "binary":
		return num(math.Min(f, 1))
	case "logarithmic":
		return num(math.Log10(1 + f))
	case "augmentedNormalizedTermFrequency":
		if freq == 0 {
			return num(0)
		}
		counts := map[string]int{}
		most := 0
		for _, t := range textToks {
			counts[t]++
			most = max(most, counts[t])
		}
		return num(0.5 * (1 + f/float64(most)))
	}
	return num(f)
}

// levenshtein returns the edit distance between a and b in runes, or -1
// when it exceeds limit. Only a band of width 2·limit+1 is computed, so
// the cost is O(len·limit).
func levenshtein(a, b string, limit int) int {
	if limit < 0 {
		return -1
	}
	if a == b {
		return 0
	}
	if limit == 0 {
		return -1
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra)-len(rb) > limit || len(rb)-len(ra) > limit {
		return -1
	}
	const inf = math.MaxInt32
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
		if j > limit {
			prev[j] = inf
		}
	}
	for i := 1; i <= len(ra); i++ {
		lo, hi := max(1, i-limit), min(len(rb), i+limit)
		for j := range cur {
			cur[j] = inf
		}
		if i <= limit {
			cur[0] = i
		}
		rowMin := cur[0]
		for j := lo; j <= hi; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d := min(prev[j-1]+cost, prev[j]+1, cur[j-1]+1)
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		if rowMin > limit {
			return -1
		}
		prev, cur = cur, prev
	}
	if d := prev[len(rb)]; d <= limit {
		return d
	}
	return -1
}
