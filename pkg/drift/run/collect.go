package run

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mlctl/mlctl/pkg/drift/profile"
	"github.com/mlctl/mlctl/pkg/drift/stats"
	"github.com/mlctl/mlctl/pkg/flavors"
)

// Column roles in a report.
const (
	RoleFeature    = "feature"
	RolePrediction = "prediction"
)

// The output names of package flavors' conventions.
const (
	outputLabel         = "label"
	outputProbabilities = "probabilities"
	outputPrediction    = "prediction"
)

// maxColumns bounds the columns one side may create: a log row's lists are
// flattened into a column per element, and their length is the client's.
const maxColumns = 10000

// schema is what both sides of a comparison agree on: each column's kind
// (the first side to see a column decides it, the baseline reading first),
// its role, and how list values are named.
type schema struct {
	opts  *Options
	kinds map[string]stats.Kind
	roles map[string]string
	order []string // columns in the order first seen
	names map[string][]string
}

func newSchema(opts *Options) *schema {
	return &schema{opts: opts, kinds: map[string]stats.Kind{}, roles: map[string]string{}, names: map[string][]string{}}
}

// roleOf is the column's role as recorded, or as role infers it.
func (s *schema) roleOf(name string) string {
	if r, ok := s.roles[name]; ok {
		return r
	}
	return s.role(name)
}

// role says whether a column is a prediction: a model output by the bundle,
// by the log, or by the output conventions of package flavors.
func (s *schema) role(name string) string {
	if r, ok := s.roles[name]; ok {
		return r
	}
	base, _, _ := strings.Cut(name, "[")
	if s.opts.Bundle != nil {
		if _, ok := s.opts.Bundle.Signature.Output(base); ok {
			return RolePrediction
		}
		if _, ok := s.opts.Bundle.Signature.Input(base); ok {
			return RoleFeature
		}
	}
	switch base {
	case outputLabel, outputProbabilities, outputPrediction:
		return RolePrediction
	}
	return RoleFeature
}

// inSignature reports whether a bundle, when there is one, knows the
// column: columns of a data set that the model does not take or return
// (a target, an id) are left out.
func (s *schema) inSignature(name string) bool {
	m := s.opts.Bundle
	if m == nil {
		return true
	}
	base, _, _ := strings.Cut(name, "[")
	if _, ok := m.Signature.Input(base); ok {
		return true
	}
	if _, ok := m.Signature.Output(base); ok {
		return true
	}
	for _, f := range m.Flavors {
		if f.Signature != nil {
			if _, ok := f.Signature.Input(base); ok {
				return true
			}
		}
	}
	switch base {
	case outputLabel, outputProbabilities, outputPrediction:
		return true
	}
	return false
}

// hint is the kind a bundle gives a column, if any: BYTES and BOOL fields
// and a classifier's label are categorical, numeric dtypes numeric.
func (s *schema) hint(name string) (stats.Kind, bool) {
	base, _, _ := strings.Cut(name, "[")
	if base == outputLabel {
		return stats.Categorical, true
	}
	if s.opts.Bundle == nil {
		return 0, false
	}
	sig := s.opts.Bundle.Signature
	sp, ok := sig.Input(base)
	if !ok {
		sp, ok = sig.Output(base)
	}
	if !ok {
		return 0, false
	}
	if sp.DType == flavors.Bytes || sp.DType == flavors.Bool {
		return stats.Categorical, true
	}
	return stats.Numeric, true
}

// elementNames names the k elements of a list value: the bundle's class
// names for a classifier's probabilities, the bundle signature's field names
// when a flavor takes the fields as one [N, k] tensor, else name[i].
func (s *schema) elementNames(name string, k int) []string {
	key := name + "\x00" + strconv.Itoa(k)
	if n, ok := s.names[key]; ok {
		return n
	}
	names := s.bundleNames(name, k)
	if names == nil {
		names = make([]string, k)
		for i := range names {
			names[i] = fmt.Sprintf("%s[%d]", name, i)
		}
	}
	s.names[key] = names
	return names
}

func (s *schema) bundleNames(name string, k int) []string {
	m := s.opts.Bundle
	if m == nil {
		return nil
	}
	if name == outputProbabilities && len(m.Classes) == k {
		names := make([]string, k)
		for i, c := range m.Classes {
			names[i] = fmt.Sprintf("%s[%s]", name, c)
		}
		return names
	}
	// A flavor whose native signature takes this input as one [N, k]
	// tensor while the bundle's lists k scalar fields: those are its names.
	scalars := len(m.Signature.Inputs) == k
	for _, sp := range m.Signature.Inputs {
		if len(sp.Shape) > 1 {
			scalars = false
		}
	}
	for _, f := range m.Flavors {
		if f.Signature == nil {
			continue
		}
		if sp, ok := f.Signature.Input(name); ok && len(sp.Shape) == 2 && (sp.Shape[1] == int64(k) || sp.Shape[1] < 0) && scalars {
			return m.Signature.InputNames()
		}
	}
	// The bundle's own signature may take the list while a flavor lists
	// the scalars.
	if sp, ok := m.Signature.Input(name); ok && len(sp.Shape) == 2 {
		for _, f := range m.Flavors {
			if f.Signature != nil && len(f.Signature.Inputs) == k {
				return f.Signature.InputNames()
			}
		}
	}
	return nil
}

// collector profiles one side, or one window of it.
type collector struct {
	sch     *schema
	prof    *profile.Profile
	cols    map[string]*profile.Column
	pending map[string]int64 // missing values seen before the column's kind was known
	seen    []string         // columns in the order first met, pending ones included
	rows    int64
	perf    *perfAccumulator
}

func newCollector(sch *schema) *collector {
	return &collector{sch: sch, prof: profile.New(sch.opts.Limits), cols: map[string]*profile.Column{}, pending: map[string]int64{}}
}

// fromProfile wraps a saved profile; its kinds become the schema's.
func fromProfile(sch *schema, p *profile.Profile) *collector {
	c := &collector{sch: sch, prof: p, cols: map[string]*profile.Column{}, pending: map[string]int64{}}
	for _, col := range p.Columns {
		c.cols[col.Name] = col
		c.rows = max(c.rows, col.Rows+col.Missing)
		if _, ok := sch.kinds[col.Name]; !ok {
			sch.kinds[col.Name] = kindOf(col)
			sch.order = append(sch.order, col.Name)
		}
	}
	return c
}

func kindOf(c *profile.Column) stats.Kind {
	if c.Kind == stats.Categorical.String() {
		return stats.Categorical
	}
	return stats.Numeric
}

// add adds one value of a log row or a data set cell, flattening lists.
// role is the role the source knows ("" when it does not).
func (c *collector) add(name, role string, v any) error {
	if list, ok := v.([]any); ok {
		if _, isRole := c.sch.roles[name]; !isRole && role != "" {
			c.sch.roles[name] = role // the list's own name, for nulls later
		}
		names := c.sch.elementNames(name, len(list))
		for i, e := range list {
			if err := c.add(names[i], role, e); err != nil {
				return err
			}
		}
		return nil
	}
	if name == c.sch.opts.LabelColumn || !c.sch.opts.wanted(name) || !c.sch.inSignature(name) {
		return nil
	}
	col, ok := c.cols[name]
	if !ok {
		if v == nil {
			if _, known := c.sch.kinds[name]; !known {
				if _, ok := c.pending[name]; !ok {
					c.seen = append(c.seen, name)
				}
				c.pending[name]++
				return nil
			}
		}
		var err error
		if col, err = c.column(name, role, v); err != nil {
			return err
		}
	}
	return addTo(col, v)
}

// column creates a column, deciding its kind when no one has yet.
func (c *collector) column(name, role string, v any) (*profile.Column, error) {
	kind, ok := c.sch.kinds[name]
	if !ok {
		if kind, ok = c.sch.hint(name); !ok {
			kind = stats.Categorical
			if _, isNum := v.(float64); isNum {
				kind = stats.Numeric
			}
		}
		if len(c.sch.kinds) >= maxColumns {
			return nil, fmt.Errorf("more than %d columns: list values are flattened into a column per element", maxColumns)
		}
		c.sch.kinds[name] = kind
		c.sch.order = append(c.sch.order, name)
	}
	if _, ok := c.sch.roles[name]; !ok {
		if role == "" {
			role = c.sch.role(name)
		}
		c.sch.roles[name] = role
	}
	col, err := c.prof.Column(name, kind)
	if err != nil {
		return nil, err
	}
	if _, ok := c.pending[name]; !ok {
		c.seen = append(c.seen, name)
	}
	c.cols[name] = col
	for range c.pending[name] {
		col.AddMissing()
	}
	delete(c.pending, name)
	return col, nil
}

// addTo adds a value to a column of either kind, converting where it is
// safe: numbers to text for a categorical column, numeric text to a number.
func addTo(col *profile.Column, v any) error {
	numeric := col.Kind == stats.Numeric.String()
	switch x := v.(type) {
	case nil:
		col.AddMissing()
	case float64:
		if numeric {
			col.AddFloat(x)
		} else {
			col.AddString(strconv.FormatFloat(x, 'g', -1, 64))
		}
	case string:
		if !numeric {
			col.AddString(x)
			return nil
		}
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return fmt.Errorf("column %q: value %q is not a number, and the column is numeric", col.Name, truncate(x))
		}
		col.AddFloat(f)
	case bool:
		if numeric {
			return fmt.Errorf("column %q: value %t is not a number, and the column is numeric", col.Name, x)
		}
		col.AddString(strconv.FormatBool(x))
	default:
		return fmt.Errorf("column %q: unsupported value %T", col.Name, v)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// finish gives columns that only ever saw missing values a kind (the
// schema's, or numeric) so that "all missing" is reported, not dropped.
func (c *collector) finish() error {
	for _, name := range sortedKeys(c.pending) {
		if c.hasElements(name) {
			continue // a list with no value for this row: its elements stand for it
		}
		if _, err := c.column(name, "", nil); err != nil {
			return err
		}
	}
	// Keep the columns in the order the data gave them.
	if len(c.seen) > 0 {
		at := make(map[string]int, len(c.seen))
		for i, n := range c.seen {
			at[n] = i
		}
		pos := func(n string) int {
			if i, ok := at[n]; ok {
				return i
			}
			return len(at)
		}
		sort.SliceStable(c.prof.Columns, func(a, b int) bool { return pos(c.prof.Columns[a].Name) < pos(c.prof.Columns[b].Name) })
	}
	return nil
}

func (c *collector) hasElements(name string) bool {
	for _, k := range c.sch.order {
		if strings.HasPrefix(k, name+"[") {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
