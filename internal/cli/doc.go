// Package cli holds mlctl's cobra commands. Commands only parse flags into an
// options struct, call into pkg/, and print; exit codes and hints are
// decided in one place (exit.go).
package cli
