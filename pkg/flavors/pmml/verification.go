package pmml

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// The defaults of VerificationField (PMML 4.4, ModelVerification).
const (
	defaultVerifyPrecision = 1e-6
	defaultVerifyZero      = 1e-16
	// maxVerifyRecords bounds the cases kept from a document.
	maxVerifyRecords = 100_000
)

// verification is a document's ModelVerification: input records with the
// results the producer expects, checked by SelfVerify.
type verification struct {
	records  int
	inputs   []verifyColumn
	expected []verifyColumn
}

// verifyColumn is one VerificationField with its cells ("" = missing).
type verifyColumn struct {
	field     string
	output    string // the Predict output compared, for an expected column
	numeric   bool   // compare as numbers
	precision float64
	zero      float64
	cells     []string
}

var _ flavors.SelfVerifier = (*Model)(nil)

// compileVerification reads the top model's ModelVerification against the
// compiled model: every field must be an input, the target or an output.
func compileVerification(e *elem, m *Model) (*verification, error) {
	if err := e.check("recordCount", "fieldCount"); err != nil {
		return nil, err
	}
	if err := e.checkKids("VerificationFields", "InlineTable", "Extension"); err != nil {
		return nil, err
	}
	vf, table := e.kid("VerificationFields"), e.kid("InlineTable")
	if vf == nil || table == nil {
		return nil, e.invalid("<ModelVerification> needs <VerificationFields> and an <InlineTable>")
	}
	if err := vf.checkKids("VerificationField", "Extension"); err != nil {
		return nil, err
	}
	if err := table.checkKids("row", "Extension"); err != nil {
		return nil, err
	}
	rows := table.kidsNamed("row")
	if len(rows) > maxVerifyRecords {
		return nil, table.unsupported("<ModelVerification> holds %d records; at most %d are supported", len(rows), maxVerifyRecords)
	}
	if rc, ok := e.attr("recordCount"); ok && rc != strconv.Itoa(len(rows)) {
		return nil, e.invalid("<ModelVerification> says recordCount=%q but its table has %d rows", rc, len(rows))
	}
	inputs := map[string]bool{}
	for _, in := range m.inputs {
		inputs[in.name] = true
	}
	outputs := map[string]flavors.Spec{}
	for _, o := range m.sig.Outputs {
		outputs[o.Name] = o
	}
	v := &verification{records: len(rows)}
	for _, f := range vf.kidsNamed("VerificationField") {
		if err := f.check("field", "column", "precision", "zeroThreshold"); err != nil {
			return nil, err
		}
		name, err := f.need("field")
		if err != nil {
			return nil, err
		}
		col := verifyColumn{field: name}
		if col.precision, err = f.float("precision", defaultVerifyPrecision); err != nil {
			return nil, err
		}
		if col.zero, err = f.float("zeroThreshold", defaultVerifyZero); err != nil {
			return nil, err
		}
		column := localName(f.attrOr("column", name))
		col.cells = make([]string, len(rows))
		for r, row := range rows {
			for _, cell := range row.kids {
				if cell.name == column {
					col.cells[r] = strings.TrimSpace(cell.text)
					break
				}
			}
		}
		switch {
		case inputs[name]:
			v.inputs = append(v.inputs, col)
			continue
		case m.root.target != nil && name == m.root.target.name && m.root.fn == fnClassification:
			col.output = outLabel
		case m.root.target != nil && name == m.root.target.name && m.root.fn == fnRegression:
			col.output, col.numeric = outPrediction, true
		default:
			if _, ok := outputs[name]; !ok {
				return nil, f.invalid("VerificationField %q names no active input, target or output field of the model", name)
			}
			col.output = name
			col.numeric = outputs[name].DType != flavors.Bytes
		}
		v.expected = append(v.expected, col)
	}
	return v, nil
}

// localName drops a namespace prefix: columns are written "data:x" for a
// cell element <data:x>, which the parser keeps as "x".
func localName(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// SelfVerify scores the document's ModelVerification records and compares
// each expected value: a number passes within precision·|expected|, or when
// both lie within zeroThreshold of zero; text must match exactly (or as
// numbers, so "1" matches "1.0"); an empty expected cell expects a missing
// result.
func (m *Model) SelfVerify(ctx context.Context) (flavors.SelfVerification, error) {
	v := m.verify
	if v == nil {
		return flavors.SelfVerification{}, nil
	}
	res := flavors.SelfVerification{Records: v.records}
	in := flavors.Batch{}
	given := map[string]verifyColumn{}
	for _, c := range v.inputs {
		given[c.field] = c
	}
	for _, mf := range m.inputs {
		cells := make([]string, v.records)
		null := make([]bool, v.records)
		if c, ok := given[mf.name]; ok {
			copy(cells, c.cells)
		}
		for i, s := range cells {
			null[i] = s == ""
		}
		in.Tensors = append(in.Tensors, flavors.Tensor{Name: mf.name, DType: flavors.Bytes, Shape: []int64{int64(v.records)}, Data: cells, Null: null})
	}
	out, err := m.Predict(ctx, in)
	if err != nil {
		return res, fmt.Errorf("pmml: scoring the ModelVerification records: %w", err)
	}
	for _, c := range v.expected {
		t, ok := out.Get(c.output)
		if !ok {
			return res, fmt.Errorf("pmml: ModelVerification field %q: the model returned no %q output", c.field, c.output)
		}
		got := t.Strings()
		for r, want := range c.cells {
			res.Values++
			if msg := compareVerified(c, want, got[r], t.IsNull(r)); msg != "" {
				res.Mismatches = append(res.Mismatches, fmt.Sprintf("record %d, field %q: %s", r+1, c.field, msg))
			}
		}
	}
	return res, nil
}

// compareVerified returns "" when got matches want, else what differed.
func compareVerified(c verifyColumn, want, got string, gotNull bool) string {
	switch {
	case want == "" && gotNull:
		return ""
	case want == "":
		return fmt.Sprintf("expected a missing value, got %s", got)
	case gotNull:
		return fmt.Sprintf("expected %s, got a missing value", want)
	}
	w, werr := strconv.ParseFloat(want, 64)
	g, gerr := strconv.ParseFloat(got, 64)
	if werr != nil || gerr != nil {
		if c.numeric && werr != nil {
			return fmt.Sprintf("expected %q is not a number", want)
		}
		if want != got {
			return fmt.Sprintf("expected %q, got %q", want, got)
		}
		return ""
	}
	if math.Abs(g-w) <= c.precision*math.Abs(w) || (math.Abs(g) <= c.zero && math.Abs(w) <= c.zero) || g == w {
		return ""
	}
	return fmt.Sprintf("expected %s, got %s (precision %g)", want, got, c.precision)
}
