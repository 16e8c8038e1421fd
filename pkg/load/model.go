package load

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/flavors"
)

// Options choose and configure the flavor to load.
type Options struct {
	// Flavor asks for one flavor; "" picks the first of Preference that the
	// bundle has and that loads here.
	Flavor             string
	Device             string
	Python             string
	ORTLibrary         string
	StrictRequirements bool
	Logger             *slog.Logger
}

// FlavorOptions builds a flavor's LoadOptions from the manifest and o.
func FlavorOptions(m *bundle.Manifest, f bundle.Flavor, o Options) flavors.LoadOptions {
	lo := flavors.LoadOptions{
		Device:             o.Device,
		Task:               m.Task,
		Classes:            m.Classes,
		Inputs:             m.Signature.Inputs,
		Python:             o.Python,
		Logger:             o.Logger,
		ORTLibrary:         o.ORTLibrary,
		Requirements:       m.Requirements,
		StrictRequirements: o.StrictRequirements,
	}
	if file, ok := m.File(f.Path); ok {
		lo.SHA256 = file.SHA256
	}
	return lo
}

// Model loads one flavor of b, adapted to the bundle's input signature. It
// returns the flavor's name with the model.
func Model(ctx context.Context, b *bundle.Bundle, o Options) (flavors.Model, string, error) {
	m := &b.Manifest
	candidates := order(m, o.Flavor)
	if len(candidates) == 0 {
		return nil, "", fmt.Errorf("bundle %s has no %s flavor: it has %s", b.Source, o.Flavor, strings.Join(m.FlavorNames(), ", "))
	}
	var errs []error
	for _, name := range candidates {
		entry, _ := m.Flavor(name)
		model, err := Flavor(ctx, b, entry, o)
		if err == nil {
			return model, name, nil
		}
		errs = append(errs, fmt.Errorf("flavor %s: %w", name, err))
		// Only a missing runtime sends us on to the next flavor; a broken
		// model file is the user's to see.
		if o.Flavor != "" || !errors.Is(err, flavors.ErrUnavailable) {
			break
		}
	}
	return nil, "", errors.Join(errs...)
}

// Flavor loads the given flavor entry of b, adapted to the bundle's inputs.
func Flavor(ctx context.Context, b *bundle.Bundle, entry bundle.Flavor, o Options) (flavors.Model, error) {
	fl, err := Lookup(entry.Name)
	if err != nil {
		return nil, err
	}
	model, err := fl.Load(ctx, b.Path(entry.Path), FlavorOptions(&b.Manifest, entry, o))
	if err != nil {
		return nil, err
	}
	return flavors.Adapt(model, b.Manifest.Signature.Inputs, b.Manifest.Classes), nil
}

func order(m *bundle.Manifest, want string) []string {
	if want != "" {
		if _, ok := m.Flavor(want); ok {
			return []string{want}
		}
		return nil
	}
	var out []string
	for _, name := range Preference {
		if _, ok := m.Flavor(name); ok {
			out = append(out, name)
		}
	}
	for _, name := range m.FlavorNames() {
		if !contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
