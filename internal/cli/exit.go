package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/mlctl/mlctl/pkg/bundle"
	"github.com/mlctl/mlctl/pkg/deploy/docker"
	"github.com/mlctl/mlctl/pkg/flavors"
	"github.com/mlctl/mlctl/pkg/pack"
)

// Exit codes, documented in docs/cli.md.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitInvalidData = 3
	exitBadBundle   = 4
	exitUnavailable = 5
	exitCheckFailed = 6
)

// flagError marks a command-line mistake: usage is shown for these only.
type flagError struct{ err error }

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }

// errCheckFailed marks a verification that ran and did not pass; the
// command has already printed why.
var errCheckFailed = errors.New("check failed")

// exitCode maps an error to the process exit status and prints it, once.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	// A command with its own statuses (mlctl drift: 0/1/2).
	var es exitStatus
	if errors.As(err, &es) {
		if es.err != nil {
			fmt.Fprintln(stderr, "Error:", es.err)
		}
		return es.code
	}
	if !errors.Is(err, errCheckFailed) {
		fmt.Fprintln(stderr, "Error:", err)
	}
	var fe flagError
	switch {
	case errors.As(err, &fe):
		return exitUsage
	case errors.Is(err, errCheckFailed), errors.Is(err, pack.ErrMismatch), errors.Is(err, pack.ErrSelfVerification):
		return exitCheckFailed
	case errors.Is(err, bundle.ErrTampered), errors.Is(err, bundle.ErrInvalid):
		return exitBadBundle
	case errors.Is(err, flavors.ErrUnavailable), errors.Is(err, docker.ErrNoEngine):
		return exitUnavailable
	case errors.Is(err, flavors.ErrInvalidInput), errors.Is(err, flavors.ErrUnsupported):
		return exitInvalidData
	}
	return exitError
}
