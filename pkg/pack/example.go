package pack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/load"
)

// GenerateExample makes rows of plausible input from a signature alone: the
// declared values of categorical fields in turn, small deterministic numbers
// otherwise. Variable inner dimensions become 1.
func GenerateExample(inputs []flavors.Spec, rows int) (flavors.Batch, error) {
	var b flavors.Batch
	seed := uint64(0x9e3779b97f4a7c15)
	next := func() float64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return float64(seed%1000) / 1000
	}
	for _, sp := range inputs {
		shape := []int64{int64(rows)}
		for _, d := range sp.Shape[min(1, len(sp.Shape)):] {
			shape = append(shape, max(d, 1))
		}
		n := int(flavors.NumElements(shape))
		var t flavors.Tensor
		switch {
		case sp.DType == flavors.Bytes:
			s := make([]string, n)
			for i := range s {
				if len(sp.Values) > 0 {
					s[i] = sp.Values[i%len(sp.Values)]
				} else {
					s[i] = fmt.Sprintf("value_%d", i%3)
				}
			}
			t = flavors.Tensor{Name: sp.Name, DType: flavors.Bytes, Shape: shape, Data: s}
		default:
			f := make([]float64, n)
			for i := range f {
				switch {
				case len(sp.Values) > 0:
					fmt.Sscan(sp.Values[i%len(sp.Values)], &f[i])
				case sp.DType.IsFloat():
					f[i] = next() * 4
				default:
					f[i] = float64(i % 3)
				}
			}
			var err error
			t, err = flavors.Cast(flavors.Tensor{Name: sp.Name, DType: flavors.FP64, Shape: shape, Data: f}, sp.DType)
			if err != nil {
				return flavors.Batch{}, err
			}
		}
		b.Tensors = append(b.Tensors, t)
	}
	return b, nil
}

// recordExample stores the input example, runs every flavor on it, stores
// each one's golden outputs and compares them with the reference flavor.
func recordExample(ctx context.Context, dir string, m *bundle.Manifest, models []loaded, imp *mlflowImport, opts Options) error {
	in, err := readExample(m, imp, opts)
	if err != nil {
		return err
	}
	if err := m.Signature.Check(in); err != nil {
		return fmt.Errorf("input example does not fit the signature: %w", err)
	}
	if err := writeTensors(dir, "example/input.json", in); err != nil {
		return err
	}
	check := &bundle.CrossCheck{Tolerance: opts.Tolerance, AllowMismatch: opts.AllowMismatch, Passed: true}
	m.Example = &bundle.Example{Path: "example/input.json", Rows: in.Rows(), Check: check}
	outs := map[string]flavors.Batch{}
	for _, l := range models {
		out, err := l.model.Predict(ctx, in)
		if err != nil {
			return fmt.Errorf("flavor %s failed on the input example: %w", l.Flavor, err)
		}
		rel := "example/golden." + l.Flavor + ".json"
		if err := writeTensors(dir, rel, out); err != nil {
			return err
		}
		for i := range m.Flavors {
			if m.Flavors[i].Name == l.Flavor {
				m.Flavors[i].Golden = rel
			}
		}
		outs[l.Flavor] = out
	}
	for _, ref := range referenceOrder {
		if _, ok := outs[ref]; ok {
			check.Reference = ref
			break
		}
	}
	var failures []string
	for _, l := range models {
		if l.Flavor == check.Reference {
			continue
		}
		cs := load.Compare(l.Flavor, outs[l.Flavor], outs[check.Reference], opts.Tolerance)
		check.Results = append(check.Results, cs...)
		failures = append(failures, load.Failures(cs, opts.Tolerance)...)
	}
	if len(failures) > 0 {
		check.Passed = false
		if !opts.AllowMismatch {
			return fmt.Errorf("%w (reference: %s):\n  %s\nuse --allow-mismatch to pack anyway (it is recorded in the manifest)", ErrMismatch, check.Reference, strings.Join(failures, "\n  "))
		}
	}
	return nil
}

func writeTensors(dir, rel string, b flavors.Batch) error {
	raw, err := codec.MarshalTensors(b)
	if err != nil {
		return err
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, append(raw, '\n'), 0o644)
}
