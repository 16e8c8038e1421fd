package report

import (
	"fmt"
	"io"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Widths past which a table cell is cut with "…", so that one long column
// name or reason cannot push the table off the screen.
const (
	maxNameWidth = 32
	maxNoteWidth = 60
	maxLineWidth = 100 // header lines: sources and model
)

// tableStyles colour the table. The zero value (colour off) leaves text
// unchanged, so plain output is exactly the layout.
type tableStyles struct {
	on                       bool
	header, drift, ok, muted lipgloss.Style
}

func newTableStyles(color bool) tableStyles {
	if !color {
		return tableStyles{}
	}
	// The 16 basic ANSI colours: every terminal has them, and each user's
	// theme keeps them readable on its background.
	return tableStyles{
		on:     true,
		header: lipgloss.NewStyle().Bold(true),
		drift:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Red),
		ok:     lipgloss.NewStyle().Foreground(lipgloss.Green),
		muted:  lipgloss.NewStyle().Faint(true),
	}
}

func (s tableStyles) render(st lipgloss.Style, text string) string {
	if !s.on || text == "" {
		return text
	}
	return st.Render(text)
}

// WriteTable writes the report as a terminal table: a header naming the
// sources, then per window the dataset verdict, one row per column (drifted
// first, then by significance) and the performance metrics, if any. With
// color false the output is plain text, stable byte for byte; with color
// true verdicts and headings carry ANSI colours (lipgloss) and the layout
// is the same.
func WriteTable(w io.Writer, r *Report, color bool) error {
	if r == nil {
		return fmt.Errorf("write drift table: report is nil")
	}
	st := newTableStyles(color)
	var b strings.Builder
	writeTableHeader(&b, r, st)
	for i := range r.Windows {
		b.WriteString("\n")
		writeWindowTable(&b, i, len(r.Windows), &r.Windows[i], st)
	}
	if len(r.Windows) == 0 {
		b.WriteString("\nNo windows to compare.\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write drift table: %w", err)
	}
	return nil
}

func writeTableHeader(b *strings.Builder, r *Report, st tableStyles) {
	line := func(label, value string) {
		fmt.Fprintf(b, "%s %s\n", st.render(st.header, fmt.Sprintf("%-9s", label)), cut(value, maxLineWidth))
	}
	line("Baseline:", describeSource(r.Baseline))
	line("Current:", describeSource(r.Current))
	if r.Model != nil {
		line("Model:", describeModel(r.Model))
	}
}

func writeWindowTable(b *strings.Builder, i, n int, w *Window, st tableStyles) {
	b.WriteString(st.render(st.header, windowTitle(i, n, w)) + "\n")
	if w.Empty != "" {
		b.WriteString(st.render(st.muted, "Not compared: "+cut(w.Empty, maxLineWidth)) + "\n")
		return
	}
	vs := st.ok
	if w.Dataset.Drift {
		vs = st.drift
	}
	b.WriteString("Dataset " + st.render(vs, datasetVerdict(w.Dataset)) + "\n\n")

	cols := w.Ordered()
	t := textTable{header: []string{"COLUMN", "ROLE", "KIND", "TEST", "SCORE", "THRESHOLD", "VERDICT", "NOTE"}}
	for k := range cols {
		c := &cols[k]
		row := []string{
			cut(c.Name, maxNameWidth), cut(c.Role, 12), cut(c.Kind, 12), cut(c.Test, 14),
			formatScore(c), formatThreshold(c), verdict(c),
			cut(strings.Join(notes(c), "; "), maxNoteWidth),
		}
		style := []lipgloss.Style{6: verdictStyle(c, st)}
		t.rows = append(t.rows, row)
		t.styles = append(t.styles, style)
	}
	if len(cols) == 0 {
		b.WriteString("No columns.\n")
	} else {
		t.write(b, st)
	}

	if p := w.Performance; p != nil {
		fmt.Fprintf(b, "\n%s\n\n", st.render(st.header,
			cut(fmt.Sprintf("Performance (%s, label %q)", p.Task, p.Label), maxLineWidth)))
		mt := textTable{header: []string{"METRIC", "BASELINE", "CURRENT", "DELTA", "REF ROWS", "CUR ROWS"}}
		for _, m := range p.Metrics {
			mt.rows = append(mt.rows, []string{
				cut(m.Name, maxNameWidth), formatNumber(m.Baseline), formatNumber(m.Current),
				formatDelta(m.Delta), fmt.Sprint(m.RefRows), fmt.Sprint(m.CurRows),
			})
			mt.styles = append(mt.styles, nil)
		}
		mt.write(b, st)
	}
}

func verdictStyle(c *Column, st tableStyles) lipgloss.Style {
	switch {
	case !c.Tested:
		return st.muted
	case c.Drift:
		return st.drift
	}
	return st.ok
}

// textTable lays out cells in columns two spaces apart, padding by display
// width (so wide characters line up) before any colour is added.
type textTable struct {
	header []string
	rows   [][]string
	styles [][]lipgloss.Style // per row, per cell; missing means unstyled
}

func (t *textTable) write(b *strings.Builder, st tableStyles) {
	widths := make([]int, len(t.header))
	for i, h := range t.header {
		widths[i] = ansi.StringWidth(h)
	}
	for _, row := range t.rows {
		for i, cell := range row {
			widths[i] = max(widths[i], ansi.StringWidth(cell))
		}
	}
	// The last column is not padded: no trailing blanks.
	last := len(widths) - 1
	emptyLast := true
	for _, row := range t.rows {
		if row[last] != "" {
			emptyLast = false
		}
	}
	if emptyLast && t.header[last] == "NOTE" {
		last-- // no notes at all: drop the column
	}
	line := func(cells []string, styles []lipgloss.Style, header bool) {
		var l strings.Builder
		for i := 0; i <= last; i++ {
			cell := cells[i]
			pad := widths[i] - ansi.StringWidth(cell)
			switch {
			case header:
				cell = st.render(st.header, cell)
			case i < len(styles):
				cell = st.render(styles[i], cell)
			}
			l.WriteString(cell)
			if i < last {
				l.WriteString(strings.Repeat(" ", pad+2))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " ") + "\n")
	}
	line(t.header, nil, true)
	for k, row := range t.rows {
		line(row, t.styles[k], false)
	}
}

// cut makes text printable and at most width cells wide, ending in "…"
// when it was longer.
func cut(s string, width int) string {
	s = printable(s)
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}
