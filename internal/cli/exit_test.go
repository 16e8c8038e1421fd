package cli

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/pack"
)

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err    error
		code   int
		silent bool
	}{
		{nil, exitOK, true},
		{errors.New("boom"), exitError, false},
		{flagError{errors.New("bad flag")}, exitUsage, false},
		{fmt.Errorf("x: %w", flavors.ErrInvalidInput), exitInvalidData, false},
		{fmt.Errorf("x: %w", flavors.ErrUnsupported), exitInvalidData, false},
		{fmt.Errorf("x: %w", bundle.ErrTampered), exitBadBundle, false},
		{fmt.Errorf("x: %w", bundle.ErrInvalid), exitBadBundle, false},
		{fmt.Errorf("x: %w", flavors.ErrUnavailable), exitUnavailable, false},
		{fmt.Errorf("x: %w", pack.ErrMismatch), exitCheckFailed, false},
		{fmt.Errorf("x: %w", pack.ErrSelfVerification), exitCheckFailed, false},
		{fmt.Errorf("x: %w", docker.ErrNoEngine), exitUnavailable, false},
		{errCheckFailed, exitCheckFailed, true},
	}
	for _, tc := range cases {
		var stderr bytes.Buffer
		assert.Equal(t, tc.code, exitCode(tc.err, &stderr), "%v", tc.err)
		assert.Equal(t, tc.silent, stderr.Len() == 0, "%v printed %q", tc.err, stderr.String())
	}
}

func TestMainUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	assert.Equal(t, exitUsage, Main([]string{"pack", "--bogus"}, nil, &out, &errOut))
	assert.Contains(t, errOut.String(), "unknown flag: --bogus")
	errOut.Reset()
	assert.Equal(t, exitUsage, Main([]string{"inspect"}, nil, &out, &errOut))
	assert.Contains(t, errOut.String(), "Usage: mlctl inspect BUNDLE")
}
