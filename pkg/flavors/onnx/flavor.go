//go:build cgo

package onnx

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// intraOpThreads is the size of each session's intra-op thread pool. One
// thread per run: the batcher, not ORT, decides how many runs share the cores,
// and concurrent runs with larger pools oversubscribe them.
const intraOpThreads = 1

// maxLabelScan bounds the model size read to find class labels; a larger
// model is still loaded, its classes then come from the manifest or indices.
const maxLabelScan = 256 << 20

// Flavor loads ONNX models with ONNX Runtime.
type Flavor struct{}

var _ flavors.Flavor = Flavor{}

// Name is "onnx".
func (Flavor) Name() string { return "onnx" }

// Load opens the model at path in a new ONNX Runtime session on opts.Device,
// loading the runtime library first if this process has not (see LibraryPath).
func (Flavor) Load(ctx context.Context, path string, opts flavors.LoadOptions) (flavors.Model, error) {
	m, err := loadModel(ctx, path, opts, readLabels)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// loadModel is Load with the reader of the model's class labels as a
// parameter, so that tests can take the ZipMap path that reads maps.
func loadModel(ctx context.Context, path string, opts flavors.LoadOptions, labels func(string, *slog.Logger) classLabels) (*Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	device, err := parseDevice(opts.Device)
	if err != nil {
		return nil, err
	}
	libPath, err := initRuntime(opts.ORTLibrary)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("onnx: model file: %w", err)
	}
	inputs, outputs, err := readInputOutputInfo(path)
	if err != nil {
		return nil, err
	}
	if len(inputs) == 0 || len(outputs) == 0 {
		// onnxruntime_go v1.27.0 indexes the first input and output of every run.
		return nil, fmt.Errorf("%w: onnx: model %s has %d inputs and %d outputs; at least one of each is needed",
			flavors.ErrUnsupported, path, len(inputs), len(outputs))
	}
	sessionOpts, err := newSessionOptions(device, libPath)
	if err != nil {
		return nil, err
	}
	defer sessionOpts.Destroy()

	m := &Model{path: path, log: opts.Log()}
	for _, in := range inputs {
		sp, err := specOf(in, "input")
		if err != nil {
			return nil, fmt.Errorf("onnx: model %s: %w", path, err)
		}
		m.inputs = append(m.inputs, sp)
	}
	if err := m.describeOutputs(outputs, opts, labels(path, m.log)); err != nil {
		return nil, fmt.Errorf("onnx: model %s: %w", path, err)
	}
	if m.session, err = m.newSession(sessionOpts); err != nil {
		return nil, fmt.Errorf("onnx: model %s: creating session on %s: %v", path, device, err)
	}
	m.prealloc.Store(true)
	return m, nil
}

// newSession opens the session that Predict runs, on a model edited (see
// addOutputs) when it has FP16 outputs or a ZipMap.
func (m *Model) newSession(o *ort.SessionOptions) (*ort.DynamicAdvancedSession, error) {
	inputNames := make([]string, len(m.inputs))
	for i, sp := range m.inputs {
		inputNames[i] = sp.Name
	}
	var half, scores []string
	outputNames := make([]string, len(m.native))
	for i, out := range m.native {
		outputNames[i] = out.fetchName()
		if out.viaFloat {
			half = append(half, out.spec.Name)
		}
		if out.scores != "" {
			scores = append(scores, out.scores)
		}
	}
	if len(half)+len(scores) == 0 {
		return ort.NewDynamicAdvancedSession(m.path, inputNames, outputNames, o)
	}
	b, err := os.ReadFile(m.path)
	if err != nil {
		return nil, err
	}
	if b, err = addOutputs(b, half, scores); err != nil {
		return nil, err
	}
	return ort.NewDynamicAdvancedSessionWithONNXData(b, inputNames, outputNames, o)
}

// readInputOutputInfo opens a throwaway session (without graph optimisation,
// to keep it cheap) to learn the model's inputs and outputs.
func readInputOutputInfo(path string) ([]ort.InputOutputInfo, []ort.InputOutputInfo, error) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return nil, nil, fmt.Errorf("onnx: session options: %w", err)
	}
	defer o.Destroy()
	if err := o.SetGraphOptimizationLevel(ort.GraphOptimizationLevelDisableAll); err != nil {
		return nil, nil, fmt.Errorf("onnx: session options: %w", err)
	}
	in, out, err := ort.GetInputOutputInfoWithOptions(path, o)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: onnx: %s is not a model ONNX Runtime can load: %v", flavors.ErrUnsupported, path, err)
	}
	return in, out, nil
}

// readLabels finds the class labels declared in the model file, if any; a
// file it cannot read or parse only loses that hint.
func readLabels(path string, log *slog.Logger) classLabels {
	fi, err := os.Stat(path)
	if err != nil || fi.Size() > maxLabelScan {
		return classLabels{}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return classLabels{}
	}
	labels, err := readClassLabels(b)
	if err != nil {
		log.Debug("onnx: reading class labels", "model", path, "err", err)
	}
	return labels
}

// device is a parsed LoadOptions.Device.
type device struct {
	cuda bool
	id   int
}

func (d device) String() string {
	if d.cuda {
		return "cuda:" + strconv.Itoa(d.id)
	}
	return "cpu"
}

// parseDevice accepts "", "cpu", "cuda" (device 0) and "cuda:N".
func parseDevice(s string) (device, error) {
	switch s {
	case "", "cpu":
		return device{}, nil
	case "cuda":
		return device{cuda: true}, nil
	}
	if rest, ok := strings.CutPrefix(s, "cuda:"); ok {
		if id, err := strconv.Atoi(rest); err == nil && id >= 0 {
			return device{cuda: true, id: id}, nil
		}
	}
	return device{}, fmt.Errorf("%w: device %q: expected \"cpu\", \"cuda\" or \"cuda:N\" with N a GPU index ≥ 0",
		flavors.ErrInvalidInput, s)
}

func newSessionOptions(d device, libPath string) (*ort.SessionOptions, error) {
	o, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("onnx: session options: %w", err)
	}
	if err := configureSession(o, d, libPath); err != nil {
		o.Destroy()
		return nil, err
	}
	return o, nil
}

func configureSession(o *ort.SessionOptions, d device, libPath string) error {
	if err := o.SetIntraOpNumThreads(intraOpThreads); err != nil {
		return fmt.Errorf("onnx: session options: %w", err)
	}
	if err := o.SetInterOpNumThreads(1); err != nil {
		return fmt.Errorf("onnx: session options: %w", err)
	}
	if !d.cuda {
		return nil
	}
	cuda, err := ort.NewCUDAProviderOptions()
	if err == nil {
		defer cuda.Destroy()
		err = cuda.Update(map[string]string{"device_id": strconv.Itoa(d.id)})
	}
	if err == nil {
		err = o.AppendExecutionProviderCUDA(cuda)
	}
	if err != nil {
		return fmt.Errorf("%w: device %s: the ONNX Runtime library %s (version %s) has no usable CUDA execution provider, or no GPU is available (ONNX Runtime said: %v); "+
			"use --device cpu, or install a CUDA build of ONNX Runtime (onnxruntime-linux-x64-gpu-*.tgz from https://github.com/microsoft/onnxruntime/releases, "+
			"with the CUDA and cuDNN versions its release notes name) and point %s or --ort-lib at its lib/libonnxruntime.so, with the libonnxruntime_providers_*.so files beside it",
			flavors.ErrUnavailable, d, libPath, ort.GetVersion(), err, EnvLibrary)
	}
	return nil
}
