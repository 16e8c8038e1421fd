package flavors

import (
	"context"
	"errors"
	"log/slog"
)

// Flavor loads models of one format.
type Flavor interface {
	// Name is the flavor's key in a bundle manifest: "onnx", "pmml", "pickle".
	Name() string
	// Load opens the model file at path. The caller has verified its digest.
	Load(ctx context.Context, path string, opts LoadOptions) (Model, error)
}

// Model is a loaded model. Predict is safe for concurrent use unless the
// model implements Serial.
type Model interface {
	// Signature is the model's native inputs and outputs.
	Signature() Signature
	Predict(ctx context.Context, in Batch) (Batch, error)
	Close() error
}

// Classifier is implemented by models that predict one of a fixed set of
// classes. Classes is the column order of the "probabilities" output.
type Classifier interface {
	Classes() []string
}

// Environment is implemented by models that run in an interpreter whose
// versions matter (the pickle sidecar): "python", "scikit-learn", "numpy", ….
type Environment interface {
	Environment() map[string]string
}

// Serial is implemented by models whose Predict must not run concurrently.
type Serial interface {
	Serial() bool
}

// SelfVerifier is implemented by models whose file carries its own test
// cases with expected results (a PMML ModelVerification element).
type SelfVerifier interface {
	// SelfVerify scores those cases and compares the results within the
	// tolerances the file states. A model file without cases reports
	// Records 0 and no error.
	SelfVerify(ctx context.Context) (SelfVerification, error)
}

// SelfVerification is the outcome of a SelfVerify call.
type SelfVerification struct {
	// Records is how many cases the file holds; Values how many expected
	// values were compared.
	Records, Values int
	// Mismatches says, one line each, which record and field differed:
	// what the file expects and what the model gave.
	Mismatches []string
}

// Passed reports whether every compared value matched.
func (v SelfVerification) Passed() bool { return len(v.Mismatches) == 0 }

// Task says what kind of model a bundle holds; flavors use it to present
// their outputs under the conventional names (see the package doc).
type Task string

// The tasks a bundle can declare.
const (
	TaskUnknown        Task = ""
	TaskClassification Task = "classification"
	TaskRegression     Task = "regression"
)

// LoadOptions carries what a flavor may need beyond the model file.
type LoadOptions struct {
	// Device selects the execution device: "" or "cpu", or "cuda:N".
	Device string
	// Task and Classes are hints from the bundle manifest, for formats that
	// do not say what their outputs mean (an ONNX regressor's lone output).
	Task    Task
	Classes []string
	// Inputs is the bundle's input signature, for flavors that take columns
	// by name (pickle) or need their order.
	Inputs []Spec
	// Python is the interpreter for the pickle sidecar; "" means the default.
	Python string
	// Logger receives diagnostics (a sidecar's stderr, say); nil discards.
	Logger *slog.Logger
	// ORTLibrary is an explicit path to the ONNX Runtime shared library.
	ORTLibrary string
	// SHA256 is the digest the manifest records for the model file; when set,
	// a flavor that executes code on load (pickle) refuses a file that differs.
	SHA256 string
	// Requirements are the library versions the manifest says the model needs
	// ("python": "3.11", "scikit-learn": "1.2.1"); StrictRequirements turns a
	// mismatch from a warning into a refusal.
	Requirements       map[string]string
	StrictRequirements bool
}

// Log returns the logger to use, never nil.
func (o LoadOptions) Log() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Errors a flavor returns, wrapped with detail, so that the CLI and the
// servers can map them to exit codes and statuses in one place.
var (
	// ErrInvalidInput marks a request the caller got wrong (HTTP 400).
	ErrInvalidInput = errors.New("invalid input")
	// ErrUnavailable marks a missing runtime: a library, a device, an interpreter.
	ErrUnavailable = errors.New("runtime unavailable")
	// ErrUnsupported marks a model file that uses something this flavor cannot run.
	ErrUnsupported = errors.New("unsupported model")
)
