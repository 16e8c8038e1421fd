package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/pack"
)

type packOptions struct {
	pack.Options
	requires []string
}

func newPackCmd(g *globals) *cobra.Command {
	o := &packOptions{}
	o.Tolerance = bundle.DefaultTolerance
	c := &cobra.Command{
		Use:   "pack MODEL... -o DIR|FILE.mlb",
		Short: "Package model files (ONNX, PMML, pickle) or an MLflow model directory as a bundle",
		Long: `Package one model, given in one or more formats, as a verified bundle.

MODEL is an .onnx, .pmml or scikit-learn .pkl/.joblib file, or an MLflow model
directory. Several files of the same model in different formats make one
multi-flavor bundle: pack runs every flavor on the input example and fails if
they disagree beyond the tolerance.`,
		Example: `  mlctl pack model.onnx model.pmml model.pkl -o iris.mlb --name iris --version 1.0.0 --tag stable
  mlctl pack ./mlruns/0/abc/artifacts/model -o model-bundle/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.Models = args
			req, err := parsePairs(o.requires, "--require")
			if err != nil {
				return err
			}
			o.Requirements = req
			o.Load = g.loadOptions("")
			o.MlctlVersion = version()
			res, err := pack.Pack(c.Context(), o.Options)
			if err != nil {
				return err
			}
			m := res.Manifest
			fmt.Fprintf(g.stdout, "packed %s %s (%s) → %s\n", m.Name, m.Version, m.UUID, res.Path)
			fmt.Fprintf(g.stdout, "flavors: %s\n", strings.Join(m.FlavorNames(), ", "))
			if m.Example != nil && m.Example.Check != nil && len(m.Flavors) > 1 {
				ck := m.Example.Check
				status := "agree"
				if !ck.Passed {
					status = "DISAGREE (allowed by --allow-mismatch)"
				}
				fmt.Fprintf(g.stdout, "cross-flavor check on %d example rows: %s (reference %s, rel %g, abs %g)\n", m.Example.Rows, status, ck.Reference, ck.Tolerance.Rel, ck.Tolerance.Abs)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVarP(&o.Out, "output", "o", "", "bundle directory, or archive file ending in .mlb (required)")
	f.StringVar(&o.Name, "name", "", "model name (default: from the file or MLflow directory)")
	f.StringVar(&o.Version, "version", "", "model version (default 1)")
	f.StringArrayVar(&o.Tags, "tag", nil, "tag to attach (repeatable)")
	f.StringVar(&o.Description, "description", "", "free-text description")
	f.StringVar(&o.SignatureFile, "signature", "", "YAML/JSON signature file overriding what the model files say")
	f.StringVar(&o.ExampleFile, "example", "", "input example file (CSV, JSON or JSON lines); default: generated from the signature")
	f.Float64Var(&o.Tolerance.Rel, "rtol", o.Tolerance.Rel, "relative tolerance of the cross-flavor check")
	f.Float64Var(&o.Tolerance.Abs, "atol", o.Tolerance.Abs, "absolute tolerance of the cross-flavor check")
	f.BoolVar(&o.AllowMismatch, "allow-mismatch", false, "pack even when flavors disagree (recorded in the manifest)")
	f.StringArrayVar(&o.Baseline, "baseline", nil, "data set (CSV, JSON lines, Parquet) to profile into the bundle as its drift baseline (repeatable)")
	f.StringArrayVar(&o.requires, "require", nil, "pin a requirement for the pickle flavor, e.g. python=3.11 or scikit-learn=1.2.1 (repeatable)")
	_ = c.MarkFlagRequired("output")
	return c
}

func parsePairs(list []string, flag string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || v == "" {
			return nil, flagError{fmt.Errorf("%s %q: expected NAME=VERSION", flag, kv)}
		}
		out[strings.ToLower(k)] = v
	}
	return out, nil
}
