"""scikit-learn in-process: the baseline for BenchmarkPredict.

usage: bench_inprocess.py MODEL [--min-seconds S] BATCH...
For each batch size, times what the sidecar does for one Predict of the iris
classifier (predict and predict_proba on a float64 [N,4] array cut from iris,
rows cycled as in the Go benchmark) and prints one line per batch size:
    batch=N ns_per_call=... rows_per_s=...
"""
import argparse
import pickle
import time

import numpy as np
from sklearn.datasets import load_iris

parser = argparse.ArgumentParser()
parser.add_argument("model")
parser.add_argument("batch", type=int, nargs="+")
parser.add_argument("--min-seconds", type=float, default=1.0)
args = parser.parse_args()

with open(args.model, "rb") as f:
    model = pickle.load(f)
iris = load_iris().data

for batch in args.batch:
    X = np.ascontiguousarray(iris[np.arange(batch) % len(iris)], dtype=np.float64)
    for _ in range(10):  # warm up
        model.predict(X)
        model.predict_proba(X)
    calls = 0
    start = time.perf_counter()
    while True:
        model.predict(X)
        model.predict_proba(X)
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= args.min_seconds and calls >= 10:
            break
    ns = elapsed * 1e9 / calls
    print("batch=%d ns_per_call=%.0f rows_per_s=%.0f" % (batch, ns, batch * 1e9 / ns), flush=True)
