package batch

import (
	"context"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/load"
)

// FromBundle loads the bundle's best flavor for batch scoring (load.Preference:
// ONNX, then PMML, then pickle; lo.Flavor overrides) and returns Options
// naming it: model, input columns, example, classes and identity. The
// caller adds sources, output and settings, and closes the model after Run.
func FromBundle(ctx context.Context, b *bundle.Bundle, lo load.Options) (Options, error) {
	model, flavor, err := load.Model(ctx, b, lo)
	if err != nil {
		return Options{}, err
	}
	m := &b.Manifest
	o := Options{
		Model:        model,
		Inputs:       m.Signature.Inputs,
		Classes:      m.Classes,
		ModelUUID:    m.UUID,
		ModelName:    m.Name,
		ModelVersion: m.Version,
		Flavor:       flavor,
	}
	if m.Example != nil {
		ex, err := load.ReadTensors(b, m.Example.Path)
		if err != nil {
			model.Close()
			return Options{}, err
		}
		o.Example = ex
	}
	return o, nil
}
