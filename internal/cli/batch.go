package cli

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlctl/mlctl/pkg/batch"
	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/objstore"
)

type batchOptions struct {
	inputs           []string
	output           string
	flavor           string
	keep             []string
	keepAll          bool
	outputs          []string
	batchRows        int
	workers          int
	rowGroupRows     int
	rowGroupsPerPart int
	compression      string
	onError          string
	shard            string
	scoredAt         string
	progress         string
	progressInterval time.Duration
	s3Endpoint       string
}

func newBatchCmd(g *globals) *cobra.Command {
	o := &batchOptions{}
	c := &cobra.Command{
		Use:   "batch BUNDLE -i INPUT... -o OUTPUT",
		Short: "Score files of any size into Parquet",
		Long: `Score CSV, JSON lines and Parquet files (files, globs, directories) with a
bundle, streaming, and write Parquet part files with the predictions, the kept
input columns, model_uuid, model_version and scored_at (docs/batch.md).

A run manifest in OUTPUT lists the finished parts: running the same command
again skips them and gives the same bytes. --shard i/N scores a deterministic
slice, so N machines (or a Kubernetes Indexed Job) split the work.`,
		Example: `  mlctl batch iris.mlb -i 'data/*.csv' -o scored/ --keep id
  mlctl batch iris.mlb -i data/ -o scored/ --on-error skip --workers 4
  mlctl batch iris.mlb -i data/ -o scored/ --shard 2/8`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runBatch(c, g, o, args[0])
		},
	}
	f := c.Flags()
	f.StringArrayVarP(&o.inputs, "input", "i", nil, "input file, glob or directory, local or s3://bucket/prefix[/*.csv] (.csv, .jsonl, .ndjson, .parquet; .gz for text); repeatable (required)")
	f.StringVarP(&o.output, "output", "o", "", "output directory, or s3://bucket/prefix/ (required)")
	f.StringVar(&o.flavor, "flavor", "", "flavor to run: onnx, pmml or pickle (default: the first of onnx, pmml, pickle that loads here)")
	f.StringSliceVar(&o.keep, "keep", nil, "input columns to copy to the output (IDs), comma-separated")
	f.BoolVar(&o.keepAll, "keep-all", false, "copy every input column to the output")
	f.StringSliceVar(&o.outputs, "outputs", nil, "model outputs to write (default all)")
	f.IntVar(&o.batchRows, "batch-rows", envInt("MLCTL_BATCH_ROWS", batch.DefaultBatchRows), "rows per model call")
	f.IntVar(&o.workers, "workers", envInt("MLCTL_BATCH_WORKERS", 0), "concurrent model calls (default: the number of CPUs)")
	f.IntVar(&o.rowGroupRows, "row-group-rows", batch.DefaultRowGroupRows, "rows per Parquet row group")
	f.IntVar(&o.rowGroupsPerPart, "row-groups-per-part", 0, "split Parquet inputs into parts of this many row groups (default: one part per input file)")
	f.StringVar(&o.compression, "compression", batch.DefaultCompression, "zstd, snappy or none")
	f.StringVar(&o.onError, "on-error", "fail", "fail: stop at the first bad row; skip: write bad rows to errors-*.jsonl and go on")
	f.StringVar(&o.shard, "shard", envDefault("MLCTL_SHARD", ""), "score only shard i of N (i/N, 0-based); default from JOB_COMPLETION_INDEX and MLCTL_SHARD_COUNT when set")
	f.StringVar(&o.scoredAt, "scored-at", "", "scored_at value (RFC 3339; default: now, or the interrupted run's)")
	f.StringVar(&o.progress, "progress", "auto", "auto (a bar on a terminal, JSON lines otherwise), bar, json or none")
	f.DurationVar(&o.progressInterval, "progress-interval", 0, "time between progress reports (default 200ms for the bar, 10s for JSON)")
	f.StringVar(&o.s3Endpoint, "s3-endpoint", envDefault(objstore.EnvS3Endpoint, ""), "base URL of an S3-compatible store for s3:// inputs and outputs (default: AWS S3; credentials and region from the usual AWS environment and config)")
	_ = c.MarkFlagRequired("input")
	_ = c.MarkFlagRequired("output")
	return c
}

func runBatch(c *cobra.Command, g *globals, o *batchOptions, target string) error {
	shard, err := batchShard(o.shard)
	if err != nil {
		return err
	}
	var scoredAt time.Time
	if o.scoredAt != "" {
		if scoredAt, err = time.Parse(time.RFC3339Nano, o.scoredAt); err != nil {
			return flagError{fmt.Errorf("--scored-at %q: expected an RFC 3339 time such as 2026-01-02T15:04:05Z", o.scoredAt)}
		}
	}
	progress := o.progress
	if progress == "auto" {
		progress = "json"
		if isTerminal(g.stderr) {
			progress = "bar"
		}
	}
	st := objstore.New(objstore.Options{S3Endpoint: o.s3Endpoint})
	sources, err := batch.Sources(c.Context(), st, o.inputs...)
	if err != nil {
		return err
	}
	store, err := batchStore(st, o.output)
	if err != nil {
		return err
	}
	b, err := bundle.Open(target)
	if err != nil {
		return err
	}
	defer b.Close()
	opts, err := batch.FromBundle(c.Context(), b, g.loadOptions(o.flavor))
	if err != nil {
		return err
	}
	defer opts.Model.Close()
	opts.Sources, opts.Output = sources, store
	opts.Keep, opts.KeepAll, opts.Outputs = o.keep, o.keepAll, o.outputs
	opts.BatchRows, opts.Workers = o.batchRows, o.workers
	opts.RowGroupRows, opts.RowGroupsPerPart = o.rowGroupRows, o.rowGroupsPerPart
	opts.Compression, opts.OnError, opts.Shard, opts.ScoredAt = o.compression, batch.OnError(o.onError), shard, scoredAt
	opts.MlctlVersion = version()
	opts.ProgressInterval = o.progressInterval
	switch progress {
	case "bar":
		opts.Progress = batch.TerminalProgress(g.stderr)
		if opts.ProgressInterval == 0 {
			opts.ProgressInterval = 200 * time.Millisecond
		}
	case "json":
		opts.Progress = batch.JSONProgress(g.stderr)
		if opts.ProgressInterval == 0 {
			opts.ProgressInterval = 10 * time.Second
		}
	case "none":
	default:
		return flagError{fmt.Errorf("--progress %q: expected auto, bar, json or none", o.progress)}
	}
	g.logger().Debug("batch", "flavor", opts.Flavor, "inputs", len(sources), "shard", shard.String())
	sum, err := batch.Run(c.Context(), opts)
	if progress == "bar" {
		fmt.Fprintln(g.stderr)
	}
	if err != nil {
		return err
	}
	if progress == "json" {
		batch.WriteSummaryJSON(g.stderr, sum)
	}
	batch.WriteSummary(g.stdout, sum)
	return nil
}

// batchShard reads --shard, else a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX with MLCTL_SHARD_COUNT (the Job's completions).
func batchShard(flag string) (batch.Shard, error) {
	if flag != "" {
		s, err := batch.ParseShard(flag)
		if err != nil {
			return batch.Shard{}, flagError{fmt.Errorf("--shard: %w", err)}
		}
		return s, nil
	}
	idx, ok := os.LookupEnv("JOB_COMPLETION_INDEX")
	if !ok || idx == "" {
		return batch.Shard{Index: 0, Count: 1}, nil
	}
	count := os.Getenv("MLCTL_SHARD_COUNT")
	if count == "" {
		return batch.Shard{}, flagError{fmt.Errorf("JOB_COMPLETION_INDEX is %s but MLCTL_SHARD_COUNT is not set: set it to the Job's completions, or pass --shard i/N", idx)}
	}
	s, err := batch.ParseShard(idx + "/" + count)
	if err != nil {
		return batch.Shard{}, flagError{fmt.Errorf("JOB_COMPLETION_INDEX and MLCTL_SHARD_COUNT: %w", err)}
	}
	return s, nil
}

// batchStore is the output: a local directory, or a prefix reached
// through the object store (s3://bucket/prefix/).
func batchStore(st *objstore.Store, out string) (batch.Store, error) {
	if batch.IsURI(out) {
		return batch.NewObjectDir(st, out)
	}
	return batch.NewLocalDir(out)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(envDefault(name, "")); err == nil {
		return v
	}
	return def
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
