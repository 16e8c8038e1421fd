package batch

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"charm.land/bubbles/v2/progress"
)

// TerminalProgress returns a Progress callback that redraws one line on a
// terminal: rows, rows/s, percent of input read, ETA.
func TerminalProgress(w io.Writer) func(Progress) {
	bar := progress.New(progress.WithWidth(24), progress.WithoutPercentage(), progress.WithFillCharacters('█', '░'))
	return func(p Progress) {
		pct := 0.0
		if p.TotalBytes > 0 {
			pct = 100 * float64(p.Bytes) / float64(p.TotalBytes)
		}
		eta := "?"
		if d := p.ETA(); d > 0 {
			eta = d.String()
		}
		fmt.Fprintf(w, "\r\033[K%s %5.1f%%  %d rows  %.0f rows/s  %d errors  parts %d/%d  ETA %s",
			bar.ViewAs(pct/100), pct, p.Rows, p.RowsPerSecond(), p.Errors, p.Parts+p.PartsSkipped, p.PartsTotal, eta)
	}
}

// progressLine is one JSON progress line.
type progressLine struct {
	Event        string  `json:"event"`
	Rows         int64   `json:"rows"`
	Errors       int64   `json:"errors"`
	Bytes        int64   `json:"bytes"`
	TotalBytes   int64   `json:"total_bytes"`
	Parts        int     `json:"parts"`
	PartsSkipped int     `json:"parts_skipped"`
	PartsTotal   int     `json:"parts_total"`
	ElapsedS     float64 `json:"elapsed_s"`
	RowsPerS     float64 `json:"rows_per_s"`
	ETAS         float64 `json:"eta_s,omitempty"`
}

func lineOf(event string, p Progress) progressLine {
	return progressLine{Event: event, Rows: p.Rows, Errors: p.Errors, Bytes: p.Bytes, TotalBytes: p.TotalBytes,
		Parts: p.Parts, PartsSkipped: p.PartsSkipped, PartsTotal: p.PartsTotal,
		ElapsedS: p.Elapsed.Round(time.Millisecond).Seconds(), RowsPerS: float64(int64(p.RowsPerSecond())), ETAS: p.ETA().Seconds()}
}

// JSONProgress returns a Progress callback that writes one JSON object per
// call, for logs and CI where a redrawn line would be noise.
func JSONProgress(w io.Writer) func(Progress) {
	enc := json.NewEncoder(w)
	return func(p Progress) { enc.Encode(lineOf("progress", p)) }
}

// WriteSummary prints the final summary as text.
func WriteSummary(w io.Writer, s Summary) {
	fmt.Fprintf(w, "scored %d rows, %d rejected, in %s (%.0f rows/s)\n", s.Rows, s.Errors, s.Elapsed.Round(time.Millisecond), s.RowsPerSecond())
	fmt.Fprintf(w, "parts: %d written, %d already done, %d in shard → %s (manifest %s)\n", s.Parts, s.PartsSkipped, s.PartsTotal, s.Output, s.Manifest)
}

// WriteSummaryJSON prints the final summary as one JSON line.
func WriteSummaryJSON(w io.Writer, s Summary) {
	l := lineOf("summary", s.Progress)
	json.NewEncoder(w).Encode(struct {
		progressLine
		Output   string    `json:"output"`
		ScoredAt time.Time `json:"scored_at"`
	}{l, s.Output, s.ScoredAt})
}
