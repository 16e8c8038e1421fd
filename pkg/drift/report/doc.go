// Package report is the outcome of one drift comparison, as the command
// prints it (a terminal table), writes it (-o json, a stable documented
// schema) and renders it (--html, one self-contained file).
//
// A Report is built by the comparison code (package drift/run) and only read
// here; its JSON encoding is the schema documented in docs/drift.md, versioned
// by Format.
package report
