package report

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Plot geometry, in SVG user units (CSS pixels at 100%).
const (
	plotWidth      = 480
	plotHeight     = 210
	plotLeft       = 46 // room for the y labels
	plotRight      = 8
	plotTop        = 26 // room for the legend
	plotBottom     = 34 // x labels; more when they are slanted
	plotBottomTilt = 62

	// Bars drawn at most, so that a report of many columns stays small:
	// numeric bins are merged in runs, categories past the most frequent
	// are summed into one "other" bar.
	maxNumericBars     = 60
	maxCategoricalBars = 30
	maxTickLabelWidth  = 10
	slantAbove         = 8 // categories: slant labels when more than this
	maxXTicks          = 8 // numeric: edge labels shown at most
)

// plot is one column's distribution chart, ready for the template: every
// number is already formatted, so the template only places strings.
type plot struct {
	Title   string // also the accessible name
	Width   int
	Height  int
	Empty   string // why there is nothing to draw, if so
	MidX    string // where that is said
	MidY    string
	Bars    []plotBar
	XTicks  []plotTick
	YTicks  []plotTick
	X0, X1  string // the x axis line
	Y0      string // its height
	Slanted bool
}

type plotBar struct {
	Tip                    string // "[0.5, 1): baseline 12.0%, current 30.5%"
	RefX, RefY, RefH       string
	CurX, CurY, CurH, BarW string
}

type plotTick struct {
	X, Y  string
	Label string
}

// bin is one bar pair before layout.
type bin struct {
	label    string // category, or "[lo, hi)"
	ref, cur float64
}

// newPlot lays out the column's histogram as grouped bars: baseline then
// current in each bin, shares on the y axis.
func newPlot(c *Column) plot {
	p := plot{
		Title:  "Distribution of " + printable(c.Name) + ": baseline vs current",
		Width:  plotWidth,
		Height: plotHeight,
		MidX:   coord(plotWidth / 2),
		MidY:   coord(plotHeight / 2),
	}
	bins, edges := histogramBins(&c.Histogram)
	top := 0.0
	for _, b := range bins {
		top = max(top, b.ref, b.cur)
	}
	if len(bins) == 0 || top == 0 {
		p.Empty = "No distribution recorded for this column."
		return p
	}
	p.Slanted = edges == nil && len(bins) > slantAbove
	bottom := plotBottom
	if p.Slanted {
		bottom = plotBottomTilt
	}
	x0, x1 := float64(plotLeft), float64(plotWidth-plotRight)
	y0, y1 := float64(plotHeight-bottom), float64(plotTop)
	p.X0, p.X1, p.Y0 = coord(x0), coord(x1), coord(y0)

	yMax := niceCeil(top)
	for _, f := range []float64{0, 0.5, 1} {
		p.YTicks = append(p.YTicks, plotTick{
			X: coord(x0 - 4), Y: coord(y0 - f*(y0-y1)), Label: percent(f * yMax),
		})
	}
	slot := (x1 - x0) / float64(len(bins))
	barW := slot * 0.4
	height := func(share float64) float64 { return share / yMax * (y0 - y1) }
	for i, b := range bins {
		left := x0 + float64(i)*slot + slot*0.1
		rh, ch := height(b.ref), height(b.cur)
		p.Bars = append(p.Bars, plotBar{
			Tip:  b.label + ": baseline " + percent(b.ref) + ", current " + percent(b.cur),
			RefX: coord(left), RefY: coord(y0 - rh), RefH: coord(rh),
			CurX: coord(left + barW), CurY: coord(y0 - ch), CurH: coord(ch),
			BarW: coord(barW),
		})
	}
	ty := coord(y0 + 14)
	if edges != nil {
		step := (len(edges) + maxXTicks - 1) / maxXTicks
		for i := 0; i < len(edges); i += step {
			p.XTicks = append(p.XTicks, plotTick{X: coord(x0 + float64(i)*slot), Y: ty, Label: formatEdge(edges[i])})
		}
	} else {
		step := (len(bins) + maxCategoricalBars - 1) / maxCategoricalBars
		for i := 0; i < len(bins); i += step {
			p.XTicks = append(p.XTicks, plotTick{
				X: coord(x0 + (float64(i)+0.5)*slot), Y: ty,
				Label: ansi.Truncate(bins[i].label, maxTickLabelWidth, "…"),
			})
		}
	}
	return p
}

// histogramBins pairs the two sides' shares with their labels, merging
// bins past the bar limits. edges is nil for categories.
func histogramBins(h *Histogram) (bins []bin, edges []float64) {
	n := max(len(h.Ref), len(h.Cur))
	share := func(s []float64, i int) float64 {
		if i >= len(s) || !finite(s[i]) || s[i] < 0 {
			return 0
		}
		return s[i]
	}
	numeric := len(h.Labels) == 0 && len(h.Edges) == n+1
	for i := range n {
		b := bin{ref: share(h.Ref, i), cur: share(h.Cur, i)}
		switch {
		case numeric:
			b.label = "[" + formatEdge(h.Edges[i]) + ", " + formatEdge(h.Edges[i+1]) + ")"
		case i < len(h.Labels):
			b.label = printable(h.Labels[i])
		default:
			b.label = "bin " + strconv.Itoa(i+1)
		}
		bins = append(bins, b)
	}
	if numeric {
		return mergeRuns(bins, h.Edges)
	}
	return foldOther(bins), nil
}

// mergeRuns sums runs of adjacent numeric bins so at most maxNumericBars
// remain, keeping the edges that bound each run.
func mergeRuns(bins []bin, edges []float64) ([]bin, []float64) {
	run := (len(bins) + maxNumericBars - 1) / maxNumericBars
	if run <= 1 {
		return bins, edges
	}
	var out []bin
	kept := []float64{edges[0]}
	for i := 0; i < len(bins); i += run {
		j := min(i+run, len(bins))
		b := bin{label: "[" + formatEdge(edges[i]) + ", " + formatEdge(edges[j]) + ")"}
		for _, x := range bins[i:j] {
			b.ref += x.ref
			b.cur += x.cur
		}
		out = append(out, b)
		kept = append(kept, edges[j])
	}
	return out, kept
}

// foldOther keeps the categories with the largest share on either side,
// in their order, and sums the rest into a last "other" bar.
func foldOther(bins []bin) []bin {
	if len(bins) <= maxCategoricalBars {
		return bins
	}
	keep := maxCategoricalBars - 1
	// Bars at least as heavy as the keep-th heaviest stay.
	weights := make([]float64, len(bins))
	for i, b := range bins {
		weights[i] = max(b.ref, b.cur)
	}
	sorted := slices.Clone(weights)
	slices.Sort(sorted)
	cutoff := sorted[len(sorted)-keep]
	var out []bin
	other := bin{}
	folded := 0
	for i, b := range bins {
		if weights[i] >= cutoff && len(out) < keep {
			out = append(out, b)
			continue
		}
		other.ref += b.ref
		other.cur += b.cur
		folded++
	}
	other.label = "other (" + strconv.Itoa(folded) + " categories)"
	return append(out, other)
}

// niceCeil rounds a share up to 1, 2, 2.5 or 5 times a power of ten, so
// the axis labels are round.
func niceCeil(v float64) float64 {
	if v <= 0 || !finite(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p*(1+1e-9) {
			return m * p
		}
	}
	return 10 * p
}

func formatEdge(v float64) string {
	switch {
	case math.IsInf(v, -1):
		return "−∞"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsNaN(v):
		return notANumber
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func percent(share float64) string {
	s := strconv.FormatFloat(share*100, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "%"
}

func coord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
