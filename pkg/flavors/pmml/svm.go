package pmml

import (
	"math"
	"strconv"
	"strings"
)

// svmKernel is a compiled kernel type.
type svmKernel struct {
	kind                 string // linear, polynomial, radialBasis, sigmoid
	gamma, coef0, degree float64
}

func (k *svmKernel) apply(x, v []float64) float64 {
	if k.kind == "radialBasis" {
		var d2 float64
		for i, xi := range x {
			d := xi - v[i]
			d2 += d * d
		}
		return math.Exp(-k.gamma * d2)
	}
	var dot float64
	for i, xi := range x {
		dot += xi * v[i]
	}
	switch k.kind {
	case "polynomial":
		return math.Pow(k.gamma*dot+k.coef0, k.degree)
	case "sigmoid":
		return math.Tanh(k.gamma*dot + k.coef0)
	}
	return dot
}

// svmMachine is one compiled SupportVectorMachine: with support vectors,
// f(x) = Σ coef[i]·K(x, vectors[vecs[i]]) + b; with coefficients,
// f(x) = Σ coef[i]·x[i] + b.
type svmMachine struct {
	target, alternate int // class columns; -1 when absent
	threshold         float64
	vecs              []int
	coef              []float64
	b                 float64
}

type svm struct {
	m           *modelNode
	inputs      []expr
	vectors     [][]float64 // VectorDictionary, dense, in declaration order
	kernel      svmKernel
	machines    []svmMachine
	coefficient bool // svmRepresentation="Coefficients"
	oneVsAll    bool
	maxWins     bool
	buf         int
}

var svmKernels = map[string]string{"LinearKernelType": "linear", "PolynomialKernelType": "polynomial",
	"RadialBasisKernelType": "radialBasis", "SigmoidKernelType": "sigmoid"}

func (c *compiler) compileSVM(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "svmRepresentation", "classificationMethod", "alternateBinaryTargetCategory", "threshold", "maxWins")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "LinearKernelType", "PolynomialKernelType", "RadialBasisKernelType", "SigmoidKernelType",
		"VectorDictionary", "SupportVectorMachine")...); err != nil {
		return err
	}
	s := &svm{m: m}
	rep, err := e.oneOf("svmRepresentation", "SupportVectors", "SupportVectors", "Coefficients")
	if err != nil {
		return err
	}
	s.coefficient = rep == "Coefficients"
	method, err := e.oneOf("classificationMethod", "OneAgainstAll", "OneAgainstAll", "OneAgainstOne")
	if err != nil {
		return err
	}
	s.oneVsAll = method == "OneAgainstAll"
	if _, ok := e.attr("alternateBinaryTargetCategory"); ok {
		return e.unsupported("alternateBinaryTargetCategory of SupportVectorMachineModel is not supported")
	}
	mw, err := e.oneOf("maxWins", "false", "false", "true")
	if err != nil {
		return err
	}
	s.maxWins = mw == "true"
	threshold, err := e.float("threshold", 0)
	if err != nil {
		return err
	}
	if err := s.compileKernel(e); err != nil {
		return err
	}
	ids, err := c.compileVectorDictionary(e, s)
	if err != nil {
		return err
	}
	for _, me := range e.kidsNamed("SupportVectorMachine") {
		if err := s.compileMachine(me, ids, threshold); err != nil {
			return err
		}
	}
	if err := s.checkMachines(e); err != nil {
		return err
	}
	s.buf = c.prog.addBuffer(len(s.inputs) + len(s.vectors) + len(m.classes))
	m.impl = s
	return nil
}

func (s *svm) compileKernel(e *elem) error {
	var ke *elem
	for _, k := range e.kids {
		if _, ok := svmKernels[k.name]; ok {
			if ke != nil {
				return k.invalid("SupportVectorMachineModel has more than one kernel type")
			}
			ke = k
		}
	}
	if ke == nil {
		return e.invalid("SupportVectorMachineModel needs a kernel type (LinearKernelType, PolynomialKernelType, RadialBasisKernelType or SigmoidKernelType)")
	}
	if err := ke.check("description", "gamma", "coef0", "degree"); err != nil {
		return err
	}
	if err := ke.checkKids(); err != nil {
		return err
	}
	s.kernel.kind = svmKernels[ke.name]
	var err error
	if s.kernel.gamma, err = ke.float("gamma", 1); err != nil {
		return err
	}
	if s.kernel.coef0, err = ke.float("coef0", 1); err != nil {
		return err
	}
	if s.kernel.degree, err = ke.float("degree", 1); err != nil {
		return err
	}
	if s.coefficient && s.kernel.kind != "linear" {
		return e.invalid("svmRepresentation=\"Coefficients\" needs a LinearKernelType, the model has %s", ke.name)
	}
	return nil
}

// compileVectorDictionary reads the input vector's fields and the support
// vectors, returning the vectors' index by id.
func (c *compiler) compileVectorDictionary(e *elem, s *svm) (map[string]int, error) {
	vd := e.kid("VectorDictionary")
	if vd == nil {
		return nil, e.invalid("SupportVectorMachineModel needs a <VectorDictionary>")
	}
	if err := vd.check("numberOfVectors"); err != nil {
		return nil, err
	}
	if err := vd.checkKids("VectorFields", "VectorInstance"); err != nil {
		return nil, err
	}
	vf := vd.kid("VectorFields")
	if vf == nil {
		return nil, vd.invalid("<VectorDictionary> needs <VectorFields>")
	}
	if err := vf.check("numberOfFields"); err != nil {
		return nil, err
	}
	if err := vf.checkKids("FieldRef", "CategoricalPredictor"); err != nil {
		return nil, err
	}
	for _, k := range vf.kids {
		x, err := c.compileVectorField(k, s.m.scope)
		if err != nil {
			return nil, err
		}
		s.inputs = append(s.inputs, x)
	}
	n := len(s.inputs)
	if n == 0 {
		return nil, vf.invalid("<VectorFields> declares no field")
	}
	ids := map[string]int{}
	for _, vi := range vd.kidsNamed("VectorInstance") {
		if err := vi.check("id"); err != nil {
			return nil, err
		}
		if err := vi.checkKids("REAL-SparseArray", "Array"); err != nil {
			return nil, err
		}
		id, err := vi.need("id")
		if err != nil {
			return nil, err
		}
		if _, dup := ids[id]; dup {
			return nil, vi.invalid("vector id %q is used twice", id)
		}
		if len(vi.kids) != 1 {
			return nil, vi.invalid("<VectorInstance id=%q> needs one <REAL-SparseArray> or <Array>", id)
		}
		v, err := denseVector(vi.kids[0], n)
		if err != nil {
			return nil, err
		}
		ids[id] = len(s.vectors)
		s.vectors = append(s.vectors, v)
	}
	return ids, nil
}

// compileVectorField is one entry of the input vector: a field's number, or
// a CategoricalPredictor's coefficient when the field holds its value.
func (c *compiler) compileVectorField(k *elem, sc *scope) (expr, error) {
	if k.name == "FieldRef" {
		return c.compileFieldRef(k, sc)
	}
	if err := k.check("name", "value", "coefficient"); err != nil {
		return expr{}, err
	}
	if err := k.checkKids(); err != nil {
		return expr{}, err
	}
	slot, err := c.fieldSlot(k, "name", sc)
	if err != nil {
		return expr{}, err
	}
	raw, err := k.need("value")
	if err != nil {
		return expr{}, err
	}
	want, _ := parseLiteral(raw, c.prog.types[slot])
	coef, err := k.float("coefficient", 1)
	if err != nil {
		return expr{}, err
	}
	return expr{dt: dtDouble, eval: func(ctx *rowCtx) value {
		v := ctx.get(slot)
		if v.k == kMissing {
			return missing
		}
		if equalValues(v, want) {
			return num(coef)
		}
		return num(0)
	}}, nil
}

// denseVector reads a REAL-SparseArray (1-based indices) or a real Array of n values.
func denseVector(e *elem, n int) ([]float64, error) {
	out := make([]float64, n)
	if e.name == "Array" {
		toks, err := parseArray(e)
		if err != nil {
			return nil, err
		}
		if len(toks) != n {
			return nil, e.invalid("<Array> holds %d values, the vector has %d fields", len(toks), n)
		}
		for i, t := range toks {
			if out[i], err = parseNumber(t); err != nil {
				return nil, e.invalid("<Array> value %q is not a number", t)
			}
		}
		return out, nil
	}
	if err := e.check("n", "defaultValue"); err != nil {
		return nil, err
	}
	if err := e.checkKids("Indices", "REAL-Entries"); err != nil {
		return nil, err
	}
	if sn, ok := e.attr("n"); ok {
		if k, err := strconv.Atoi(sn); err != nil || k != n {
			return nil, e.invalid("<REAL-SparseArray n=%q>, the vector has %d fields", sn, n)
		}
	}
	def, err := e.float("defaultValue", 0)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = def
	}
	var idx, vals []string
	if k := e.kid("Indices"); k != nil {
		idx = strings.Fields(k.text)
	}
	if k := e.kid("REAL-Entries"); k != nil {
		vals = strings.Fields(k.text)
	}
	if len(idx) != len(vals) {
		return nil, e.invalid("<REAL-SparseArray> has %d indices and %d entries", len(idx), len(vals))
	}
	for j, si := range idx {
		i, err := strconv.Atoi(si)
		if err != nil || i < 1 || i > n {
			return nil, e.invalid("<REAL-SparseArray> index %q is not in 1..%d", si, n)
		}
		if out[i-1], err = parseNumber(vals[j]); err != nil {
			return nil, e.invalid("<REAL-SparseArray> entry %q is not a number", vals[j])
		}
	}
	return out, nil
}

func (s *svm) compileMachine(me *elem, ids map[string]int, threshold float64) error {
	m := s.m
	if err := me.check("targetCategory", "alternateTargetCategory", "threshold"); err != nil {
		return err
	}
	if err := me.checkKids("SupportVectors", "Coefficients"); err != nil {
		return err
	}
	mc := svmMachine{target: -1, alternate: -1}
	var err error
	if mc.threshold, err = me.float("threshold", threshold); err != nil {
		return err
	}
	if m.fn == fnClassification {
		if v, ok := me.attr("targetCategory"); ok {
			mc.target = m.classOf(v)
		}
		if v, ok := me.attr("alternateTargetCategory"); ok {
			mc.alternate = m.classOf(v)
		}
	}
	ce := me.kid("Coefficients")
	if ce == nil {
		return me.invalid("<SupportVectorMachine> needs <Coefficients>")
	}
	if err := ce.check("numberOfCoefficients", "absoluteValue"); err != nil {
		return err
	}
	if err := ce.checkKids("Coefficient"); err != nil {
		return err
	}
	if mc.b, err = ce.float("absoluteValue", 0); err != nil {
		return err
	}
	for _, k := range ce.kids {
		if err := k.check("value"); err != nil {
			return err
		}
		v, err := k.float("value", 0)
		if err != nil {
			return err
		}
		mc.coef = append(mc.coef, v)
	}
	if s.coefficient {
		if me.kid("SupportVectors") != nil {
			return me.invalid("svmRepresentation=\"Coefficients\" takes no <SupportVectors>")
		}
		if len(mc.coef) != len(s.inputs) {
			return ce.invalid("<Coefficients> holds %d coefficients, the vector has %d fields", len(mc.coef), len(s.inputs))
		}
	} else {
		sv := me.kid("SupportVectors")
		if sv == nil {
			return me.invalid("<SupportVectorMachine> needs <SupportVectors>")
		}
		if err := sv.check("numberOfSupportVectors", "numberOfAttributes"); err != nil {
			return err
		}
		if err := sv.checkKids("SupportVector"); err != nil {
			return err
		}
		for _, k := range sv.kids {
			if err := k.check("vectorId"); err != nil {
				return err
			}
			id, err := k.need("vectorId")
			if err != nil {
				return err
			}
			i, ok := ids[id]
			if !ok {
				return k.invalid("<SupportVector vectorId=%q> names no <VectorInstance>", id)
			}
			mc.vecs = append(mc.vecs, i)
		}
		if len(mc.coef) != len(mc.vecs) {
			return ce.invalid("<Coefficients> holds %d coefficients for %d support vectors", len(mc.coef), len(mc.vecs))
		}
	}
	s.machines = append(s.machines, mc)
	return nil
}

func (s *svm) checkMachines(e *elem) error {
	m := s.m
	if len(s.machines) == 0 {
		return e.invalid("SupportVectorMachineModel needs a <SupportVectorMachine>")
	}
	if m.fn == fnRegression {
		if len(s.machines) != 1 {
			return e.invalid("a regression SupportVectorMachineModel needs one <SupportVectorMachine>, it has %d", len(s.machines))
		}
		return nil
	}
	if len(s.machines) == 1 {
		// A binary classifier: one machine separates target from alternate.
		if mc := s.machines[0]; mc.target < 0 || mc.alternate < 0 {
			return e.invalid("a binary SupportVectorMachine needs targetCategory and alternateTargetCategory")
		}
		s.oneVsAll = false
		return nil
	}
	for _, mc := range s.machines {
		if mc.target < 0 {
			return e.invalid("every <SupportVectorMachine> of a classifier needs a targetCategory")
		}
		if !s.oneVsAll && mc.alternate < 0 {
			return e.invalid("classificationMethod=\"OneAgainstOne\" needs an alternateTargetCategory on every <SupportVectorMachine>")
		}
	}
	return nil
}

// eval scores a row. Classification, one against one: each machine votes
// for targetCategory when f(x) < threshold (f(x) > threshold with maxWins),
// else for alternateTargetCategory; probabilities are the vote shares and a
// tie goes to the class first in Classes() order. One against all: the
// class whose machine gives the lowest f(x) (the highest with maxWins) wins;
// its probability is 1.
func (s *svm) eval(ctx *rowCtx, res *result) {
	buf := ctx.bufs[s.buf]
	n := len(s.inputs)
	x, kv, probs := buf[:n], buf[n:n+len(s.vectors)], buf[n+len(s.vectors):]
	for i, in := range s.inputs {
		v, ok := in.eval(ctx).number()
		if !ok {
			return
		}
		x[i] = v
	}
	if !s.coefficient {
		for i := range kv {
			kv[i] = math.NaN() // computed on first use: a machine may use few vectors
		}
	}
	decision := func(mc *svmMachine) float64 {
		f := mc.b
		if s.coefficient {
			for i, c := range mc.coef {
				f += c * x[i]
			}
			return f
		}
		for i, vi := range mc.vecs {
			k := kv[vi]
			if math.IsNaN(k) {
				k = s.kernel.apply(x, s.vectors[vi])
				kv[vi] = k
			}
			f += mc.coef[i] * k
		}
		return f
	}
	if s.m.fn == fnRegression {
		res.ok, res.val = true, decision(&s.machines[0])
		return
	}
	clear(probs)
	if s.oneVsAll {
		best, bestF := -1, 0.0
		for i := range s.machines {
			mc := &s.machines[i]
			f := decision(mc)
			if best < 0 || (s.maxWins && f > bestF) || (!s.maxWins && f < bestF) {
				best, bestF = mc.target, f
			}
		}
		probs[best] = 1
	} else {
		for i := range s.machines {
			mc := &s.machines[i]
			f := decision(mc)
			if (s.maxWins && f > mc.threshold) || (!s.maxWins && f < mc.threshold) {
				probs[mc.target]++
			} else {
				probs[mc.alternate]++
			}
		}
		for i := range probs {
			probs[i] /= float64(len(s.machines))
		}
	}
	res.ok, res.probs = true, probs
	res.label = s.m.classes[argmax(probs)]
}
