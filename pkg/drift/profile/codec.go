package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/mlctl/mlctl/pkg/drift/stats"
)

// MaxEncodedBytes bounds what Read accepts.
const MaxEncodedBytes = 256 << 20

// Bounds on decoded contents, so a hostile file cannot make Compare slow or
// large: far above what DefaultLimits produce.
const (
	maxColumns     = 100000
	maxLimitValue  = 10_000_000
	maxSketchK     = 1 << 16
	maxSketchLevel = 64
	maxRows        = 1 << 53 // counts are float64 in the statistics
)

// ErrFormat marks a file that is not a profile of this version.
var ErrFormat = errors.New("not an mlctl drift profile")

type columnJSON struct {
	Name    string             `json:"name"`
	Kind    string             `json:"kind"`
	Rows    int64              `json:"rows"`
	Missing int64              `json:"missing"`
	Min     *float64           `json:"min,omitempty"`
	Max     *float64           `json:"max,omitempty"`
	Mean    float64            `json:"mean,omitempty"`
	M2      float64            `json:"m2,omitempty"`
	Values  []float64          `json:"values,omitempty"`
	Counts  []float64          `json:"value_counts,omitempty"`
	Sketch  *KLL               `json:"sketch,omitempty"`
	Cats    map[string]float64 `json:"categories,omitempty"`
	Other   float64            `json:"other,omitempty"`
}

// MarshalJSON writes numeric values as two sorted arrays (JSON objects
// cannot have number keys).
func (c *Column) MarshalJSON() ([]byte, error) {
	j := columnJSON{Name: c.Name, Kind: c.Kind, Rows: c.Rows, Missing: c.Missing, Sketch: c.Sketch, Cats: c.Counts, Other: c.Other}
	if c.Kind == stats.Numeric.String() && c.Rows > 0 {
		j.Min, j.Max, j.Mean, j.M2 = &c.Min, &c.Max, c.Mean, c.M2
		if c.Sketch == nil {
			d := c.Distribution()
			j.Values, j.Counts = d.Values, d.Counts
		}
	}
	return json.Marshal(j)
}

// Encode writes p as JSON.
func (p *Profile) Encode(w io.Writer) error {
	return json.NewEncoder(w).Encode(p)
}

// Read decodes and validates a profile of at most MaxEncodedBytes.
func Read(r io.Reader) (*Profile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxEncodedBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	if len(data) > MaxEncodedBytes {
		return nil, fmt.Errorf("profile larger than %d bytes", MaxEncodedBytes)
	}
	return Decode(data)
}

// Decode parses and validates a profile.
func Decode(data []byte) (*Profile, error) {
	var raw struct {
		Format  string       `json:"format"`
		Limits  Limits       `json:"limits"`
		Columns []columnJSON `json:"columns"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if raw.Format != Format {
		return nil, fmt.Errorf("%w: format %q, expected %q", ErrFormat, raw.Format, Format)
	}
	l := raw.Limits
	if l.MaxValues < 1 || l.MaxValues > maxLimitValue || l.MaxCategories < 1 || l.MaxCategories > maxLimitValue || l.SketchK < kllMinLevelCap || l.SketchK > maxSketchK {
		return nil, fmt.Errorf("profile limits %+v out of range (values and categories 1..%d, sketch k %d..%d)", l, maxLimitValue, kllMinLevelCap, maxSketchK)
	}
	if len(raw.Columns) > maxColumns {
		return nil, fmt.Errorf("profile has %d columns, at most %d allowed", len(raw.Columns), maxColumns)
	}
	p := New(l)
	for i, cj := range raw.Columns {
		c, err := decodeColumn(cj, l)
		if err != nil {
			return nil, fmt.Errorf("profile column %d (%q): %w", i, cj.Name, err)
		}
		if p.Lookup(c.Name) != nil {
			return nil, fmt.Errorf("profile column %d: name %q appears twice", i, c.Name)
		}
		p.Columns = append(p.Columns, c)
	}
	return p, nil
}

func decodeColumn(j columnJSON, l Limits) (*Column, error) {
	if j.Name == "" {
		return nil, errors.New("empty name")
	}
	if j.Rows < 0 || j.Missing < 0 || j.Rows > maxRows || j.Missing > maxRows {
		return nil, fmt.Errorf("rows (%d) and missing (%d) must be in 0..2^53", j.Rows, j.Missing)
	}
	c := &Column{Name: j.Name, Kind: j.Kind, Rows: j.Rows, Missing: j.Missing, limits: l, Min: math.Inf(1), Max: math.Inf(-1)}
	switch j.Kind {
	case stats.Categorical.String():
		if len(j.Values) > 0 || j.Sketch != nil {
			return nil, errors.New("categorical column with numeric values")
		}
		if len(j.Cats) > l.MaxCategories {
			return nil, fmt.Errorf("%d categories, limit %d", len(j.Cats), l.MaxCategories)
		}
		total := j.Other
		if !wholeCount(j.Other, true) {
			return nil, fmt.Errorf("other count %v is not a whole number ≥ 0", j.Other)
		}
		c.Counts = map[string]float64{}
		for k, v := range j.Cats {
			if !wholeCount(v, false) {
				return nil, fmt.Errorf("category %q count %v is not a whole number ≥ 1", k, v)
			}
			c.Counts[k] = v
			total += v
		}
		c.Other = j.Other
		if total != float64(j.Rows) {
			return nil, fmt.Errorf("category counts sum to %v, rows %d", total, j.Rows)
		}
		return c, nil
	case stats.Numeric.String():
	default:
		return nil, fmt.Errorf("kind %q, expected numeric or categorical", j.Kind)
	}
	if len(j.Cats) > 0 || j.Other != 0 {
		return nil, errors.New("numeric column with categories")
	}
	if j.Rows > 0 {
		if j.Min == nil || j.Max == nil || !finite(*j.Min) || !finite(*j.Max) || *j.Min > *j.Max || !finite(j.Mean) || !finite(j.M2) || j.M2 < 0 {
			return nil, errors.New("min, max, mean and m2 must be finite with min ≤ max and m2 ≥ 0")
		}
		c.Min, c.Max, c.Mean, c.M2 = *j.Min, *j.Max, j.Mean, j.M2
	}
	switch {
	case j.Sketch != nil:
		if len(j.Values) > 0 {
			return nil, errors.New("both exact values and a sketch")
		}
		if err := validateSketch(j.Sketch, j.Rows, l); err != nil {
			return nil, err
		}
		c.Sketch = j.Sketch
	default:
		d := stats.Distribution{Values: j.Values, Counts: j.Counts}
		if len(d.Values) > l.MaxValues {
			return nil, fmt.Errorf("%d exact values, limit %d", len(d.Values), l.MaxValues)
		}
		if err := d.Validate(); err != nil {
			return nil, err
		}
		if n := d.N(); n != float64(j.Rows) {
			return nil, fmt.Errorf("value counts sum to %v, rows %d", n, j.Rows)
		}
		if len(d.Values) > 0 && (d.Values[0] != c.Min || d.Values[len(d.Values)-1] != c.Max) {
			return nil, errors.New("min or max disagrees with the values")
		}
		c.Values = make(map[float64]float64, len(d.Values))
		for i, v := range d.Values {
			c.Values[v] = d.Counts[i]
		}
	}
	return c, nil
}

func validateSketch(s *KLL, rows int64, l Limits) error {
	if s.K != l.SketchK {
		return fmt.Errorf("sketch k %d, profile limits say %d", s.K, l.SketchK)
	}
	if len(s.Levels) == 0 || len(s.Levels) > maxSketchLevel {
		return fmt.Errorf("sketch has %d levels, expected 1..%d", len(s.Levels), maxSketchLevel)
	}
	if s.N != rows {
		return fmt.Errorf("sketch n %d, rows %d", s.N, rows)
	}
	if s.size() > s.capacity() {
		return fmt.Errorf("sketch holds %d items, capacity %d", s.size(), s.capacity())
	}
	weight := 0.0
	for h, lv := range s.Levels {
		for _, v := range lv {
			if !finite(v) {
				return fmt.Errorf("sketch level %d holds %v, expected finite numbers", h, v)
			}
		}
		weight += float64(len(lv)) * math.Ldexp(1, h)
	}
	if weight != float64(rows) {
		return fmt.Errorf("sketch items weigh %v, rows %d", weight, rows)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func wholeCount(v float64, zeroOK bool) bool {
	return v == math.Trunc(v) && v <= 1<<53 && (v >= 1 || (zeroOK && v == 0))
}
