package run

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/drift/profile"
	"github.com/mlctl/mlctl/pkg/drift/stats"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/objstore"
)

// Input kinds: where one side of a comparison comes from.
const (
	KindDataset = "dataset" // CSV, JSON lines or Parquet files, local or s3://
	KindLog     = "log"     // a directory of prediction log files written by mlctl serve
	KindProfile = "profile" // a profile saved by `mlctl drift profile`
	KindBundle  = "bundle"  // a bundle whose manifest holds a baseline profile
)

// Input is one side of a comparison.
type Input struct {
	Kind  string // one of the Kind constants; "" detects it from Paths
	Paths []string
}

// Options control a comparison. The zero value compares every column with
// Evidently's default tests and thresholds.
type Options struct {
	// Bundle names flattened list values (signature fields, class names),
	// types columns (BYTES/BOOL are categorical) and says which columns
	// are predictions. Optional; a bundle baseline sets it.
	Bundle *bundle.Manifest
	// Model, with Bundle, scores data set rows so that a data set side has
	// prediction columns too (mlctl pack --baseline uses it).
	Model flavors.Model
	// Since and Until bound the prediction log rows read ([Since, Until)).
	Since, Until *time.Time
	// Window splits the current log into windows of this length, aligned
	// to Since (or to multiples of Window since the Unix epoch), each
	// compared with the baseline. 0: one window.
	Window time.Duration
	// Columns restricts the comparison to these columns (flattened names).
	Columns []string
	// Tests and Thresholds override a column's test and threshold.
	Tests      map[string]stats.TestName
	Thresholds map[string]float64
	// DriftShare is the dataset drift threshold (0: stats.DefaultDriftShare).
	DriftShare float64
	// LabelsFile holds true labels: columns request_id, label and
	// optionally row, joined to prediction log rows.
	LabelsFile string
	// LabelColumn names a column holding true labels on both sides (a
	// dataset column, or a log input).
	LabelColumn string
	// Limits bound each column's profile (zero: DefaultLimits).
	Limits profile.Limits
	// Store reads s3:// data sets; nil reads local files only.
	Store *objstore.Store
	// Now stamps the report; nil means time.Now.
	Now func() time.Time
}

// DefaultLimits are profile.DefaultLimits with a finer sketch: about 0.1%
// rank error instead of 0.7%, for about 50 KB per sketched column, so that
// distances computed from sketches stay well inside a threshold's margin.
var DefaultLimits = profile.Limits{MaxValues: profile.DefaultLimits.MaxValues, MaxCategories: profile.DefaultLimits.MaxCategories, SketchK: 2048}

// maxWindows bounds the windows one comparison holds in memory.
const maxWindows = 10000

func (o *Options) check() error {
	if o.Limits == (profile.Limits{}) {
		o.Limits = DefaultLimits
	}
	if o.Window < 0 {
		return fmt.Errorf("--window %v: expected a positive duration", o.Window)
	}
	if o.Since != nil && o.Until != nil && !o.Until.After(*o.Since) {
		return fmt.Errorf("--until %s is not after --since %s", o.Until.Format(time.RFC3339), o.Since.Format(time.RFC3339))
	}
	if o.Window > 0 && o.Since != nil && o.Until != nil {
		if n := o.Until.Sub(*o.Since) / o.Window; n > maxWindows {
			return fmt.Errorf("--window %v over %v makes %d windows: at most %d", o.Window, o.Until.Sub(*o.Since), n, maxWindows)
		}
	}
	if o.DriftShare < 0 || o.DriftShare > 1 {
		return fmt.Errorf("--drift-share %g: expected a share between 0 and 1", o.DriftShare)
	}
	if o.LabelsFile != "" && o.LabelColumn != "" {
		return fmt.Errorf("--labels and --label-column: give one")
	}
	return nil
}

func (o *Options) options(column string) stats.Options {
	return stats.Options{Test: o.Tests[column], Threshold: o.Thresholds[column]}
}

func (o *Options) wanted(column string) bool {
	if len(o.Columns) == 0 {
		return true
	}
	for _, c := range o.Columns {
		if c == column {
			return true
		}
	}
	return false
}

// DetectKind tells what a path is: a bundle (a directory with mlctl.yaml or
// a .mlb archive), a prediction log directory, a saved profile (JSON whose
// "format" is profile.Format) or a data set.
func DetectKind(path string) string {
	if strings.HasSuffix(strings.ToLower(path), bundle.ArchiveExt) {
		return KindBundle
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		if _, err := os.Stat(filepath.Join(path, bundle.ManifestFile)); err == nil {
			return KindBundle
		}
		if m, _ := filepath.Glob(filepath.Join(path, "predictions-*.jsonl")); len(m) > 0 {
			return KindLog
		}
		return KindDataset
	}
	if strings.HasSuffix(strings.ToLower(path), ".json") && isProfileFile(path) {
		return KindProfile
	}
	return KindDataset
}

func isProfileFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := f.Read(head)
	return strings.Contains(string(head[:n]), profile.Format)
}

func (in Input) kind() (string, error) {
	if len(in.Paths) == 0 {
		return "", fmt.Errorf("no path given")
	}
	if in.Kind != "" {
		return in.Kind, nil
	}
	k := DetectKind(in.Paths[0])
	for _, p := range in.Paths[1:] {
		if DetectKind(p) != k {
			return "", fmt.Errorf("%s is a %s but %s is a %s: give one kind of input per side", in.Paths[0], k, p, DetectKind(p))
		}
	}
	if (k == KindLog || k == KindBundle) && len(in.Paths) > 1 {
		return "", fmt.Errorf("%s: give one %s per side", in.Paths[1], k)
	}
	return k, nil
}
