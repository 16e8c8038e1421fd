// Package httpapi serves the model server core over HTTP: the MLflow scoring
// protocol (/invocations, /ping, /health, /version) so that clients of
// `mlflow models serve` work unchanged, and the Open Inference Protocol v2
// REST API (/v2/...) with the binary tensor extension and the model
// repository extension, plus Prometheus /metrics.
//
// Every route decodes into a flavors.Batch and calls serve.Inferencer.Infer;
// errors become statuses in one function, Status.
package httpapi
