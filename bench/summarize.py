"""Turns a bench/serve.sh results directory into the markdown of
docs/benchmarks.md "Serving (issue 3)": raw numbers, then the ratios of
/work/shared BENCHMARKS.md against their targets. Standard library only.

    /usr/bin/python3 bench/summarize.py bench/out
"""

import json
import math
import os
import re
import sys
from collections import defaultdict

SERVERS = ["bare", "pmml", "onnx", "pickle", "python", "mlp-b64", "mlp-b1"]
# The model each mlctl server runs, as named in BenchmarkRawModel, and its
# max_queue_delay in µs.
RAW_MODEL = {"pmml": "iris_forest/pmml", "onnx": "iris_forest/onnx", "pickle": "iris_forest/pickle",
             "mlp-b64": "mlp/onnx", "mlp-b1": "mlp/onnx"}
DELAY_US = {"pmml": 0, "onnx": 0, "pickle": 0, "mlp-b64": 1000, "mlp-b1": 0}


def read_gobench(path):
    """BenchmarkName/sub-P  N  x ns/op  [value unit]... → {name: {unit: value}}."""
    out = {}
    for line in open(path):
        if not line.startswith("Benchmark"):
            continue
        f = line.split()
        name = re.sub(r"-\d+$", "", f[0][len("Benchmark"):])
        vals = {}
        for i in range(2, len(f) - 1, 2):
            try:
                vals[f[i + 1]] = float(f[i])
            except ValueError:
                pass
        out[name] = vals
    return out


def read_metrics(path):
    """Prometheus text → {series with labels: value} for mlctl_ series."""
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path):
        if line.startswith("mlctl_"):
            key, _, v = line.rpartition(" ")
            out[key] = float(v)
    return out


def diff(after, before):
    return {k: v - before.get(k, 0.0) for k, v in after.items()}


def hist(m, name):
    """Sum of a histogram's _sum and _count over all label sets, and its buckets."""
    total = count = 0.0
    buckets = defaultdict(float)
    for k, v in m.items():
        if k.startswith(name + "_sum"):
            total += v
        elif k.startswith(name + "_count"):
            count += v
        elif k.startswith(name + "_bucket"):
            le = re.search(r'le="([^"]+)"', k).group(1)
            buckets[le] += v
    return total, count, buckets


def mean_of(m, name, scale=1.0):
    s, c, _ = hist(m, name)
    return s / c * scale if c else None


def fmt(v, digits=0):
    if v is None:
        return "—"
    if isinstance(v, float) and digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def main(out):
    runs = {}
    order = []
    for name in sorted(os.listdir(os.path.join(out, "runs"))):
        if name.endswith(".json"):
            r = json.load(open(os.path.join(out, "runs", name)))
            runs[r["label"]] = r
    # Metrics per run: the difference from the previous scrape of that server.
    phase_metrics = {}
    for server in SERVERS:
        prev = read_metrics(os.path.join(out, "runs", f"{server}-start.metrics"))
        labels = [f"{server}-max", f"{server}-open10", f"{server}-open80"]
        labels += sorted((k for k in runs if k.startswith(server + "-rate")), key=lambda k: int(k.rsplit("rate", 1)[1]))
        for label in labels:
            if label not in runs:
                continue
            order.append(label)
            cur = read_metrics(os.path.join(out, "runs", f"{label}.metrics"))
            phase_metrics[label] = diff(cur, prev) if cur else {}
            prev = cur or prev

    gb = read_gobench(os.path.join(out, "gobench.txt"))
    loaded_path = os.path.join(out, "gobench-loaded.txt")
    gb_loaded = read_gobench(loaded_path) if os.path.exists(loaded_path) else {}
    machine = open(os.path.join(out, "machine.txt")).read()
    p99_bound = float(re.search(r"p99_bound_ms: (\S+)", machine).group(1)) if "p99_bound_ms" in machine else 50

    def raw_rows_per_s(model, batch, src=gb):
        """X_raw(b), interpolated in log2(b) between measured batch sizes."""
        pts = sorted((int(k.rsplit("batch=", 1)[1]), v["rows/s"]) for k, v in src.items()
                     if k.startswith(f"RawModel/{model}/batch=") and "rows/s" in v)
        if not pts or batch is None:
            return None
        batch = max(batch, 1.0)
        for (b0, x0), (b1, x1) in zip(pts, pts[1:]):
            if b0 <= batch <= b1:
                t = (math.log2(batch) - math.log2(b0)) / (math.log2(b1) - math.log2(b0))
                return x0 + t * (x1 - x0)
        return pts[0][1] if batch < pts[0][0] else pts[-1][1]

    def t_raw_us(model, batch):
        x = raw_rows_per_s(model, batch)
        return max(batch or 1.0, 1.0) / x * 1e6 if x else None

    def mean_batch(label):
        return mean_of(phase_metrics.get(label, {}), "mlctl_batch_rows")

    def x(label):
        """Achieved ok req/s of a run; None for a run with failures."""
        r = runs.get(label)
        if not r or r["failed"] or r["unsent"]:
            return None
        return r["throughput_rps"]

    p = print
    p(machine.strip().replace("\n", "; "))
    p()
    p("#### Load-test runs (bench/loadgen; latency from the intended send time, µs)")
    p()
    p("| run | offered req/s | achieved ok req/s | p50 | p90 | p99 | p99.9 | max | service p50 | failed | mean batch rows |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label in order:
        r = runs[label]
        lat = r["latency_us"]
        offered = fmt(r["rate"]) if r.get("rate") else f"closed, {r['concurrency']} conns"
        p(f"| {label} | {offered} | {fmt(r['throughput_rps'])} | {fmt(lat['p50'])} | {fmt(lat['p90'])} | {fmt(lat['p99'])} "
          f"| {fmt(lat['p99_9'])} | {fmt(lat['max'])} | {fmt(r['service_us']['p50'])} | {r['failed'] + r['unsent']} | {fmt(mean_batch(label), 1)} |")
    p()
    wrk = {}
    for name in ("bare", "pmml", "python"):
        path = os.path.join(out, "runs", f"{name}-wrk.txt")
        if os.path.exists(path):
            m = re.search(r"Requests/sec:\s+([\d.]+)", open(path).read())
            if m:
                wrk[name] = float(m.group(1))
    if wrk:
        p("wrk -t1 -c16 cross-check (req/s): " + ", ".join(f"{k} {fmt(v)}" for k, v in wrk.items()))
        p()

    p("#### Raw model, in process (BenchmarkRawModel): X_raw(b) rows/s, T_raw(b) µs")
    p()
    models = sorted({k.rsplit("/batch=", 1)[0][len("RawModel/"):] for k in gb if k.startswith("RawModel/") and "/batch=" in k})
    sizes = sorted({int(k.rsplit("=", 1)[1]) for k in gb if k.startswith("RawModel/") and "/batch=" in k})
    p("| model | " + " | ".join(f"b={b}" for b in sizes) + " |")
    p("|---|" + "---:|" * len(sizes))
    for mdl in models:
        cells = []
        for b in sizes:
            v = gb.get(f"RawModel/{mdl}/batch={b}", {})
            cells.append(f"{fmt(v.get('rows/s'))} / {fmt(v.get('µs/batch'), 1)}" if v else "—")
        p(f"| {mdl} | " + " | ".join(cells) + " |")
    for mdl in models:
        cells = []
        for b in sizes:
            v = gb_loaded.get(f"RawModel/{mdl}/batch={b}", {})
            cells.append(f"{fmt(v.get('rows/s'))} / {fmt(v.get('µs/batch'), 1)}" if v else "—")
        if any(c != "—" for c in cells):
            p(f"| {mdl}, other core busy with HTTP load | " + " | ".join(cells) + " |")
    p()
    paced = {k: v for k, v in gb.items() if k.startswith("RawModel/") and k.endswith("/paced-5ms")}
    if paced:
        p("T_raw(1) when calls are 5 ms apart (caches cooled, as at low load): " + ", ".join(
            f"{k[len('RawModel/'):-len('/paced-5ms')]} {v['µs/batch']:.1f} µs" for k, v in sorted(paced.items())))
        p()

    p("#### Ratios against the targets")
    p()
    p("| ratio | target | measured | verdict |")
    p("|---|---|---|---|")
    verdict = lambda ok: "met" if ok else "**not met**"
    xhttp = x("bare-max")
    for name in ("pmml", "onnx", "pickle"):
        v = x(f"{name}-max")
        if v and xhttp:
            p(f"| efficiency, tiny model ({name}): X_srv / X_http | ≥ 0.7 | {fmt(v)} / {fmt(xhttp)} = {v / xhttp:.2f} | {verdict(v / xhttp >= 0.7)} |")
    v, mb = x("mlp-b64-max"), mean_batch("mlp-b64-max")
    xr = raw_rows_per_s("mlp/onnx", mb)
    if v and xr:
        p(f"| efficiency, compute-bound MLP: X_srv / X_raw(mean batch {mb:.1f}) | ≥ 0.9 | {fmt(v)} / {fmt(xr)} = {v / xr:.2f} | {verdict(v / xr >= 0.9)} |")
    xl = raw_rows_per_s("mlp/onnx", mb, gb_loaded)
    if v and xl:
        p(f"| efficiency, compute-bound MLP, against X_raw measured with the other core under HTTP load | — | {fmt(v)} / {fmt(xl)} = {v / xl:.2f} | |")
    v, mb = x("mlp-b1-max"), mean_batch("mlp-b1-max")
    xr = raw_rows_per_s("mlp/onnx", mb)
    if v and xr:
        p(f"| efficiency, MLP, batching off: X_srv / X_raw(1) | ≥ 0.9 | {fmt(v)} / {fmt(xr)} = {v / xr:.2f} | {verdict(v / xr >= 0.9)} |")

    def sustained(server):
        best = None
        for label in order:
            if not label.startswith(server + "-rate"):
                continue
            r = runs[label]
            if r["throughput_rps"] >= 0.97 * r["rate"] and r["latency_us"]["p99"] <= p99_bound * 1000 and r["failed"] == 0:
                best = (r["rate"], r["latency_us"]["p99"])
        return best
    s64, s1 = sustained("mlp-b64"), sustained("mlp-b1")
    if s64 and s1:
        g = s64[0] / s1[0]
        p(f"| batching gain at equal p99 (highest offered rate sustained with p99 ≤ {p99_bound:g} ms) | ≥ 3 | "
          f"{fmt(s64[0])} (p99 {s64[1] / 1000:.1f} ms) / {fmt(s1[0])} (p99 {s1[1] / 1000:.1f} ms) = {g:.2f} | {verdict(g >= 3)} |")
    if x("mlp-b64-max") and x("mlp-b1-max"):
        g = x("mlp-b64-max") / x("mlp-b1-max")
        p(f"| batching gain, closed-loop max (64 conns) | — | {fmt(x('mlp-b64-max'))} / {fmt(x('mlp-b1-max'))} = {g:.2f} | |")

    for name in ("pmml", "onnx", "pickle", "mlp-b64", "mlp-b1"):
        r = runs.get(f"{name}-open10")
        t1 = t_raw_us(RAW_MODEL[name], 1)
        if not r or t1 is None:
            continue
        o = r["latency_us"]["p50"] - t1
        so = r["service_us"]["p50"] - t1
        bare = runs.get("bare-open10")
        extra = f"; bare HTTP p50 at its 10% load {fmt(bare['latency_us']['p50'])} µs" if bare else ""
        p(f"| low-load overhead ({name}): p50(10% load) − T_raw(1) | ≤ 100 µs | {fmt(r['latency_us']['p50'])} − {fmt(t1, 1)} = {fmt(o)} µs "
          f"(from actual send: {fmt(so)} µs){extra} | {verdict(o <= 100)} |")
    for name in ("bare", "pmml", "onnx", "pickle", "mlp-b64", "mlp-b1"):
        r = runs.get(f"{name}-open80")
        if not r:
            continue
        p99 = r["latency_us"]["p99"]
        if name == "bare":
            p(f"| tail (bare HTTP, for reference): p99 at 80% of max | — | {fmt(p99)} µs | |")
            continue
        mb = mean_batch(f"{name}-open80")
        t = t_raw_us(RAW_MODEL[name], mb)
        if t is None:
            continue
        bound = DELAY_US[name] + 2 * t
        p(f"| tail ({name}): p99 at 80% of max | ≤ max_queue_delay + 2·T_raw(mean batch {fmt(mb, 1)}) = {fmt(bound)} µs | {fmt(p99)} µs | {verdict(p99 <= bound)} |")
    xp = x("python-max")
    for name in ("pmml", "onnx", "pickle"):
        v = x(f"{name}-max")
        if v and xp:
            p(f"| vs Python server (iris forest; mlctl {name} flavor): X_srv / X_python | ≥ 100 | {fmt(v)} / {fmt(xp)} = {v / xp:.1f} | {verdict(v / xp >= 100)} |")
    for k in sorted(gb):
        if k.startswith("DecodeJSON/") and not k.startswith("DecodeJSON/typed"):
            p(f"| JSON decode, {k[len('DecodeJSON/'):]} | ≤ 80 ns/float | {gb[k]['ns/float']:.0f} ns/float | {verdict(gb[k]['ns/float'] <= 80)} |")
    for k in sorted(gb):
        if k.startswith("DecodeJSON/typed"):
            p(f"| (floor: encoding/json v1 into [][]float64, {k.split('/', 1)[1].split('/', 1)[1]}) | — | {gb[k]['ns/float']:.0f} ns/float | |")
    for k in sorted(gb):
        if k.startswith("DecodeBinary/handler-oip-binary"):
            size = k.rsplit("/", 1)[1]
            mc = gb.get(f"DecodeBinary/memcpy/{size}", {}).get("ns/float")
            js = gb.get(f"DecodeBinary/handler-oip-json/{size}", {}).get("ns/float")
            p(f"| binary extension, whole OIP handler, FP32 {size} | ≈ memcpy | {gb[k]['ns/float']:.2f} ns/float (memcpy {mc:.3f}; same tensor as JSON {js:.0f}) | "
              f"{verdict(gb[k]['ns/float'] <= 10 * mc)} |")
    p()

    p("#### Formed-batch sizes (mlctl_batch_rows, batches per bucket during the run)")
    p()
    bounds = ["1", "2", "4", "8", "16", "32", "64", "128"]
    p("| run | " + " | ".join(f"≤{b}" for b in bounds) + " | mean |")
    p("|---|" + "---:|" * (len(bounds) + 1))
    for label in order:
        if label.startswith(("bare", "python")) or not phase_metrics.get(label):
            continue
        _, count, buckets = hist(phase_metrics[label], "mlctl_batch_rows")
        if not count:
            continue
        cells, prev = [], 0.0
        for b in bounds:
            c = buckets.get(b, buckets.get(b + ".0", 0.0))
            cells.append(fmt(c - prev))
            prev = c
        p(f"| {label} | " + " | ".join(cells) + f" | {fmt(mean_batch(label), 1)} |")
    p()

    p("#### Stage split")
    p()
    p("In process (BenchmarkServeHTTP, 16 client goroutines, µs per request; run is per formed batch):")
    p()
    p("| setup | req/s | client | handler | decode | queue | run/batch | encode | rows/batch |")
    p("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in sorted(gb):
        if k.startswith("ServeHTTP/"):
            v = gb[k]
            p(f"| {k[len('ServeHTTP/'):]} | {fmt(v.get('req/s'))} | {fmt(v.get('client-µs'), 1)} | {fmt(v.get('handler-µs'), 1)} | "
              f"{fmt(v.get('decode-µs'), 1)} | {fmt(v.get('queue-µs'), 1)} | {fmt(v.get('run-µs/batch'), 1)} | {fmt(v.get('encode-µs'), 1)} | {fmt(v.get('rows/batch'), 1)} |")
    p()
    p("Under load (from /metrics during each loadgen run, mean µs: handler = decode→encode inside the server;")
    p("instance busy = model run time ÷ the run's wall time, warmup included):")
    p()
    p("| run | handler | queue | run/batch | instance busy |")
    p("|---|---:|---:|---:|---:|")
    for label in order:
        m = phase_metrics.get(label)
        if not m or label.startswith(("bare", "python")):
            continue
        busy_s, _, _ = hist(m, "mlctl_inference_duration_seconds")
        wall = runs[label]["elapsed_s"] + runs[label]["warmup_s"]
        p(f"| {label} | {fmt(mean_of(m, 'mlctl_request_duration_seconds', 1e6), 1)} | {fmt(mean_of(m, 'mlctl_queue_duration_seconds', 1e6), 1)} "
          f"| {fmt(mean_of(m, 'mlctl_inference_duration_seconds', 1e6), 1)} | {100 * busy_s / wall:.0f}% |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/out")
