//go:build cgo

package onnx

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Model is an ONNX model in an ONNX Runtime session. Predict is safe for
// concurrent use.
type Model struct {
	path    string
	log     *slog.Logger
	session *ort.DynamicAdvancedSession
	inputs  []flavors.Spec // native inputs, in session order
	native  []nativeOutput // native outputs, in session order
	present presentation
	sig     flavors.Signature // as presented

	// prealloc is cleared when a run with preallocated outputs fails and
	// the same run without them succeeds: the model's output shapes are not
	// what its signature suggests.
	prealloc atomic.Bool

	classesMu sync.Mutex
	classes   []string       // classifier only; nil until known
	columns   map[string]int // class → probabilities column

	closeOnce sync.Once
	closeErr  error
}

var (
	_ flavors.Model      = (*Model)(nil)
	_ flavors.Classifier = (*Model)(nil)
)

// Signature is the model's inputs and its outputs as presented: "label" and
// "probabilities" for a classifier, "prediction" for a regressor, native
// outputs otherwise.
func (m *Model) Signature() flavors.Signature {
	return flavors.Signature{Inputs: slices.Clone(m.sig.Inputs), Outputs: slices.Clone(m.sig.Outputs)}
}

// Classes is the column order of "probabilities" for a classifier, nil for
// other models (and for a classifier that declares no labels, until its first
// prediction shows how many classes there are).
func (m *Model) Classes() []string {
	m.classesMu.Lock()
	defer m.classesMu.Unlock()
	return slices.Clone(m.classes)
}

// Close ends the session. Predict must not be running or called after.
func (m *Model) Close() error {
	m.closeOnce.Do(func() {
		if m.session != nil {
			m.closeErr = m.session.Destroy()
		}
	})
	return m.closeErr
}

// Predict runs the model on a batch holding every input by name.
func (m *Model) Predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error) {
	if err := ctx.Err(); err != nil {
		return flavors.Batch{}, err
	}
	ordered, err := m.checkInputs(in)
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: %w", flavors.ErrInvalidInput, err)
	}
	inputs := make([]ort.Value, len(ordered))
	defer destroyAll(inputs)
	for i, t := range ordered {
		if inputs[i], err = inputValue(t); err != nil {
			return flavors.Batch{}, fmt.Errorf("onnx: model %s: %w", m.path, err)
		}
	}
	native, err := m.run(ctx, inputs, batchRows(ordered))
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("onnx: model %s: %w", m.path, err)
	}
	out, err := m.presentOutputs(native)
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("onnx: model %s: %w", m.path, err)
	}
	return flavors.Batch{Tensors: out}, nil
}

// checkInputs matches the batch against the native inputs and returns the
// tensors in session order. Unlike Signature.Check it does not require one
// row count: an ONNX model's inputs need not share their first dimension.
func (m *Model) checkInputs(in flavors.Batch) ([]flavors.Tensor, error) {
	byName := make(map[string]flavors.Tensor, len(in.Tensors))
	for _, t := range in.Tensors {
		if err := t.Validate(); err != nil {
			return nil, err
		}
		if _, dup := byName[t.Name]; dup {
			return nil, fmt.Errorf("input %q appears twice", t.Name)
		}
		if _, ok := m.sig.Input(t.Name); !ok {
			return nil, fmt.Errorf("unknown input %q: expected inputs %s", t.Name, strings.Join(m.sig.InputNames(), ", "))
		}
		byName[t.Name] = t
	}
	ordered := make([]flavors.Tensor, len(m.inputs))
	for i, sp := range m.inputs {
		t, ok := byName[sp.Name]
		if !ok {
			return nil, fmt.Errorf("input %q is missing: expected inputs %s", sp.Name, strings.Join(m.sig.InputNames(), ", "))
		}
		if t.DType == flavors.Uint16 && sp.DType == flavors.FP16 {
			t.DType = flavors.FP16 // the same Go type; Tensor.Validate accepts both
		}
		if err := sp.Accepts(t); err != nil {
			return nil, err
		}
		ordered[i] = t
	}
	return ordered, nil
}

// batchRows is the shared first dimension of the inputs, or -1 when they do
// not share one (then only fully fixed output shapes are preallocated).
func batchRows(ts []flavors.Tensor) int64 {
	rows := int64(-1)
	for _, t := range ts {
		if len(t.Shape) == 0 || rows >= 0 && t.Shape[0] != rows {
			return -1
		}
		rows = t.Shape[0]
	}
	return rows
}

// run executes the session and returns the native outputs, ZipMaps already
// laid out [N,C]. It preallocates the outputs whose shape is knowable: ORT
// then writes into Go memory and Predict returns it without a copy.
func (m *Model) run(ctx context.Context, inputs []ort.Value, rows int64) ([]flavors.Tensor, error) {
	shapes := make([][]int64, len(m.native))
	if m.prealloc.Load() {
		for i, o := range m.native {
			shapes[i] = m.knownShape(o, rows)
		}
	}
	outputs, err := m.runOnce(ctx, inputs, shapes)
	if err != nil && anyKnown(shapes) && ctx.Err() == nil {
		outputs, err = m.runOnce(ctx, inputs, make([][]int64, len(m.native)))
		if err == nil {
			m.prealloc.Store(false)
			m.log.Debug("onnx: outputs differ from the model's declared shapes; no longer preallocating them", "model", m.path)
		}
	}
	if err != nil {
		return nil, err
	}
	defer destroyAll(outputs)

	out := make([]flavors.Tensor, len(m.native))
	for i, o := range m.native {
		switch {
		case o.zipMap && o.scores == "":
			out[i], err = m.zipMapProbabilities(o.spec.Name, outputs[i])
		case o.viaFloat:
			out[i], err = outputTensor(o.spec.Name, outputs[i])
			if err == nil {
				out[i], err = toHalf(out[i])
			}
		default:
			out[i], err = outputTensor(o.spec.Name, outputs[i])
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// toHalf converts the FP32 copy of an FP16 output back; exact, since every
// value came from an FP16 one.
func toHalf(t flavors.Tensor) (flavors.Tensor, error) {
	f, ok := t.Data.([]float32)
	if !ok {
		return t, fmt.Errorf("output %q: expected its FP32 copy, got %s", t.Name, t.DType)
	}
	h := make([]uint16, len(f))
	for i, x := range f {
		h[i] = flavors.Float32ToHalf(x)
	}
	return flavors.Tensor{Name: t.Name, DType: flavors.FP16, Shape: t.Shape, Data: h}, nil
}

// knownShape is the shape an output will have, or nil when it cannot be
// told before the run: fixed dimensions, and a variable first dimension
// taken to be the batch's rows.
func (m *Model) knownShape(o nativeOutput, rows int64) []int64 {
	if o.zipMap && o.scores == "" || o.fetchDType() == flavors.Bytes {
		return nil
	}
	if len(o.spec.Shape) == 0 {
		// A scalar, or a tensor of unknown rank, which ORT reports alike.
		// onnxruntime_go cannot return a scalar it allocated: preallocate.
		return []int64{}
	}
	shape := slices.Clone(o.spec.Shape)
	if shape[0] < 0 {
		shape[0] = rows
	}
	for _, d := range shape {
		if d < 0 {
			return nil
		}
	}
	return shape
}

func anyKnown(shapes [][]int64) bool {
	return slices.ContainsFunc(shapes, func(s []int64) bool { return s != nil })
}

// runOnce runs the session with outputs preallocated where shapes[i] is not
// nil, and returns the outputs, which the caller destroys.
func (m *Model) runOnce(ctx context.Context, inputs []ort.Value, shapes [][]int64) ([]ort.Value, error) {
	outputs := make([]ort.Value, len(m.native))
	for i, shape := range shapes {
		if shape == nil {
			continue
		}
		if v, err := newOutputValue(m.native[i].fetchDType(), shape); err == nil {
			outputs[i] = v
		} // else ORT allocates this one
	}
	if err := m.runSession(ctx, inputs, outputs); err != nil {
		destroyAll(outputs)
		return nil, err
	}
	return outputs, nil
}

// runSession runs once, ending the run early when ctx is cancelled.
func (m *Model) runSession(ctx context.Context, inputs, outputs []ort.Value) error {
	if ctx.Done() == nil {
		return m.session.Run(inputs, outputs)
	}
	runOpts, err := ort.NewRunOptions()
	if err != nil {
		return err
	}
	defer runOpts.Destroy()
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(terminated)
		runOpts.Terminate()
	})
	err = m.session.RunWithOptions(inputs, outputs, runOpts)
	if !stop() {
		<-terminated // Terminate must finish before runOpts is destroyed
		if ctxErr := ctx.Err(); ctxErr != nil && err != nil {
			return fmt.Errorf("%w (%v)", ctxErr, err)
		}
	}
	return err
}
