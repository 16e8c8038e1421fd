// Package run is `mlctl drift`: it turns a baseline and current data into
// columns, profiles them in bounded memory, tests each column with package
// stats and builds the report.Report the command prints.
//
// Sources (Input) are data sets (CSV, JSON lines, Parquet through package
// batch, local or s3://), prediction log directories written by mlctl
// serve (package serve/predlog), saved profiles (package drift/profile,
// merged when several) and bundles packed with a baseline profile.
//
// Columns: a data set's columns by name; a log row's inputs and outputs by
// name, list values flattened into one column per element, named by the
// bundle when one is given (a classifier's probabilities[class], the
// signature's field names for a flavor that takes them as one [N, K]
// tensor), else name[i]. Outputs and the flavors output names (label,
// probabilities, prediction) are predictions; the rest features. A column
// is categorical when the bundle types it BYTES or BOOL, when it is a
// classifier's label, or when its values are text; numeric otherwise. The
// baseline is read first and its kinds bind the current side.
//
// Every side is profiled (profile.Column: exact value counts up to the
// profile's caps, then a KLL sketch or an "other" bucket), so memory does
// not grow with rows. While the caps hold, profile.Compare equals the
// stats tests on the raw values; past them the result is marked
// Approximate and says why.
//
// A prediction log side may be cut by time ([Since, Until)) and split into
// Windows, one report.Window each; windows with no rows are reported as
// empty. With labels (LabelsFile joined on request_id and row, or
// LabelColumn on both sides) each window also compares accuracy, macro F1
// and ROC AUC (classifiers) or RMSE and MAE (regressors) with the
// baseline's, as scikit-learn computes them (testdata/gen_metrics_oracle.py).
package run
