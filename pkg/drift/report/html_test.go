package report

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func renderHTML(t *testing.T, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// parseHTML parses a page strictly enough for our output: x/net/html
// accepts anything, so the tests check the tree it builds.
func parseHTML(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func walk(n *html.Node, visit func(*html.Node)) {
	visit(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	return strings.Contains(" "+v+" ", " "+class+" ")
}

func elements(root *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	walk(root, func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
	})
	return out
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
	})
	return b.String()
}

func TestWriteHTMLOnePlotPerColumn(t *testing.T) {
	r := sampleReport()
	doc := parseHTML(t, renderHTML(t, r))
	windows := elements(doc, func(n *html.Node) bool { return n.Data == "section" && hasClass(n, "window") })
	if len(windows) != len(r.Windows) {
		t.Fatalf("got %d window sections, want %d", len(windows), len(r.Windows))
	}
	for i, w := range windows {
		svgs := elements(w, func(n *html.Node) bool { return n.Data == "svg" })
		plots := elements(w, func(n *html.Node) bool { return n.Data == "svg" && hasClass(n, "plot") })
		rows := elements(w, func(n *html.Node) bool { return n.Data == "tr" && hasClass(n, "col") })
		want := len(r.Windows[i].Columns)
		if len(svgs) != want || len(plots) != want || len(rows) != want {
			t.Errorf("window %d: %d svg, %d plots, %d summary rows; want %d of each", i, len(svgs), len(plots), len(rows), want)
		}
		for _, p := range plots {
			titles := elements(p, func(n *html.Node) bool { return n.Data == "title" })
			if role, _ := attr(p, "role"); role != "img" || len(titles) == 0 || !strings.HasPrefix(text(titles[0]), "Distribution of ") {
				t.Errorf("window %d: plot without role=img and a title: %v", i, p.Attr)
			}
		}
	}
	// Every drawn bar pair is one bin: the numeric sepal_length has five.
	fig := elements(doc, func(n *html.Node) bool { id, _ := attr(n, "id"); return n.Data == "figure" && id == "w1-c2" })
	if len(fig) != 1 || !strings.Contains(text(fig[0]), "sepal_length") {
		t.Fatalf("figure w1-c2 is not sepal_length")
	}
	if bars := elements(fig[0], func(n *html.Node) bool { return n.Data == "rect" && hasClass(n, "cur") }); len(bars) != 5+1 { // + legend swatch
		t.Errorf("sepal_length: %d current bars, want 5 and the legend", len(bars))
	}
}

func TestWriteHTMLSelfContained(t *testing.T) {
	page := renderHTML(t, sampleReport())
	doc := parseHTML(t, page)
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "link", "img", "iframe", "object", "embed", "base", "image", "use":
			t.Errorf("element <%s> could load a resource", n.Data)
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "xmlns":
				continue
			case a.Key == "src" || a.Key == "href" || strings.HasSuffix(a.Key, ":href") || a.Key == "action":
				if !strings.HasPrefix(a.Val, "#") {
					t.Errorf("<%s %s=%q> is not an in-page reference", n.Data, a.Key, a.Val)
				}
			}
			if strings.Contains(strings.ToLower(a.Val), "http") && a.Key != "http-equiv" {
				t.Errorf("<%s %s=%q> names a URL", n.Data, a.Key, a.Val)
			}
		}
	})
	styles := elements(doc, func(n *html.Node) bool { return n.Data == "style" })
	for _, s := range styles {
		if css := text(s); strings.Contains(css, "url(") || strings.Contains(css, "@import") {
			t.Error("inline CSS loads a resource")
		}
	}
	if !strings.Contains(page, `content="default-src 'none';`) {
		t.Error("no Content-Security-Policy forbidding loads")
	}
}

func TestWriteHTMLEscapes(t *testing.T) {
	r := sampleReport()
	const evil = `</script><script>alert(1)</script><img src=x onerror=alert(2)>`
	r.Windows[0].Columns[0].Name = evil
	r.Model.Name = `"><b>model</b>`
	page := renderHTML(t, r)
	doc := parseHTML(t, page)
	for _, tag := range []string{"script", "img", "b"} {
		want := 0
		if tag == "script" {
			want = 1 // the page's own filter
		}
		if got := len(elements(doc, func(n *html.Node) bool { return n.Data == tag })); got != want {
			t.Errorf("%d <%s> elements, want %d: data was not escaped", got, tag, want)
		}
	}
	if !strings.Contains(text(doc), evil) {
		t.Error("the column name is not shown as text")
	}
	if !strings.Contains(text(doc), "<b>new</b>") {
		t.Error("the category label <b>new</b> is not shown as text")
	}
	if strings.Contains(page, "\x1b") {
		t.Error("control character written to the page")
	}
}

func TestWriteHTMLContents(t *testing.T) {
	doc := parseHTML(t, renderHTML(t, sampleReport()))
	body := text(doc)
	for _, want := range []string{
		"dataset data/train.parquet (1000 rows)",
		"iris-classifier 3 (6f1c9a52-0a44-4b8e-9d0e-5b0b1f6a7c11)",
		"2026-03-01T12:00:00Z",
		"Dataset DRIFT: 3 of 6 tested columns drifted (share 0.50, threshold 0.50; 7 columns)",
		"ks p=0.0012 (drift when p≤0.05)",
		"approximate",
		"2 current values never seen in the reference",
		"Not compared: no rows logged",
		"Performance (classification, label species)",
		"[−∞, 1): baseline 30%, current 25%",
		"<b>new</b>: baseline 0%, current 5%",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page text lacks %q", want)
		}
	}
}

func TestWriteHTMLSize(t *testing.T) {
	tests := []struct {
		name    string
		report  *Report
		maxSize int
	}{
		{"50 columns", wideReport(50), 1 << 20},
		{"50 columns, 5000 bins and categories each", hugeBins(wideReport(50), 5000), 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := renderHTML(t, tt.report)
			if len(page) > tt.maxSize {
				t.Errorf("page is %d bytes, want at most %d", len(page), tt.maxSize)
			}
			t.Logf("%d bytes", len(page))
		})
	}
}

// hugeBins gives every column n bins, past the plot's limits.
func hugeBins(r *Report, n int) *Report {
	for i := range r.Windows[0].Columns {
		h := &r.Windows[0].Columns[i].Histogram
		h.Ref, h.Cur = normalShares(n, 0), normalShares(n, 0.2)
		if h.Labels != nil {
			h.Labels = nil
			for k := range n {
				h.Labels = append(h.Labels, "category_"+strconv.Itoa(k))
			}
		} else {
			h.Edges = nil
			for k := range n + 1 {
				h.Edges = append(h.Edges, float64(k))
			}
		}
	}
	return r
}

func TestPlotLimitsBars(t *testing.T) {
	r := hugeBins(wideReport(2), 1000)
	for i, want := range []int{maxNumericBars, maxCategoricalBars} {
		c := r.Windows[0].Columns[i]
		p := newPlot(&c)
		if len(p.Bars) > want || len(p.Bars) < want/2 {
			t.Errorf("%s: %d bars, want at most %d", c.Kind, len(p.Bars), want)
		}
	}
	// The folded categories keep the whole share.
	c := r.Windows[0].Columns[1]
	bins, _ := histogramBins(&c.Histogram)
	sum := 0.0
	for _, b := range bins {
		sum += b.ref
	}
	if sum < 0.999 || sum > 1.001 || !strings.HasPrefix(bins[len(bins)-1].label, "other (") {
		t.Errorf("folded categories: shares sum to %v, last bar %q", sum, bins[len(bins)-1].label)
	}
}
