//go:build cgo

package onnx

import (
	"fmt"
	"slices"
	"strconv"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Names of the conventional outputs (see the flavors package doc).
const (
	outLabel         = "label"
	outProbabilities = "probabilities"
	outPrediction    = "prediction"
)

// presentation says how a model's native outputs are returned.
type presentation int

const (
	presentNative     presentation = iota // native names and dtypes
	presentClassifier                     // "label" + "probabilities"
	presentRegressor                      // "prediction"
)

// nativeOutput is one output as ONNX Runtime produces it.
type nativeOutput struct {
	spec     flavors.Spec // for tensors
	zipMap   bool         // a sequence of maps: scikit-learn's ZipMap probabilities
	scores   string       // for a ZipMap: its [N,C] input, fetched instead (see addOutputs)
	viaFloat bool         // FP16, fetched as its FP32 copy (see addOutputs)
}

// fetchName is the graph output the session fetches for o.
func (o nativeOutput) fetchName() string {
	switch {
	case o.scores != "":
		return o.scores
	case o.viaFloat:
		return floatAlias(o.spec.Name)
	}
	return o.spec.Name
}

// fetchDType is the element type of what the session fetches for o.
func (o nativeOutput) fetchDType() flavors.DType {
	if o.viaFloat || o.scores != "" {
		return flavors.FP32
	}
	return o.spec.DType
}

// describeOutputs reads the native outputs, decides how to present them and
// fills the signature and, for a classifier, the classes.
func (m *Model) describeOutputs(infos []ort.InputOutputInfo, opts flavors.LoadOptions, labels classLabels) error {
	isOutput := func(name string) bool {
		return slices.ContainsFunc(infos, func(i ort.InputOutputInfo) bool { return i.Name == name })
	}
	for _, info := range infos {
		if info.OrtValueType == ort.ONNXTypeSequence {
			o := nativeOutput{spec: flavors.Spec{Name: info.Name}, zipMap: true}
			if info.Name == labels.zipMapOutput && labels.zipMapInput != "" && !isOutput(labels.zipMapInput) {
				width := int64(-1)
				if labels.zipMap != nil {
					width = int64(len(labels.zipMap))
				}
				o.scores = labels.zipMapInput
				o.spec = flavors.Spec{Name: info.Name, DType: flavors.FP32, Shape: []int64{-1, width}}
			}
			m.native = append(m.native, o)
			continue
		}
		sp, err := specOf(info, "output")
		if err != nil {
			return err
		}
		m.native = append(m.native, nativeOutput{spec: sp, viaFloat: sp.DType == flavors.FP16})
	}
	m.sig.Inputs = m.inputs
	switch {
	case opts.Task != flavors.TaskRegression && m.looksLikeClassifier(opts.Task == flavors.TaskClassification):
		return m.presentClassifier(opts, labels)
	case opts.Task == flavors.TaskRegression && m.looksLikeRegressor():
		m.present = presentRegressor
		shape := []int64{-1}
		if sp := m.native[0].spec; len(sp.Shape) == 2 && sp.Shape[1] != 1 {
			shape = []int64{-1, sp.Shape[1]}
		}
		m.sig.Outputs = []flavors.Spec{{Name: outPrediction, DType: flavors.FP64, Shape: shape}}
		return nil
	}
	for _, o := range m.native {
		if o.zipMap {
			return fmt.Errorf("%w: output %q is a sequence; only tensors, and a scikit-learn classifier's ZipMap probabilities, are supported",
				flavors.ErrUnsupported, o.spec.Name)
		}
		m.sig.Outputs = append(m.sig.Outputs, o.spec)
	}
	if opts.Task != flavors.TaskUnknown {
		m.log.Warn("onnx: the model's outputs do not have the shape its task implies; returning its native outputs",
			"model", m.path, "task", opts.Task, "outputs", m.native)
	}
	return nil
}

// looksLikeClassifier reports whether the outputs are a scikit-learn
// converter's: a label tensor [N] (INT64 or STRING), then probabilities as a
// float tensor [N,C] or a ZipMap sequence. A declared classification task
// also accepts a label of shape [N,1] and probabilities of unknown rank.
func (m *Model) looksLikeClassifier(declared bool) bool {
	if len(m.native) != 2 || m.native[0].zipMap {
		return false
	}
	label, probs := m.native[0].spec, m.native[1]
	if label.DType != flavors.Int64 && label.DType != flavors.Bytes {
		return false
	}
	if !(len(label.Shape) == 1 || declared && len(label.Shape) == 2 && label.Shape[1] == 1) {
		return false
	}
	if probs.zipMap {
		return true
	}
	isFloat := probs.spec.DType == flavors.FP32 || probs.spec.DType == flavors.FP64
	return isFloat && (len(probs.spec.Shape) == 2 || declared && len(probs.spec.Shape) == 0)
}

// looksLikeRegressor reports whether there is one float output [N], [N,1]
// or [N,K].
func (m *Model) looksLikeRegressor() bool {
	if len(m.native) != 1 || m.native[0].zipMap {
		return false
	}
	sp := m.native[0].spec
	isFloat := sp.DType == flavors.FP32 || sp.DType == flavors.FP64 || sp.DType == flavors.FP16
	return isFloat && (len(sp.Shape) == 1 || len(sp.Shape) == 2)
}

func (m *Model) presentClassifier(opts flavors.LoadOptions, labels classLabels) error {
	m.present = presentClassifier
	width := int64(-1)
	if p := m.native[1]; !p.zipMap && len(p.spec.Shape) == 2 {
		width = p.spec.Shape[1]
	}
	switch {
	case labels.zipMap != nil:
		m.classes = labels.zipMap
	case labels.classifier != nil:
		m.classes = labels.classifier
	case opts.Classes != nil:
		m.classes = slices.Clone(opts.Classes)
	case width >= 0:
		m.classes = indexClasses(int(width))
	}
	if m.classes != nil {
		if width >= 0 && int64(len(m.classes)) != width {
			return fmt.Errorf("%w: output %q has %d columns but the model declares %d classes",
				flavors.ErrUnsupported, m.native[1].spec.Name, width, len(m.classes))
		}
		if opts.Classes != nil && !slices.Equal(opts.Classes, m.classes) {
			m.log.Warn("onnx: the manifest's classes differ from the model's own; using the model's",
				"model", m.path, "manifest", opts.Classes, "model_classes", m.classes)
		}
		width = int64(len(m.classes))
	}
	m.sig.Outputs = []flavors.Spec{
		{Name: outLabel, DType: m.native[0].spec.DType, Shape: []int64{-1}},
		{Name: outProbabilities, DType: flavors.FP64, Shape: []int64{-1, width}},
	}
	return nil
}

func indexClasses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}

// presentOutputs turns native outputs into the presented ones. zipMap holds
// the probabilities already laid out [N,C] when the model returns a ZipMap.
func (m *Model) presentOutputs(native []flavors.Tensor) ([]flavors.Tensor, error) {
	switch m.present {
	case presentClassifier:
		label := native[0]
		label.Name = outLabel
		label.Shape = []int64{int64(label.Len())}
		probs, err := asFloat64(native[1], outProbabilities)
		if err != nil {
			return nil, err
		}
		if len(probs.Shape) != 2 || probs.Shape[0] != label.Shape[0] {
			return nil, fmt.Errorf("output %q: expected shape [%d,C], got %s", m.native[1].spec.Name, label.Shape[0], flavors.FormatShape(probs.Shape))
		}
		if err := m.checkWidth(int(probs.Shape[1])); err != nil {
			return nil, err
		}
		return []flavors.Tensor{label, probs}, nil
	case presentRegressor:
		pred, err := asFloat64(native[0], outPrediction)
		if err != nil {
			return nil, err
		}
		if len(pred.Shape) == 2 && pred.Shape[1] == 1 {
			pred.Shape = pred.Shape[:1]
		}
		return []flavors.Tensor{pred}, nil
	}
	return native, nil
}

// checkWidth learns the classes from the first result when the model did not
// say them, and otherwise checks the probabilities have one column per class.
func (m *Model) checkWidth(width int) error {
	m.classesMu.Lock()
	defer m.classesMu.Unlock()
	if m.classes == nil {
		m.classes = indexClasses(width)
	}
	if width != len(m.classes) {
		return fmt.Errorf("output %q: %d columns, expected one per class (%d)", m.native[1].spec.Name, width, len(m.classes))
	}
	return nil
}

func asFloat64(t flavors.Tensor, name string) (flavors.Tensor, error) {
	f, err := t.Float64s()
	if err != nil {
		return t, err
	}
	return flavors.Tensor{Name: name, DType: flavors.FP64, Shape: t.Shape, Data: f}, nil
}

// zipMapProbabilities lays a ZipMap's sequence of {class: probability} maps
// out as [N,C] float64 in class order, learning the classes from the first
// map when the model did not declare them.
func (m *Model) zipMapProbabilities(name string, v ort.Value) (flavors.Tensor, error) {
	seq, ok := v.(*ort.Sequence)
	if !ok {
		return flavors.Tensor{}, fmt.Errorf("output %q: expected a sequence of maps, ORT returned %T", name, v)
	}
	rows, _ := seq.GetValues()
	var column map[string]int
	var out []float64
	for r, row := range rows {
		mp, ok := row.(*ort.Map)
		if !ok {
			return flavors.Tensor{}, fmt.Errorf("output %q row %d: expected a map, got %T", name, r, row)
		}
		kv, vv, _ := mp.GetKeysAndValues()
		keys, err := outputTensor(name, kv)
		if err != nil {
			return flavors.Tensor{}, err
		}
		vals, err := outputTensor(name, vv)
		if err != nil {
			return flavors.Tensor{}, err
		}
		p, err := vals.Float64s()
		if err != nil {
			return flavors.Tensor{}, err
		}
		ks := keys.Strings()
		if column == nil {
			m.learnClasses(ks)
			column = m.classColumns()
			out = make([]float64, len(rows)*len(column))
		}
		if len(ks) != len(column) || len(p) != len(ks) {
			return flavors.Tensor{}, fmt.Errorf("output %q row %d: %d entries, expected one per class (%d)", name, r, len(ks), len(column))
		}
		for i, k := range ks {
			c, ok := column[k]
			if !ok {
				return flavors.Tensor{}, fmt.Errorf("output %q row %d: class %q is not one of the model's classes", name, r, k)
			}
			out[r*len(column)+c] = p[i]
		}
	}
	width := len(column)
	if column == nil {
		width = len(m.Classes())
	}
	return flavors.Tensor{Name: name, DType: flavors.FP64, Shape: []int64{int64(len(rows)), int64(width)}, Data: nonNilFloats(out)}, nil
}

func nonNilFloats(f []float64) []float64 {
	if f == nil {
		return []float64{}
	}
	return f
}

func (m *Model) learnClasses(keys []string) {
	m.classesMu.Lock()
	defer m.classesMu.Unlock()
	if m.classes == nil {
		m.classes = slices.Clone(keys)
	}
}

func (m *Model) classColumns() map[string]int {
	m.classesMu.Lock()
	defer m.classesMu.Unlock()
	if m.columns == nil {
		m.columns = make(map[string]int, len(m.classes))
		for i, c := range m.classes {
			m.columns[c] = i
		}
	}
	return m.columns
}
