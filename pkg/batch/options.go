package batch

import (
	"fmt"
	"runtime"
	"time"

	"github.com/mlctl/mlctl/pkg/flavors"
)

// OnError says what a run does with a row it cannot score.
type OnError string

const (
	// Fail stops the run at the first bad row, naming input, row and column.
	Fail OnError = "fail"
	// Skip writes each bad row with its reason to an error file beside the
	// part and goes on; the summary counts them.
	Skip OnError = "skip"
)

// Defaults for Options' zero values.
const (
	DefaultBatchRows    = 8192
	DefaultRowGroupRows = 256 * 1024
	DefaultCompression  = "zstd"
)

// Options configure a Run.
type Options struct {
	// Sources are the inputs in order; their positions name the parts.
	Sources []Source
	// Output receives the parts, error files and the run manifest.
	Output Store

	// Model scores the rows. It is presented under the columns of Inputs
	// (load.Model's models are).
	Model flavors.Model
	// Inputs are the columns fed to the model; default Model.Signature().Inputs.
	Inputs []flavors.Spec
	// Example is a batch the model can score (the bundle's input example);
	// the run scores it first to learn the outputs' names, types and widths.
	// Without one, the outputs are the model signature's.
	Example flavors.Batch
	// Outputs names the model outputs to write; default all.
	Outputs []string
	// Classes name the columns of an [N,C] probabilities output.
	Classes []string

	// ModelUUID, ModelName, ModelVersion and Flavor identify the model in
	// the output and the manifest; MlctlVersion is recorded too.
	ModelUUID, ModelName, ModelVersion, Flavor string
	MlctlVersion                               string

	// Keep lists input columns copied to the output beside the predictions;
	// KeepAll copies every column of the first input.
	Keep    []string
	KeepAll bool

	// BatchRows is the rows per model call; Workers the concurrent calls
	// (1 for a model that says it is Serial).
	BatchRows int
	Workers   int
	// RowGroupRows bounds a Parquet row group; RowGroupsPerPart > 0 splits a
	// Parquet input into parts of that many row groups (finer resume and
	// sharding), else each input is one part.
	RowGroupRows     int
	RowGroupsPerPart int
	// Compression is zstd (default), snappy or none.
	Compression string

	OnError OnError
	Shard   Shard
	// ScoredAt is the scored_at value; zero means now, or on a rerun the
	// time the manifest recorded.
	ScoredAt time.Time

	// Progress, when set, is called every ProgressInterval (default 1s)
	// while the run goes, from one goroutine.
	Progress         func(Progress)
	ProgressInterval time.Duration

	// exampleModel scores Example when Model was adapted to columns.
	exampleModel flavors.Model
}

func (o *Options) setDefaults() error {
	if len(o.Sources) == 0 {
		return fmt.Errorf("no inputs")
	}
	if o.Output == nil {
		return fmt.Errorf("no output")
	}
	if o.Model == nil {
		return fmt.Errorf("no model")
	}
	if len(o.Inputs) == 0 {
		o.Inputs = o.Model.Signature().Inputs
	}
	if o.BatchRows <= 0 {
		o.BatchRows = DefaultBatchRows
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if s, ok := o.Model.(flavors.Serial); ok && s.Serial() {
		o.Workers = 1
	}
	if o.RowGroupRows <= 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	if o.Compression == "" {
		o.Compression = DefaultCompression
	}
	if _, err := compressionCodec(o.Compression); err != nil {
		return err
	}
	switch o.OnError {
	case "":
		o.OnError = Fail
	case Fail, Skip:
	default:
		return fmt.Errorf("on-error %q: expected fail or skip", o.OnError)
	}
	if o.Shard.Count == 0 {
		o.Shard = Shard{Index: 0, Count: 1}
	}
	if o.Shard.Index < 0 || o.Shard.Index >= o.Shard.Count {
		return fmt.Errorf("shard %d/%d: expected 0 ≤ i < N", o.Shard.Index, o.Shard.Count)
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = time.Second
	}
	return nil
}
