package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlTemplateText string

// htmlTemplate is parsed once; html/template escapes every value by its
// context (text, attribute, URL), so names from the data cannot inject
// markup or script.
var htmlTemplate = template.Must(template.New("report").Parse(htmlTemplateText))

// WriteHTML writes the report as one self-contained HTML file: inline CSS,
// inline SVG plots drawn here and a few lines of plain JavaScript (a
// "drifted only" filter; the page reads fine without it). It loads nothing
// from the network, and its Content-Security-Policy forbids it to. Per
// window it shows the dataset verdict, a summary table, one plot per
// column (baseline and current shares per bin) and the performance
// metrics.
func WriteHTML(w io.Writer, r *Report) error {
	if r == nil {
		return fmt.Errorf("write drift report HTML: report is nil")
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, newHTMLPage(r)); err != nil {
		return fmt.Errorf("write drift report HTML: %w", err)
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write drift report HTML: %w", err)
	}
	return nil
}

// htmlPage and the types below are the report as the template shows it:
// strings already formatted, so the template holds no number formatting.
type htmlPage struct {
	Title     string
	Baseline  string
	Current   string
	Model     string
	Generated string
	Format    string
	Drift     bool
	Windows   []htmlWindow
}

type htmlWindow struct {
	ID          string
	Title       string
	Empty       string
	Drift       bool
	Verdict     string
	Columns     []htmlColumn
	Performance *htmlPerformance
}

type htmlColumn struct {
	ID           string
	Name         string
	Role         string
	Kind         string
	Test         string
	Score        string
	Threshold    string
	Verdict      string
	VerdictClass string
	Note         string
	Drift        bool
	Approximate  bool
	RefRows      int
	CurRows      int
	Plot         plot
}

type htmlPerformance struct {
	Task    string
	Label   string
	Metrics []htmlMetric
}

type htmlMetric struct {
	Name, Baseline, Current, Delta string
	RefRows, CurRows               int64
}

func newHTMLPage(r *Report) htmlPage {
	title := "Drift report"
	if r.Model != nil && r.Model.Name != "" {
		title += ": " + printable(r.Model.Name)
	}
	p := htmlPage{
		Title:     title,
		Baseline:  printable(describeSource(r.Baseline)),
		Current:   printable(describeSource(r.Current)),
		Generated: r.Generated.UTC().Format(time.RFC3339),
		Format:    r.Format,
		Drift:     r.Drift(),
	}
	if r.Model != nil {
		p.Model = printable(describeModel(r.Model))
	}
	for i := range r.Windows {
		p.Windows = append(p.Windows, newHTMLWindow(i, len(r.Windows), &r.Windows[i]))
	}
	return p
}

func newHTMLWindow(i, n int, w *Window) htmlWindow {
	id := "w" + strconv.Itoa(i+1)
	hw := htmlWindow{
		ID:      id,
		Title:   windowTitle(i, n, w),
		Empty:   printable(w.Empty),
		Drift:   w.Dataset.Drift,
		Verdict: datasetVerdict(w.Dataset),
	}
	for k, c := range w.Ordered() {
		hw.Columns = append(hw.Columns, htmlColumn{
			ID:           id + "-c" + strconv.Itoa(k+1),
			Name:         printable(c.Name),
			Role:         printable(c.Role),
			Kind:         printable(c.Kind),
			Test:         printable(c.Test),
			Score:        formatScore(&c),
			Threshold:    formatThreshold(&c),
			Verdict:      verdict(&c),
			VerdictClass: verdictClass(&c),
			Note:         printable(strings.Join(notes(&c), "; ")),
			Drift:        c.Drift,
			Approximate:  c.Approximate,
			RefRows:      c.RefRows,
			CurRows:      c.CurRows,
			Plot:         newPlot(&c),
		})
	}
	if perf := w.Performance; perf != nil {
		hp := &htmlPerformance{Task: printable(perf.Task), Label: printable(perf.Label)}
		for _, m := range perf.Metrics {
			hp.Metrics = append(hp.Metrics, htmlMetric{
				Name: printable(m.Name), Baseline: formatNumber(m.Baseline),
				Current: formatNumber(m.Current), Delta: formatDelta(m.Delta),
				RefRows: m.RefRows, CurRows: m.CurRows,
			})
		}
		hw.Performance = hp
	}
	return hw
}

func verdictClass(c *Column) string {
	switch {
	case !c.Tested:
		return "untested"
	case c.Drift:
		return "drift"
	}
	return "ok"
}
