package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

// errUnsupportedMedia marks a content type the route does not take (415).
var errUnsupportedMedia = errors.New("unsupported media type")

// errTooLarge marks a body over the server's limit (413).
var errTooLarge = errors.New("request body too large")

// Status is the one mapping from an error to an HTTP status.
func Status(err error) int {
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return http.StatusOK
	case errors.As(err, &mbe), errors.Is(err, errTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errUnsupportedMedia):
		return http.StatusUnsupportedMediaType
	case errors.Is(err, flavors.ErrInvalidInput):
		return http.StatusBadRequest
	case errors.Is(err, serve.ErrModelNotFound):
		return http.StatusNotFound
	case errors.Is(err, serve.ErrQueueFull), errors.Is(err, serve.ErrNotReady), errors.Is(err, serve.ErrShuttingDown), errors.Is(err, flavors.ErrUnavailable):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return 499 // the client went away; nginx's code, for logs and metrics
	}
	return http.StatusInternalServerError
}

// mlflowErrorCode names an error as MLflow's scoring server does.
func mlflowErrorCode(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge:
		return "BAD_REQUEST"
	case http.StatusNotFound:
		return "RESOURCE_DOES_NOT_EXIST"
	case http.StatusServiceUnavailable:
		return "TEMPORARILY_UNAVAILABLE"
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED"
	}
	return "INTERNAL_ERROR"
}

// setRetryAfter asks a client to back off when the server is saturated.
func setRetryAfter(w http.ResponseWriter, err error) {
	if errors.Is(err, serve.ErrQueueFull) || errors.Is(err, serve.ErrShuttingDown) {
		w.Header().Set("Retry-After", strconv.Itoa(int(serve.RetryAfter.Seconds())))
	}
}
