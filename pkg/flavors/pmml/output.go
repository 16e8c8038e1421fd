package pmml

import (
	"strconv"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// outputField is a compiled <OutputField>.
type outputField struct {
	name    string
	feature string
	dtype   flavors.DType // FP64 or BYTES
	dt      dataType
	class   string // probability: the class asked for; "" for the predicted one
	expr    expr   // transformedValue
	slot    int32
	display map[string]string
	// rank is the 1-based rank asked for (entityId of the N-th neighbour,
	// the N-th reason code, the N-th rule).
	rank int
	// ruleFeature is the rule feature of feature="ruleValue".
	ruleFeature string
	// fromModel computes a feature its model type provides (see
	// modelFeatures); nil for the common features.
	fromModel func(ctx *rowCtx, res *result) value
}

// modelFeatures is implemented by an evaluator whose output fields need
// more than the result: the ids of the nearest neighbours, reason codes,
// the rules that fired. compileFeature is offered every OutputField of
// the model after its feature and rank are read; it returns false for a
// feature it leaves to the common code, else sets o.fromModel (and o.dt).
type modelFeatures interface {
	compileFeature(k *elem, o *outputField) (bool, error)
}

func (c *compiler) compileOutput(e *elem, m *modelNode) error {
	if err := e.check(); err != nil {
		return err
	}
	if err := e.checkKids("OutputField"); err != nil {
		return err
	}
	sc := newScope(m.scope)
	for _, k := range e.kids {
		if err := k.check("name", "displayName", "optype", "dataType", "targetField", "feature", "value", "rank", "isFinalResult", "ruleFeature", "isMultiValued"); err != nil {
			return err
		}
		name, err := k.need("name")
		if err != nil {
			return err
		}
		feature, err := k.oneOf("feature", "predictedValue", "predictedValue", "predictedDisplayValue", "probability", "transformedValue", "entityId",
			"clusterId", "clusterAffinity", "affinity", "reasonCode", "ruleValue", "confidence")
		if err != nil {
			return err
		}
		if tf, ok := k.attr("targetField"); ok && (m.target == nil || tf != m.target.name) {
			return k.unsupported("targetField %q of output field %q is not the model's target", tf, name)
		}
		o := &outputField{name: name, feature: feature, dt: dtUnknown, rank: 1}
		if s, ok := k.attr("dataType"); ok {
			if o.dt, ok = parseDataType(s); !ok {
				return k.unsupported("dataType %q of output field %q is not supported", s, name)
			}
		}
		if r, ok := k.attr("rank"); ok {
			if o.rank, err = strconv.Atoi(r); err != nil || o.rank < 1 {
				return k.invalid("rank=%q of output field %q is not a positive integer", r, name)
			}
		}
		if mv := k.attrOr("isMultiValued", "0"); mv != "0" && mv != "false" {
			return k.unsupported("isMultiValued=%q of output field %q is not supported", mv, name)
		}
		o.ruleFeature = k.attrOr("ruleFeature", "")
		handled := false
		if mf, ok := m.impl.(modelFeatures); ok {
			if handled, err = mf.compileFeature(k, o); err != nil {
				return err
			}
		}
		switch {
		case handled:
		case feature == "reasonCode" || feature == "ruleValue" || feature == "confidence":
			return k.unsupported("feature=%q of output field %q is not supported for %s", feature, name, m.kind)
		case o.rank != 1:
			return k.unsupported("rank=\"%d\" of output field %q is not supported", o.rank, name)
		case o.ruleFeature != "":
			return k.unsupported("ruleFeature=%q of output field %q is not supported for %s", o.ruleFeature, name, m.kind)
		}
		switch {
		case handled: // the model type set fromModel and the type
			if err := k.checkKids(); err != nil {
				return err
			}
		case feature == "transformedValue":
			if len(k.kids) != 1 {
				return k.invalid("output field %q (transformedValue) needs one expression", name)
			}
			if o.expr, err = c.compileExpr(k.kids[0], sc); err != nil {
				return err
			}
		default:
			if err := k.checkKids(); err != nil {
				return err
			}
		}
		switch {
		case handled:
		case feature == "clusterId" || feature == "clusterAffinity" || feature == "affinity":
			if m.fn != fnClustering {
				return k.unsupported("feature=%q of output field %q is supported for ClusteringModel only", feature, name)
			}
			o.class = k.attrOr("value", "")
			if o.class != "" && feature != "clusterAffinity" {
				return k.unsupported("value=%q of output field %q (%s) is not supported", o.class, name, feature)
			}
			if _, ok := m.classIndex[o.class]; o.class != "" && !ok {
				return k.invalid("output field %q asks for cluster %q, which the model does not have", name, o.class)
			}
			if o.dt == dtUnknown {
				o.dt = dtDouble
			}
		case feature == "probability":
			if m.fn != fnClassification {
				return k.invalid("output field %q asks for a probability of a %s model", name, fnName(m.fn))
			}
			o.class = k.attrOr("value", "")
			if o.dt == dtUnknown {
				o.dt = dtDouble
			}
		case feature == "entityId":
			if m.kind != "TreeModel" && m.kind != "ClusteringModel" {
				return k.unsupported("feature=\"entityId\" of output field %q is supported for TreeModel, ClusteringModel, NearestNeighborModel and RuleSetModel only", name)
			}
			o.dt = dtString
		case feature == "predictedDisplayValue":
			o.dt = dtString
			if m.target != nil {
				o.display = m.target.display
			}
			if m.fn == fnClustering {
				o.display = m.clusterNames
			}
		case feature == "predictedValue":
			if o.dt == dtUnknown {
				o.dt = dtDouble
				if m.fn != fnRegression {
					o.dt = dtString
				}
			}
		case feature == "transformedValue":
			if o.dt == dtUnknown {
				o.dt = o.expr.dt
			}
		}
		o.dtype = flavors.FP64
		if o.dt.textual() {
			o.dtype = flavors.Bytes
		}
		if _, dup := sc.names[name]; dup {
			return k.invalid("output field %q is declared twice", name)
		}
		o.slot = c.prog.addSlot(name, o.dt, nil)
		sc.names[name] = o.slot
		m.outputs = append(m.outputs, o)
	}
	return nil
}

// compute derives the field's value from the model's result.
func (o *outputField) compute(ctx *rowCtx, m *modelNode, res *result) value {
	if o.feature == "transformedValue" {
		v, _ := cast(o.expr.eval(ctx), o.dt)
		return v
	}
	if !res.ok {
		return missing
	}
	if o.fromModel != nil {
		v, _ := cast(o.fromModel(ctx, res), o.dt)
		return v
	}
	var v value
	switch o.feature {
	case "predictedValue":
		if m.fn != fnRegression {
			v = str(res.label)
		} else {
			v = num(res.val)
		}
	case "predictedDisplayValue":
		s := res.label
		if m.fn == fnRegression {
			s = formatNumber(res.val)
		}
		if d, ok := o.display[s]; ok {
			s = d
		}
		return str(s)
	case "probability":
		label := o.class
		if label == "" {
			label = res.label
		}
		i, ok := m.classIndex[label]
		if !ok || i >= len(res.probs) {
			return num(0)
		}
		return num(res.probs[i])
	case "clusterId":
		return num(res.val)
	case "affinity", "clusterAffinity":
		var i int
		if o.class == "" {
			i = m.classIndex[res.label]
		} else {
			i = m.classIndex[o.class]
		}
		if i < 0 || i >= len(res.probs) {
			return missing
		}
		return num(res.probs[i])
	case "entityId":
		if res.entity == "" {
			return missing
		}
		return str(res.entity)
	}
	v, _ = cast(v, o.dt)
	return v
}
