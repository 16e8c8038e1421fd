#!/usr/bin/python3
"""Times the default drift statistics the way Evidently computes them with
scipy/numpy/pandas, on 1M reference + 1M current rows × 1 column: the
counterpart of the Go benchmarks in bench_test.go. Prints rows·features/s
(reference + current rows per second), best of 3.

    /usr/bin/python3 pkg/drift/stats/testdata/bench_scipy.py
"""
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

N = 1_000_000
rng = np.random.default_rng(1)
ref = rng.normal(0, 1, N)
cur = rng.normal(0.1, 1, N)


def wasserstein():
    return stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)


def ks():
    return stats.ks_2samp(ref, cur).pvalue


def fill(p):
    m = p[p != 0].min()
    np.place(p, p == 0, m / 10 ** 6 if m <= 0.0001 else 0.0001)
    return p


def psi():
    # Evidently's get_binned_data: nunique over 20 → Sturges bins over ref ∪ cur.
    pd.Series(ref).nunique()
    edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    r = fill(np.histogram(ref, edges)[0] / N)
    c = fill(np.histogram(cur, edges)[0] / N)
    return np.sum((r - c) * np.log(r / c))


few_ref = pd.Series(np.clip((ref * 1.2 + 2).astype(int), 0, 4).astype(float))
few_cur = pd.Series(np.clip((cur * 1.2 + 2).astype(int), 0, 4).astype(float))


def shares(a, b):
    keys = sorted(set(a.unique()) | set(b.unique()))
    ra, rb = a.value_counts(), b.value_counts()
    return (np.array([ra.get(k, 0) / len(a) for k in keys]), np.array([rb.get(k, 0) / len(b) for k in keys]))


def js_few():
    pd.concat([few_ref, few_cur]).nunique()
    return distance.jensenshannon(*shares(few_ref, few_cur))


labels = np.array(["category-%02d" % i for i in range(50)], dtype=object)
cat_ref = pd.Series(labels[np.minimum(rng.integers(0, 50, N), rng.integers(0, 50, N))])
cat_cur = pd.Series(labels[np.minimum(rng.integers(0, 50, N), rng.integers(0, 50, N))])


def js_cat():
    pd.concat([cat_ref, cat_cur]).nunique()
    return distance.jensenshannon(*shares(cat_ref, cat_cur))


for name, fn in [("Wasserstein1M", wasserstein), ("KS1M", ks), ("PSI1M", psi),
                 ("JensenShannonFewValues1M", js_few), ("JensenShannonCategorical1M", js_cat)]:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    print("%-28s %8.1f ms  %12.0f rows·features/s" % (name, best * 1e3, 2 * N / best))
