// Package onnx is the "onnx" flavor: it runs ONNX models with ONNX Runtime
// through github.com/yalue/onnxruntime_go, which loads the runtime's shared
// library at run time (see LibraryPath for where it looks and Version to
// load it early).
//
// Outputs follow the flavors conventions. A scikit-learn classifier as
// skl2onnx writes it (a label tensor, then probabilities as a tensor or a
// ZipMap sequence of maps) is presented as "label" and "probabilities"
// ([N,C] FP64), with Classes read from the model's ai.onnx.ml nodes, else
// from LoadOptions.Classes, else "0".."C-1". With LoadOptions.Task set to
// regression, a lone float output [N] or [N,1] becomes "prediction" [N]
// FP64. Any other model keeps its native output names and dtypes.
//
// Each session runs with one intra-op thread: a run uses the core it is
// called on, and the caller (the batcher) decides how many run at once.
// Predict is safe for concurrent use.
//
// Limits of onnxruntime_go v1.27.0 this flavor works around: FP16 outputs
// are fetched through an FP32 Cast added to the graph (exact), rank-0
// outputs are preallocated, and a ZipMap's input tensor is fetched instead
// of its maps (much faster). What it cannot do: pass rank-0 string or FP16
// inputs, run models with no inputs, and load models whose inputs or outputs
// are sequences, maps or optionals (other than a classifier's ZipMap) or use
// bfloat16, float8, int4 or complex elements.
package onnx
