package pmml

import (
	"math"
	"strconv"
)

// clusteringField is a compiled center ClusteringField.
type clusteringField struct {
	in      expr
	compare string // absDiff, gaussSim, delta, equal
	weight  float64
	scale   float64 // gaussSim's similarityScale
}

// clustering is a compiled center-based ClusteringModel. Its clusters are
// the model's classes (their ids, in document order) and a result's probs
// are the distances to each cluster.
type clustering struct {
	m       *modelNode
	measure string // euclidean, squaredEuclidean, cityBlock, chebychev, minkowski, or a similarity
	p       float64
	// similarity: the measure is a similarity of binary fields (the
	// nearest cluster is the most similar); binary holds binarySimilarity's
	// c11 c10 c01 c00 d11 d10 d01 d00.
	similarity bool
	binary     [8]float64
	// missingWeights are the MissingValueWeights, one per center field;
	// nil: every field weighs 1.
	missingWeights []float64
	fields         []clusteringField
	centers        [][]float64
	buf            int
}

var clusteringMeasures = []string{"euclidean", "squaredEuclidean", "cityBlock", "chebychev", "minkowski"}

// similarityMeasures compare binary fields: a11 counts the fields 1 in both
// the row and the center, a10 those 1 in the row only, and so on.
var similarityMeasures = []string{"simpleMatching", "jaccard", "tanimoto", "binarySimilarity"}

func (c *compiler) compileClustering(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "modelClass", "numberOfClusters")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "ComparisonMeasure", "ClusteringField", "MissingValueWeights", "Cluster", "CenterFields")...); err != nil {
		return err
	}
	if m.fn != fnClustering {
		return e.invalid("ClusteringModel needs functionName=\"clustering\"")
	}
	if _, err := e.oneOf("modelClass", "", "centerBased"); err != nil {
		return err
	}
	for _, name := range []string{"CenterFields", "Targets"} {
		if k := e.kid(name); k != nil {
			return k.unsupported("<%s> of a ClusteringModel is not supported", name)
		}
	}
	cl := &clustering{m: m}
	def, err := cl.compileMeasure(e)
	if err != nil {
		return err
	}
	for _, fe := range e.kidsNamed("ClusteringField") {
		f, center, err := c.compileClusteringField(fe, m.scope, def)
		if err != nil {
			return err
		}
		if center {
			cl.fields = append(cl.fields, f)
		}
	}
	if len(cl.fields) == 0 {
		return e.invalid("ClusteringModel needs a center <ClusteringField>")
	}
	m.clusterNames = map[string]string{}
	for i, ce := range e.kidsNamed("Cluster") {
		if err := ce.check("id", "name", "size"); err != nil {
			return err
		}
		if err := ce.checkKids("Array", "Partition", "Covariances", "KohonenMap"); err != nil {
			return err
		}
		id := ce.attrOr("id", strconv.Itoa(i+1))
		if _, dup := m.classIndex[id]; dup {
			return ce.invalid("cluster id %q is used twice", id)
		}
		m.classOf(id)
		m.clusterNames[id] = ce.attrOr("name", id)
		ae := ce.kid("Array")
		if ae == nil {
			return ce.invalid("<Cluster id=%q> needs an <Array> center", id)
		}
		center, err := denseVector(ae, len(cl.fields))
		if err != nil {
			return err
		}
		cl.centers = append(cl.centers, center)
	}
	if len(cl.centers) == 0 {
		return e.invalid("ClusteringModel needs a <Cluster>")
	}
	if mw := e.kid("MissingValueWeights"); mw != nil {
		if err := mw.check(); err != nil {
			return err
		}
		if err := mw.checkKids("Array"); err != nil {
			return err
		}
		if len(mw.kids) != 1 {
			return mw.invalid("<MissingValueWeights> needs one <Array>")
		}
		if cl.missingWeights, err = denseVector(mw.kids[0], len(cl.fields)); err != nil {
			return err
		}
		for _, q := range cl.missingWeights {
			if !(q >= 0) || math.IsInf(q, 1) {
				return mw.invalid("<MissingValueWeights> holds %v, expected finite weights not below 0", q)
			}
		}
	}
	cl.buf = c.prog.addBuffer(len(cl.fields) + len(cl.centers))
	m.impl = cl
	return nil
}

// compileMeasure reads the ComparisonMeasure and returns its compareFunction.
func (cl *clustering) compileMeasure(e *elem) (string, error) {
	kind, def, me, err := readComparisonMeasure(e, "ClusteringModel", "absDiff", "gaussSim", "delta", "equal")
	if err != nil {
		return "", err
	}
	known := false
	for _, k := range clusteringMeasures {
		known = known || me.name == k
	}
	for _, k := range similarityMeasures {
		cl.similarity = cl.similarity || me.name == k
	}
	if !known && !cl.similarity {
		return "", me.unsupported("comparison measure <%s> is not supported (supported: euclidean, squaredEuclidean, cityBlock, chebychev, minkowski, simpleMatching, jaccard, tanimoto, binarySimilarity)", me.name)
	}
	if cl.similarity != (kind == "similarity") {
		return "", me.invalid("<ComparisonMeasure kind=%q> does not fit the measure <%s>", kind, me.name)
	}
	if me.name == "binarySimilarity" {
		if cl.binary, err = readBinarySimilarity(me); err != nil {
			return "", err
		}
	} else if err := me.check("p-parameter"); err != nil {
		return "", err
	}
	if err := me.checkKids(); err != nil {
		return "", err
	}
	cl.measure = me.name
	if me.name == "minkowski" {
		if cl.p, err = me.needFloat("p-parameter"); err != nil {
			return "", err
		}
		if !(cl.p > 0) {
			return "", me.invalid("p-parameter of <minkowski> must be positive")
		}
	}
	return def, nil
}

func (c *compiler) compileClusteringField(fe *elem, sc *scope, def string) (clusteringField, bool, error) {
	var f clusteringField
	if err := fe.check("field", "isCenterField", "fieldWeight", "similarityScale", "compareFunction"); err != nil {
		return f, false, err
	}
	if err := fe.checkKids(); err != nil { // Comparisons (table) is refused here
		return f, false, err
	}
	slot, err := c.fieldSlot(fe, "field", sc)
	if err != nil {
		return f, false, err
	}
	f.in = expr{eval: func(ctx *rowCtx) value { return ctx.get(slot) }, dt: c.prog.types[slot]}
	if f.compare, err = fe.oneOf("compareFunction", def, "absDiff", "gaussSim", "delta", "equal"); err != nil {
		return f, false, err
	}
	if f.weight, err = fe.float("fieldWeight", 1); err != nil {
		return f, false, err
	}
	if f.scale, err = fe.float("similarityScale", math.NaN()); err != nil {
		return f, false, err
	}
	if f.compare == "gaussSim" && !(f.scale > 0) {
		return f, false, fe.invalid("compareFunction=\"gaussSim\" needs a positive similarityScale")
	}
	center, err := fe.oneOf("isCenterField", "true", "true", "false")
	return f, center == "true", err
}

func (f *clusteringField) compareTo(x, y float64) float64 {
	switch f.compare {
	case "gaussSim":
		z := x - y
		return math.Exp(-math.Ln2 * z * z / (f.scale * f.scale))
	case "delta":
		if x == y {
			return 0
		}
		return 1
	case "equal":
		if x == y {
			return 1
		}
		return 0
	}
	return math.Abs(x - y)
}

// eval picks the nearest cluster, the first on a tie. A missing field is
// left out and the sum of the others scaled up by (all fields' weight) /
// (present fields' weight), as PMML prescribes with unit missing-value weights.
func (cl *clustering) eval(ctx *rowCtx, res *result) {
	buf := ctx.bufs[cl.buf]
	x, dist := buf[:len(cl.fields)], buf[len(cl.fields):]
	present := 0
	for i := range cl.fields {
		v, ok := cl.fields[i].in.eval(ctx).number()
		if !ok {
			v = math.NaN()
		} else {
			present++
		}
		x[i] = v
	}
	if present == 0 {
		return
	}
	if cl.similarity {
		cl.evalSimilarity(x, dist, res)
		return
	}
	adjust := float64(len(cl.fields)) / float64(present)
	if q := cl.missingWeights; q != nil {
		var all, here float64
		for i := range q {
			all += q[i]
			if !math.IsNaN(x[i]) {
				here += q[i]
			}
		}
		if here == 0 {
			return
		}
		adjust = all / here
	}
	best := 0
	for j, center := range cl.centers {
		var d float64
		for i := range cl.fields {
			if math.IsNaN(x[i]) {
				continue
			}
			f := &cl.fields[i]
			d = addDistance(cl.measure, cl.p, d, f.weight, f.compareTo(x[i], center[i]))
		}
		d = finishDistance(cl.measure, cl.p, d, adjust)
		dist[j] = d
		if d < dist[best] {
			best = j
		}
	}
	id := cl.m.classes[best]
	res.ok, res.label, res.entity, res.probs, res.val = true, id, id, dist, float64(best+1)
}

// evalSimilarity picks the most similar cluster, the first on a tie. A
// field is 1 when not 0; a missing field is left out of the counts.
func (cl *clustering) evalSimilarity(x, sim []float64, res *result) {
	best := 0
	for j, center := range cl.centers {
		var a11, a10, a01, a00 float64
		for i := range cl.fields {
			if math.IsNaN(x[i]) {
				continue
			}
			switch row, c := x[i] != 0, center[i] != 0; {
			case row && c:
				a11++
			case row:
				a10++
			case c:
				a01++
			default:
				a00++
			}
		}
		num, den := binarySimilarityTerms(cl.measure, &cl.binary, a11, a10, a01, a00)
		s := 0.0 // nothing in common to measure (0/0)
		if den != 0 {
			s = num / den
		}
		sim[j] = s
		if s > sim[best] {
			best = j
		}
	}
	id := cl.m.classes[best]
	res.ok, res.label, res.entity, res.probs, res.val = true, id, id, sim, float64(best+1)
}
