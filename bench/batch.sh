#!/usr/bin/env bash
# Batch scoring benchmarks (docs/benchmarks.md, "Batch scoring (issue 5)").
#
#   bash bench/batch.sh            # 1× = 200,000 rows, 10× = 2,000,000 rows
#   ROWS=50000 bash bench/batch.sh # smaller, for a quick look
#
# 1. Generates diabetes-like CSVs (the example's 10 features, each value
#    nudged by up to ±2.5 %, plus an id column) of ROWS and 10×ROWS rows.
# 2. Runs `mlctl batch` on each with /usr/bin/time -v: wall time, rows/s
#    and peak RSS, for the ONNX and the PMML flavor; prints RSS 10×/1×.
# 3. Runs the Go benchmark: end to end vs the model's raw Predict vs the
#    same run with a model that does nothing (read + convert + write).
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-200000}
OUT=${OUT:-bench/out/batch}
mkdir -p "$OUT"
go build -o "$OUT/mlctl" ./cmd/mlctl

gen() { # gen ROWS FILE
  [ -s "$2" ] && return
  /usr/bin/python3 - "$1" "$2" <<'PY'
import csv, random, sys
n, path = int(sys.argv[1]), sys.argv[2]
rows = list(csv.reader(open("examples/models/diabetes_gbm/input.csv")))
header, rows = rows[0], [[float(v) for v in r] for r in rows[1:]]
rng = random.Random(1)
with open(path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id"] + header)
    for i in range(n):
        r = rows[i % len(rows)]
        w.writerow(["r%d" % i] + [repr(v * (1 + 0.05 * (rng.random() - 0.5))) for v in r])
PY
}
gen "$ROWS" "$OUT/rows-1x.csv"
gen "$((ROWS * 10))" "$OUT/rows-10x.csv"

M="$OUT/mlctl"
rm -rf "$OUT/diabetes"
"$M" pack examples/models/diabetes_gbm/model.onnx examples/models/diabetes_gbm/model.pmml -o "$OUT/diabetes" >/dev/null
# Peak RSS moves by ±10 % from run to run with the garbage collector's
# timing: each size runs REPEAT times and the median is used.
REPEAT=${REPEAT:-3}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for flavor in onnx pmml; do
  for size in 1x 10x; do
    : >"$OUT/rss-$flavor-$size.txt"
    for _ in $(seq "$REPEAT"); do
      rm -rf "$OUT/scored-$flavor-$size"
      /usr/bin/time -v "$M" batch "$OUT/diabetes" --flavor "$flavor" -i "$OUT/rows-$size.csv" -o "$OUT/scored-$flavor-$size" \
        --keep id --progress none 2>"$OUT/time-$flavor-$size.txt" | sed -n "1s/^/$flavor $size: /p"
      awk '/Maximum resident/ {print $6}' "$OUT/time-$flavor-$size.txt" >>"$OUT/rss-$flavor-$size.txt"
    done
    echo "$flavor $size: peak RSS (KB) $(tr '\n' ' ' <"$OUT/rss-$flavor-$size.txt")→ median $(median <"$OUT/rss-$flavor-$size.txt")"
  done
  a=$(median <"$OUT/rss-$flavor-1x.txt")
  b=$(median <"$OUT/rss-$flavor-10x.txt")
  echo "$flavor: peak RSS 10x/1x = $(/usr/bin/python3 -c "print(round($b/$a, 2))")"
done

go test ./pkg/batch -run '^$' -bench BenchmarkBatch -benchtime "${BENCHTIME:-3x}" -count "${COUNT:-3}" | tee "$OUT/go-bench.txt"
