"""Makes the pickle flavor's test models and scikit-learn's own predictions.

usage: make_models.py OUTDIR MARKER_PATH
Writes OUTDIR/*.pkl|*.joblib and OUTDIR/expected.json, which holds for each
model the input rows and what scikit-learn itself predicted for them.
Needs testdata/python on PYTHONPATH (for mlctl_testmodels).
"""
import json
import os
import pickle
import sys

import joblib
import numpy as np
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LogisticRegression

import mlctl_testmodels

out, marker = sys.argv[1], sys.argv[2]
expected = {}


def save_pickle(name, obj):
    with open(os.path.join(out, name), "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)


def record(name, model, X, rows):
    e = {"rows": np.asarray(rows, dtype=np.float64).tolist()}
    pred = model.predict(X)
    if hasattr(model, "classes_"):
        e["label"] = [x.item() if hasattr(x, "item") else x for x in pred]
        e["probabilities"] = model.predict_proba(X).tolist()
        e["classes"] = [str(c) for c in model.classes_]
    else:
        e["prediction"] = pred.tolist()
    expected[name] = e


iris = load_iris(as_frame=True)
X_df, y = iris.data, iris.target
lr_df = LogisticRegression(max_iter=1000).fit(X_df, y)
joblib.dump(lr_df, os.path.join(out, "iris_df.joblib"))
record("iris_df.joblib", lr_df, X_df, X_df.to_numpy())
expected["iris_df.joblib"]["features"] = list(X_df.columns)

X = X_df.to_numpy()
lr_np = LogisticRegression(max_iter=1000).fit(X, y.to_numpy())
save_pickle("iris_np.pkl", lr_np)
record("iris_np.pkl", lr_np, X, X)

names = np.asarray(iris.target_names)[y.to_numpy()]
lr_str = LogisticRegression(max_iter=1000).fit(X, names)
save_pickle("iris_str.pkl", lr_str)
record("iris_str.pkl", lr_str, X, X)

Xd, yd = load_diabetes(return_X_y=True)
rf = RandomForestRegressor(n_estimators=10, max_depth=5, random_state=0).fit(Xd, yd)
save_pickle("diabetes_rf.pkl", rf)
record("diabetes_rf.pkl", rf, Xd[:60], Xd[:60])

save_pickle("tricky.pkl", mlctl_testmodels.Tricky())
save_pickle("chatty.pkl", mlctl_testmodels.Chatty())
save_pickle("marker.pkl", mlctl_testmodels.Marker(marker))

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
