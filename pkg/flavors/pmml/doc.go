// Package pmml is the "pmml" flavor: a pure-Go evaluator of PMML 3.x and
// 4.x documents.
//
// Parse compiles a document once into an evaluation structure (field slots,
// compiled predicates, flattened trees); Model.Predict then scores a Batch of
// one-dimensional columns named by the model's active MiningFields.
//
// Implemented: DataDictionary (Values with valid/invalid/missing property,
// Intervals); MiningSchema (usage types, missingValueReplacement,
// missingValueTreatment incl. returnInvalid, invalidValueTreatment
// returnInvalid/asIs/asMissing/asValue, outliers); TransformationDictionary
// and LocalTransformations (FieldRef, Constant, Apply with the common
// built-in functions, NormContinuous, NormDiscrete, MapValues with an
// InlineTable, Discretize); RegressionModel; GeneralRegressionModel
// (regression, generalLinear, generalizedLinear with every link function,
// multinomialLogistic, ordinalMultinomial; factors, covariates, offset,
// trials; not CoxRegression, contrast matrices or per-category PPCells);
// NeuralNetwork (every activation function incl. radialBasis, softmax and
// simplemax, NeuralOutputs through NormDiscrete, FieldRef or an inverted
// NormContinuous); NaiveBayesModel (PairCounts and GaussianDistribution
// inputs, threshold for zero probabilities, missing or unseen values
// skipped); TreeModel (every predicate and
// missing-value strategy); MiningModel with Segmentation (sum, average,
// weightedAverage, median, max, majorityVote, weightedMajorityVote,
// modelChain, selectFirst); Targets; Output (predictedValue,
// predictedDisplayValue, probability, transformedValue, entityId);
// mathContext="float".
//
// Anything else is refused when the document is parsed, with an error that
// names it and its line and wraps flavors.ErrUnsupported, so that a model is
// never scored with part of it ignored. Documented simplifications:
//   - a function result that is not a number (NaN) is a missing value, whatever
//     the Apply's invalidValueTreatment;
//   - validity (invalidValueTreatment) is settled by the top-level model's
//     MiningSchema when a row comes in; nested models apply their own
//     missing-value replacement and outlier treatment;
//   - missingValuePenalty is accepted: it scales a tree's confidence, which is
//     not an output here.
//
// Outputs follow package flavors: a classifier returns "label" and
// "probabilities" (columns in Classes() order: the target's Values, then
// classes in order of first appearance); a regression returns "prediction";
// every OutputField follows under its own name. A row without a prediction is
// a null. Classes returns nil for a regression.
package pmml
