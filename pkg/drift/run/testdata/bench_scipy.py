"""End-to-end benchmark of `mlctl drift` against pandas + scipy computing
the same statistics on the same CSV files (DRIFT.md definitions).

    /usr/bin/python3 bench_scipy.py /path/to/mlctl ROWS [WORKDIR]

Generates baseline and current CSVs of ROWS rows (4 continuous columns,
one with a shift; a 7-value numeric column; a 20-category column), times
`mlctl drift -o json` (wall time, peak RSS from /usr/bin/time) and
pandas.read_csv + scipy on the same files, and prints both scores per
column with their difference. With more than 1000 reference rows the default
tests are Wasserstein (normed) for the continuous columns and
Jensen-Shannon for the others."""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance


def gen(path, n, seed, shift):
    rng = np.random.default_rng(seed)
    cats = np.array([f"c{i:02d}" for i in range(20)])
    df = pd.DataFrame({
        "a": rng.normal(0, 1, n),
        "b": rng.normal(0, 1, n) + shift,
        "c": rng.exponential(2, n),
        "d": rng.uniform(-5, 5, n),
        "k": rng.integers(0, 7, n).astype(float),
        "cat": cats[np.minimum(rng.geometric(0.2 + shift / 10, n) - 1, 19)],
    })
    df.to_csv(path, index=False)


def scipy_scores(ref_path, cur_path):
    ref, cur = pd.read_csv(ref_path), pd.read_csv(cur_path)
    out = {}
    for col in ref.columns:
        r, c = ref[col].dropna(), cur[col].dropna()
        if col == "cat" or pd.concat([r, c]).nunique() <= 5:
            keys = sorted(set(r) | set(c))
            rc = r.value_counts().reindex(keys, fill_value=0).to_numpy(float)
            cc = c.value_counts().reindex(keys, fill_value=0).to_numpy(float)
            out[col] = ("jensenshannon", distance.jensenshannon(rc / rc.sum(), cc / cc.sum()))
        else:
            w = stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)
            out[col] = ("wasserstein", w)
    return out


def main():
    mlctl, rows = sys.argv[1], int(sys.argv[2])
    work = sys.argv[3] if len(sys.argv) > 3 else "."
    ref, cur = os.path.join(work, "ref.csv"), os.path.join(work, "cur.csv")
    gen(ref, rows, 1, 0.0)
    gen(cur, rows, 2, 0.2)

    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M", mlctl, "drift", "--baseline", ref, "--current", cur, "-o", "json"],
                       capture_output=True, text=True)
    mlctl_s = time.perf_counter() - t
    mlctl_rss = int(p.stderr.strip().splitlines()[-1]) / 1024
    rep = json.loads(p.stdout)

    t = time.perf_counter()
    ref_scores = scipy_scores(ref, cur)
    scipy_s = time.perf_counter() - t
    scipy_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"rows per side: {rows}")
    print(f"mlctl drift: {mlctl_s:.2f} s, peak RSS {mlctl_rss:.0f} MiB (exit {p.returncode})")
    print(f"pandas+scipy: {scipy_s:.2f} s, peak RSS {scipy_rss:.0f} MiB")
    print("| column | test | mlctl | scipy | abs diff | approximate |")
    print("|---|---|---|---|---|---|")
    for c in rep["windows"][0]["columns"]:
        test, s = ref_scores[c["name"]]
        print(f"| {c['name']} | {c['test']} (scipy: {test}) | {c['score']:.6g} | {s:.6g} | {abs(c['score'] - s):.2g} | {c['approximate']} |")


if __name__ == "__main__":
    main()
