package pmml

import (
	"math"
	"strconv"
)

// neuron is one compiled Neuron: its inputs are indexes into the network's
// flat activation vector (inputs first, then each layer's neurons).
type neuron struct {
	bias    float64
	from    []int
	weights []float64
	width   float64
	alt     float64
}

type neuralLayer struct {
	start      int // index of the first neuron's activation
	neurons    []neuron
	activation string
	threshold  float64
	norm       string
}

// neuralOutput maps a neuron back to the target: a class's probability, or
// the predicted value through an inverted NormContinuous.
type neuralOutput struct {
	index int
	class int
	// regression: the LinearNorm points (orig, norm); none for a FieldRef
	orig, norm []float64
}

type neuralNetwork struct {
	m       *modelNode
	inputs  []expr
	layers  []neuralLayer
	outputs []neuralOutput
	size    int
	buf     int
}

var activations = []string{"threshold", "logistic", "tanh", "identity", "exponential", "reciprocal", "square",
	"Gauss", "sine", "cosine", "Elliott", "arctan", "rectifier", "radialBasis"}

func (c *compiler) compileNeuralNetwork(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "activationFunction", "normalizationMethod", "threshold", "width", "altitude", "numberOfLayers")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "NeuralInputs", "NeuralLayer", "NeuralOutputs")...); err != nil {
		return err
	}
	nn := &neuralNetwork{m: m}
	act, err := e.oneOf("activationFunction", "", activations...)
	if err != nil {
		return err
	}
	if act == "" {
		return e.invalid("NeuralNetwork needs an activationFunction")
	}
	norm, err := e.oneOf("normalizationMethod", "none", "none", "simplemax", "softmax")
	if err != nil {
		return err
	}
	threshold, err := e.float("threshold", 0)
	if err != nil {
		return err
	}
	width, err := e.float("width", math.NaN())
	if err != nil {
		return err
	}
	alt, err := e.float("altitude", 1)
	if err != nil {
		return err
	}
	ids := map[string]int{}
	ni := e.kid("NeuralInputs")
	if ni == nil {
		return e.invalid("NeuralNetwork needs <NeuralInputs>")
	}
	if err := ni.check("numberOfInputs"); err != nil {
		return err
	}
	if err := ni.checkKids("NeuralInput"); err != nil {
		return err
	}
	for _, in := range ni.kids {
		if err := in.check("id"); err != nil {
			return err
		}
		if err := in.checkKids("DerivedField"); err != nil {
			return err
		}
		id, err := in.need("id")
		if err != nil {
			return err
		}
		if _, dup := ids[id]; dup {
			return in.invalid("neuron id %q is used twice", id)
		}
		if len(in.kids) != 1 || len(in.kids[0].kids) != 1 {
			return in.invalid("<NeuralInput id=%q> needs one <DerivedField> with one expression", id)
		}
		x, err := c.compileExpr(in.kids[0].kids[0], m.scope)
		if err != nil {
			return err
		}
		ids[id] = len(nn.inputs)
		nn.inputs = append(nn.inputs, x)
	}
	nn.size = len(nn.inputs)
	for _, le := range e.kidsNamed("NeuralLayer") {
		if err := le.check("numberOfNeurons", "activationFunction", "threshold", "width", "altitude", "normalizationMethod"); err != nil {
			return err
		}
		if err := le.checkKids("Neuron"); err != nil {
			return err
		}
		l := neuralLayer{start: nn.size}
		if l.activation, err = le.oneOf("activationFunction", act, activations...); err != nil {
			return err
		}
		if l.threshold, err = le.float("threshold", threshold); err != nil {
			return err
		}
		if l.norm, err = le.oneOf("normalizationMethod", norm, "none", "simplemax", "softmax"); err != nil {
			return err
		}
		lw, err := le.float("width", width)
		if err != nil {
			return err
		}
		la, err := le.float("altitude", alt)
		if err != nil {
			return err
		}
		layerIDs := map[string]int{}
		for _, ne := range le.kids {
			if err := ne.check("id", "bias", "width", "altitude"); err != nil {
				return err
			}
			if err := ne.checkKids("Con"); err != nil {
				return err
			}
			id, err := ne.need("id")
			if err != nil {
				return err
			}
			if _, dup := ids[id]; dup {
				return ne.invalid("neuron id %q is used twice", id)
			}
			n := neuron{}
			if n.bias, err = ne.float("bias", 0); err != nil {
				return err
			}
			if n.width, err = ne.float("width", lw); err != nil {
				return err
			}
			if n.alt, err = ne.float("altitude", la); err != nil {
				return err
			}
			if l.activation == "radialBasis" && !(n.width > 0) {
				return ne.invalid("a radialBasis neuron needs a positive width")
			}
			for _, con := range ne.kids {
				if err := con.check("from", "weight"); err != nil {
					return err
				}
				from, err := con.need("from")
				if err != nil {
					return err
				}
				idx, ok := ids[from]
				if !ok {
					return con.invalid("<Con from=%q> names no neuron of an earlier layer or input", from)
				}
				w, err := con.needFloat("weight")
				if err != nil {
					return err
				}
				n.from, n.weights = append(n.from, idx), append(n.weights, w)
			}
			layerIDs[id] = nn.size + len(l.neurons)
			l.neurons = append(l.neurons, n)
		}
		for id, idx := range layerIDs { // visible to later layers only
			ids[id] = idx
		}
		nn.size += len(l.neurons)
		nn.layers = append(nn.layers, l)
	}
	if len(nn.layers) == 0 {
		return e.invalid("NeuralNetwork needs a <NeuralLayer>")
	}
	if err := c.compileNeuralOutputs(e, nn, ids); err != nil {
		return err
	}
	nn.buf = c.prog.addBuffer(nn.size + len(m.classes))
	m.impl = nn
	return nil
}

func (c *compiler) compileNeuralOutputs(e *elem, nn *neuralNetwork, ids map[string]int) error {
	m := nn.m
	no := e.kid("NeuralOutputs")
	if no == nil {
		return e.invalid("NeuralNetwork needs <NeuralOutputs>")
	}
	if err := no.check("numberOfOutputs"); err != nil {
		return err
	}
	if err := no.checkKids("NeuralOutput"); err != nil {
		return err
	}
	if m.target == nil {
		return e.invalid("NeuralNetwork needs a predicted MiningField")
	}
	for _, oe := range no.kids {
		if err := oe.check("outputNeuron"); err != nil {
			return err
		}
		if err := oe.checkKids("DerivedField"); err != nil {
			return err
		}
		id, err := oe.need("outputNeuron")
		if err != nil {
			return err
		}
		idx, ok := ids[id]
		if !ok || idx < len(nn.inputs) {
			return oe.invalid("outputNeuron %q is not a neuron", id)
		}
		if len(oe.kids) != 1 || len(oe.kids[0].kids) != 1 {
			return oe.invalid("<NeuralOutput> needs one <DerivedField> with one expression")
		}
		x := oe.kids[0].kids[0]
		out := neuralOutput{index: idx}
		if f := x.attrOr("field", ""); f != m.target.name {
			return x.unsupported("<%s> of a <NeuralOutput> must refer to the target %q, refers to %q", x.name, m.target.name, f)
		}
		switch {
		case m.fn == fnClassification && x.name == "NormDiscrete":
			if err := x.check("field", "value", "method", "mapMissingTo"); err != nil {
				return err
			}
			v, err := x.need("value")
			if err != nil {
				return err
			}
			out.class = m.classOf(v)
		case m.fn == fnRegression && x.name == "FieldRef":
			if err := x.check("field"); err != nil {
				return err
			}
		case m.fn == fnRegression && x.name == "NormContinuous":
			if err := x.check("field", "outliers", "mapMissingTo"); err != nil {
				return err
			}
			if err := x.checkKids("LinearNorm"); err != nil {
				return err
			}
			for _, ln := range x.kids {
				o, err := ln.needFloat("orig")
				if err != nil {
					return err
				}
				n, err := ln.needFloat("norm")
				if err != nil {
					return err
				}
				if k := len(out.norm); k > 0 && !(n > out.norm[k-1]) {
					return ln.invalid("LinearNorm norm values must increase")
				}
				out.orig, out.norm = append(out.orig, o), append(out.norm, n)
			}
			if len(out.norm) < 2 {
				return x.invalid("<NormContinuous> needs at least two <LinearNorm>")
			}
		default:
			return x.unsupported("<%s> in a <NeuralOutput> of a %s is not supported", x.name, fnName(m.fn))
		}
		nn.outputs = append(nn.outputs, out)
	}
	if m.fn == fnRegression && len(nn.outputs) != 1 {
		return no.unsupported("a regression NeuralNetwork with %s outputs is not supported", strconv.Itoa(len(nn.outputs)))
	}
	return nil
}

func activate(fn string, z, threshold float64) float64 {
	switch fn {
	case "threshold":
		if z > threshold {
			return 1
		}
		return 0
	case "logistic":
		return 1 / (1 + math.Exp(-z))
	case "tanh":
		return math.Tanh(z)
	case "exponential":
		return math.Exp(z)
	case "reciprocal":
		return 1 / z
	case "square":
		return z * z
	case "Gauss":
		return math.Exp(-z * z)
	case "sine":
		return math.Sin(z)
	case "cosine":
		return math.Cos(z)
	case "Elliott":
		return z / (1 + math.Abs(z))
	case "arctan":
		return 2 * math.Atan(z) / math.Pi
	case "rectifier":
		return math.Max(0, z)
	}
	return z // identity
}

func (nn *neuralNetwork) eval(ctx *rowCtx, res *result) {
	buf := ctx.bufs[nn.buf]
	act, probs := buf[:nn.size], buf[nn.size:]
	for i, x := range nn.inputs {
		v, ok := x.eval(ctx).number()
		if !ok {
			return
		}
		act[i] = v
	}
	for li := range nn.layers {
		l := &nn.layers[li]
		out := act[l.start : l.start+len(l.neurons)]
		for j := range l.neurons {
			n := &l.neurons[j]
			if l.activation == "radialBasis" {
				var z float64
				for k, f := range n.from {
					d := act[f] - n.weights[k]
					z += d * d
				}
				z /= 2 * n.width * n.width
				out[j] = math.Exp(float64(len(n.from))*math.Log(n.alt) - z)
				continue
			}
			z := n.bias
			for k, f := range n.from {
				z += n.weights[k] * act[f]
			}
			out[j] = activate(l.activation, z, l.threshold)
		}
		switch l.norm {
		case "softmax":
			max := math.Inf(-1)
			for _, v := range out {
				max = math.Max(max, v)
			}
			var sum float64
			for j, v := range out {
				out[j] = math.Exp(v - max)
				sum += out[j]
			}
			for j := range out {
				out[j] /= sum
			}
		case "simplemax":
			var sum float64
			for _, v := range out {
				sum += v
			}
			for j := range out {
				out[j] /= sum
			}
		}
	}
	if nn.m.fn == fnRegression {
		o := &nn.outputs[0]
		y := act[o.index]
		if o.norm != nil {
			y = denormalize(o.orig, o.norm, y)
		}
		res.ok, res.val = true, y
		return
	}
	clear(probs)
	for _, o := range nn.outputs {
		probs[o.class] = act[o.index]
	}
	res.ok, res.probs = true, probs
	res.label = nn.m.classes[argmax(probs)]
}

// denormalize inverts a piecewise-linear NormContinuous, extrapolating the
// outer segments.
func denormalize(orig, norm []float64, y float64) float64 {
	i := 0
	for i < len(norm)-2 && y > norm[i+1] {
		i++
	}
	return orig[i] + (y-norm[i])*(orig[i+1]-orig[i])/(norm[i+1]-norm[i])
}
