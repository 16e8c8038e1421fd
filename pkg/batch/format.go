package batch

import (
	"fmt"
	"strings"
)

// Format is an input file format.
type Format string

// The formats batch reads.
const (
	CSV       Format = "csv"
	JSONLines Format = "jsonl"
	Parquet   Format = "parquet"
)

// FormatOf chooses the format from a name's extension: .csv, .jsonl or
// .ndjson, .parquet (or .pq). CSV and JSON lines may be gzip-compressed
// (.csv.gz); the second result says so.
func FormatOf(name string) (Format, error) {
	f, _, err := formatOf(name)
	return f, err
}

func formatOf(name string) (Format, bool, error) {
	l := strings.ToLower(name)
	gz := strings.HasSuffix(l, ".gz")
	l = strings.TrimSuffix(l, ".gz")
	switch {
	case strings.HasSuffix(l, ".csv"):
		return CSV, gz, nil
	case strings.HasSuffix(l, ".jsonl"), strings.HasSuffix(l, ".ndjson"):
		return JSONLines, gz, nil
	case (strings.HasSuffix(l, ".parquet") || strings.HasSuffix(l, ".pq")) && !gz:
		return Parquet, false, nil
	}
	return "", false, fmt.Errorf("input %s: unknown format: expected .csv, .jsonl, .ndjson or .parquet (CSV and JSON lines may end in .gz)", name)
}
