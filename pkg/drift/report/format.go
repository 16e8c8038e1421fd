package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mlctl/mlctl/pkg/drift/stats"
)

// What the renderers print for a number that is not there or not finite.
const notANumber = "n/a"

// IsPValue reports whether the column's Score is a p-value (drift when
// small) rather than a distance (drift when large).
func (c *Column) IsPValue() bool {
	return c.PValue != nil || stats.TestName(c.Test).IsPValue()
}

// Severity orders columns by how far their score is past the threshold,
// comparable across tests: 1 at the threshold, larger is more significant.
// p-values compare on a log scale (p = 0.0025 against 0.05 is 2), distances
// as a ratio (0.3 against 0.1 is 3). Untested columns and NaN scores are
// -Inf; a p-value of 0 is +Inf.
func (c *Column) Severity() float64 {
	s, t := c.Score, c.Threshold
	if !c.Tested || math.IsNaN(s) || math.IsNaN(t) {
		return math.Inf(-1)
	}
	if c.IsPValue() {
		if s <= 0 {
			return math.Inf(1)
		}
		if t <= 0 || t >= 1 {
			return -math.Log10(s)
		}
		return math.Log10(s) / math.Log10(t)
	}
	if t <= 0 {
		return s
	}
	return s / t
}

// Ordered returns the window's columns as the renderers show them: drifted
// first, then by Severity, most significant first; ties keep their order.
func (w *Window) Ordered() []Column {
	cols := slices.Clone(w.Columns)
	slices.SortStableFunc(cols, func(a, b Column) int {
		if a.Drift != b.Drift {
			if a.Drift {
				return -1
			}
			return 1
		}
		sa, sb := a.Severity(), b.Severity()
		switch {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	return cols
}

// comparison is the decision rule's operator, read as "drift when score
// <op> threshold", matching stats.TestName.Drifted.
func comparison(c *Column) string {
	switch stats.TestName(c.Test) {
	case stats.TestKS:
		return "≤"
	case stats.TestChiSquare, stats.TestZ:
		return "<"
	}
	if c.IsPValue() {
		return "<"
	}
	return "≥"
}

// formatScore shows a p-value as "p=…" and a distance as a plain number.
func formatScore(c *Column) string {
	if !c.Tested || !finite(c.Score) {
		return notANumber
	}
	if c.IsPValue() {
		return "p=" + formatPValue(c.Score)
	}
	return formatNumber(c.Score)
}

// formatThreshold shows the drift rule, e.g. "p≤0.05" or "≥0.1".
func formatThreshold(c *Column) string {
	if !finite(c.Threshold) {
		return notANumber
	}
	t := strconv.FormatFloat(c.Threshold, 'g', 4, 64)
	if c.IsPValue() {
		return "p" + comparison(c) + t
	}
	return comparison(c) + t
}

// formatPValue keeps small p-values readable: 0.0123, 3.1e-07, 0.
func formatPValue(p float64) string {
	switch {
	case p == 0:
		return "0"
	case p >= 0.001:
		return strconv.FormatFloat(p, 'f', 4, 64)
	}
	return strconv.FormatFloat(p, 'e', 1, 64)
}

// formatNumber shows a statistic or metric with four significant digits.
func formatNumber(v float64) string {
	if !finite(v) {
		return notANumber
	}
	if v != 0 && (math.Abs(v) < 0.001 || math.Abs(v) >= 1e6) {
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// formatDelta is a metric change with its sign.
func formatDelta(v float64) string {
	s := formatNumber(v)
	if finite(v) && v >= 0 {
		return "+" + s
	}
	return s
}

// verdict is the column's verdict word.
func verdict(c *Column) string {
	switch {
	case !c.Tested:
		return "not tested"
	case c.Drift:
		return "DRIFT"
	}
	return "ok"
}

// notes lists what a reader should know about a column beyond its score.
func notes(c *Column) []string {
	// Short facts first: a long reason is what a narrow column cuts.
	var n []string
	if c.Approximate {
		n = append(n, "approximate (from a sketch)")
	}
	// Values never seen in the reference matter for tests over categories;
	// a continuous column's new values are the normal case.
	categories := c.Kind == "categorical" || c.Test == "chisquare" || c.Test == "z"
	if c.Unseen > 0 && categories && !strings.Contains(c.Reason, "never seen") {
		n = append(n, plural(c.Unseen, "unseen category", "unseen categories"))
	}
	if c.RefMissing > 0 || c.CurMissing > 0 {
		n = append(n, fmt.Sprintf("missing %d/%d", c.RefMissing, c.CurMissing))
	}
	if c.Reason != "" {
		n = append(n, c.Reason)
	}
	return n
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// datasetVerdict is the one-line dataset verdict.
func datasetVerdict(d Dataset) string {
	word := "no drift"
	if d.Drift {
		word = "DRIFT"
	}
	return fmt.Sprintf("%s: %d of %d tested columns drifted (share %s, threshold %s; %d columns)",
		word, d.Drifted, d.Tested, formatShare(d.Share), formatShare(d.Threshold), d.Columns)
}

func formatShare(v float64) string {
	if !finite(v) {
		return notANumber
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// windowTitle names a window by its time range and rows.
func windowTitle(i, n int, w *Window) string {
	var b strings.Builder
	if n > 1 {
		fmt.Fprintf(&b, "Window %d of %d", i+1, n)
	} else {
		b.WriteString("Window")
	}
	if w.Start != nil || w.End != nil {
		fmt.Fprintf(&b, ": %s → %s", formatTime(w.Start), formatTime(w.End))
	}
	fmt.Fprintf(&b, " (%s)", plural(int(w.Rows), "row", "rows"))
	return b.String()
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "…"
	}
	return t.UTC().Format(time.RFC3339)
}

// describeSource is a one-line summary of where data came from.
func describeSource(s Source) string {
	var b strings.Builder
	b.WriteString(s.Kind)
	if len(s.Paths) > 0 {
		b.WriteString(" " + strings.Join(s.Paths, ", "))
	}
	fmt.Fprintf(&b, " (%s", plural(int(s.Rows), "row", "rows"))
	if s.Since != nil || s.Until != nil {
		fmt.Fprintf(&b, ", %s → %s", formatTime(s.Since), formatTime(s.Until))
	}
	b.WriteString(")")
	return b.String()
}

func describeModel(m *Model) string {
	s := m.Name
	if m.Version != "" {
		s += " " + m.Version
	}
	if m.UUID != "" {
		s += " (" + m.UUID + ")"
	}
	return s
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// printable replaces control characters (escape sequences, newlines) in
// text from the data, so a column name cannot move the cursor or recolour
// a terminal, nor break a table row.
func printable(s string) string {
	if strings.IndexFunc(s, unicode.IsControl) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
