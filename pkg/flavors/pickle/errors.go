package pickle

import (
	"encoding/json"
	"fmt"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// PythonError is an exception the sidecar caught and reported; the sidecar
// itself is still healthy.
type PythonError struct {
	// Type is the exception class name ("ValueError"), Message its text.
	Type    string `json:"type"`
	Message string `json:"message"`
	// Traceback is the formatted traceback, cut to its last 8,000 characters.
	Traceback string `json:"traceback"`

	// InvalidInput: a ValueError, TypeError or KeyError (or subclass).
	InvalidInput bool `json:"invalid_input"`
	// Unavailable: an ImportError, a module the pickle needs is missing.
	Unavailable bool `json:"unavailable"`

	loading bool // raised while loading the file, not while predicting
}

func (e *PythonError) Error() string { return e.Type + ": " + e.Message }

// Unwrap maps the exception to the flavors error the callers translate:
// bad input to a prediction is the caller's fault; a missing module is a
// missing runtime; a digest mismatch is ErrDigestMismatch; an exception while
// unpickling is a model file this flavor cannot run.
func (e *PythonError) Unwrap() error {
	switch {
	case e.Type == "DigestMismatch":
		return ErrDigestMismatch
	case e.Unavailable:
		return flavors.ErrUnavailable
	case e.loading:
		return flavors.ErrUnsupported
	case e.InvalidInput:
		return flavors.ErrInvalidInput
	}
	return nil
}

// decodePythonError reads an error frame's meta.
func decodePythonError(meta []byte) error {
	e := &PythonError{}
	if err := json.Unmarshal(meta, e); err != nil || e.Type == "" {
		return fmt.Errorf("%w: error frame without an exception type", errBadFrame)
	}
	return e
}
