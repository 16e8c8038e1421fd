#!/usr/bin/python3
"""Generate examples/pmml-conformance/: scikit-learn models exported to PMML,
with scikit-learn's own predictions as the expected output.

Usage: /usr/bin/python3 examples/make_pmml_conformance.py [--out DIR]

The R/Rattle conformance set the PMML evaluator is tested against lacks some
model classes (nearest neighbours, Gaussian naive Bayes, boosted
classifiers, MLPs, kernel SVMs, k-means, scaler pipelines). For each recipe
below this fits a small model (fixed seeds, at most 150 training rows) and
writes:

* <Name>.pmml          the model, via exporters/pmml_export.py;
* <Name>.input.csv     held-out rows, header = feature names;
* <Name>.expected.csv  scikit-learn's predictions on those rows: a column
                       named after the target (label or value; "cluster" for
                       KMeans) and, for classifiers with probability outputs,
                       probability_<class> columns named as the PMML
                       OutputFields;
* README.md            the files, estimators, parameters and tolerances.

Before anything is written, every export is scored by exporters/pmml_check.py
(an independent reading of the PMML file) and must agree with scikit-learn
on every held-out row: labels exactly, numbers to 1e-9 relative. A rerun
rewrites identical files.
"""

import argparse
import csv
import math
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

sys.dont_write_bytecode = True

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LinearRegression, Ridge  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402
from sklearn.svm import SVC  # noqa: E402

from exporters import pmml_check  # noqa: E402
from exporters.pmml_export import export_pmml  # noqa: E402
from exporters.pmml_models import CLUSTER_OUTPUT, svc_machines  # noqa: E402
from modelgen import datasets  # noqa: E402
from modelgen.artifacts import write_input_csv  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "pmml-conformance"
MAX_TRAIN_ROWS = 150
TOLERANCE = 1e-9


@dataclass
class Recipe:
    """One conformance file set."""

    name: str
    dataset: object  # () -> datasets.Split
    estimator: object  # () -> unfitted estimator
    params: str  # as shown in README.md
    probabilities: bool = True  # classifiers: expected.csv has probability_<class>
    tolerance: str = "1e-9 relative"


def _iris40():
    return datasets.iris(test_rows=40)


def _diabetes40():
    return datasets.diabetes(test_rows=40)


def _svc(kernel, **params):
    return lambda: SVC(kernel=kernel, **params)


RECIPES = [
    Recipe("KNeighborsClassifierIris", _iris40, lambda: KNeighborsClassifier(n_neighbors=5, algorithm="kd_tree"),
           "n_neighbors=5, weights='uniform', algorithm='kd_tree'"),
    Recipe("KNeighborsClassifierIrisDistance", _iris40, lambda: KNeighborsClassifier(n_neighbors=7, weights="distance", algorithm="kd_tree"),
           "n_neighbors=7, weights='distance', algorithm='kd_tree'"),
    Recipe("KNeighborsRegressorDiabetes", _diabetes40, lambda: KNeighborsRegressor(n_neighbors=5, algorithm="kd_tree"),
           "n_neighbors=5, weights='uniform', algorithm='kd_tree'"),
    Recipe("KNeighborsRegressorDiabetesDistance", _diabetes40, lambda: KNeighborsRegressor(n_neighbors=6, weights="distance", algorithm="kd_tree"),
           "n_neighbors=6, weights='distance', algorithm='kd_tree'"),
    Recipe("GaussianNBIris", datasets.iris, GaussianNB, "defaults (var_smoothing=1e-9)"),
    Recipe("GradientBoostingClassifierBreastCancer", datasets.breast_cancer,
           lambda: GradientBoostingClassifier(n_estimators=20, max_depth=2, learning_rate=0.2, random_state=0),
           "n_estimators=20, max_depth=2, learning_rate=0.2, random_state=0 (binary)"),
    Recipe("GradientBoostingClassifierIris", datasets.iris,
           lambda: GradientBoostingClassifier(n_estimators=10, max_depth=2, learning_rate=0.3, random_state=0),
           "n_estimators=10, max_depth=2, learning_rate=0.3, random_state=0 (3 classes, 30 trees)"),
    Recipe("MLPClassifierIris", datasets.iris,
           lambda: make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), activation="relu", max_iter=600, random_state=0)),
           "Pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), activation='relu', max_iter=600, random_state=0))"),
    Recipe("MLPClassifierBreastCancer", datasets.breast_cancer,
           lambda: make_pipeline(MinMaxScaler(), MLPClassifier(hidden_layer_sizes=(6, 4), activation="tanh", max_iter=400, random_state=0)),
           "Pipeline(MinMaxScaler(), MLPClassifier(hidden_layer_sizes=(6, 4), activation='tanh', max_iter=400, random_state=0)) (binary: logistic output)"),
    Recipe("MLPRegressorDiabetes", datasets.diabetes,
           lambda: MLPRegressor(hidden_layer_sizes=(8,), activation="logistic", learning_rate_init=0.05, max_iter=300, random_state=0),
           "hidden_layer_sizes=(8,), activation='logistic', learning_rate_init=0.05, max_iter=300, random_state=0"),
    Recipe("MLPRegressorDiabetesIdentity", datasets.diabetes,
           lambda: MLPRegressor(hidden_layer_sizes=(4,), activation="identity", learning_rate_init=0.05, max_iter=300, random_state=0),
           "hidden_layer_sizes=(4,), activation='identity', learning_rate_init=0.05, max_iter=300, random_state=0"),
    Recipe("SVCRbfIris", datasets.iris, _svc("rbf", random_state=0), "kernel='rbf', gamma='scale', C=1", probabilities=False, tolerance="label exact"),
    Recipe("SVCPolyIris", datasets.iris, _svc("poly", degree=3, coef0=1.0, random_state=0), "kernel='poly', degree=3, coef0=1.0, gamma='scale'",
           probabilities=False, tolerance="label exact"),
    Recipe("SVCSigmoidIris", datasets.iris, _svc("sigmoid", gamma=0.01, coef0=-0.5, C=2.0, random_state=0), "kernel='sigmoid', gamma=0.01, coef0=-0.5, C=2.0",
           probabilities=False, tolerance="label exact"),
    Recipe("SVCLinearIris", datasets.iris, _svc("linear", C=0.5, random_state=0), "kernel='linear', C=0.5", probabilities=False, tolerance="label exact"),
    Recipe("SVCRbfBreastCancerMinMax", datasets.breast_cancer,
           lambda: make_pipeline(MinMaxScaler(), SVC(kernel="rbf", gamma=2.0, random_state=0)),
           "Pipeline(MinMaxScaler(), SVC(kernel='rbf', gamma=2.0)) (binary)", probabilities=False, tolerance="label exact"),
    Recipe("KMeansIris", datasets.iris, lambda: KMeans(n_clusters=3, n_init=10, random_state=0), "n_clusters=3, n_init=10, random_state=0",
           tolerance="cluster id exact"),
    Recipe("LinearRegressionDiabetes", datasets.diabetes, LinearRegression, "defaults"),
    Recipe("RidgeDiabetesStandardScaler", datasets.diabetes, lambda: make_pipeline(StandardScaler(), Ridge(alpha=2.0)),
           "Pipeline(StandardScaler(), Ridge(alpha=2.0))"),
]


def final_step(estimator):
    return estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator


def sklearn_outputs(estimator, x):
    """scikit-learn's predictions: (values per row, probabilities or None)."""
    model = final_step(estimator)
    values = estimator.predict(x)
    if isinstance(model, KMeans):
        return [str(int(v)) for v in values], None
    if hasattr(model, "classes_"):
        probabilities = estimator.predict_proba(x) if hasattr(model, "predict_proba") and not isinstance(model, SVC) else None
        return [str(v) for v in values], probabilities
    return [float(v) for v in values], None


def close(got, want, tolerance=TOLERANCE):
    """The Go test's rule: within want·(1±tol), or both within ±tol of zero."""
    if abs(got) <= tolerance and abs(want) <= tolerance:
        return True
    return abs(got - want) <= abs(want) * tolerance


def knn_ambiguous(model, x):
    """Rows whose k nearest neighbours or whose vote are not unique: the
    k-th and (k+1)-th training rows equally far, or two classes tied for the
    most votes (scikit-learn then picks the first class, PMML says nothing)."""
    distances, indices = model.kneighbors(x, n_neighbors=model.n_neighbors + 1)
    ambiguous = distances[:, -1] == distances[:, -2]
    if hasattr(model, "classes_"):
        proba = model.predict_proba(x)
        top = np.sort(proba, axis=1)
        ambiguous |= top[:, -1] == top[:, -2]
    return ambiguous


def check_export(recipe, path, estimator, x, values, probabilities):
    """Score the written PMML with pmml_check and compare with scikit-learn."""
    rows = [dict(zip(x.columns, map(float, row))) for row in x.itertuples(index=False)]
    scored = pmml_check.score(path, rows)
    model = final_step(estimator)
    classes = [str(c) for c in getattr(model, "classes_", [])]
    for r, (mine, want) in enumerate(zip(scored, values)):
        got = mine["value"]
        ok = close(got, want) if isinstance(want, float) else got == want
        if not ok:
            raise AssertionError(f"{recipe.name}: row {r}: pmml_check gives {got!r}, scikit-learn {want!r}")
        if probabilities is None:
            continue
        for k, label in enumerate(classes):
            if not close(mine["probabilities"][label], float(probabilities[r, k])):
                raise AssertionError(f"{recipe.name}: row {r} P({label}): pmml_check {mine['probabilities'][label]!r}, scikit-learn {probabilities[r, k]!r}")
    if isinstance(model, SVC):
        check_svc_decisions(recipe, estimator, x)


def check_svc_decisions(recipe, estimator, x):
    """The exported machines' decision values equal libsvm's (to rounding)."""
    svc = final_step(estimator)
    transformed = estimator[:-1].transform(x) if hasattr(estimator, "steps") else x
    decisions = svc.decision_function(transformed) if len(svc.classes_) == 2 else None
    if decisions is None:
        svc.decision_function_shape = "ovo"
        decisions = svc.decision_function(transformed)
        svc.decision_function_shape = "ovr"
    else:
        decisions = -decisions[:, None]  # scikit-learn flips a binary SVC's sign
    kernel = {"linear": lambda a, b: a @ b, "poly": lambda a, b: (svc._gamma * (a @ b) + svc.coef0) ** svc.degree,
              "sigmoid": lambda a, b: math.tanh(svc._gamma * (a @ b) + svc.coef0),
              "rbf": lambda a, b: math.exp(-svc._gamma * float(np.sum((a - b) ** 2)))}[svc.kernel]
    for r, row in enumerate(np.asarray(transformed, dtype=np.float64)):
        for p, (_, _, vectors, coefficients, intercept) in enumerate(svc_machines(svc)):
            mine = intercept + sum(c * kernel(row, svc.support_vectors_[v]) for v, c in zip(vectors, coefficients))
            if abs(mine - decisions[r, p]) > 1e-9 * max(1.0, abs(decisions[r, p])):
                raise AssertionError(f"{recipe.name}: row {r} machine {p}: decision {mine!r}, libsvm {decisions[r, p]!r}")


def write_expected(path, header, columns):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in zip(*columns):
            writer.writerow(row)


def make(recipe, out):
    """Fit, export, check and write one recipe; return its README row."""
    split = recipe.dataset()
    x_train, y_train = split.x_train.iloc[:MAX_TRAIN_ROWS], split.y_train[:MAX_TRAIN_ROWS]
    estimator = recipe.estimator()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(x_train, y_train)
    model = final_step(estimator)
    x_test = split.x_test
    if isinstance(model, (KNeighborsClassifier, KNeighborsRegressor)):
        x_test = x_test[~knn_ambiguous(model, x_test)]
    pmml_path = out / f"{recipe.name}.pmml"
    target = CLUSTER_OUTPUT if isinstance(model, KMeans) else split.target_name
    description = f"{type(model).__name__} ({recipe.params}) on {split.name}; mlctl examples/make_pmml_conformance.py"
    export_pmml(estimator, split.features, split.target_name, pmml_path, description)
    values, probabilities = sklearn_outputs(estimator, x_test)
    if not recipe.probabilities:
        probabilities = None
    check_export(recipe, pmml_path, estimator, x_test, values, probabilities)

    write_input_csv(x_test, out / f"{recipe.name}.input.csv")
    header = [target]
    columns = [[repr(v) if isinstance(v, float) else v for v in values]]
    if probabilities is not None:
        for k, label in enumerate(model.classes_):
            header.append(f"probability_{label}")
            columns.append([repr(float(p)) for p in probabilities[:, k]])
    write_expected(out / f"{recipe.name}.expected.csv", header, columns)
    estimator_name = " → ".join(type(s).__name__ for _, s in estimator.steps) if hasattr(estimator, "steps") else type(estimator).__name__
    return f"| `{recipe.name}` | {estimator_name} | {recipe.params} | {split.name}: {len(x_train)} train / {len(x_test)} held out | {', '.join(header)} | {recipe.tolerance} |"


README_HEAD = """# scikit-learn models as PMML conformance files

Generated by `examples/make_pmml_conformance.py` (do not edit by hand):
scikit-learn {sklearn} models exported to PMML 4.4 by `examples/exporters/`,
with scikit-learn's own predictions as the expected output. They cover model
classes the R/Rattle conformance set lacks; `pkg/flavors/pmml/sklearn_conformance_test.go`
scores them with the Go evaluator.

Each `<Name>` has `<Name>.pmml`, `<Name>.input.csv` (held-out rows, header =
feature names) and `<Name>.expected.csv` (a column named after the PMML target
field, or `cluster` for KMeans, with the label or value, and for classifiers
with probability outputs one `probability_<class>` column per class, named as
the PMML OutputFields). Numbers are written with Python's `repr`, so they
round-trip exactly.

Tolerance: a number matches within expected·(1 ± tol) or when both are within
±tol of zero; labels and cluster ids match exactly. Before writing, the
generator scores every PMML file with `exporters/pmml_check.py`, an
independent reading of the file, and requires the same agreement with
scikit-learn on every row.

| name | estimator | parameters | data | expected columns | tolerance |
| --- | --- | --- | --- | --- | --- |
"""

README_TAIL = """
Notes:

- Training sets are at most {rows} rows of the split (the first rows after the
  seeded shuffle in `modelgen/datasets.py`), so the files stay small.
- KNeighbors*: held-out rows whose neighbours or vote are not unique (the
  k-th and (k+1)-th training rows equally far, or two classes with equal
  votes) are left out: scikit-learn breaks such ties by index, PMML leaves
  them open. PMML weighs a neighbour 1/(d + threshold), scikit-learn 1/d:
  the files set threshold="1e-300", which changes no distance above ~1e-284.
  Distance-weighted probability columns are scikit-learn's weight shares.
- GaussianNB: PMML multiplies densities, scikit-learn adds their logs; the
  generator checks that no density underflows on these rows.
  threshold="1e-300" (the value PMML substitutes for a zero density) never
  applies here.
- SVC*: only the label is expected. scikit-learn's predict_proba uses Platt
  scaling, which PMML lacks, and PMML's one-against-one probabilities are
  vote shares.
- GradientBoostingClassifier*: leaf scores are learning_rate·value (what
  scikit-learn adds per stage); the initial raw prediction is the intercept
  of the final RegressionModel.
- Not covered: IsolationForest (PMML 4.4 AnomalyDetectionModel, which the
  evaluator does not support).
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = [make(recipe, args.out) for recipe in RECIPES]
    readme = README_HEAD.format(sklearn=sklearn.__version__) + "\n".join(rows) + "\n" + README_TAIL.format(rows=MAX_TRAIN_ROWS)
    (args.out / "README.md").write_text(readme, encoding="utf-8")
    print(f"wrote {len(RECIPES)} models to {args.out}")


if __name__ == "__main__":
    main()
