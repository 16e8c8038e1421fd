// Package inferencepb is the Go code protoc generates from grpc_service.proto,
// mlctl's own statement of the Open Inference Protocol v2 gRPC API (package
// inference, service GRPCInferenceService).
//
// To regenerate after editing the .proto, run from this directory:
//
//	apt-get install -y protobuf-compiler   # protoc
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
//	PATH=$PATH:$(go env GOPATH)/bin go generate .
//
// Keep protoc-gen-go at the google.golang.org/protobuf version in go.mod;
// protoc-gen-go-grpc v1.6 needs google.golang.org/grpc v1.64 or later.
package inferencepb
