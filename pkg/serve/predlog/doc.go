// Package predlog is the prediction log: what `mlctl serve` answered, kept
// as JSON lines for `mlctl drift` and for anyone with jq or pandas.
//
// Each answered request is sampled (Config.SampleRate) and queued on a
// bounded buffer; one background goroutine encodes it, one line per row,
// into files that rotate by size. Log never blocks serving: when the buffer
// is full the request is dropped and counted (Dropped), and the server
// exports that count as mlctl_prediction_log_dropped_total.
//
// ReadDir reads the files back in time order. docs/prediction-log.md
// describes the format field by field.
package predlog
