package pmml

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

func init() { modelCompilers["NearestNeighborModel"] = (*compiler).compileNearestNeighbor }

// knnInput is a compiled <KNNInput>: a field of the row compared with the
// same field of every training instance.
type knnInput struct {
	slot    int32
	weight  float64
	compare string // absDiff, delta, equal
}

// nearestNeighbor is a compiled NearestNeighborModel: the training
// instances held in memory, scored by the k nearest (or, for a similarity
// measure, most similar) of them. A row's buffer holds the neighbours'
// distances, their instance indices, scratch for the median, and how many
// neighbours were found.
type nearestNeighbor struct {
	m          *modelNode
	k          int
	measure    string
	p          float64    // minkowski
	binary     [8]float64 // binarySimilarity c00 c01 c10 c11 d00 d01 d10 d11
	similarity bool
	inputs     []knnInput
	x          [][]value // per instance, per input
	y          []float64 // regression targets
	class      []int     // classification targets
	ids        []string
	method     string // the continuous or categorical scoring method
	threshold  float64
	buf, probs int
}

var knnDistances = []string{"euclidean", "squaredEuclidean", "cityBlock", "chebychev", "minkowski"}
var knnSimilarities = []string{"simpleMatching", "jaccard", "tanimoto", "binarySimilarity"}

func (c *compiler) compileNearestNeighbor(e *elem, m *modelNode) error {
	if err := e.check(append(modelAttrs, "numberOfNeighbors", "continuousScoringMethod", "categoricalScoringMethod", "instanceIdVariable", "threshold")...); err != nil {
		return err
	}
	if err := e.checkKids(append(modelKids, "TrainingInstances", "ComparisonMeasure", "KNNInputs")...); err != nil {
		return err
	}
	nn := &nearestNeighbor{m: m}
	k, err := e.need("numberOfNeighbors")
	if err != nil {
		return err
	}
	if nn.k, err = strconv.Atoi(k); err != nil || nn.k < 1 {
		return e.invalid("numberOfNeighbors=%q of NearestNeighborModel is not a positive integer", k)
	}
	if m.fn == fnClassification {
		nn.method, err = e.oneOf("categoricalScoringMethod", "majorityVote", "majorityVote", "weightedMajorityVote")
	} else {
		nn.method, err = e.oneOf("continuousScoringMethod", "average", "average", "median", "weightedAverage")
	}
	if err != nil {
		return err
	}
	if nn.threshold, err = e.float("threshold", 0.001); err != nil {
		return err
	}
	if nn.threshold < 0 {
		return e.invalid("threshold of NearestNeighborModel must not be negative")
	}
	if m.target == nil {
		return e.unsupported("a NearestNeighborModel without a target field is not supported")
	}
	def, err := nn.compileMeasure(e)
	if err != nil {
		return err
	}
	if nn.similarity && (nn.method == "weightedAverage" || nn.method == "weightedMajorityVote") {
		return e.unsupported("%s scoring with the similarity measure <%s> is not supported", nn.method, nn.measure)
	}
	te := e.kid("TrainingInstances")
	if te == nil {
		return e.invalid("NearestNeighborModel needs <TrainingInstances>")
	}
	cols, rows, transformed, err := readTrainingInstances(te)
	if err != nil {
		return err
	}
	ie := e.kid("KNNInputs")
	if ie == nil {
		return e.invalid("NearestNeighborModel needs <KNNInputs>")
	}
	if err := ie.check("numberOfInputs"); err != nil {
		return err
	}
	if err := ie.checkKids("KNNInput"); err != nil {
		return err
	}
	var inCols []int
	for _, ke := range ie.kids {
		in, col, err := c.compileKNNInput(ke, m, def, cols, transformed)
		if err != nil {
			return err
		}
		if nn.similarity && in.weight != 1 {
			return ke.unsupported("fieldWeight of <KNNInput> with the similarity measure <%s> is not supported", nn.measure)
		}
		nn.inputs = append(nn.inputs, in)
		inCols = append(inCols, col)
	}
	if len(nn.inputs) == 0 {
		return ie.invalid("<KNNInputs> needs a <KNNInput>")
	}
	targetCol, ok := cols[m.target.name]
	if !ok {
		return te.invalid("<InstanceFields> has no column for the target field %q", m.target.name)
	}
	idCol := -1
	if v, ok := e.attr("instanceIdVariable"); ok {
		if idCol, ok = cols[v]; !ok {
			return e.invalid("instanceIdVariable %q is not one of the <InstanceFields>", v)
		}
	}
	for r, row := range rows {
		x := make([]value, len(nn.inputs))
		for i, col := range inCols {
			x[i], _ = parseLiteral(row[col], c.prog.types[nn.inputs[i].slot])
			if row[col] == "" {
				x[i] = missing
			}
		}
		nn.x = append(nn.x, x)
		y := strings.TrimSpace(row[targetCol])
		if y == "" {
			return te.invalid("training instance %d has no value for the target field %q", r+1, m.target.name)
		}
		if m.fn == fnClassification {
			nn.class = append(nn.class, m.classOf(y))
		} else {
			f, err := parseNumber(y)
			if err != nil {
				return te.invalid("training instance %d: target %q is not a number", r+1, y)
			}
			nn.y = append(nn.y, f)
		}
		id := strconv.Itoa(r + 1)
		if idCol >= 0 {
			id = row[idCol]
		}
		nn.ids = append(nn.ids, id)
	}
	if len(rows) == 0 {
		return te.invalid("<TrainingInstances> holds no instance")
	}
	nn.k = min(nn.k, len(rows))
	nn.buf = c.prog.addBuffer(3*nn.k + 1)
	nn.probs = c.prog.addBuffer(0)
	m.impl = nn
	return nil
}

// compileMeasure reads the ComparisonMeasure and returns its compareFunction.
func (nn *nearestNeighbor) compileMeasure(e *elem) (string, error) {
	kind, def, me, err := readComparisonMeasure(e, "NearestNeighborModel", "absDiff", "delta", "equal")
	if err != nil {
		return "", err
	}
	nn.measure = me.name
	switch {
	case kind == "distance" && contains(knnDistances, me.name):
	case kind == "similarity" && contains(knnSimilarities, me.name):
		nn.similarity = true
	default:
		return "", me.unsupported("comparison measure <%s> with kind=%q is not supported (supported: distance %s; similarity %s)",
			me.name, kind, strings.Join(knnDistances, ", "), strings.Join(knnSimilarities, ", "))
	}
	if err := me.checkKids(); err != nil {
		return "", err
	}
	switch me.name {
	case "minkowski":
		if err := me.check("p-parameter"); err != nil {
			return "", err
		}
		if nn.p, err = me.needFloat("p-parameter"); err != nil {
			return "", err
		}
		if !(nn.p > 0) {
			return "", me.invalid("p-parameter of <minkowski> must be positive")
		}
	case "binarySimilarity":
		if nn.binary, err = readBinarySimilarity(me); err != nil {
			return "", err
		}
	default:
		if err := me.check(); err != nil {
			return "", err
		}
	}
	return def, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// readTrainingInstances reads the InlineTable: the column of each instance
// field (by field name) and every row's cells in that column order.
func readTrainingInstances(te *elem) (map[string]int, [][]string, bool, error) {
	if err := te.check("recordCount", "fieldCount", "isTransformed"); err != nil {
		return nil, nil, false, err
	}
	if err := te.checkKids("InstanceFields", "InlineTable", "TableLocator"); err != nil {
		return nil, nil, false, err
	}
	if tl := te.kid("TableLocator"); tl != nil {
		return nil, nil, false, tl.unsupported("<TableLocator> (training instances outside the document) is not supported")
	}
	transformed, err := te.oneOf("isTransformed", "false", "false", "true")
	if err != nil {
		return nil, nil, false, err
	}
	fe := te.kid("InstanceFields")
	if fe == nil {
		return nil, nil, false, te.invalid("<TrainingInstances> needs <InstanceFields>")
	}
	if err := fe.check(); err != nil {
		return nil, nil, false, err
	}
	if err := fe.checkKids("InstanceField"); err != nil {
		return nil, nil, false, err
	}
	cols := map[string]int{}
	colOf := map[string]int{} // cell element name → column
	for i, f := range fe.kids {
		if err := f.check("field", "column"); err != nil {
			return nil, nil, false, err
		}
		name, err := f.need("field")
		if err != nil {
			return nil, nil, false, err
		}
		col := f.attrOr("column", name)
		// Cells are named by the column; the parser keeps an element's
		// local name, so a prefixed column such as "data:x" is matched as "x".
		if j := strings.LastIndexByte(col, ':'); j >= 0 {
			col = col[j+1:]
		}
		if _, dup := cols[name]; dup {
			return nil, nil, false, f.invalid("instance field %q is listed twice", name)
		}
		if _, dup := colOf[col]; dup {
			return nil, nil, false, f.invalid("column %q of instance field %q is used twice", col, name)
		}
		cols[name], colOf[col] = i, i
	}
	table := te.kid("InlineTable")
	if table == nil {
		return nil, nil, false, te.invalid("<TrainingInstances> needs an <InlineTable>")
	}
	if err := table.check(); err != nil {
		return nil, nil, false, err
	}
	if err := table.checkKids("row"); err != nil {
		return nil, nil, false, err
	}
	rows := make([][]string, 0, len(table.kids))
	for r, re := range table.kids {
		if err := re.check(); err != nil {
			return nil, nil, false, err
		}
		row := make([]string, len(fe.kids))
		for _, cell := range re.kids {
			i, ok := colOf[cell.name]
			if !ok {
				return nil, nil, false, cell.invalid("cell <%s> of training instance %d is not an instance field's column", cell.name, r+1)
			}
			if len(cell.kids) > 0 || len(cell.attrs) > 0 {
				return nil, nil, false, cell.unsupported("cell <%s> of training instance %d holds more than text", cell.name, r+1)
			}
			row[i] = strings.TrimSpace(cell.text)
		}
		rows = append(rows, row)
	}
	return cols, rows, transformed == "true", nil
}

func (c *compiler) compileKNNInput(ke *elem, m *modelNode, def string, cols map[string]int, transformed bool) (knnInput, int, error) {
	var in knnInput
	if err := ke.check("field", "fieldWeight", "compareFunction"); err != nil {
		return in, 0, err
	}
	if err := ke.checkKids(); err != nil {
		return in, 0, err
	}
	slot, err := c.fieldSlot(ke, "field", m.scope)
	if err != nil {
		return in, 0, err
	}
	name := ke.attrOr("field", "")
	if f := c.fields[name]; (f == nil || f.slot != slot) && !transformed {
		// The instances hold raw values; computing a derived field over
		// them is not implemented.
		return in, 0, ke.unsupported("KNNInput %q is a derived field and the training instances are not isTransformed=\"true\"", name)
	}
	col, ok := cols[name]
	if !ok {
		return in, 0, ke.invalid("KNNInput %q has no column in <InstanceFields>", name)
	}
	in.slot = slot
	if in.weight, err = ke.float("fieldWeight", 1); err != nil {
		return in, 0, err
	}
	if in.compare, err = ke.oneOf("compareFunction", def, "absDiff", "delta", "equal"); err != nil {
		return in, 0, err
	}
	return in, col, nil
}

// compare is one input's comparison of a row and an instance value; ok is
// false when either is missing or absDiff meets a value that is no number.
func (in *knnInput) compareTo(a, b value) (float64, bool) {
	if a.k == kMissing || b.k == kMissing {
		return 0, false
	}
	switch in.compare {
	case "delta", "equal":
		eq := equalValues(a, b)
		if eq == (in.compare == "equal") {
			return 1, true
		}
		return 0, true
	}
	x, okx := a.number()
	y, oky := b.number()
	if !okx || !oky {
		return 0, false
	}
	return math.Abs(x - y), true
}

// distance is the row's (ctx's) distance to one instance (for a similarity
// measure, the similarity negated, so that smaller is nearer); ok is false
// when no input could be compared. Inputs missing on either side are left
// out and the rest scaled up, as for a clustering model.
func (nn *nearestNeighbor) distance(ctx *rowCtx, inst []value) (float64, bool) {
	var d float64
	present := 0
	var counts [4]float64 // binary a (1,1), b (1,0), c (0,1), d (0,0)
	for i := range nn.inputs {
		in := &nn.inputs[i]
		v := ctx.get(in.slot)
		if nn.similarity {
			x, okx := v.number()
			y, oky := inst[i].number()
			if !okx || !oky {
				continue
			}
			present++
			switch {
			case x != 0 && y != 0:
				counts[0]++
			case x != 0:
				counts[1]++
			case y != 0:
				counts[2]++
			default:
				counts[3]++
			}
			continue
		}
		c, ok := in.compareTo(v, inst[i])
		if !ok {
			continue
		}
		present++
		d = addDistance(nn.measure, nn.p, d, in.weight, c)
	}
	if present == 0 {
		return 0, false
	}
	if nn.similarity {
		num, den := binarySimilarityTerms(nn.measure, &nn.binary, counts[0], counts[1], counts[2], counts[3])
		s := num / den
		if math.IsNaN(s) {
			return 0, false
		}
		return -s, true
	}
	d = finishDistance(nn.measure, nn.p, d, float64(len(nn.inputs))/float64(present))
	return d, !math.IsNaN(d)
}

// eval finds the k nearest instances (on equal distance the earlier
// instance is nearer) and scores them.
func (nn *nearestNeighbor) eval(ctx *rowCtx, res *result) {
	m := nn.m
	k := nn.k
	buf := ctx.bufs[nn.buf]
	dist, idx, scratch := buf[:k], buf[k:2*k], buf[2*k:3*k]
	found := 0
	buf[3*k] = 0
	for j, inst := range nn.x {
		d, ok := nn.distance(ctx, inst)
		if !ok || (found == k && d >= dist[k-1]) {
			continue
		}
		at := found
		if found < k {
			found++
		} else {
			at = k - 1
		}
		for ; at > 0 && dist[at-1] > d; at-- {
			dist[at], idx[at] = dist[at-1], idx[at-1]
		}
		dist[at], idx[at] = d, float64(j)
	}
	buf[3*k] = float64(found)
	if found == 0 {
		return
	}
	dist, idx = dist[:found], idx[:found]
	weights := scratch[:found]
	for i := range weights {
		weights[i] = 1
	}
	if nn.method == "weightedAverage" || nn.method == "weightedMajorityVote" {
		nn.inverseDistances(dist, weights)
	}
	if m.fn == fnClassification {
		probs := ctx.bufs[nn.probs]
		if len(probs) != len(m.classes) {
			probs = make([]float64, len(m.classes))
			ctx.bufs[nn.probs] = probs
		}
		clear(probs)
		var total float64
		for i, f := range idx {
			probs[nn.class[int(f)]] += weights[i]
			total += weights[i]
		}
		for i := range probs {
			probs[i] = round32(m.f32, probs[i]/total)
		}
		res.ok, res.probs, res.label = true, probs, m.classes[argmax(probs)]
		return
	}
	var v float64
	switch nn.method {
	case "median":
		for i, f := range idx {
			scratch[i] = nn.y[int(f)]
		}
		vals := scratch[:found]
		sort.Float64s(vals)
		if found%2 == 1 {
			v = vals[found/2]
		} else {
			v = (vals[found/2-1] + vals[found/2]) / 2
		}
	default: // average, weightedAverage
		var sum, total float64
		for i, f := range idx {
			sum += weights[i] * nn.y[int(f)]
			total += weights[i]
		}
		v = sum / total
	}
	res.ok, res.val = true, round32(m.f32, v)
}

// inverseDistances weighs each neighbour by 1/(distance + threshold). When
// that divides by zero (threshold 0 and a neighbour at distance 0), the
// neighbours at distance 0 share the vote and the others get none, as
// scikit-learn's weights="distance" does.
func (nn *nearestNeighbor) inverseDistances(dist, weights []float64) {
	zero := false
	for _, d := range dist {
		zero = zero || d+nn.threshold == 0
	}
	for i, d := range dist {
		switch {
		case zero && d+nn.threshold == 0:
			weights[i] = 1
		case zero:
			weights[i] = 0
		default:
			weights[i] = 1 / (d + nn.threshold)
		}
	}
}

// compileFeature provides feature="entityId" with rank N: the id of the
// N-th nearest instance (its instanceIdVariable value, or its 1-based
// position in the InlineTable).
func (nn *nearestNeighbor) compileFeature(k *elem, o *outputField) (bool, error) {
	if o.feature != "entityId" {
		return false, nil
	}
	if o.rank > nn.k {
		return false, k.invalid("output field %q asks for neighbour %d, the model finds %d", o.name, o.rank, nn.k)
	}
	o.dt = dtString
	rank, kk := o.rank, nn.k
	o.fromModel = func(ctx *rowCtx, res *result) value {
		buf := ctx.bufs[nn.buf]
		if rank > int(buf[3*kk]) {
			return missing
		}
		return str(nn.ids[int(buf[kk+rank-1])])
	}
	return true, nil
}
