package pmml

import (
	"context"
	"fmt"
	"os"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// Flavor loads PMML documents with the pure-Go evaluator of this package.
type Flavor struct{}

var _ flavors.Flavor = Flavor{}

// Name is the flavor's key in a bundle manifest.
func (Flavor) Name() string { return "pmml" }

// Load parses and compiles the PMML file at path; the model is a *Model.
func (Flavor) Load(ctx context.Context, path string, _ flavors.LoadOptions) (flavors.Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pmml: %w", err)
	}
	defer f.Close()
	m, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return m, nil
}
