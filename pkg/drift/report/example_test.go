package report_test

import (
	"os"
	"time"

	"github.com/mlctl/mlctl/pkg/drift/report"
)

func ptr[T any](v T) *T { return &v }

func ExampleWriteTable() {
	r := &report.Report{
		Format:    report.Format,
		Generated: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Baseline:  report.Source{Kind: "dataset", Paths: []string{"train.csv"}, Rows: 150},
		Current:   report.Source{Kind: "dataset", Paths: []string{"today.csv"}, Rows: 90},
		Windows: []report.Window{{
			Rows:    90,
			Dataset: report.Dataset{Columns: 2, Tested: 2, Drifted: 1, Share: 0.5, Threshold: 0.5, Drift: true},
			Columns: []report.Column{
				{Name: "petal_width", Role: "feature", Kind: "numeric", Test: "ks", Tested: true,
					Statistic: 0.08, PValue: ptr(0.91), Score: 0.91, Threshold: 0.05},
				{Name: "sepal_length", Role: "feature", Kind: "numeric", Test: "ks", Tested: true,
					Statistic: 0.4, PValue: ptr(0.00003), Score: 0.00003, Threshold: 0.05, Drift: true},
			},
		}},
	}
	if err := report.WriteTable(os.Stdout, r, false); err != nil {
		panic(err)
	}
	// Output:
	// Baseline: dataset train.csv (150 rows)
	// Current:  dataset today.csv (90 rows)
	//
	// Window (90 rows)
	// Dataset DRIFT: 1 of 2 tested columns drifted (share 0.50, threshold 0.50; 2 columns)
	//
	// COLUMN        ROLE     KIND     TEST  SCORE      THRESHOLD  VERDICT
	// sepal_length  feature  numeric  ks    p=3.0e-05  p≤0.05     DRIFT
	// petal_width   feature  numeric  ks    p=0.9100   p≤0.05     ok
}
