package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/net/html"
)

// FuzzWriters feeds the three writers names, labels and numbers a data
// file or a broken comparison could produce: every writer must succeed,
// the JSON must be valid, the table must stay plain and narrow, and the
// page must keep one plot per column and no markup from the data.
func FuzzWriters(f *testing.F) {
	f.Add("age", "a", "ks", 0.01, 0.2, 0.5, 1.0, false)
	f.Add("x\x1b[2J\n<script>", "</svg>", "psi", math.NaN(), math.Inf(1), math.Inf(-1), -3.0, true)
	f.Add("名前が長い列の名前が長い列の名前が長い列の名前", "ü\u0085", "", 0.0, 0.0, 0.0, 0.0, false)
	f.Fuzz(func(t *testing.T, name, label, test string, score, stat, edge, share float64, numeric bool) {
		c := Column{
			Name: name, Role: "feature", Kind: "categorical", Test: test, Tested: true,
			Statistic: stat, PValue: &score, Score: score, Threshold: edge, Drift: score < 0.05,
			Reason: label, Unseen: 1,
			Histogram: Histogram{Labels: []string{label, name}, Ref: []float64{share, 1 - share}, Cur: []float64{stat, share}},
		}
		if numeric {
			c.Kind = "numeric"
			c.Histogram = Histogram{Edges: []float64{edge, stat, score}, Ref: []float64{share, 1 - share}, Cur: []float64{1, share}}
		}
		r := &Report{
			Format: Format, Baseline: Source{Kind: label, Paths: []string{name}}, Model: &Model{Name: name},
			Windows: []Window{{Dataset: Dataset{Share: share, Threshold: edge}, Columns: []Column{c}}},
		}

		var table bytes.Buffer
		if err := WriteTable(&table, r, false); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(table.String(), "\n") {
			if strings.ContainsRune(line, '\x1b') || ansi.StringWidth(line) > 240 {
				t.Fatalf("table line not plain or too wide: %q", line)
			}
		}

		var js bytes.Buffer
		if err := WriteJSON(&js, r); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(js.Bytes()) {
			t.Fatalf("invalid JSON:\n%s", js.String())
		}

		page := renderHTML(t, r)
		doc := parseHTML(t, page)
		if n := len(elements(doc, func(n *html.Node) bool { return n.Data == "svg" && hasClass(n, "plot") })); n != 1 {
			t.Fatalf("%d plots for one column", n)
		}
		if n := len(elements(doc, func(n *html.Node) bool { return n.Data == "script" })); n != 1 {
			t.Fatalf("%d scripts: data was not escaped", n)
		}
	})
}
