package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/drift/report"
	"github.com/mlctl/mlctl/pkg/drift/run"
	"github.com/mlctl/mlctl/pkg/drift/stats"
	"github.com/mlctl/mlctl/pkg/objstore"
)

// mlctl drift's exit statuses differ from the general scheme of exit.go,
// so that it works as a CI gate: 0 no drift, 1 drift, 2 any error
// (usage, unreadable or mismatched input). docs/drift.md documents them.
const (
	driftExitNone  = 0
	driftExitDrift = 1
	driftExitError = 2
)

// errDriftFound is the outcome "drift found": exit status 1, nothing more
// printed (the report says it).
var errDriftFound = exitStatus{code: driftExitDrift}

type driftOptions struct {
	baseline, current []string
	bundlePath        string
	since, until      string
	window            time.Duration
	columns           []string
	tests, thresholds []string
	driftShare        float64
	output            string
	htmlPath          string
	labels            string
	labelColumn       string
	s3Endpoint        string
}

func newDriftCmd(g *globals) *cobra.Command {
	o := &driftOptions{}
	c := &cobra.Command{
		Use:   "drift --baseline B --current C",
		Short: "Tell whether what a model sees and predicts has moved from a baseline",
		Long: `Compare current data with a baseline column by column, with Evidently's
default tests (docs/drift.md), and decide dataset drift from the share of
drifted columns.

The baseline is a data set (CSV, JSON lines, Parquet; local or s3://), a
prediction log directory, a profile saved by 'mlctl drift profile', or a bundle
packed with --baseline. The current data is a prediction log written by
'mlctl serve' (optionally limited by --since/--until and split by --window) or
any data set.

Exit status: 0 no drift, 1 drift in at least one window, 2 error.`,
		Example: `  mlctl drift --baseline iris.mlb --current plog/ --since 2026-03-04T00:00:00Z --window 1h
  mlctl drift --baseline train.parquet --current plog/ --bundle iris.mlb -o json
  mlctl drift --baseline train.csv --current today.csv --test petal_width=psi --threshold petal_width=0.2`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return driftStatus(runDrift(c, g, o))
		},
	}
	f := c.Flags()
	f.StringArrayVar(&o.baseline, "baseline", nil, "baseline: data set file(s), prediction log directory, saved profile(s), or bundle with a baseline (repeatable; required)")
	f.StringArrayVar(&o.current, "current", nil, "current data: prediction log directory or data set file(s) (repeatable; required)")
	f.StringVar(&o.bundlePath, "bundle", "", "bundle whose signature and classes name and type the logged values")
	f.StringVar(&o.since, "since", "", "read log rows at or after this time (RFC 3339, or a duration before now such as 24h)")
	f.StringVar(&o.until, "until", "", "read log rows before this time (RFC 3339, or a duration before now)")
	f.DurationVar(&o.window, "window", 0, "compare the current log in windows of this length (e.g. 1h), one result per window")
	f.StringSliceVar(&o.columns, "columns", nil, "compare only these columns (comma-separated, flattened names such as probabilities[setosa])")
	f.StringArrayVar(&o.tests, "test", nil, "COLUMN=TEST: the test for a column: ks, chisquare, z, psi, jensenshannon, wasserstein (repeatable)")
	f.StringArrayVar(&o.thresholds, "threshold", nil, "COLUMN=VALUE: the drift threshold for a column (repeatable)")
	f.Float64Var(&o.driftShare, "drift-share", envFloat("MLCTL_DRIFT_SHARE", stats.DefaultDriftShare), "dataset drift when this share of tested columns drifted")
	f.StringVarP(&o.output, "output", "o", "table", "output: table or json")
	f.StringVar(&o.htmlPath, "html", "", "also write the report as one HTML file")
	f.StringVar(&o.labels, "labels", "", "file of true labels (CSV/JSON lines/Parquet: request_id, label, optional row) joined to log rows")
	f.StringVar(&o.labelColumn, "label-column", "", "column holding true labels on both sides (a data set column or a logged input)")
	f.StringVar(&o.s3Endpoint, "s3-endpoint", envDefault(objstore.EnvS3Endpoint, ""), "base URL of an S3-compatible store for s3:// data sets")
	c.AddCommand(newDriftProfileCmd(g))
	return c
}

// exitStatus carries a command's own exit status (see drift's scheme).
type exitStatus struct {
	code int
	err  error // printed when not nil
}

func (e exitStatus) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e exitStatus) Unwrap() error { return e.err }

// driftStatus maps drift's outcome to its exit statuses.
func driftStatus(err error) error {
	var es exitStatus
	switch {
	case err == nil:
		return nil
	case errors.As(err, &es):
		return err
	}
	return exitStatus{code: driftExitError, err: err}
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(envDefault(name, ""), 64); err == nil {
		return v
	}
	return def
}

func runDrift(c *cobra.Command, g *globals, o *driftOptions) error {
	if len(o.baseline) == 0 || len(o.current) == 0 {
		return flagError{errors.New("give --baseline and --current")}
	}
	if o.output != "table" && o.output != "json" {
		return flagError{fmt.Errorf("-o %q: expected table or json", o.output)}
	}
	opts := run.Options{Window: o.window, Columns: o.columns, DriftShare: o.driftShare, LabelsFile: o.labels, LabelColumn: o.labelColumn,
		Store: objstore.New(objstore.Options{S3Endpoint: o.s3Endpoint})}
	var err error
	now := time.Now()
	if opts.Since, err = parseTimeFlag("--since", o.since, now); err != nil {
		return err
	}
	if opts.Until, err = parseTimeFlag("--until", o.until, now); err != nil {
		return err
	}
	if opts.Tests, err = parseTests(o.tests); err != nil {
		return err
	}
	if opts.Thresholds, err = parseThresholds(o.thresholds); err != nil {
		return err
	}
	if o.bundlePath != "" {
		b, err := bundle.Open(o.bundlePath)
		if err != nil {
			return err
		}
		m := b.Manifest
		b.Close()
		opts.Bundle = &m
	}
	rep, err := run.Compare(c.Context(), run.Input{Paths: o.baseline}, run.Input{Paths: o.current}, opts)
	if err != nil {
		return err
	}
	if o.htmlPath != "" {
		if err := writeFileWith(o.htmlPath, func(w io.Writer) error { return report.WriteHTML(w, rep) }); err != nil {
			return fmt.Errorf("--html: %w", err)
		}
	}
	if o.output == "json" {
		if err := report.WriteJSON(g.stdout, rep); err != nil {
			return err
		}
	} else if err := report.WriteTable(g.stdout, rep, isTerminal(g.stdout)); err != nil {
		return err
	}
	if rep.Drift() {
		return errDriftFound
	}
	return nil
}

// parseTimeFlag reads an RFC 3339 time, or a duration meaning that long
// before now.
func parseTimeFlag(flag, s string, now time.Time) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return &t, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		t := now.Add(-d)
		return &t, nil
	}
	return nil, flagError{fmt.Errorf("%s %q: expected an RFC 3339 time (2026-03-04T05:00:00Z) or a duration before now (24h)", flag, s)}
}

func parseTests(list []string) (map[string]stats.TestName, error) {
	out := map[string]stats.TestName{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, flagError{fmt.Errorf("--test %q: expected COLUMN=TEST", kv)}
		}
		t, err := stats.ParseTestName(v)
		if err != nil {
			return nil, flagError{fmt.Errorf("--test %s: %w", k, err)}
		}
		out[k] = t
	}
	return out, nil
}

func parseThresholds(list []string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		f, err := strconv.ParseFloat(v, 64)
		if !ok || k == "" || err != nil || !(f > 0) {
			return nil, flagError{fmt.Errorf("--threshold %q: expected COLUMN=VALUE with a positive number", kv)}
		}
		out[k] = f
	}
	return out, nil
}

// writeFileWith writes a file through a temporary one, so that a failed
// write leaves no half file.
func writeFileWith(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func newDriftProfileCmd(g *globals) *cobra.Command {
	var out, s3Endpoint string
	var merge bool
	c := &cobra.Command{
		Use:   "profile DATA... -o PROFILE",
		Short: "Summarise a data set (or merge profiles) into a small, mergeable drift baseline",
		Long: `Profile data set files (CSV, JSON lines, Parquet; local or s3://) or a
prediction log directory into one profile that 'mlctl drift --baseline' reads.
With --merge, the arguments are profiles (of shards of one data set) merged
into one.`,
		Example: `  mlctl drift profile train.parquet -o train.profile.json
  mlctl drift profile --merge shard-0.json shard-1.json -o all.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			err := func() error {
				if out == "" {
					return flagError{errors.New("give -o PROFILE")}
				}
				in := run.Input{Paths: args}
				if merge {
					in.Kind = run.KindProfile
				}
				p, rows, err := run.Profile(c.Context(), in, run.Options{Store: objstore.New(objstore.Options{S3Endpoint: s3Endpoint})})
				if err != nil {
					return err
				}
				if err := writeFileWith(out, p.Encode); err != nil {
					return err
				}
				fmt.Fprintf(g.stdout, "profiled %d rows, %d columns → %s\n", rows, len(p.Columns), out)
				return nil
			}()
			return driftStatus(err)
		},
	}
	f := c.Flags()
	f.StringVarP(&out, "output", "o", "", "profile file to write (required)")
	f.BoolVar(&merge, "merge", false, "merge the given profiles instead of reading data")
	f.StringVar(&s3Endpoint, "s3-endpoint", envDefault(objstore.EnvS3Endpoint, ""), "base URL of an S3-compatible store for s3:// data sets")
	return c
}
