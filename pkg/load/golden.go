package load

import (
	"context"
	"fmt"
	"os"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
)

// ReadTensors reads a tensors file stored in the bundle.
func ReadTensors(b *bundle.Bundle, rel string) (flavors.Batch, error) {
	raw, err := os.ReadFile(b.Path(rel))
	if err != nil {
		return flavors.Batch{}, err
	}
	batch, err := codec.UnmarshalTensors(raw)
	if err != nil {
		return flavors.Batch{}, fmt.Errorf("%s: %w", rel, err)
	}
	return batch, nil
}

// GoldenResult is one flavor's re-run of the input example.
type GoldenResult struct {
	Flavor      string
	Skipped     string // why the flavor could not run here, when it could not
	Comparisons []bundle.Comparison
	Err         error
}

// Passed reports whether the flavor ran and matched its golden outputs.
func (r GoldenResult) Passed() bool {
	if r.Err != nil || r.Skipped != "" {
		return false
	}
	for _, c := range r.Comparisons {
		if !c.Passed {
			return false
		}
	}
	return true
}

// CheckGolden re-runs the bundle's input example on one flavor and compares
// it with the golden outputs recorded at pack time.
func CheckGolden(ctx context.Context, b *bundle.Bundle, entry bundle.Flavor, o Options) GoldenResult {
	res := GoldenResult{Flavor: entry.Name}
	m := &b.Manifest
	if m.Example == nil || entry.Golden == "" {
		res.Skipped = "the bundle records no input example"
		return res
	}
	in, err := ReadTensors(b, m.Example.Path)
	if err != nil {
		res.Err = err
		return res
	}
	want, err := ReadTensors(b, entry.Golden)
	if err != nil {
		res.Err = err
		return res
	}
	model, err := Flavor(ctx, b, entry, o)
	if err != nil {
		if isUnavailable(err) {
			res.Skipped = err.Error()
		} else {
			res.Err = err
		}
		return res
	}
	defer model.Close()
	got, err := model.Predict(ctx, in)
	if err != nil {
		res.Err = fmt.Errorf("predict on the input example: %w", err)
		return res
	}
	tol := bundle.DefaultTolerance
	if m.Example.Check != nil {
		tol = m.Example.Check.Tolerance
	}
	res.Comparisons = Compare(entry.Name, got, want, tol)
	return res
}

// SelfCheckResult is one flavor's run of the test cases its model file
// carries (a PMML ModelVerification).
type SelfCheckResult struct {
	Flavor  string
	Skipped string // why the flavor could not run here, when it could not
	// Supported is false when the flavor's format carries no such cases.
	Supported bool
	flavors.SelfVerification
	Err error
}

// SelfCheck loads one flavor and runs its model file's own test cases.
func SelfCheck(ctx context.Context, b *bundle.Bundle, entry bundle.Flavor, o Options) SelfCheckResult {
	res := SelfCheckResult{Flavor: entry.Name}
	fl, err := Lookup(entry.Name)
	if err != nil {
		res.Err = err
		return res
	}
	// The model itself, not adapted: its cases are in its own field names.
	model, err := fl.Load(ctx, b.Path(entry.Path), FlavorOptions(&b.Manifest, entry, o))
	if err != nil {
		if isUnavailable(err) {
			res.Skipped = err.Error()
		} else {
			res.Err = err
		}
		return res
	}
	defer model.Close()
	sv, ok := model.(flavors.SelfVerifier)
	if !ok {
		return res
	}
	res.Supported = true
	res.SelfVerification, res.Err = sv.SelfVerify(ctx)
	return res
}
