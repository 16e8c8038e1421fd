// Package report is the outcome of one drift comparison, as the command
// prints it (a terminal table), writes it (-o json, a stable documented
// schema) and renders it (--html, one self-contained file).
//
// A Report is built by the comparison code (package drift/run) and only read
// here; its JSON encoding is the schema documented in docs/drift.md, versioned
// by Format.
//
// Three writers render a Report:
//
//   - WriteTable: a terminal table per window (dataset verdict, one row per
//     column, drifted first, then by Column.Severity; performance metrics).
//     Plain text is stable byte for byte; colour (lipgloss) changes no
//     layout. Long names and notes are cut with "…", and control characters
//     in data are shown escaped, never sent to the terminal.
//   - WriteJSON: the Report as indented JSON in declaration order, with
//     every NaN or infinite number written as null (JSON has neither).
//     Columns keep the Report's order.
//   - WriteHTML: one HTML file with inline CSS and SVG plots, no network
//     access, every string escaped by html/template. Plot size is bounded
//     (numeric bins merged past 60 bars, categories past 30 folded into
//     "other"), so a 50-column report stays well under 1 MB.
package report
