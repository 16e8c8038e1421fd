package bundle

import (
	"fmt"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Format is the manifest schema this version of mlctl writes and reads.
const Format = "mlctl.bundle/v1"

// ManifestFile is the manifest's name inside a bundle.
const ManifestFile = "mlctl.yaml"

// Manifest describes a bundle. docs/bundle-format.md documents every field.
type Manifest struct {
	Format      string            `json:"format" yaml:"format"`
	UUID        string            `json:"uuid" yaml:"uuid"`
	Name        string            `json:"name" yaml:"name"`
	Version     string            `json:"version" yaml:"version"`
	Tags        []string          `json:"tags,omitempty" yaml:"tags,omitempty,flow"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Task        flavors.Task      `json:"task,omitempty" yaml:"task,omitempty"`
	Classes     []string          `json:"classes,omitempty" yaml:"classes,omitempty,flow"`
	Signature   flavors.Signature `json:"signature" yaml:"signature"`
	Flavors     []Flavor          `json:"flavors" yaml:"flavors"`
	Example     *Example          `json:"example,omitempty" yaml:"example,omitempty"`
	// Baseline is the drift profile of the reference data set stored by
	// `mlctl pack --baseline`; absent in bundles packed without one.
	Baseline *Baseline `json:"baseline,omitempty" yaml:"baseline,omitempty"`
	// Requirements are the interpreter and library versions a flavor needs
	// ("python", "scikit-learn", …), for the pickle flavor.
	Requirements map[string]string `json:"requirements,omitempty" yaml:"requirements,omitempty"`
	Provenance   Provenance        `json:"provenance" yaml:"provenance"`
	// Files lists every file in the bundle but the manifest, with digests.
	Files []File `json:"files" yaml:"files"`
}

// Flavor is one format of the model inside the bundle.
type Flavor struct {
	Name string `json:"name" yaml:"name"`
	// Path is the model file, relative to the bundle root.
	Path string `json:"path" yaml:"path"`
	// Signature is the flavor's native signature, when it differs from the
	// bundle's (an ONNX model taking one [N,4] tensor for four columns).
	Signature *flavors.Signature `json:"signature,omitempty" yaml:"signature,omitempty"`
	// Golden is the file holding this flavor's outputs on the input example.
	Golden string `json:"golden,omitempty" yaml:"golden,omitempty"`
}

// Example is the input example and how the flavors agreed on it at pack time.
type Example struct {
	// Path is the input example, as tensor JSON, relative to the bundle root.
	Path string `json:"path" yaml:"path"`
	Rows int    `json:"rows" yaml:"rows"`
	// Check is the cross-flavor comparison made at pack time.
	Check *CrossCheck `json:"check,omitempty" yaml:"check,omitempty"`
}

// Baseline is a drift profile (package drift/profile's JSON form) of the data
// a model was trained or validated on, kept in the bundle so that `mlctl
// drift` needs no training data later.
type Baseline struct {
	// Path is the profile file, relative to the bundle root.
	Path string `json:"path" yaml:"path"`
	// Rows is the number of rows profiled.
	Rows int64 `json:"rows" yaml:"rows"`
	// Sources are the data files profiled, with their digests.
	Sources []File `json:"sources,omitempty" yaml:"sources,omitempty"`
}

// Tolerance bounds how far two float outputs may differ: |a-b| ≤ Abs + Rel·|b|.
type Tolerance struct {
	Rel float64 `json:"rel" yaml:"rel"`
	Abs float64 `json:"abs" yaml:"abs"`
}

// DefaultTolerance suits float32 paths compared against float64 ones.
var DefaultTolerance = Tolerance{Rel: 1e-5, Abs: 1e-6}

// Within reports whether got is within the tolerance of want. NaNs agree with
// each other only.
func (t Tolerance) Within(got, want float64) bool {
	if got != got || want != want {
		return got != got && want != want
	}
	d := got - want
	if d < 0 {
		d = -d
	}
	w := want
	if w < 0 {
		w = -w
	}
	return d <= t.Abs+t.Rel*w
}

// CrossCheck records the cross-flavor comparison on the input example.
type CrossCheck struct {
	Reference     string       `json:"reference" yaml:"reference"`
	Tolerance     Tolerance    `json:"tolerance" yaml:"tolerance"`
	Passed        bool         `json:"passed" yaml:"passed"`
	AllowMismatch bool         `json:"allow_mismatch,omitempty" yaml:"allow_mismatch,omitempty"`
	Results       []Comparison `json:"results,omitempty" yaml:"results,omitempty"`
}

// Comparison is one output of one flavor compared with the reference flavor.
type Comparison struct {
	Flavor string  `json:"flavor" yaml:"flavor"`
	Output string  `json:"output" yaml:"output"`
	MaxAbs float64 `json:"max_abs_diff" yaml:"max_abs_diff"`
	MaxRel float64 `json:"max_rel_diff" yaml:"max_rel_diff"`
	// Mismatches counts elements outside the tolerance (labels: unequal).
	Mismatches int  `json:"mismatches" yaml:"mismatches"`
	Passed     bool `json:"passed" yaml:"passed"`
}

// Provenance says where the bundle came from.
type Provenance struct {
	Created      time.Time `json:"created" yaml:"created"`
	MlctlVersion string    `json:"mlctl_version" yaml:"mlctl_version"`
	GitCommit    string    `json:"git_commit,omitempty" yaml:"git_commit,omitempty"`
	Sources      []File    `json:"sources,omitempty" yaml:"sources,omitempty"`
	// ImportedFrom names a foreign format the bundle was made from ("mlflow").
	ImportedFrom string `json:"imported_from,omitempty" yaml:"imported_from,omitempty"`
}

// File is one file and its digest.
type File struct {
	Path   string `json:"path" yaml:"path"`
	SHA256 string `json:"sha256" yaml:"sha256"`
	Size   int64  `json:"size" yaml:"size"`
}

// Flavor returns the entry for the named flavor.
func (m *Manifest) Flavor(name string) (Flavor, bool) {
	for _, f := range m.Flavors {
		if f.Name == name {
			return f, true
		}
	}
	return Flavor{}, false
}

// FlavorNames lists the flavors in the order the manifest gives them.
func (m *Manifest) FlavorNames() []string {
	out := make([]string, len(m.Flavors))
	for i, f := range m.Flavors {
		out[i] = f.Name
	}
	return out
}

// File returns the digest entry for a bundle-relative path.
func (m *Manifest) File(path string) (File, bool) {
	for _, f := range m.Files {
		if f.Path == path {
			return f, true
		}
	}
	return File{}, false
}

// Validate checks the manifest's own consistency; it does not read files.
func (m *Manifest) Validate() error {
	if m.Format != Format {
		return fmt.Errorf("%w: manifest format %q, this mlctl reads %q", ErrInvalid, m.Format, Format)
	}
	if m.UUID == "" {
		return fmt.Errorf("%w: manifest field uuid is empty", ErrInvalid)
	}
	if m.Name == "" {
		return fmt.Errorf("%w: manifest field name is empty", ErrInvalid)
	}
	if len(m.Flavors) == 0 {
		return fmt.Errorf("%w: manifest lists no flavors", ErrInvalid)
	}
	seen := map[string]bool{}
	for i, f := range m.Flavors {
		if f.Name == "" || f.Path == "" {
			return fmt.Errorf("%w: manifest flavors[%d]: name and path are required", ErrInvalid, i)
		}
		if seen[f.Name] {
			return fmt.Errorf("%w: manifest lists flavor %q twice", ErrInvalid, f.Name)
		}
		seen[f.Name] = true
		if _, ok := m.File(f.Path); !ok {
			return fmt.Errorf("%w: flavor %q file %s has no digest in the manifest's files", ErrInvalid, f.Name, f.Path)
		}
	}
	if m.Baseline != nil {
		if _, ok := m.File(m.Baseline.Path); !ok {
			return fmt.Errorf("%w: baseline profile %s has no digest in the manifest's files", ErrInvalid, m.Baseline.Path)
		}
	}
	for i, f := range m.Files {
		if err := checkRelPath(f.Path); err != nil {
			return fmt.Errorf("%w: manifest files[%d]: %v", ErrInvalid, i, err)
		}
		if len(f.SHA256) != 64 {
			return fmt.Errorf("%w: manifest files[%d] (%s): sha256 must be 64 hex digits", ErrInvalid, i, f.Path)
		}
	}
	for _, sp := range m.Signature.Inputs {
		if !sp.DType.Valid() {
			return fmt.Errorf("%w: signature input %q: unknown dtype %q", ErrInvalid, sp.Name, sp.DType)
		}
	}
	return nil
}
