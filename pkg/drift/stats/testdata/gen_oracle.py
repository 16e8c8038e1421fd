#!/usr/bin/python3
"""Writes oracle.json: scipy/numpy results the Go tests in pkg/drift/stats
compare against. Run with Debian's python3 (numpy, scipy):

    /usr/bin/python3 pkg/drift/stats/testdata/gen_oracle.py

Samples are not stored: both sides regenerate them from a seed with
splitmix64 and IEEE +,-,*,/ and floor only (Irwin-Hall sums of 12 uniforms
for a bell shape), so Go and Python get bit-identical values without libm.
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import special, stats
from scipy.spatial import distance

MASK = (1 << 64) - 1


def splitmix(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def numeric(spec):
    """Mirror of genNumeric in oracle_test.go."""
    g = splitmix(spec["seed"])
    out = []
    for _ in range(spec["n"]):
        s = 0.0
        for _ in range(12):
            s += (next(g) >> 11) * 2.0 ** -53
        x = (s - 6.0) * spec["scale"] + spec["loc"]
        if spec["grid"] > 0:
            x = math.floor(x * spec["grid"]) / spec["grid"]
        out.append(x)
    return np.array(out)


def categorical(spec):
    """Mirror of genCategorical: skewed ints (min of two draws) as labels."""
    g = splitmix(spec["seed"])
    out = []
    for _ in range(spec["n"]):
        a = next(g) % spec["k"]
        b = next(g) % spec["k"]
        v = min(a, b) + spec["offset"]
        out.append("c%03d" % v)
    return out


def num_spec(seed, n, loc=0.0, scale=1.0, grid=0):
    return {"seed": seed, "n": n, "loc": loc, "scale": scale, "grid": grid}


def binned(ref, cur):
    """Evidently's get_binned_data (shares) for a numeric column."""
    if len(np.unique(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, edges)[0] / len(ref)
        c = np.histogram(cur, edges)[0] / len(cur)
    else:
        keys = np.unique(np.concatenate([ref, cur]))
        r = np.array([np.sum(ref == k) for k in keys]) / len(ref)
        c = np.array([np.sum(cur == k) for k in keys]) / len(cur)
    return r, c


def fill(p):
    p = p.copy()
    m = p[p != 0].min()
    np.place(p, p == 0, m / 10 ** 6 if m <= 0.0001 else 0.0001)
    return p


def psi(r, c):
    r, c = fill(r), fill(c)
    return float(np.sum((r - c) * np.log(r / c)))


def counts_for(ref, cur):
    keys = sorted(set(ref) | set(cur))
    return ([float(ref.count(k)) if isinstance(ref, list) else float(np.sum(ref == k)) for k in keys],
            [float(cur.count(k)) if isinstance(cur, list) else float(np.sum(cur == k)) for k in keys])


def chi_from_counts(rc, cc):
    rc, cc = np.array(rc), np.array(cc)
    exp = rc * (cc.sum() / rc.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        res = stats.chisquare(cc, exp)
    return float(res.statistic), float(res.pvalue)


def z_from_counts(rc, cc):
    n1, n2 = sum(rc), sum(cc)
    p1, p2 = (n1 - rc[0]) / n1, (n2 - cc[0]) / n2
    P = (p1 * n1 + p2 * n2) / (n1 + n2)
    if P in (0.0, 1.0):
        return 0.0, 1.0
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))


def main():
    out = {"scipy": scipy.__version__, "numpy": np.__version__}

    # Two-sample KS over sizes (equal, unequal, coprime), shifts and ties;
    # n = 10001 goes to the asymptotic kstwo branch.
    ks = []
    sizes = [(1, 1), (3, 3), (5, 8), (7, 13), (20, 20), (30, 45), (64, 48), (100, 100), (99, 101),
             (250, 400), (500, 500), (1000, 1000), (997, 1200), (3000, 5000), (10000, 9999),
             (10000, 10000), (10001, 10001), (10001, 500), (10001, 37), (20000, 15000)]
    seed = 1
    for n1, n2 in sizes:
        for loc, scale, grid in [(0.0, 1.0, 0), (0.15, 1.0, 0), (0.6, 1.3, 0), (0.05, 1.0, 2)]:
            a = num_spec(seed, n1, 0.0, 1.0, grid)
            b = num_spec(seed + 1000, n2, loc, scale, grid)
            seed += 1
            r = stats.ks_2samp(numeric(a), numeric(b))
            ks.append({"ref": a, "cur": b, "d": float(r.statistic), "p": float(r.pvalue)})
    out["ks"] = ks

    # kstwo.sf over every branch of scipy's method selection.
    kstwo = []
    for n in [1, 2, 3, 5, 10, 50, 100, 140, 141, 500, 1000, 5000, 20000, 100000, 100001, 1500000]:
        for x in [0.0005, 0.002, 0.01, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.8, 0.95]:
            p = float(stats.kstwo.sf(x, n))
            if p > 1e-280:
                kstwo.append({"n": n, "x": x, "p": p})
    out["kstwo"] = kstwo

    out["smirnov"] = [{"n": n, "x": x, "p": float(special.smirnov(n, x))}
                      for n in [1, 2, 7, 50, 140, 1000, 50000, 2000000]
                      for x in [0.001, 0.02, 0.1, 0.3, 0.5, 0.9]
                      if special.smirnov(n, x) > 1e-280]

    out["gammaincc"] = [{"a": a, "x": x, "q": float(special.gammaincc(a, x))}
                        for a in [0.5, 1.0, 1.5, 2.5, 5.0, 10.0, 49.5, 200.0, 1000.0, 5000.5]
                        for x in [a * f for f in [0.01, 0.2, 0.5, 0.9, 1.0, 1.1, 1.5, 2.0, 4.0, 10.0]]
                        if special.gammaincc(a, x) > 1e-280]

    # Categorical columns: chi-square, Z, PSI, JS from counts.
    cats = []
    seed = 500
    for n1, n2, k1, k2, off in [(30, 30, 2, 2, 0), (50, 80, 2, 3, 0), (200, 150, 5, 5, 0), (1000, 700, 12, 12, 0),
                                (1000, 1000, 12, 14, 0), (5000, 3000, 40, 40, 1), (20, 500, 3, 3, 0),
                                (300, 300, 6, 6, 2), (2000, 2500, 200, 200, 0)]:
        a = {"seed": seed, "n": n1, "k": k1, "offset": 0}
        b = {"seed": seed + 1, "n": n2, "k": k2, "offset": off}
        seed += 2
        ra, rb = categorical(a), categorical(b)
        rc, cc = counts_for(ra, rb)
        chi, chip = chi_from_counts(rc, cc)
        z, zp = z_from_counts(rc, cc)
        r, c = np.array(rc) / sum(rc), np.array(cc) / sum(cc)
        # JSON has no Infinity: an infinite statistic (unseen category) is null.
        cats.append({"ref": a, "cur": b, "chi2": chi if math.isfinite(chi) else None, "chi2_p": chip, "z": z, "z_p": zp,
                     "psi": psi(r, c), "js": float(distance.jensenshannon(r, c))})
    out["categorical"] = cats

    # Numeric columns: PSI / JS with Evidently's binning, normed Wasserstein,
    # and the Sturges edges themselves.
    nums = []
    seed = 900
    for n1, n2, loc, scale, grid in [(50, 50, 0.0, 1.0, 0), (200, 300, 0.3, 1.0, 0), (1000, 1000, 0.0, 1.0, 4),
                                     (5000, 4000, 0.1, 1.2, 0), (10001, 10001, 0.5, 1.0, 0), (3000, 3000, 0.0, 1.0, 1),
                                     (4096, 4096, 0.2, 1.0, 0), (777, 1300, -0.4, 0.5, 8), (2000, 100, 0.0, 1.0, 0)]:
        a = num_spec(seed, n1, 0.0, 1.0, grid)
        b = num_spec(seed + 1, n2, loc, scale, grid)
        seed += 2
        x, y = numeric(a), numeric(b)
        r, c = binned(x, y)
        edges = np.histogram_bin_edges(np.concatenate([x, y]), bins="sturges")
        w = stats.wasserstein_distance(x, y)
        nums.append({"ref": a, "cur": b, "psi": psi(r, c), "js": float(distance.jensenshannon(r, c)),
                     "wasserstein": float(w), "wasserstein_normed": float(w / max(np.std(x), 0.001)),
                     "edges": [float(e) for e in edges]})
    out["numeric"] = nums

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "oracle.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(path, os.path.getsize(path), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
