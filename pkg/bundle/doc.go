// Package bundle defines the mlctl bundle: a directory (or the same content
// as one .mlb archive) holding model files of one or more flavors and a
// manifest, mlctl.yaml, that is the single source of truth about them.
//
// Open verifies every file's sha256 against the manifest before anything
// reads a model, and extracts archives defensively: no absolute paths, no
// "..", no links, bounded sizes. The package is a leaf: serve, batch and
// deploy read bundles through it without importing the packer.
package bundle
