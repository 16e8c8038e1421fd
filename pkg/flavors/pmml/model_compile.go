package pmml

import (
	"math"
)

// compiler turns the element tree into the evaluation structure.
type compiler struct {
	prog   *program
	fields map[string]*dataField
	// udfs holds the TransformationDictionary's DefineFunctions (define_function.go).
	udfs *userFunctions
}

type function uint8

const (
	fnRegression function = iota
	fnClassification
	fnClustering
	fnAssociation
)

// result is what one model predicts for one row. probs is aligned with the
// model's classes and may alias read-only model data: copy before keeping.
type result struct {
	ok     bool
	label  string
	val    float64
	probs  []float64
	entity string
}

// evaluator is one model type's scoring of a row.
type evaluator interface {
	eval(ctx *rowCtx, res *result)
}

// modelNode is a compiled model element: the common parts every model type
// shares (schema, targets, outputs) around its evaluator.
type modelNode struct {
	kind       string
	fn         function
	classes    []string
	classIndex map[string]int
	target     *dataField
	mining     []miningField
	impl       evaluator
	targets    *targetSpec
	outputs    []*outputField
	f32        bool
	scope      *scope
	line       int
	// clusterNames maps a cluster's id (its class) to its name.
	clusterNames map[string]string
}

// classOf returns a class's column, adding the class when new.
func (m *modelNode) classOf(label string) int {
	if i, ok := m.classIndex[label]; ok {
		return i
	}
	m.classes = append(m.classes, label)
	m.classIndex[label] = len(m.classes) - 1
	return len(m.classes) - 1
}

// modelKinds lists every PMML model element, so that an unsupported one is
// named as a model rather than as an unknown element.
var modelKinds = map[string]bool{
	"AnomalyDetectionModel": true, "AssociationModel": true, "BayesianNetworkModel": true, "BaselineModel": true,
	"ClusteringModel": true, "GaussianProcessModel": true, "GeneralRegressionModel": true, "MiningModel": true,
	"NaiveBayesModel": true, "NearestNeighborModel": true, "NeuralNetwork": true, "RegressionModel": true,
	"RuleSetModel": true, "SequenceModel": true, "Scorecard": true, "SupportVectorMachineModel": true,
	"TextModel": true, "TimeSeriesModel": true, "TreeModel": true,
}

// modelCompilers compiles each supported model element's own part into
// the modelNode; the files of the model types register here, in init
// because compileMining recurses into compileModel.
var modelCompilers = map[string]func(c *compiler, e *elem, m *modelNode) error{}

func init() {
	for name, compile := range map[string]func(c *compiler, e *elem, m *modelNode) error{
		"TreeModel":                 (*compiler).compileTree,
		"RegressionModel":           (*compiler).compileRegression,
		"MiningModel":               (*compiler).compileMining,
		"GeneralRegressionModel":    (*compiler).compileGeneralRegression,
		"NeuralNetwork":             (*compiler).compileNeuralNetwork,
		"NaiveBayesModel":           (*compiler).compileNaiveBayes,
		"SupportVectorMachineModel": (*compiler).compileSVM,
		"ClusteringModel":           (*compiler).compileClustering,
		"AssociationModel":          (*compiler).compileAssociation,
	} {
		modelCompilers[name] = compile
	}
}

// modelAttrs are the attributes every model element may carry.
var modelAttrs = []string{"modelName", "functionName", "algorithmName", "isScorable", "mathContext"}

// modelKids are the children every model element may carry; ModelStats,
// ModelExplanation and ModelVerification describe the model and do not
// change its scores.
var modelKids = []string{"MiningSchema", "Output", "ModelStats", "ModelExplanation", "Targets", "LocalTransformations", "ModelVerification"}

func (c *compiler) compileModel(e *elem, parent *scope, top bool) (*modelNode, error) {
	compile, ok := modelCompilers[e.name]
	if !ok {
		if modelKinds[e.name] {
			return nil, e.unsupported("%s is not supported", e.name)
		}
		return nil, e.unsupported("element <%s> is not supported", e.name)
	}
	if e.attrOr("isScorable", "true") == "false" {
		return nil, e.unsupported("%s is marked isScorable=\"false\"", e.name)
	}
	fnName, err := e.oneOf("functionName", "", "classification", "regression", "clustering", "associationRules")
	if err != nil {
		return nil, err
	}
	if (fnName == "clustering") != (e.name == "ClusteringModel") || (fnName == "associationRules") != (e.name == "AssociationModel") {
		return nil, e.unsupported("functionName=%q of %s is not supported", fnName, e.name)
	}
	if e.name == "AssociationModel" && !top {
		return nil, e.unsupported("an AssociationModel inside a MiningModel is not supported")
	}
	if e.name == "ClusteringModel" && !top {
		return nil, e.unsupported("a ClusteringModel inside a MiningModel is not supported")
	}
	mc, err := e.oneOf("mathContext", "double", "double", "float")
	if err != nil {
		return nil, err
	}
	m := &modelNode{kind: e.name, classIndex: map[string]int{}, f32: mc == "float", scope: newScope(parent), line: e.line}
	switch fnName {
	case "classification":
		m.fn = fnClassification
	case "clustering":
		m.fn = fnClustering
	case "associationRules":
		m.fn = fnAssociation
	}
	ms := e.kid("MiningSchema")
	if ms == nil {
		return nil, e.invalid("%s needs a <MiningSchema>", e.name)
	}
	if err := c.compileMiningSchema(ms, m, parent, top); err != nil {
		return nil, err
	}
	if m.fn == fnClassification && m.target != nil {
		for _, v := range m.target.values {
			m.classOf(v)
		}
	}
	if lt := e.kid("LocalTransformations"); lt != nil {
		if err := lt.check(); err != nil {
			return nil, err
		}
		if err := c.compileDerivedFields(lt.kids, m.scope); err != nil {
			return nil, err
		}
	}
	err = compile(c, e, m)
	if err != nil {
		return nil, err
	}
	if e.name == "AssociationModel" {
		return m, nil // its Output fields are rule features, compiled with the rules
	}
	if t := e.kid("Targets"); t != nil {
		if m.targets, err = compileTargets(t, m); err != nil {
			return nil, err
		}
	}
	if o := e.kid("Output"); o != nil {
		if err := c.compileOutput(o, m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// evaluate scores a row: the model's own evaluation, then its Targets, then
// its Output fields into their slots (for later segments and the caller).
func (m *modelNode) evaluate(ctx *rowCtx, res *result) {
	*res = result{}
	m.impl.eval(ctx, res)
	if m.targets != nil {
		m.targets.apply(m, res)
	}
	for _, o := range m.outputs {
		ctx.set(o.slot, o.compute(ctx, m, res))
	}
}

// argmax picks the first class with the highest probability.
func argmax(probs []float64) int {
	best := -1
	for i, p := range probs {
		if best < 0 || p > probs[best] {
			best = i
		}
	}
	return best
}

// round32 rounds to float32 when the model computes in float.
func round32(f32 bool, x float64) float64 {
	if f32 {
		return float64(float32(x))
	}
	return x
}

// targetSpec is a compiled <Target>.
type targetSpec struct {
	min, max         float64
	factor, constant float64
	castInteger      string
	defaultValue     float64
	hasDefault       bool
	priors           []float64
}

func compileTargets(e *elem, m *modelNode) (*targetSpec, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	if err := e.checkKids("Target"); err != nil {
		return nil, err
	}
	if len(e.kids) > 1 {
		return nil, e.unsupported("more than one <Target> (multiple targets) is not supported")
	}
	if len(e.kids) == 0 {
		return nil, nil
	}
	t := e.kids[0]
	if err := t.check("field", "optype", "castInteger", "min", "max", "rescaleFactor", "rescaleConstant"); err != nil {
		return nil, err
	}
	if err := t.checkKids("TargetValue"); err != nil {
		return nil, err
	}
	if f, ok := t.attr("field"); ok && m.target != nil && f != m.target.name {
		return nil, t.invalid("<Target field=%q> does not name the model's target %q", f, m.target.name)
	}
	ts := &targetSpec{}
	var err error
	if ts.min, err = t.float("min", math.Inf(-1)); err != nil {
		return nil, err
	}
	if ts.max, err = t.float("max", math.Inf(1)); err != nil {
		return nil, err
	}
	if ts.factor, err = t.float("rescaleFactor", 1); err != nil {
		return nil, err
	}
	if ts.constant, err = t.float("rescaleConstant", 0); err != nil {
		return nil, err
	}
	if ts.castInteger, err = t.oneOf("castInteger", "", "", "round", "ceiling", "floor"); err != nil {
		return nil, err
	}
	var priors map[string]float64
	for _, tv := range t.kids {
		if err := tv.check("value", "displayValue", "priorProbability", "defaultValue"); err != nil {
			return nil, err
		}
		if err := tv.checkKids(); err != nil {
			return nil, err
		}
		if _, ok := tv.attr("defaultValue"); ok {
			if m.fn == fnClassification {
				return nil, tv.invalid("defaultValue of <TargetValue> applies to regression, the model is a classifier")
			}
			if ts.defaultValue, err = tv.float("defaultValue", 0); err != nil {
				return nil, err
			}
			ts.hasDefault = true
		}
		if _, ok := tv.attr("priorProbability"); ok {
			v, err := tv.need("value")
			if err != nil {
				return nil, err
			}
			p, err := tv.float("priorProbability", 0)
			if err != nil {
				return nil, err
			}
			if priors == nil {
				priors = map[string]float64{}
			}
			priors[v] = p
			if m.fn == fnClassification {
				m.classOf(v)
			}
		}
	}
	if priors != nil && m.fn == fnClassification {
		ts.priors = make([]float64, len(m.classes))
		for v, p := range priors {
			ts.priors[m.classIndex[v]] = p
		}
	}
	return ts, nil
}

func (t *targetSpec) apply(m *modelNode, res *result) {
	if m.fn == fnClassification {
		if !res.ok && t.priors != nil {
			res.ok = true
			res.probs = t.priors
			res.label = m.classes[argmax(t.priors)]
		}
		return
	}
	if !res.ok {
		if t.hasDefault {
			res.ok, res.val = true, t.defaultValue
		}
		return
	}
	v := math.Min(math.Max(res.val, t.min), t.max)
	v = v*t.factor + t.constant
	switch t.castInteger {
	case "round":
		v = roundHalfUp(v)
	case "ceiling":
		v = math.Ceil(v)
	case "floor":
		v = math.Floor(v)
	}
	res.val = round32(m.f32, v)
}
