package pmml

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Model is a compiled PMML document, ready to score. It is safe for
// concurrent use: each Predict call keeps its own row state.
type Model struct {
	prog    *program
	root    *modelNode
	inputs  []miningField
	colOf   []int32 // slot → index into inputs, -1 for other slots
	outputs []*outputField
	sig     flavors.Signature
	verify  *verification // the document's own test cases, when it has them
}

var (
	_ flavors.Model      = (*Model)(nil)
	_ flavors.Classifier = (*Model)(nil)
)

// The conventional output names (see package flavors).
const (
	outLabel         = "label"
	outProbabilities = "probabilities"
	outPrediction    = "prediction"
	// outCluster is a clustering model's predicted cluster id, returned only
	// when the document declares no Output fields.
	outCluster = "cluster"
)

// Parse reads and compiles a PMML document. Errors wrap
// flavors.ErrUnsupported for a construct this evaluator does not implement
// and flavors.ErrInvalidInput for a document that is not valid PMML.
func Parse(r io.Reader) (*Model, error) {
	root, err := parseDocument(r)
	if err != nil {
		return nil, err
	}
	if root.name != "PMML" {
		return nil, root.invalid("the root element is <%s>, expected <PMML>", root.name)
	}
	if err := root.check("version"); err != nil {
		return nil, err
	}
	if v := root.attrOr("version", "4.4"); !strings.HasPrefix(v, "3.") && !strings.HasPrefix(v, "4.") {
		return nil, root.unsupported("PMML version %q is not supported (3.x and 4.x are)", v)
	}
	c := &compiler{prog: &program{}, fields: map[string]*dataField{}}
	global := newScope(nil)
	var models []*elem
	for _, k := range root.kids {
		switch k.name {
		case "Header", "MiningBuildTask", "DataDictionary", "TransformationDictionary":
		default:
			models = append(models, k)
		}
	}
	dd := root.kid("DataDictionary")
	if dd == nil {
		return nil, root.invalid("the document has no <DataDictionary>")
	}
	if err := c.compileDataDictionary(dd, global); err != nil {
		return nil, err
	}
	if td := root.kid("TransformationDictionary"); td != nil {
		if err := c.compileTransformationDictionary(td, global); err != nil {
			return nil, err
		}
	}
	switch len(models) {
	case 0:
		return nil, root.invalid("the document holds no model")
	case 1:
	default:
		return nil, models[1].unsupported("the document holds %d models; one model per document is supported", len(models))
	}
	top, err := c.compileModel(models[0], global, true)
	if err != nil {
		return nil, err
	}
	m, err := newModel(c.prog, top)
	if err != nil {
		return nil, err
	}
	if mv := models[0].kid("ModelVerification"); mv != nil {
		if m.verify, err = compileVerification(mv, m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func newModel(prog *program, top *modelNode) (*Model, error) {
	m := &Model{prog: prog, root: top, outputs: top.outputs}
	if a, ok := top.impl.(*association); ok {
		m.sig = a.signature()
		return m, nil
	}
	for _, mf := range top.mining {
		if mf.usage != "active" {
			continue
		}
		m.inputs = append(m.inputs, mf)
		if m.colOf == nil {
			m.colOf = make([]int32, len(prog.names))
			for i := range m.colOf {
				m.colOf[i] = -1
			}
		}
		m.colOf[mf.slot] = int32(len(m.inputs) - 1)
		f := mf.field
		sp := flavors.Spec{Name: mf.name, DType: inputDType(f.dt), Shape: []int64{-1}, Nullable: true}
		if f.optype != "continuous" && len(f.values) > 0 {
			sp.Values = append([]string(nil), f.values...)
		}
		m.sig.Inputs = append(m.sig.Inputs, sp)
	}
	reserved := map[string]bool{}
	switch {
	case top.fn == fnClustering && len(top.outputs) > 0:
		// A clustering model has no target: its outputs are its Output fields.
	case top.fn == fnClustering:
		m.sig.Outputs = append(m.sig.Outputs, flavors.Spec{Name: outCluster, DType: flavors.Bytes, Shape: []int64{-1}, Nullable: true})
	case top.fn == fnClassification:
		m.sig.Outputs = append(m.sig.Outputs,
			flavors.Spec{Name: outLabel, DType: flavors.Bytes, Shape: []int64{-1}, Nullable: true},
			flavors.Spec{Name: outProbabilities, DType: flavors.FP64, Shape: []int64{-1, int64(len(top.classes))}, Nullable: true})
		reserved[outLabel], reserved[outProbabilities] = true, true
	default:
		m.sig.Outputs = append(m.sig.Outputs, flavors.Spec{Name: outPrediction, DType: flavors.FP64, Shape: []int64{-1}, Nullable: true})
		reserved[outPrediction] = true
	}
	for _, o := range top.outputs {
		if reserved[o.name] {
			return nil, &modelError{msg: fmt.Sprintf("output field %q collides with the conventional output of that name", o.name), kind: flavors.ErrUnsupported}
		}
		m.sig.Outputs = append(m.sig.Outputs, flavors.Spec{Name: o.name, DType: o.dtype, Shape: []int64{-1}, Nullable: true})
	}
	if mm, ok := top.impl.(*mining); ok && m.colOf != nil && mm.treeEnsemble() {
		mm.bindColumns(m.colOf)
	}
	return m, nil
}

// numberMatrix lays the input columns out row by row as numbers, NaN where
// a value is not a number, for the tree ensemble's batch walk: column c is
// nums[c] when that is set, else cols[c].
func numberMatrix(cols [][]value, nums [][]float64, rows int) []float64 {
	width := len(cols)
	x := make([]float64, rows*width)
	for c := range cols {
		if fs := nums[c]; fs != nil {
			for r, f := range fs {
				x[r*width+c] = f
			}
			continue
		}
		for r := range cols[c] {
			if v := &cols[c][r]; v.k == kNum {
				x[r*width+c] = v.n
			} else {
				x[r*width+c] = math.NaN()
			}
		}
	}
	return x
}

func inputDType(dt dataType) flavors.DType {
	switch dt {
	case dtInteger:
		return flavors.Int64
	case dtString, dtDate, dtTime, dtDateTime:
		return flavors.Bytes // dates and times as ISO 8601 text
	case dtBoolean:
		return flavors.Bool
	}
	return flavors.FP64
}

// Signature lists the active mining fields as inputs and the conventional
// outputs followed by the document's Output fields.
func (m *Model) Signature() flavors.Signature { return m.sig }

// Classes is the column order of "probabilities"; nil for a regression.
func (m *Model) Classes() []string {
	if m.root.fn != fnClassification {
		return nil
	}
	return append([]string(nil), m.root.classes...)
}

// Close releases nothing: a Model holds only Go memory.
func (m *Model) Close() error { return nil }

// Predict scores every row. Each input is a column named by its mining
// field; Null (or NaN) marks a missing value. Columns of other names are
// ignored.
func (m *Model) Predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error) {
	if err := in.Validate(); err != nil {
		return flavors.Batch{}, fmt.Errorf("pmml: %v: %w", err, flavors.ErrInvalidInput)
	}
	if a, ok := m.root.impl.(*association); ok {
		return a.predict(ctx, in)
	}
	rows := in.Rows()
	// A plain numeric input (see plainNumber) arriving as numbers is read
	// straight from its float64s; other inputs become treated values here.
	cols := make([][]value, len(m.inputs))
	nums := make([][]float64, len(m.inputs))
	for i := range m.inputs {
		mf := &m.inputs[i]
		t, ok := in.Get(mf.name)
		if !ok {
			return flavors.Batch{}, fmt.Errorf("pmml: input %q is missing: expected columns %s (send nulls for missing values): %w",
				mf.name, strings.Join(m.sig.InputNames(), ", "), flavors.ErrInvalidInput)
		}
		if mf.plainNumber() && t.DType != flavors.Bytes && t.DType != flavors.Bool && (len(t.Shape) == 1 || (len(t.Shape) == 2 && t.Shape[1] == 1)) {
			fs, err := t.Float64s()
			if err == nil {
				nums[i] = fs
				continue
			}
		}
		vals, err := columnValues(t, mf.field)
		if err != nil {
			return flavors.Batch{}, err
		}
		for r := range vals {
			if vals[r], err = mf.treatInput(vals[r], r); err != nil {
				return flavors.Batch{}, err
			}
		}
		cols[i] = vals
	}
	out := newOutputs(m, rows)
	rc := newRowCtx(m.prog)
	var sums *ensembleSums
	if mm, ok := m.root.impl.(*mining); ok && m.colOf != nil && mm.treeEnsemble() {
		sums = mm.sumBatch(numberMatrix(cols, nums, rows), len(cols), rows)
	}
	var res result
	for r := 0; r < rows; r++ {
		if r%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return flavors.Batch{}, err
			}
		}
		rc.reset()
		if sums != nil && !sums.general[r] {
			rc.sums, rc.row = sums, r
		}
		for i := range m.inputs {
			mf := &m.inputs[i]
			if nums[i] == nil {
				rc.vals[mf.slot] = cols[i][r]
				continue
			}
			if x := nums[i][r]; x == x {
				rc.vals[mf.slot] = value{k: kNum, n: x}
			} else {
				v, err := mf.treatInput(missing, r)
				if err != nil {
					return flavors.Batch{}, err
				}
				rc.vals[mf.slot] = v
			}
		}
		m.root.evaluate(rc, &res)
		if rc.err != nil {
			return flavors.Batch{}, fmt.Errorf("pmml: row %d: %w", r, rc.err)
		}
		out.put(r, rc, &res)
	}
	return out.batch(), nil
}

// columnValues converts one input column to field values, accepting any
// numeric dtype or numeric text for a numeric field and any scalar for a
// string field.
func columnValues(t flavors.Tensor, f *dataField) ([]value, error) {
	if len(t.Shape) != 1 && !(len(t.Shape) == 2 && t.Shape[1] == 1) {
		return nil, fmt.Errorf("pmml: input %q: expected a column of shape [N], got %s: %w", f.name, flavors.FormatShape(t.Shape), flavors.ErrInvalidInput)
	}
	out := make([]value, t.Len())
	switch data := t.Data.(type) {
	case []string:
		for i, s := range data {
			if !t.IsNull(i) && s != "" {
				out[i] = str(s)
			}
		}
	case []bool:
		if f.dt.numeric() {
			return nil, fmt.Errorf("pmml: input %q: expected a numeric column (%s), got BOOL: %w", f.name, inputDType(f.dt), flavors.ErrInvalidInput)
		}
		for i, b := range data {
			if !t.IsNull(i) {
				out[i] = boolean(b)
			}
		}
	default:
		fs, err := t.Float64s()
		if err != nil {
			return nil, fmt.Errorf("pmml: input %q: %v: %w", f.name, err, flavors.ErrInvalidInput)
		}
		for i, x := range fs {
			out[i] = num(x) // NaN (and nulls) become missing
		}
	}
	return out, nil
}

// outputs accumulates the result columns.
type outputs struct {
	m         *Model
	rows      int
	labels    []string
	probs     []float64
	preds     []float64
	null      []bool
	probsNull []bool
	fields    []outputColumn
}

type outputColumn struct {
	nums []float64
	strs []string
	null []bool
}

func newOutputs(m *Model, rows int) *outputs {
	o := &outputs{m: m, rows: rows, null: make([]bool, rows)}
	switch {
	case m.root.fn == fnClustering:
		if len(m.outputs) == 0 {
			o.labels = make([]string, rows)
		}
	case m.root.fn == fnClassification:
		o.labels = make([]string, rows)
		o.probs = make([]float64, rows*len(m.root.classes))
		o.probsNull = make([]bool, len(o.probs))
	default:
		o.preds = make([]float64, rows)
	}
	o.fields = make([]outputColumn, len(m.outputs))
	for i, f := range m.outputs {
		if f.dtype == flavors.FP64 {
			o.fields[i].nums = make([]float64, rows)
		} else {
			o.fields[i].strs = make([]string, rows)
		}
		o.fields[i].null = make([]bool, rows)
	}
	return o
}

func (o *outputs) put(r int, rc *rowCtx, res *result) {
	root := o.m.root
	if root.fn == fnClustering {
		if o.labels != nil {
			o.labels[r] = res.label
			o.null[r] = !res.ok
		}
	} else if root.fn == fnClassification {
		c := len(root.classes)
		row := o.probs[r*c : (r+1)*c]
		if res.ok {
			o.labels[r] = res.label
			n := copy(row, res.probs)
			clear(row[n:])
		} else {
			o.null[r] = true
			for i := range row {
				row[i] = math.NaN()
				o.probsNull[r*c+i] = true
			}
		}
	} else if res.ok {
		o.preds[r] = res.val
	} else {
		o.null[r] = true
		o.preds[r] = math.NaN()
	}
	for i, f := range o.m.outputs {
		v := rc.vals[f.slot]
		col := &o.fields[i]
		if v.k == kMissing {
			col.null[r] = true
			if col.nums != nil {
				col.nums[r] = math.NaN()
			}
			continue
		}
		if col.nums != nil {
			x, ok := v.number()
			if !ok {
				col.null[r], x = true, math.NaN()
			}
			col.nums[r] = x
		} else {
			col.strs[r] = v.text()
		}
	}
}

func nullMask(null []bool) []bool {
	for _, b := range null {
		if b {
			return null
		}
	}
	return nil
}

func (o *outputs) batch() flavors.Batch {
	n := int64(o.rows)
	var b flavors.Batch
	if o.m.root.fn == fnClustering {
		if o.labels != nil {
			b.Tensors = append(b.Tensors, flavors.Tensor{Name: outCluster, DType: flavors.Bytes, Shape: []int64{n}, Data: o.labels, Null: nullMask(o.null)})
		}
	} else if o.labels != nil {
		c := int64(len(o.m.root.classes))
		b.Tensors = append(b.Tensors,
			flavors.Tensor{Name: outLabel, DType: flavors.Bytes, Shape: []int64{n}, Data: o.labels, Null: nullMask(o.null)},
			flavors.Tensor{Name: outProbabilities, DType: flavors.FP64, Shape: []int64{n, c}, Data: o.probs, Null: nullMask(o.probsNull)})
	} else {
		b.Tensors = append(b.Tensors, flavors.Tensor{Name: outPrediction, DType: flavors.FP64, Shape: []int64{n}, Data: o.preds, Null: nullMask(o.null)})
	}
	for i, f := range o.m.outputs {
		col := o.fields[i]
		t := flavors.Tensor{Name: f.name, DType: f.dtype, Shape: []int64{n}, Null: nullMask(col.null)}
		if col.nums != nil {
			t.Data = col.nums
		} else {
			t.Data = col.strs
		}
		b.Tensors = append(b.Tensors, t)
	}
	return b
}
