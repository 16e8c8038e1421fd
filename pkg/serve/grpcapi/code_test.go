package grpcapi

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"google.golang.org/grpc/codes"

	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/serve"
)

func TestCode(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("model iris version 2: %w", err) }
	for _, tc := range []struct {
		err  error
		want codes.Code
	}{
		{nil, codes.OK},
		{wrap(flavors.ErrInvalidInput), codes.InvalidArgument},
		{wrap(serve.ErrModelNotFound), codes.NotFound},
		{wrap(serve.ErrNotReady), codes.Unavailable},
		{wrap(serve.ErrQueueFull), codes.Unavailable},
		{wrap(serve.ErrShuttingDown), codes.Unavailable},
		{wrap(context.DeadlineExceeded), codes.DeadlineExceeded},
		{wrap(context.Canceled), codes.Canceled},
		{wrap(flavors.ErrUnavailable), codes.Internal},
		{errors.New("session crashed"), codes.Internal},
	} {
		assert.Equal(t, tc.want, Code(tc.err), "%v", tc.err)
	}
}
