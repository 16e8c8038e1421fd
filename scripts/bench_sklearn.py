#!/usr/bin/env python3
"""Times scikit-learn's own predict_proba/predict in-process on the example
models, at the batch sizes BenchmarkFlavors uses, so the Go flavors can be
reported as ratios against it (docs/benchmarks.md). Each batch is timed as a
pandas DataFrame (what a model fitted on named columns is usually given) and
as a float matrix (the fastest way in); both are printed.

    /usr/bin/python3 scripts/bench_sklearn.py [MODEL_DIR...]

With directories given, it times those models (same layout as
examples/models/<name>) instead of the two examples.
"""
import os
import pickle
import sys
import time

import warnings

import numpy as np
import pandas as pd

ROOT = os.path.join(os.path.dirname(__file__), "..", "examples", "models")


def rows_per_second(fn, frame, seconds=1.0):
    fn(frame)  # warm up
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn(frame)
        n += 1
    return len(frame) * n / (time.perf_counter() - start)


def main():
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    dirs = sys.argv[1:] or [os.path.join(ROOT, name) for name in ("iris_forest", "diabetes_gbm")]
    for directory in dirs:
        name = os.path.basename(os.path.normpath(directory))
        with open(os.path.join(directory, "model.pkl"), "rb") as f:
            model = pickle.load(f)
        rows = pd.read_csv(os.path.join(directory, "input.csv"))
        fn = model.predict_proba if hasattr(model, "predict_proba") else model.predict
        for size in (1, 64, 1024):
            frame = pd.concat([rows] * (size // len(rows) + 1)).iloc[:size]
            matrix = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
            print(f"{name}/sklearn-dataframe/batch={size}\t{rows_per_second(fn, frame):.0f} rows/s")
            print(f"{name}/sklearn-matrix/batch={size}\t{rows_per_second(fn, matrix):.0f} rows/s")


if __name__ == "__main__":
    main()
