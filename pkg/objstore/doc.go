// Package objstore is where batch inputs come from and outputs go to: the
// local filesystem and S3 (or an S3-compatible store), behind one Store.
//
// Locations are parsed once with Parse ("data/in.csv", "file:///abs/dir",
// "s3://bucket/prefix/*.parquet") and then listed, stat'ed, read as a
// stream (CSV, JSONL) or by offset (Parquet: ranged GETs with a small
// read-ahead cache), and written.
//
// Writes are atomic: nothing appears at the location until Writer.Commit.
// Locally the data goes to a hidden temporary file in the same directory
// that is fsynced and renamed into place; on S3 it streams into a
// multipart upload that is completed only on Commit and aborted on Abort
// or when the context ends, so an interrupted run leaves no partial object.
//
// Every error is an *Error naming the operation and the URI, wrapping a
// sentinel (ErrNotFound, ErrNoSuchBucket, ErrAccessDenied, ErrBadURI, ...)
// for errors.Is.
package objstore
