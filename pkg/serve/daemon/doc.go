// Package daemon runs `mlctl serve` as a process: it opens the prediction
// log, deploys the configured bundles, watches a bundle directory, listens
// for HTTP and gRPC (with TLS and a bearer token when configured), and on
// cancellation drains every in-flight request before returning.
package daemon
