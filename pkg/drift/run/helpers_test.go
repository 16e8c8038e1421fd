package run

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// logRow is a prediction log line as mlctl serve writes it.
type logRow struct {
	TS        time.Time      `json:"ts"`
	RequestID string         `json:"request_id"`
	Row       int            `json:"row"`
	Model     string         `json:"model"`
	Version   string         `json:"version"`
	UUID      string         `json:"uuid"`
	Inputs    map[string]any `json:"inputs"`
	Outputs   map[string]any `json:"outputs"`
}

// writeLog writes rows as one prediction log file in a new directory.
func writeLog(t *testing.T, rows []logRow) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for _, r := range rows {
		if r.Model == "" {
			r.Model, r.Version, r.UUID = "m", "1", "u-1"
		}
		line, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "predictions-20260304T050607.123Z-000001.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeCSV writes a CSV file with a header and rows.
func writeCSV(t *testing.T, header string, rows []string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data.csv")
	if err := os.WriteFile(p, []byte(header+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func floatRows(xs []float64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprint(x)
	}
	return out
}
