package report

import "time"

// Format names the JSON schema version of a Report.
const Format = "mlctl.drift.report/v1"

// Report is one comparison of a current window against a baseline.
type Report struct {
	Format    string    `json:"format"`
	Generated time.Time `json:"generated"`
	// Baseline and Current say where the data came from: files, a log
	// directory, a profile, and the time range read.
	Baseline Source `json:"baseline"`
	Current  Source `json:"current"`
	// Model is the bundle the prediction log was written for, when known.
	Model *Model `json:"model,omitempty"`
	// Windows holds one result per --window (one when no window was asked).
	Windows []Window `json:"windows"`
}

// Source describes one side of the comparison.
type Source struct {
	Kind  string   `json:"kind"` // "dataset", "log", "profile"
	Paths []string `json:"paths"`
	Rows  int64    `json:"rows"`
	// Since and Until bound the rows read from a prediction log.
	Since *time.Time `json:"since,omitempty"`
	Until *time.Time `json:"until,omitempty"`
}

// Model identifies the model whose inputs and outputs are compared.
type Model struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	UUID    string `json:"uuid"`
}

// Window is the comparison for one time window of the current data.
type Window struct {
	Start *time.Time `json:"start,omitempty"`
	End   *time.Time `json:"end,omitempty"`
	Rows  int64      `json:"rows"`
	// Dataset is the share of drifted columns and the dataset verdict.
	Dataset Dataset `json:"dataset"`
	// Columns are the features then the predictions, drifted first.
	Columns []Column `json:"columns"`
	// Performance compares quality metrics when labels are known.
	Performance *Performance `json:"performance,omitempty"`
	// Empty says why the window could not be compared (no rows), if so.
	Empty string `json:"empty,omitempty"`
}

// Dataset is the dataset-level drift verdict.
type Dataset struct {
	Columns   int     `json:"columns"`
	Tested    int     `json:"tested"`
	Drifted   int     `json:"drifted"`
	Share     float64 `json:"share"`
	Threshold float64 `json:"threshold"`
	Drift     bool    `json:"drift"`
}

// Column is one column's test, with what a plot needs.
type Column struct {
	Name string `json:"name"`
	Role string `json:"role"` // "feature" or "prediction"
	Kind string `json:"kind"` // "numeric" or "categorical"
	Test string `json:"test"` // stats.TestName: "ks", "chisquare", "z", "psi", "jensenshannon", "wasserstein"
	// Tested is false when the test could not run; Reason says why.
	Tested    bool     `json:"tested"`
	Statistic float64  `json:"statistic"`
	PValue    *float64 `json:"p_value,omitempty"` // for p-value tests only
	Score     float64  `json:"score"`
	Threshold float64  `json:"threshold"`
	Drift     bool     `json:"drift"`
	// Approximate is set when a sketch, not the exact sample, entered the
	// statistic.
	Approximate bool   `json:"approximate"`
	Reason      string `json:"reason,omitempty"`

	RefRows    int `json:"ref_rows"`
	CurRows    int `json:"cur_rows"`
	RefMissing int `json:"ref_missing"`
	CurMissing int `json:"cur_missing"`
	Unique     int `json:"unique"`
	Unseen     int `json:"unseen"`

	// Histogram is the baseline and current distribution for a plot.
	Histogram Histogram `json:"histogram"`
}

// Histogram is a column's distribution on both sides over the same bins:
// numeric columns have Edges (len(Ref)+1 of them), categorical ones Labels.
type Histogram struct {
	Edges  []float64 `json:"edges,omitempty"`
	Labels []string  `json:"labels,omitempty"`
	Ref    []float64 `json:"ref"` // shares, summing to 1 (or all 0 when empty)
	Cur    []float64 `json:"cur"`
}

// Performance compares model quality on labelled rows (concept drift).
type Performance struct {
	Task    string   `json:"task"` // "classification" or "regression"
	Label   string   `json:"label"`
	Metrics []Metric `json:"metrics"`
}

// Metric is one quality metric on both sides.
type Metric struct {
	Name     string  `json:"name"` // accuracy, f1_macro, roc_auc, rmse, mae
	Baseline float64 `json:"baseline"`
	Current  float64 `json:"current"`
	Delta    float64 `json:"delta"`
	RefRows  int64   `json:"ref_rows"`
	CurRows  int64   `json:"cur_rows"`
}

// Drift reports whether any window shows dataset drift.
func (r *Report) Drift() bool {
	for _, w := range r.Windows {
		if w.Dataset.Drift {
			return true
		}
	}
	return false
}
