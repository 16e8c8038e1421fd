"""Writes metrics_oracle.json: sklearn's accuracy, macro F1, ROC AUC (binary
and one-vs-rest macro), RMSE and MAE on generated cases, the oracle for
metrics_test.go. Run with /usr/bin/python3 (scikit-learn 1.2)."""
import json

import numpy as np
from sklearn import metrics

rng = np.random.default_rng(7)
cases = []


def classification(name, classes, n, noise, ties=False):
    y = rng.choice(classes, size=n)
    k = len(classes)
    logits = rng.normal(size=(n, k))
    for i, c in enumerate(y):
        logits[i, classes.index(c)] += noise
    if ties:
        logits = np.round(logits, 0)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    pred = [classes[j] for j in p.argmax(axis=1)]
    case = {
        "name": name, "task": "classification", "classes": classes,
        "truth": list(map(str, y)), "pred": pred, "probs": p.tolist(),
        "accuracy": metrics.accuracy_score(y, pred),
        "f1_macro": metrics.f1_score(y, pred, average="macro"),
    }
    if k == 2:
        case["roc_auc"] = metrics.roc_auc_score(y, p[:, 1])
    else:
        case["roc_auc"] = metrics.roc_auc_score(y, p, multi_class="ovr", average="macro", labels=classes)
    cases.append(case)


classification("binary", ["neg", "pos"], 500, 1.0)
classification("binary_ties", ["0", "1"], 300, 0.8, ties=True)
classification("three_classes", ["setosa", "versicolor", "virginica"], 600, 1.5)
classification("five_classes_weak", ["a", "b", "c", "d", "e"], 400, 0.3)

for name, n in [("regression", 400), ("regression_small", 7)]:
    y = rng.normal(10, 3, size=n)
    pred = y + rng.normal(0, 1.5, size=n)
    cases.append({
        "name": name, "task": "regression", "truth": y.tolist(), "pred": pred.tolist(),
        "rmse": float(np.sqrt(metrics.mean_squared_error(y, pred))),
        "mae": metrics.mean_absolute_error(y, pred),
    })

with open("metrics_oracle.json", "w") as f:
    json.dump(cases, f)
