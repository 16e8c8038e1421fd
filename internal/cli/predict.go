package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/codec"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/load"
	"github.com/mlctl/mlctl/pkg/pack"
)

// maxPredictInput bounds what predict reads from a file or stdin.
const maxPredictInput = 1 << 30

type predictOptions struct {
	input, output       string
	inFormat, outFormat string
	flavor              string
}

func newPredictCmd(g *globals) *cobra.Command {
	o := &predictOptions{}
	c := &cobra.Command{
		Use:   "predict BUNDLE|MODEL -i FILE|- [-o FILE|-]",
		Short: "Score a file of rows with a bundle or a bare model file",
		Long: `Score rows with a bundle (or a bare .onnx/.pmml/.pkl file, packed on the fly).

Input is CSV with a header row, JSON in any MLflow scoring shape
(dataframe_split, dataframe_records, instances, inputs) or an Open Inference
Protocol request, or JSON lines. Inputs are checked against the signature: a
wrong column, dtype or shape fails naming the field and the row.`,
		Example: `  mlctl predict iris.mlb -i examples/models/iris_forest/input.csv
  mlctl predict iris.mlb -i rows.json -o scores.csv --flavor pmml`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runPredict(c, g, o, args[0])
		},
	}
	f := c.Flags()
	f.StringVarP(&o.input, "input", "i", "", "input file, or - for stdin (required)")
	f.StringVarP(&o.output, "output", "o", "-", "output file, or - for stdout")
	f.StringVar(&o.inFormat, "input-format", "", "csv, json or jsonl (default: from the file extension; json for stdin)")
	f.StringVar(&o.outFormat, "output-format", "", "csv, json or jsonl (default: from the file extension; json for stdout)")
	f.StringVar(&o.flavor, "flavor", "", "flavor to run: onnx, pmml or pickle (default: the first that loads here)")
	_ = c.MarkFlagRequired("input")
	return c
}

func runPredict(c *cobra.Command, g *globals, o *predictOptions, target string) error {
	inFmt, err := chooseFormat(o.inFormat, o.input, "--input-format")
	if err != nil {
		return err
	}
	outFmt, err := chooseFormat(o.outFormat, o.output, "--output-format")
	if err != nil {
		return err
	}
	b, cleanup, err := openOrPack(c, g, target)
	if err != nil {
		return err
	}
	defer cleanup()
	model, flavor, err := load.Model(c.Context(), b, g.loadOptions(o.flavor))
	if err != nil {
		return err
	}
	defer model.Close()
	g.logger().Debug("model loaded", "flavor", flavor, "bundle", b.Manifest.Name)

	in, err := readInput(g, o.input)
	if err != nil {
		return err
	}
	defer in.Close()
	batch, err := codec.Decode(io.LimitReader(in, maxPredictInput), inFmt, b.Manifest.Signature.Inputs)
	if err != nil {
		return fmt.Errorf("%s: %w", displayName(o.input), err)
	}
	if err := b.Manifest.Signature.Check(batch); err != nil {
		return fmt.Errorf("%s: %w", displayName(o.input), wrapInvalid(err))
	}
	out, err := model.Predict(c.Context(), batch)
	if err != nil {
		return err
	}
	return writeOutput(g, o.output, outFmt, out, b.Manifest.Classes)
}

// openOrPack opens a bundle, or packs a bare model file into a temporary one.
func openOrPack(c *cobra.Command, g *globals, target string) (*bundle.Bundle, func(), error) {
	if _, ok := load.FlavorForFile(target); !ok || isBundleDir(target) {
		b, err := bundle.Open(target)
		if err != nil {
			return nil, nil, err
		}
		return b, func() { b.Close() }, nil
	}
	tmp, err := os.MkdirTemp("", "mlctl-predict-")
	if err != nil {
		return nil, nil, err
	}
	dir := filepath.Join(tmp, "bundle")
	_, err = pack.Pack(c.Context(), pack.Options{Models: []string{target}, Out: dir, Load: g.loadOptions(""), MlctlVersion: version()})
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	b, err := bundle.Open(dir)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, nil, err
	}
	return b, func() { b.Close(); os.RemoveAll(tmp) }, nil
}

func isBundleDir(p string) bool {
	_, err := os.Stat(filepath.Join(p, bundle.ManifestFile))
	return err == nil
}

func chooseFormat(flag, path, name string) (codec.Format, error) {
	switch strings.ToLower(flag) {
	case "":
		if path == "-" || path == "" {
			return codec.JSON, nil
		}
		return codec.FormatFromPath(path), nil
	case "csv":
		return codec.CSV, nil
	case "json":
		return codec.JSON, nil
	case "jsonl", "ndjson":
		return codec.JSONLines, nil
	}
	return "", flagError{fmt.Errorf("%s %q: expected csv, json or jsonl", name, flag)}
}

func readInput(g *globals, p string) (io.ReadCloser, error) {
	if p == "-" {
		return io.NopCloser(g.stdin), nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("input: %w", err)
	}
	return f, nil
}

func writeOutput(g *globals, p string, f codec.Format, out flavors.Batch, classes []string) (err error) {
	w := g.stdout
	if p != "-" {
		file, err := os.Create(p)
		if err != nil {
			return fmt.Errorf("output: %w", err)
		}
		defer func() {
			if cerr := file.Close(); err == nil {
				err = cerr
			}
		}()
		w = file
	}
	switch f {
	case codec.CSV:
		return codec.EncodeCSV(w, out, classes)
	case codec.JSONLines:
		return codec.EncodeJSONLines(w, out)
	}
	return codec.EncodeJSON(w, out)
}

func displayName(p string) string {
	if p == "-" {
		return "stdin"
	}
	return p
}

// wrapInvalid marks a signature mismatch as the caller's input error.
func wrapInvalid(err error) error {
	if errors.Is(err, flavors.ErrInvalidInput) {
		return err
	}
	return fmt.Errorf("%w: %v", flavors.ErrInvalidInput, err)
}
