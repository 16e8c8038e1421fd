// Package pmml is the "pmml" flavor: a pure-Go evaluator of PMML 3.x and
// 4.x documents.
//
// Parse compiles a document once into an evaluation structure (field slots,
// compiled predicates, flattened trees); Model.Predict then scores a Batch of
// one-dimensional columns named by the model's active MiningFields. A tree
// ensemble (a MiningModel summing or averaging TreeModels) is walked tree by
// tree over the whole batch, on numeric binary splits; a row that needs more
// (a missing value, another predicate) is scored by the general path.
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
// trials; CoxRegression with a baseline cumulative hazard table, optionally
// stratified, predicting the cumulative hazard H0(t)·exp(Σβ(x − referencePoint))
// at endTimeVariable: 0 before the first BaselineCell, missing past maxTime
// or for an unknown stratum; not contrast matrices or per-category PPCells);
// NeuralNetwork (every activation function incl. radialBasis, softmax and
// simplemax, NeuralOutputs through NormDiscrete, FieldRef or an inverted
// NormContinuous); NaiveBayesModel (PairCounts and GaussianDistribution
// inputs, threshold for zero probabilities, missing or unseen values
// skipped); SupportVectorMachineModel (linear, polynomial, radial basis and
// sigmoid kernels; svmRepresentation SupportVectors or Coefficients;
// VectorFields of FieldRef and CategoricalPredictor; vectors as
// REAL-SparseArray or Array; regression, binary, OneAgainstOne by majority
// vote with probabilities the vote shares and ties to the first class,
// OneAgainstAll with probability 1 for the winner; threshold, maxWins;
// not alternateBinaryTargetCategory); ClusteringModel (centerBased, at the
// top level; distance measures euclidean, squaredEuclidean, cityBlock,
// chebychev, minkowski; compareFunction absDiff, gaussSim, delta, equal;
// fieldWeight, isCenterField; a missing field is left out and the rest
// scaled up; not MissingValueWeights, CenterFields, similarity measures or
// distributionBased); AssociationModel (top level, one group field and one
// item field: the rows of a batch that share the group value form one basket,
// in order of first appearance; Items, Itemsets, AssociationRules; OutputFields
// with feature="ruleValue", every ruleFeature, algorithm recommendation,
// exclusiveRecommendation or ruleAssociation, rank, rankBasis and rankOrder;
// not items as field=value pairs of several active fields, nor
// isMultiValued); TreeModel (every predicate and
// missing-value strategy); MiningModel with Segmentation (sum, average,
// weightedAverage, median, max, majorityVote, weightedMajorityVote,
// modelChain, selectFirst); Targets; Output (predictedValue,
// predictedDisplayValue, probability, transformedValue, entityId, and for a
// clustering model clusterId, clusterAffinity, affinity);
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
// "{a,b}->{c}", as BYTES); the OutputField's dataType is not applied. A
// row without a prediction is
// a null. Classes returns nil for a regression.
package pmml
