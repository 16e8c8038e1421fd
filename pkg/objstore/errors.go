package objstore

import (
	"errors"
	"fmt"
)

// Sentinel errors; match them with errors.Is. Every error this package
// returns is an *Error that names the operation and the URI.
var (
	// ErrBadURI: the location could not be parsed.
	ErrBadURI = errors.New("bad location")
	// ErrNotFound: no object, file or match at the location.
	ErrNotFound = errors.New("not found")
	// ErrNoSuchBucket: the S3 bucket does not exist.
	ErrNoSuchBucket = errors.New("no such bucket")
	// ErrAccessDenied: the credentials were refused or lack permission.
	ErrAccessDenied = errors.New("access denied")
	// ErrTooLarge: an object is larger than the caller's bound.
	ErrTooLarge = errors.New("object too large")
	// ErrChanged: the object changed while it was being read.
	ErrChanged = errors.New("object changed while reading")
	// ErrAborted: a Writer was aborted, or its context ended, before Commit.
	ErrAborted = errors.New("write aborted")
)

// Error is what every failing operation returns.
type Error struct {
	Op  string // "list", "open", "create", "commit", ...
	URI string // the location, as the user wrote it or as String() gives it
	Err error  // wraps one of the sentinels above where one applies
}

func (e *Error) Error() string { return fmt.Sprintf("%s %s: %v", e.Op, e.URI, e.Err) }

func (e *Error) Unwrap() error { return e.Err }
