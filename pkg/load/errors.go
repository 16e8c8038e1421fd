package load

import (
	"errors"

	"github.com/mlctl/mlctl/pkg/flavors"
)

func isUnavailable(err error) bool { return errors.Is(err, flavors.ErrUnavailable) }
