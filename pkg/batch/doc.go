// Package batch scores files too large for memory with a model and writes
// the predictions as Parquet.
//
// Inputs (CSV, JSON lines, Parquet) are read as streamed Arrow record
// batches of Options.BatchRows rows, converted to the model's input columns
// with the parsing rules of mlctl predict, scored by Options.Workers
// concurrent calls, and written back in input order with pqarrow: one part
// file per input (or per run of Parquet row groups), written under a
// temporary name and committed whole. Each part holds the kept input
// columns, one column per prediction value, model_uuid, model_version and
// scored_at, and names the model, the input and its sha256 in its key-value
// metadata.
//
// A run manifest in the output lists the finished parts. Run with the same
// options again and it skips them and reuses the recorded scored_at, so an
// interrupted run, finished, is byte for byte an uninterrupted one. A Shard
// takes every Count-th unit of work, so that machines split a run.
//
// # Storage seam
//
// Run reads through Source and writes through Store/PartWriter and knows no
// more of storage than those three small interfaces. LocalFile,
// LocalSources and LocalDir implement them for the local filesystem;
// ObjectSource and ObjectDir for anything pkg/objstore reaches (S3 and
// S3-compatible stores), and Sources resolves local paths and URIs alike:
//   - Source: Name, Size, Version (an ETag), Open (a streaming GET) and
//     OpenAt (ranged GETs, for Parquet footers and column chunks);
//   - Store: Create an object that only becomes visible on Commit (a
//     multipart upload completed on Commit, aborted on Abort or when the
//     run's context ends), and ReadFile (the manifest), with
//     fs.ErrNotExist for a missing object.
package batch
