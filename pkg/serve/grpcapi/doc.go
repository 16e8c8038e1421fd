// Package grpcapi serves the Open Inference Protocol v2 over gRPC: the
// inference.GRPCInferenceService of KServe and Triton, so their clients,
// grpcurl and ghz work unchanged. It decodes a ModelInferRequest into a
// flavors.Batch, fits it to the model's inputs and hands it to the server
// core (serve.Inferencer); the answer goes back in raw or typed contents.
//
// Requests carry tensors either in raw_input_contents (one entry per input,
// little-endian, row-major; a BYTES element is a 4-byte length and its
// bytes) or in the typed contents field for each datatype, never both. The
// datatype must be the model's, as in Triton, with the tabular convention
// allowed: a column may be sent as [N] or [N,1], and a request with
// parameters.content_type "pd" may send a column in another datatype,
// which is cast. Responses are raw when the request was raw, asked for
// binary_data_output (or binary_data on an output), or hold FP16.
//
// Errors map to gRPC codes in one place, Code. The server also registers
// grpc.health.v1 (SERVING while the core is ready) and server reflection.
// The generated protocol code lives in inferencepb.
package grpcapi
