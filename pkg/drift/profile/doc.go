// Package profile keeps a reference data set as a bounded-size summary that
// `mlctl drift` can compare new data against without the original rows.
//
// Per column, a Profile holds row and missing counts, min/max/mean/M2 and
// either the exact distribution (numeric values with counts up to
// Limits.MaxValues distinct values; categories up to Limits.MaxCategories)
// or, past the cap, a KLL quantile sketch (numeric) or an "other" bucket
// (categorical). Profiles of shards Merge into the profile of the whole
// (exactly, while the exact parts are within their caps). Encode/Read use a
// versioned JSON form whose "format" field is Format.
//
// Compare runs the drift test of package stats between a reference column
// and a current one (itself a profile of a window of the stream). With exact
// columns the result is the same as stats on the raw rows; with a sketch or
// an "other" bucket it is marked Approximate and says so in Reason.
package profile
