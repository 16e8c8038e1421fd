//go:build cgo

package onnx

import (
	"fmt"
	"sync"

	ort "github.com/yalue/onnxruntime_go"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// runtimeState is the process-wide ONNX Runtime environment: the library can
// be loaded only once per process. A failed attempt is not remembered, so a
// caller can retry with a corrected path.
var runtimeState struct {
	sync.Mutex
	path string // the library loaded, "" until one is
}

// initRuntime loads the library once per process and returns its path.
func initRuntime(explicit string) (string, error) {
	runtimeState.Lock()
	defer runtimeState.Unlock()
	if runtimeState.path != "" {
		if explicit != "" && !sameFile(explicit, runtimeState.path) {
			return "", fmt.Errorf("%w: ONNX Runtime is already loaded from %s in this process; cannot switch to %s",
				flavors.ErrUnavailable, runtimeState.path, explicit)
		}
		return runtimeState.path, nil
	}
	path, err := LibraryPath(explicit)
	if err != nil {
		return "", err
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelFatal()); err != nil {
		return "", fmt.Errorf("%w: loading ONNX Runtime from %s: %v: the file must be a libonnxruntime.so for this OS and CPU: %s",
			flavors.ErrUnavailable, path, err, howToGetLibrary)
	}
	runtimeState.path = path
	return path, nil
}

// Version loads the ONNX Runtime library (see LibraryPath) if this process
// has not yet, and returns the library's version, e.g. "1.30.0".
func Version(explicit string) (string, error) {
	if _, err := initRuntime(explicit); err != nil {
		return "", err
	}
	return ort.GetVersion(), nil
}
