package pmml

import (
	"fmt"
	"math"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// miningField is a compiled <MiningField>: how a model treats one field.
type miningField struct {
	name             string
	field            *dataField // nil when the field is not a DataField
	slot             int32
	usage            string
	replacement      value
	hasReplacement   bool
	missingTreatment string
	invalidTreatment string
	invalidRepl      value
	outliers         string
	low, high        float64
	line             int
}

func (c *compiler) compileMiningSchema(e *elem, m *modelNode, parent *scope, top bool) error {
	if err := e.check(); err != nil {
		return err
	}
	if err := e.checkKids("MiningField"); err != nil {
		return err
	}
	for _, k := range e.kids {
		if err := k.check("name", "usageType", "optype", "importance", "outliers", "lowValue", "highValue",
			"missingValueReplacement", "missingValueTreatment", "invalidValueTreatment", "invalidValueReplacement"); err != nil {
			return err
		}
		name, err := k.need("name")
		if err != nil {
			return err
		}
		slot, ok := parent.lookup(name)
		if !ok {
			return k.invalid("mining field %q is not declared in the DataDictionary or a transformation", name)
		}
		mf := miningField{name: name, slot: slot, field: c.fields[name], line: k.line}
		if mf.field != nil && mf.field.slot != slot {
			mf.field = nil // a derived field of the same name shadows it
		}
		usage, err := k.oneOf("usageType", "active", "active", "predicted", "target", "supplementary", "frequencyWeight", "analysisWeight", "group")
		if err != nil {
			return err
		}
		if usage == "group" && (m.kind != "AssociationModel" || !top || mf.field == nil) {
			return k.unsupported("usageType=\"group\" of mining field %q is supported for a top-level AssociationModel's DataField only", name)
		}
		mf.usage = usage
		if op, ok := k.attr("optype"); ok && (mf.field == nil || op != mf.field.optype) {
			return k.unsupported("optype %q of mining field %q differs from its DataField; overriding it is not supported", op, name)
		}
		dt := c.prog.types[slot]
		if s, ok := k.attr("missingValueReplacement"); ok {
			v, ok := parseLiteral(s, dt)
			if !ok || v.k == kMissing {
				return k.invalid("missingValueReplacement %q of field %q is not a valid value", s, name)
			}
			mf.replacement, mf.hasReplacement = v, true
		}
		if mf.missingTreatment, err = k.oneOf("missingValueTreatment", "asIs", "asIs", "asMean", "asMode", "asMedian", "asValue", "returnInvalid"); err != nil {
			return err
		}
		if mf.invalidTreatment, err = k.oneOf("invalidValueTreatment", "returnInvalid", "returnInvalid", "asIs", "asMissing", "asValue"); err != nil {
			return err
		}
		if s, ok := k.attr("invalidValueReplacement"); ok {
			v, ok := parseLiteral(s, dt)
			if !ok || v.k == kMissing {
				return k.invalid("invalidValueReplacement %q of field %q is not a valid value", s, name)
			}
			mf.invalidRepl = v
		} else if mf.invalidTreatment == "asValue" {
			return k.invalid("invalidValueTreatment=\"asValue\" of field %q needs invalidValueReplacement", name)
		}
		if mf.outliers, err = k.oneOf("outliers", "asIs", "asIs", "asMissingValues", "asExtremeValues"); err != nil {
			return err
		}
		if mf.low, err = k.float("lowValue", math.Inf(-1)); err != nil {
			return err
		}
		if mf.high, err = k.float("highValue", math.Inf(1)); err != nil {
			return err
		}
		if mf.outliers != "asIs" && !hasAttr(k, "lowValue") && !hasAttr(k, "highValue") {
			return k.invalid("outliers=%q of field %q needs lowValue or highValue", mf.outliers, name)
		}
		switch usage {
		case "predicted", "target":
			if m.target != nil {
				return k.unsupported("more than one target field (%q and %q) is not supported", m.target.name, name)
			}
			if mf.field == nil {
				return k.invalid("target field %q is not a DataField", name)
			}
			m.target = mf.field
		case "active":
			if top && mf.field == nil {
				return k.invalid("active field %q of the top-level model must be a DataField", name)
			}
			if !top && (mf.hasReplacement || mf.outliers != "asIs") {
				// A nested model sees its own view of the parent's value.
				view := mf
				m.scope.names[name] = c.prog.addSlot(name, dt, func(ctx *rowCtx) value {
					return view.treatNested(ctx.get(view.slot))
				})
			}
		}
		m.mining = append(m.mining, mf)
	}
	return nil
}

func hasAttr(e *elem, name string) bool {
	_, ok := e.attr(name)
	return ok
}

// treatNested applies a nested model's missing value and outlier treatment;
// validity was settled by the top-level model when the row came in.
func (mf *miningField) treatNested(v value) value {
	if v.k == kMissing {
		if mf.hasReplacement {
			return mf.replacement
		}
		return v
	}
	return mf.treatOutliers(v)
}

func (mf *miningField) treatOutliers(v value) value {
	if mf.outliers == "asIs" || v.k != kNum {
		return v
	}
	if v.n < mf.low || v.n > mf.high {
		if mf.outliers == "asMissingValues" {
			if mf.hasReplacement {
				return mf.replacement
			}
			return missing
		}
		return num(math.Min(math.Max(v.n, mf.low), mf.high))
	}
	return v
}

// treatInput turns a raw input value of the top-level model into the value
// the model sees: validity, missing values and outliers, as the MiningField
// says. An error names the field and the row.
// plainNumber reports whether treatInput leaves every number of this field
// as it is: a double with no missing, invalid or valid value lists, no
// intervals and no outlier treatment, so Predict may read such a column's
// numbers directly (a NaN still goes through treatInput as a missing value).
func (mf *miningField) plainNumber() bool {
	f := mf.field
	return f != nil && f.dt == dtDouble && len(f.missing) == 0 && len(f.invalid) == 0 &&
		(len(f.values) == 0 || f.optype == "continuous") && len(f.validNum) == 0 && len(f.intervals) == 0 &&
		mf.outliers == "asIs"
}

func (mf *miningField) treatInput(v value, row int) (value, error) {
	v, status := mf.field.classify(v)
	if status == statusInvalid {
		switch mf.invalidTreatment {
		case "returnInvalid":
			return missing, fmt.Errorf("pmml: input %q row %d: %q is not a valid value of the field%s: %w",
				mf.name, row, v.text(), validHint(mf.field), flavors.ErrInvalidInput)
		case "asMissing":
			status, v = statusMissing, missing
		case "asValue":
			return mf.invalidRepl, nil
		case "asIs":
			return mf.treatOutliers(v), nil
		}
	}
	if status == statusMissing {
		if mf.hasReplacement {
			return mf.replacement, nil
		}
		if mf.missingTreatment == "returnInvalid" {
			return missing, fmt.Errorf("pmml: input %q row %d is missing and the model refuses missing values (missingValueTreatment=returnInvalid): %w",
				mf.name, row, flavors.ErrInvalidInput)
		}
		return missing, nil
	}
	return mf.treatOutliers(v), nil
}

func validHint(f *dataField) string {
	switch {
	case len(f.values) > 0 && f.optype != "continuous":
		if len(f.values) <= 20 {
			return fmt.Sprintf(" (expected one of %q)", f.values)
		}
		return fmt.Sprintf(" (expected one of its %d values)", len(f.values))
	case len(f.intervals) > 0:
		return " (outside the field's intervals)"
	case f.dt.numeric():
		return " (expected a number)"
	}
	return ""
}
