// Package pmml is the "pmml" flavor: a pure-Go evaluator of PMML 3.0–4.4
// documents.
//
// Parse compiles a document once into an evaluation structure (field slots,
// compiled predicates and expressions, flattened trees); Model.Predict then
// scores a Batch of one-dimensional columns named by the model's active
// MiningFields. Tree ensembles are walked tree by tree over blocks of rows
// from flat node arrays (flat_tree.go, ensemble.go); a row that needs more (a
// missing value, another predicate) is scored by the general path, with the
// same result.
//
// Every model type of PMML 4.4 that real producers emit is implemented except
// BaselineModel, BayesianNetworkModel, GaussianProcessModel, SequenceModel,
// TextModel, TimeSeriesModel and AnomalyDetectionModel; docs/pmml.md lists
// what each model type, transformation and built-in function supports and
// what is refused. Anything not implemented is refused when the document is
// parsed, with an error that names it and its line and wraps
// flavors.ErrUnsupported, so that a model is never scored with part of it
// ignored. Documented simplifications:
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
// every OutputField follows under its own name. A clustering model has no
// target and keeps native names: its outputs are its OutputFields
// (predictedValue is the nearest cluster's id, or its 1-based position when
// the Cluster has no id; predictedDisplayValue its name; clusterAffinity the
// distance to a cluster), or, when it declares none, one BYTES column
// "cluster" with the nearest cluster's id. An AssociationModel returns one
// row per basket: a BYTES column named after the group field with the
// basket's group value, then its OutputFields (support, confidence, lift,
// leverage and affinity as FP64; ruleId, the rule's id or its 1-based
// position, and antecedent, consequent and rule as text such as "{a,b}" and
// "{a,b}->{c}", as BYTES); the OutputField's dataType is not applied. Dates
// and times are ISO 8601 text (BYTES) in and out. A row without a prediction
// is a null. Classes returns nil for a regression.
//
// A document's ModelVerification records are the model's own test cases:
// Model.SelfVerify scores them (flavors.SelfVerifier), and mlctl pack and
// mlctl verify refuse a model that fails them.
package pmml
