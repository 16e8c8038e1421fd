// Package serve is mlctl's model server core: the registry of loaded models
// (name → versions), the router in front of each name (canary, shadow,
// sticky A/B), and the one inference path every protocol reaches:
// decode (in the protocol package) → schema check → batcher → model.
//
// Protocols live in subpackages and speak to the core through Inferencer:
// httpapi (MLflow scoring protocol and Open Inference Protocol v2 REST) and
// grpcapi (Open Inference Protocol v2 gRPC). Errors are typed here once and
// mapped to HTTP statuses and gRPC codes in one function each.
package serve
