// Package flavors holds the contracts every model format implements and the
// tensor/batch type that every command speaks.
//
// A Flavor loads one model file into a Model. A Model takes a Batch of named
// tensors whose first dimension is the row count and returns a Batch.
//
// Output conventions let one bundle present the same outputs whatever flavor
// answers, so that flavors can be compared and swapped:
//   - a classifier returns "label" ([N], BYTES or INT64) and, when it has
//     scores, "probabilities" ([N, C] FP64, columns in Classes() order), and
//     implements Classifier;
//   - a regressor returns "prediction" ([N] FP64, or [N, K] for K targets);
//   - any other model keeps its native output names.
//
// A flavor may return further outputs beside these (a PMML Output field, say).
package flavors
