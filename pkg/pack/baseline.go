package pack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/drift/run"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/load"
)

// BaselinePath is where a bundle keeps its drift baseline profile.
const BaselinePath = "baseline/profile.json"

// recordBaseline profiles the baseline data sets with the bundle's
// signature (so names and kinds match what serve logs), scores them with
// the model so that predictions have a baseline too, and stores the profile
// in the bundle.
func recordBaseline(ctx context.Context, dir string, m *bundle.Manifest, paths []string, model flavors.Model) error {
	prof, rows, err := run.Profile(ctx, run.Input{Kind: run.KindDataset, Paths: paths}, run.Options{Bundle: m, Model: model})
	if err != nil {
		return fmt.Errorf("--baseline: %w", err)
	}
	if rows == 0 {
		return fmt.Errorf("--baseline %v: no rows", paths)
	}
	for _, sp := range m.Signature.Inputs {
		if len(sp.Shape) <= 1 && prof.Lookup(sp.Name) == nil {
			return fmt.Errorf("--baseline %v: no column %q: expected the model's inputs %s", paths, sp.Name, flavors.SpecNames(m.Signature.Inputs))
		}
	}
	out := filepath.Join(dir, filepath.FromSlash(BaselinePath))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := prof.Encode(f); err != nil {
		f.Close()
		return fmt.Errorf("--baseline: write profile: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	m.Baseline = &bundle.Baseline{Path: BaselinePath, Rows: rows}
	for _, p := range paths {
		if batch.IsURI(p) {
			m.Baseline.Sources = append(m.Baseline.Sources, bundle.File{Path: p})
			continue
		}
		d, err := bundle.Digest(p)
		if err != nil {
			continue // a directory or glob: its files were profiled
		}
		d.Path = p
		m.Baseline.Sources = append(m.Baseline.Sources, d)
	}
	return nil
}

// referenceModel is the flavor serve and batch pick by default (the first
// of load.Preference): the baseline's predictions must be the ones the log
// will hold, to the last bit — an ONNX tree ensemble answers float32
// probabilities where the pickle answers float64, and a test over a
// handful of distinct values would see every one of them as new.
func referenceModel(m *bundle.Manifest, models []loaded) flavors.Model {
	for _, name := range load.Preference {
		for _, l := range models {
			if l.entry.Name == name {
				return l.model
			}
		}
	}
	return models[0].model
}
