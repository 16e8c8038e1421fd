package bundle

import "errors"

// Errors returned by this package, wrapped with detail.
var (
	// ErrInvalid marks a bundle that is malformed: a bad manifest, a bad path.
	ErrInvalid = errors.New("invalid bundle")
	// ErrTampered marks a bundle whose files do not match their digests.
	ErrTampered = errors.New("bundle does not match its manifest")
)
