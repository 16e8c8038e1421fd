package objstore

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Scheme says which kind of store a Location lives in.
type Scheme string

const (
	// SchemeFile is the local filesystem.
	SchemeFile Scheme = "file"
	// SchemeS3 is Amazon S3 or an S3-compatible store.
	SchemeS3 Scheme = "s3"
)

// maxKeyBytes is S3's limit on a key's length; local paths get the same bound
// so that a hostile argument cannot make us allocate without limit.
const maxKeyBytes = 1024

// Location names one object, a directory/prefix, or a glob, in either store.
// The zero value is not valid; make one with Parse.
type Location struct {
	// Scheme is SchemeFile or SchemeS3.
	Scheme Scheme
	// Bucket is the S3 bucket; empty for local locations.
	Bucket string
	// Path is the S3 key (or key prefix, or glob), without a leading "/",
	// or the local path, cleaned, as given (relative paths stay relative).
	Path string
}

// Parse reads a local path, a file:// URI or an s3://bucket/key URI.
// Everything else with a "scheme://" prefix is rejected with ErrBadURI.
func Parse(uri string) (Location, error) {
	bad := func(why string) (Location, error) {
		return Location{}, &Error{Op: "parse", URI: uri, Err: fmt.Errorf("%w: %s", ErrBadURI, why)}
	}
	if uri == "" {
		return bad("empty location")
	}
	if len(uri) > maxKeyBytes+64 {
		return bad(fmt.Sprintf("longer than %d bytes", maxKeyBytes+64))
	}
	if strings.ContainsRune(uri, 0) {
		return bad("contains a NUL byte")
	}
	scheme, rest, hasScheme := strings.Cut(uri, "://")
	if !hasScheme {
		return Location{Scheme: SchemeFile, Path: filepath.Clean(uri)}, nil
	}
	switch strings.ToLower(scheme) {
	case "file":
		host, p, _ := strings.Cut(rest, "/")
		if host != "" && host != "localhost" {
			return bad(fmt.Sprintf("file URI names host %q; only local files are supported (use file:///path)", host))
		}
		if p == "" {
			return bad("file URI has no path (use file:///path)")
		}
		return Location{Scheme: SchemeFile, Path: filepath.Clean("/" + p)}, nil
	case "s3":
		bucket, key, _ := strings.Cut(rest, "/")
		if err := checkBucketName(bucket); err != nil {
			return bad(err.Error())
		}
		if len(key) > maxKeyBytes {
			return bad(fmt.Sprintf("key is longer than %d bytes", maxKeyBytes))
		}
		return Location{Scheme: SchemeS3, Bucket: bucket, Path: key}, nil
	default:
		return bad(fmt.Sprintf("unsupported scheme %q: use a local path, file:///path or s3://bucket/key", scheme))
	}
}

// checkBucketName applies S3's bucket naming rules loosely: enough to catch
// typos such as "s3:///key" or "s3://My Bucket" before any request is sent.
func checkBucketName(b string) error {
	if b == "" {
		return fmt.Errorf("no bucket name (expected s3://bucket/key)")
	}
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q must be 3 to 63 characters", b)
	}
	for _, r := range b {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_'
		if !ok {
			return fmt.Errorf("bucket name %q may hold only lowercase letters, digits, '.', '-' and '_'", b)
		}
	}
	return nil
}

// String gives the location back as a URI: a plain path for local
// locations, s3://bucket/key for S3.
func (l Location) String() string {
	if l.Scheme == SchemeS3 {
		return "s3://" + l.Bucket + "/" + l.Path
	}
	return l.Path
}

// IsS3 reports whether the location is in S3.
func (l Location) IsS3() bool { return l.Scheme == SchemeS3 }

// Join returns the location of name under l, treating l as a directory or
// prefix: Join("part-0.parquet") on s3://b/out gives s3://b/out/part-0.parquet.
func (l Location) Join(name string) Location {
	if l.Scheme == SchemeS3 {
		if l.Path == "" || strings.HasSuffix(l.Path, "/") {
			l.Path += strings.TrimPrefix(name, "/")
		} else {
			l.Path = path.Join(l.Path, name)
		}
		return l
	}
	l.Path = filepath.Join(l.Path, name)
	return l
}

// HasGlob reports whether the location's path holds glob metacharacters
// ('*', '?', '[') and so names a set of objects rather than one.
func (l Location) HasGlob() bool {
	return strings.ContainsAny(l.Path, "*?[")
}
