package grpcapi

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

// Code maps an error from decoding or from the server core to the gRPC
// status code a client sees. It is the one place this mapping is made.
func Code(err error) codes.Code {
	switch {
	case err == nil:
		return codes.OK
	case errors.Is(err, flavors.ErrInvalidInput):
		return codes.InvalidArgument
	case errors.Is(err, serve.ErrModelNotFound):
		return codes.NotFound
	case errors.Is(err, serve.ErrNotReady), errors.Is(err, serve.ErrQueueFull), errors.Is(err, serve.ErrShuttingDown):
		return codes.Unavailable
	case errors.Is(err, context.DeadlineExceeded):
		return codes.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		return codes.Canceled
	}
	return codes.Internal
}

// statusError turns err into the status error a handler returns.
func statusError(err error) error {
	if _, ok := status.FromError(err); ok {
		return err // already a status (auth, say): keep its code
	}
	return status.Error(Code(err), err.Error())
}
