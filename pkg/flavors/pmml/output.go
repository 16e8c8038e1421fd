package pmml

import (
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
		if err := k.check("name", "displayName", "optype", "dataType", "targetField", "feature", "value", "rank", "isFinalResult"); err != nil {
			return err
		}
		name, err := k.need("name")
		if err != nil {
			return err
		}
		feature, err := k.oneOf("feature", "predictedValue", "predictedValue", "predictedDisplayValue", "probability", "transformedValue", "entityId",
			"clusterId", "clusterAffinity", "affinity")
		if err != nil {
			return err
		}
		if r := k.attrOr("rank", "1"); r != "1" {
			return k.unsupported("rank=%q of output field %q is not supported", r, name)
		}
		if tf, ok := k.attr("targetField"); ok && (m.target == nil || tf != m.target.name) {
			return k.unsupported("targetField %q of output field %q is not the model's target", tf, name)
		}
		o := &outputField{name: name, feature: feature, dt: dtUnknown}
		if s, ok := k.attr("dataType"); ok {
			if o.dt, ok = parseDataType(s); !ok {
				return k.unsupported("dataType %q of output field %q is not supported", s, name)
			}
		}
		if feature == "transformedValue" {
			if len(k.kids) != 1 {
				return k.invalid("output field %q (transformedValue) needs one expression", name)
			}
			if o.expr, err = c.compileExpr(k.kids[0], sc); err != nil {
				return err
			}
		} else if err := k.checkKids(); err != nil {
			return err
		}
		switch feature {
		case "clusterId", "clusterAffinity", "affinity":
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
		case "probability":
			if m.fn != fnClassification {
				return k.invalid("output field %q asks for a probability of a %s model", name, fnName(m.fn))
			}
			o.class = k.attrOr("value", "")
			if o.dt == dtUnknown {
				o.dt = dtDouble
			}
		case "entityId":
			if m.kind != "TreeModel" && m.kind != "ClusteringModel" {
				return k.unsupported("feature=\"entityId\" of output field %q is supported for TreeModel and ClusteringModel only", name)
			}
			o.dt = dtString
		case "predictedDisplayValue":
			o.dt = dtString
			if m.target != nil {
				o.display = m.target.display
			}
			if m.fn == fnClustering {
				o.display = m.clusterNames
			}
		case "predictedValue":
			if o.dt == dtUnknown {
				o.dt = dtDouble
				if m.fn != fnRegression {
					o.dt = dtString
				}
			}
		case "transformedValue":
			if o.dt == dtUnknown {
				o.dt = o.expr.dt
			}
		}
		o.dtype = flavors.FP64
		if o.dt == dtString || o.dt == dtBoolean || o.dt == dtUnknown {
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
