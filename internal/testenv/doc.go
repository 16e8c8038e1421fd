// Package testenv starts and reaches the real components that tests need
// and that mlctl does not ship: an S3-compatible server (versitygw) and an
// independent Parquet reader (DuckDB, through Node.js).
//
// scripts/testenv/*.sh install them into mlctl's cache directory
// (${XDG_CACHE_HOME:-~/.cache}/mlctl); scripts/setup.sh runs those scripts.
// When a component is missing, the helpers skip the test with the exact
// command that installs it, unless MLCTL_TESTENV_STRICT=1 is set (as CI
// may do), in which case they fail it.
package testenv
