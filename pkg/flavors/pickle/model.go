package pickle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Model is a scikit-learn estimator living in one Python sidecar process.
// Predict is safe for concurrent use: calls are serialised over that one
// process by a mutex (a pool of sidecars would trade memory for
// parallelism; batching upstream is the cheaper way to use the cores).
type Model struct {
	path    string
	digest  string
	python  string
	extra   []string // distributions whose versions the sidecar reports
	log     *slog.Logger
	timeout time.Duration

	info   Info
	labels labelSet
	sig    flavors.Signature
	env    map[string]string

	mu     sync.Mutex
	proc   *sidecar // nil after a crash or timeout: the next call restarts it
	closed bool
	nextID uint64
	data   []byte // request data, reused between calls
}

var (
	_ flavors.Model       = (*Model)(nil)
	_ flavors.Classifier  = (*Model)(nil)
	_ flavors.Environment = (*Model)(nil)
)

// Info is what the sidecar found in the pickle.
type Info struct {
	// Estimator is the class name, Module the module that defines it.
	Estimator string `json:"estimator"`
	Module    string `json:"module"`
	// FeatureNames is feature_names_in_, set when it was fitted on a DataFrame.
	FeatureNames []string `json:"feature_names"`
	// NFeatures is n_features_in_, 0 when the estimator does not say.
	NFeatures int `json:"n_features"`
	// Classes is classes_ as text; LabelDType is INT64 when they are integers.
	Classes         []string      `json:"classes"`
	LabelDType      flavors.DType `json:"label_dtype"`
	HasPredictProba bool          `json:"has_predict_proba"`
	IsClassifier    bool          `json:"is_classifier"`
	IsRegressor     bool          `json:"is_regressor"`
	// NOutputs is the number of regression targets.
	NOutputs int `json:"n_outputs"`
}

// Info describes the loaded estimator.
func (m *Model) Info() Info {
	info := m.info
	info.FeatureNames = slices.Clone(info.FeatureNames)
	info.Classes = slices.Clone(info.Classes)
	return info
}

// Signature is opts.Inputs when given, else one FP64 column per
// feature_names_in_, else one [-1, n_features_in_] input named "input".
func (m *Model) Signature() flavors.Signature { return m.sig }

// Classes is classes_ in the column order of "probabilities"; nil when the
// estimator is not a classifier.
func (m *Model) Classes() []string { return slices.Clone(m.info.Classes) }

// Environment is the versions the sidecar reported when it started.
func (m *Model) Environment() map[string]string { return maps.Clone(m.env) }

// Predict sends the batch to the sidecar. It takes either one-dimensional
// columns named as the signature's inputs, or a single [N,K] tensor. A
// crashed or timed-out sidecar is restarted by the next call.
func (m *Model) Predict(ctx context.Context, in flavors.Batch) (flavors.Batch, error) {
	if err := in.Validate(); err != nil {
		return flavors.Batch{}, fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
	}
	tensors, matrix, err := m.arrange(in)
	if err != nil {
		return flavors.Batch{}, err
	}
	rows := in.Rows()
	if rows == 0 {
		return m.emptyOutputs(), nil
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return flavors.Batch{}, fmt.Errorf("pickle: model %s is closed", m.path)
	}
	meta := requestMeta{Rows: rows, Matrix: matrix, Columns: make([]columnMeta, len(tensors))}
	m.data = m.data[:0]
	for i, t := range tensors {
		m.data, meta.Columns[i], err = appendColumn(m.data, t)
		if err != nil {
			return flavors.Batch{}, err
		}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return flavors.Batch{}, err
	}
	if m.proc == nil {
		// A restart outlives a short request deadline: otherwise callers with
		// tight deadlines could never bring the sidecar back.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
		err := m.restart(rctx)
		cancel()
		if err != nil {
			return flavors.Batch{}, err
		}
	}
	m.nextID++
	reply, err := m.proc.call(ctx, m.timeout, frame{Type: msgPredict, ID: m.nextID, Meta: metaJSON, Data: m.data})
	if err == nil {
		var out flavors.Batch
		out, err = decodeReply(reply.Meta, reply.Data, rows, m.labels)
		if err == nil {
			return out, nil
		}
	}
	var pyErr *PythonError
	if errors.As(err, &pyErr) {
		m.log.Debug("pickle predict raised", "type", pyErr.Type, "traceback", pyErr.Traceback)
		return flavors.Batch{}, fmt.Errorf("pickle: model %s: predict raised %w", m.path, err)
	}
	// Anything else leaves the pipe in an unknown state: start afresh next time.
	m.proc.kill()
	m.proc = nil
	return flavors.Batch{}, fmt.Errorf("pickle: model %s (sidecar stopped; the next call restarts it): %w", m.path, err)
}

// arrange picks the tensors to send: a lone [N,K] tensor as it is; else the
// columns in signature order, stacked into one FP64 matrix when the
// estimator takes no feature names (the sidecar then only wraps the bytes).
func (m *Model) arrange(in flavors.Batch) ([]flavors.Tensor, bool, error) {
	if len(in.Tensors) == 1 && len(in.Tensors[0].Shape) == 2 {
		return in.Tensors, true, nil
	}
	names := m.sig.InputNames()
	for _, t := range in.Tensors {
		if _, ok := m.sig.Input(t.Name); !ok {
			return nil, false, fmt.Errorf("%w: unknown input %q: expected columns %s or a single [N,K] tensor",
				flavors.ErrInvalidInput, t.Name, strings.Join(names, ", "))
		}
		if len(t.Shape) != 1 {
			return nil, false, fmt.Errorf("%w: input %q has shape %s, expected a column [N]",
				flavors.ErrInvalidInput, t.Name, flavors.FormatShape(t.Shape))
		}
	}
	cols := make([]flavors.Tensor, 0, len(names))
	for _, name := range names {
		t, ok := in.Get(name)
		if !ok {
			return nil, false, fmt.Errorf("%w: input %q is missing: expected columns %s",
				flavors.ErrInvalidInput, name, strings.Join(names, ", "))
		}
		cols = append(cols, t)
	}
	if len(m.info.FeatureNames) > 0 {
		return cols, false, nil
	}
	x, err := stack(cols, in.Rows())
	if err != nil {
		return nil, false, err
	}
	return []flavors.Tensor{x}, true, nil
}

// stack builds the row-major [N,K] FP64 matrix of the columns; missing
// values become NaN.
func stack(cols []flavors.Tensor, rows int) (flavors.Tensor, error) {
	k := len(cols)
	x := make([]float64, rows*k)
	for j, c := range cols {
		f, err := c.Float64s()
		if err != nil {
			return flavors.Tensor{}, fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
		}
		for i, v := range f {
			x[i*k+j] = v
		}
	}
	return flavors.Tensor{Name: "input", DType: flavors.FP64, Shape: []int64{int64(rows), int64(k)}, Data: x}, nil
}

// emptyOutputs answers a zero-row batch without asking scikit-learn, which
// refuses empty input.
func (m *Model) emptyOutputs() flavors.Batch {
	out := flavors.Batch{Tensors: make([]flavors.Tensor, 0, len(m.sig.Outputs))}
	for _, sp := range m.sig.Outputs {
		shape := slices.Clone(sp.Shape)
		for i := range shape {
			if shape[i] < 0 || i == 0 {
				shape[i] = 0
			}
		}
		data, _ := flavors.NewData(sp.DType, 0)
		out.Tensors = append(out.Tensors, flavors.Tensor{Name: sp.Name, DType: sp.DType, Shape: shape, Data: data})
	}
	return out
}

// Close asks the sidecar to exit and kills it after a short grace. It waits
// for a Predict in flight; Predict fails after Close.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	if m.proc == nil {
		return nil
	}
	err := m.proc.shutdown(m.log)
	m.proc = nil
	return err
}

// startFirst starts the sidecar at load: it checks the requirements against
// the versions it reports before any pickle is opened.
func (m *Model) startFirst(ctx context.Context, opts flavors.LoadOptions) (map[string]string, error) {
	proc, versions, err := m.spawn(ctx)
	if err != nil {
		return nil, err
	}
	if bad := checkRequirements(opts.Requirements, versions); len(bad) > 0 {
		if opts.StrictRequirements {
			proc.kill()
			return nil, fmt.Errorf("pickle: %w: %s needs what %s does not have: %s",
				flavors.ErrUnavailable, m.path, m.python, strings.Join(bad, "; "))
		}
		for _, b := range bad {
			m.log.Warn("pickle requirement not met; predictions may differ from the packed model's", "python", m.python, "requirement", b)
		}
	}
	if err := m.load(ctx, proc); err != nil {
		proc.kill()
		return nil, err
	}
	m.proc = proc
	return versions, nil
}

// restart replaces a dead sidecar, reloading the same bytes.
func (m *Model) restart(ctx context.Context) error {
	proc, _, err := m.spawn(ctx)
	if err != nil {
		return err
	}
	if err := m.load(ctx, proc); err != nil {
		proc.kill()
		return err
	}
	m.log.Info("pickle sidecar restarted", "pid", proc.cmd.Process.Pid)
	m.proc = proc
	return nil
}

// spawn starts a sidecar and waits for its hello. Failing here means the
// interpreter cannot serve scikit-learn models: ErrUnavailable.
func (m *Model) spawn(ctx context.Context) (*sidecar, map[string]string, error) {
	proc, err := startSidecar(m.python, m.extra, m.log)
	if err != nil {
		return nil, nil, unavailable(m.python, err)
	}
	versions, err := proc.readHello(ctx, startTimeout)
	if err != nil {
		proc.kill()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, unavailable(m.python, err)
	}
	return proc, versions, nil
}

// load asks the sidecar to check the digest and unpickle the file.
func (m *Model) load(ctx context.Context, proc *sidecar) error {
	req, err := json.Marshal(map[string]string{"path": m.path, "sha256": m.digest})
	if err != nil {
		return err
	}
	m.nextID++
	reply, err := proc.call(ctx, startTimeout, frame{Type: msgLoad, ID: m.nextID, Meta: req})
	if err != nil {
		var pyErr *PythonError
		if errors.As(err, &pyErr) {
			pyErr.loading = true
			return fmt.Errorf("pickle: loading %s raised %w", m.path, err)
		}
		return fmt.Errorf("pickle: loading %s: %w", m.path, err)
	}
	var info Info
	if err := json.Unmarshal(reply.Meta, &info); err != nil {
		return fmt.Errorf("pickle: loading %s: %w: load reply: %v", m.path, errBadFrame, err)
	}
	if m.info.Estimator != "" && !sameInfo(m.info, info) {
		return fmt.Errorf("pickle: reloading %s gave a different estimator (%s, was %s)", m.path, info.Estimator, m.info.Estimator)
	}
	m.info = info
	return nil
}

func sameInfo(a, b Info) bool {
	return a.Estimator == b.Estimator && slices.Equal(a.Classes, b.Classes) && slices.Equal(a.FeatureNames, b.FeatureNames)
}

// labelsOf is what class indices in a reply map to.
func labelsOf(info Info) labelSet {
	ls := labelSet{names: info.Classes}
	if info.LabelDType == flavors.Int64 {
		ls.ints = make([]int64, len(info.Classes))
		for i, c := range info.Classes {
			v, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				return labelSet{names: info.Classes}
			}
			ls.ints[i] = v
		}
	}
	return ls
}

// signatureOf derives the signature from the estimator and the bundle's inputs.
func signatureOf(info Info, inputs []flavors.Spec) flavors.Signature {
	var sig flavors.Signature
	switch {
	case len(inputs) > 0:
		sig.Inputs = slices.Clone(inputs)
	case len(info.FeatureNames) > 0:
		for _, name := range info.FeatureNames {
			sig.Inputs = append(sig.Inputs, flavors.Spec{Name: name, DType: flavors.FP64, Shape: []int64{-1}})
		}
	default:
		width := int64(-1)
		if info.NFeatures > 0 {
			width = int64(info.NFeatures)
		}
		sig.Inputs = []flavors.Spec{{Name: "input", DType: flavors.FP64, Shape: []int64{-1, width}}}
	}
	if info.IsClassifier {
		label := flavors.Bytes
		if info.LabelDType == flavors.Int64 {
			label = flavors.Int64
		}
		sig.Outputs = append(sig.Outputs, flavors.Spec{Name: "label", DType: label, Shape: []int64{-1}})
		if info.HasPredictProba {
			sig.Outputs = append(sig.Outputs, flavors.Spec{Name: "probabilities", DType: flavors.FP64, Shape: []int64{-1, int64(len(info.Classes))}})
		}
		return sig
	}
	shape := []int64{-1}
	if info.NOutputs > 1 {
		shape = []int64{-1, int64(info.NOutputs)}
	}
	sig.Outputs = append(sig.Outputs, flavors.Spec{Name: "prediction", DType: flavors.FP64, Shape: shape})
	return sig
}
