// Package pack turns model files — ONNX, PMML, scikit-learn pickles, or an
// MLflow model directory — into an mlctl bundle: it copies them in, reads
// the signature from whichever format carries one, records an input example
// and the golden outputs every flavor gives on it, checks that the flavors
// agree, and seals the manifest with digests.
package pack
