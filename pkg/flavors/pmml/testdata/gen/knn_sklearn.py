#!/usr/bin/python3
"""Writes knn_sklearn.json: training rows, query rows and scikit-learn's
k-nearest-neighbour predictions, the oracle of nearest_neighbor_test.go.

Run from this directory: /usr/bin/python3 knn_sklearn.py
Iris (classification) is split into 120 training and 30 query rows, the
first 100 rows of diabetes (regression) train and the next 20 are queried.
A query whose k-th and (k+1)-th distances are equal (within 1e-9, as
rounding differs) is dropped, and the order of the neighbours is checked
only where no two of the k+1 nearest tie: which of tied rows comes first is
an implementation detail on both sides.
"""
import json

import numpy as np
from sklearn.datasets import load_diabetes, load_iris
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

K = 5
METRICS = {  # PMML measure -> sklearn metric arguments
    "euclidean": dict(metric="minkowski", p=2),
    "cityBlock": dict(metric="manhattan"),
    "chebychev": dict(metric="chebyshev"),
    "minkowski": dict(metric="minkowski", p=3),
}


def cases(estimator, xtrain, ytrain, xquery):
    out = []
    for measure, kw in METRICS.items():
        for weights in ("uniform", "distance"):
            est = estimator(n_neighbors=K, weights=weights, algorithm="brute", **kw).fit(xtrain, ytrain)
            dist, idx = est.kneighbors(xquery, n_neighbors=K + 1)
            keep = [i for i in range(len(xquery)) if dist[i, K] - dist[i, K - 1] > 1e-9]
            case = {
                "measure": measure,
                "weights": weights,
                "queries": [int(i) for i in keep],
                "neighbors": [[int(j) + 1 for j in idx[i, :K]] for i in keep],
                "ordered": [bool(np.min(np.diff(dist[i])) > 1e-9) for i in keep],
            }
            if hasattr(est, "predict_proba"):
                case["labels"] = [str(v) for v in est.predict(xquery[keep])]
                case["probabilities"] = est.predict_proba(xquery[keep]).tolist()
            else:
                case["predictions"] = est.predict(xquery[keep]).tolist()
            out.append(case)
    return out


def main():
    iris = load_iris()
    x, y = iris.data, iris.target_names[iris.target]
    query = np.arange(len(x)) % 5 == 0
    diabetes = load_diabetes()
    dx, dy = diabetes.data, diabetes.target
    doc = {
        "k": K,
        "iris": {
            "fields": ["sepal_length", "sepal_width", "petal_length", "petal_width"],
            "classes": sorted(set(y)),
            "train": x[~query].tolist(), "target": y[~query].tolist(), "query": x[query].tolist(),
            "cases": cases(KNeighborsClassifier, x[~query], y[~query], x[query]),
        },
        "diabetes": {
            "fields": list(diabetes.feature_names),
            "train": dx[:100].tolist(), "target": dy[:100].tolist(), "query": dx[100:120].tolist(),
            "cases": cases(KNeighborsRegressor, dx[:100], dy[:100], dx[100:120]),
        },
    }
    with open("knn_sklearn.json", "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
