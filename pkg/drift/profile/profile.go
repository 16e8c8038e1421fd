package profile

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/mlctl/mlctl/pkg/drift/stats"
)

// Format names this encoding; a reader refuses any other.
const Format = "mlctl.drift.profile/v1"

// Limits bound a profile's memory whatever the row count.
type Limits struct {
	MaxValues     int // distinct numeric values kept exactly before switching to a sketch
	MaxCategories int // categories counted exactly; the rest go to Other
	SketchK       int // KLL accuracy parameter
}

// DefaultLimits keep a column under about 1 MB.
var DefaultLimits = Limits{MaxValues: 10000, MaxCategories: 10000, SketchK: DefaultSketchK}

// Profile summarises a data set column by column.
type Profile struct {
	Format  string    `json:"format"`
	Limits  Limits    `json:"limits"`
	Columns []*Column `json:"columns"`
}

// Column summarises one column. A numeric column keeps exact value counts
// until it has more than Limits.MaxValues distinct values, then a KLL sketch;
// a categorical one counts up to Limits.MaxCategories categories and lumps
// later new ones into Other. Its JSON form is written by MarshalJSON.
type Column struct {
	Name    string
	Kind    string // "numeric" or "categorical"
	Rows    int64  // non-missing values
	Missing int64

	// Numeric.
	Min    float64
	Max    float64
	Mean   float64
	M2     float64             // Σ (x − mean)², merged with Chan's formula
	Values map[float64]float64 // value → count, nil once sketched
	Sketch *KLL

	// Categorical.
	Counts map[string]float64
	Other  float64 // rows whose category was past the cap

	limits Limits
}

// New starts an empty profile.
func New(limits Limits) *Profile {
	if limits.MaxValues <= 0 {
		limits.MaxValues = DefaultLimits.MaxValues
	}
	if limits.MaxCategories <= 0 {
		limits.MaxCategories = DefaultLimits.MaxCategories
	}
	if limits.SketchK <= 0 {
		limits.SketchK = DefaultLimits.SketchK
	}
	return &Profile{Format: Format, Limits: limits}
}

// Column returns the named column, adding it with kind when absent. It fails
// when the column exists with another kind.
func (p *Profile) Column(name string, kind stats.Kind) (*Column, error) {
	for _, c := range p.Columns {
		if c.Name == name {
			if c.Kind != kind.String() {
				return nil, fmt.Errorf("profile column %q is %s, not %s", name, c.Kind, kind)
			}
			return c, nil
		}
	}
	c := &Column{Name: name, Kind: kind.String(), limits: p.Limits, Min: math.Inf(1), Max: math.Inf(-1)}
	if kind == stats.Numeric {
		c.Values = map[float64]float64{}
	} else {
		c.Counts = map[string]float64{}
	}
	p.Columns = append(p.Columns, c)
	return c, nil
}

// Lookup finds a column by name.
func (p *Profile) Lookup(name string) *Column {
	for _, c := range p.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// AddFloat adds one numeric value; NaN and ±Inf count as missing.
func (c *Column) AddFloat(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		c.Missing++
		return
	}
	c.Rows++
	c.Min, c.Max = min(c.Min, v), max(c.Max, v)
	d := v - c.Mean
	c.Mean += d / float64(c.Rows)
	c.M2 += d * (v - c.Mean)
	if c.Sketch != nil {
		c.Sketch.Add(v)
		return
	}
	c.Values[v]++
	if len(c.Values) > c.limits.MaxValues {
		c.toSketch()
	}
}

// AddString adds one categorical value.
func (c *Column) AddString(v string) {
	c.Rows++
	if _, ok := c.Counts[v]; ok || len(c.Counts) < c.limits.MaxCategories {
		c.Counts[v]++
		return
	}
	c.Other++
}

// AddMissing counts a null.
func (c *Column) AddMissing() { c.Missing++ }

// Exact reports whether the column still holds its exact distribution.
func (c *Column) Exact() bool { return c.Sketch == nil && c.Other == 0 }

// StdPop is the population standard deviation.
func (c *Column) StdPop() float64 {
	if c.Rows == 0 {
		return math.NaN()
	}
	return math.Sqrt(c.M2 / float64(c.Rows))
}

func (c *Column) toSketch() {
	s := newKLL(c.limits.SketchK)
	s.addValues(c.Values)
	c.Sketch, c.Values = s, nil
}

// Merge folds another profile (a shard of the same data set) into p.
func (p *Profile) Merge(o *Profile) error {
	for _, oc := range o.Columns {
		kind := stats.Numeric
		if oc.Kind == stats.Categorical.String() {
			kind = stats.Categorical
		}
		c, err := p.Column(oc.Name, kind)
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		c.merge(oc)
	}
	return nil
}

func (c *Column) merge(o *Column) {
	n1, n2 := float64(c.Rows), float64(o.Rows)
	c.Missing += o.Missing
	if c.Kind == stats.Categorical.String() {
		c.Rows += o.Rows
		for _, k := range sortedStrings(o.Counts) {
			if _, ok := c.Counts[k]; ok || len(c.Counts) < c.limits.MaxCategories {
				c.Counts[k] += o.Counts[k]
			} else {
				c.Other += o.Counts[k]
			}
		}
		c.Other += o.Other
		return
	}
	if o.Rows == 0 {
		return
	}
	c.Rows += o.Rows
	c.Min, c.Max = min(c.Min, o.Min), max(c.Max, o.Max)
	d := o.Mean - c.Mean
	n := n1 + n2
	c.Mean += d * n2 / n
	c.M2 += o.M2 + d*d*n1*n2/n
	switch {
	case c.Sketch == nil && o.Sketch == nil:
		for v, k := range o.Values {
			c.Values[v] += k
		}
		if len(c.Values) > c.limits.MaxValues {
			c.toSketch()
		}
	case c.Sketch == nil:
		c.toSketch()
		c.Sketch.Merge(o.Sketch)
	case o.Sketch == nil:
		c.Sketch.addValues(o.Values)
	default:
		c.Sketch.Merge(o.Sketch)
	}
}

func sortedKeys(m map[float64]float64) []float64 {
	keys := make([]float64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedStrings(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
