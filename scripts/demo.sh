#!/usr/bin/env bash
# mlctl's main job on the shipped example, with local files only:
# pack the iris random forest in three formats → verify → predict → serve
# → batch → drift.
set -euo pipefail
cd "$(dirname "$0")/.."
gocache="${XDG_CACHE_HOME:-$HOME/.cache}/mlctl/go"
[ -x "$gocache/bin/go" ] && export PATH="$gocache/bin:$PATH"
mlctl=bin/mlctl
model=examples/models/iris_forest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== pack: ONNX + PMML + pickle into one bundle, cross-checked"
$mlctl pack $model/model.onnx $model/model.pmml $model/model.pkl \
  -o "$work/iris.mlb" --name iris --version 1.0.0 --tag stable --baseline $model/input.csv
echo
echo "== inspect"
$mlctl inspect "$work/iris.mlb"
echo
echo "== verify: digests and golden outputs on every flavor"
$mlctl verify "$work/iris.mlb"
echo
for flavor in onnx pmml pickle; do
  echo "== predict with the $flavor flavor (first 3 rows)"
  $mlctl predict "$work/iris.mlb" -i $model/input.csv --flavor $flavor -o "$work/$flavor.csv"
  head -4 "$work/$flavor.csv"
done

echo
echo "== serve: MLflow scoring protocol and Open Inference Protocol on 127.0.0.1:8080 (gRPC :8081)"
$mlctl serve "$work/iris.mlb" --port 127.0.0.1:8080 --grpc-port 127.0.0.1:8081 --prediction-log "$work/predictions" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs http://127.0.0.1:8080/ping >/dev/null && break; sleep 0.1; done
echo "-- POST /invocations (CSV)"
curl -fsS -H 'Content-Type: text/csv' --data-binary @$model/input.csv http://127.0.0.1:8080/invocations | head -c 300; echo
echo "-- POST /v2/models/iris/infer"
curl -fsS -H 'Content-Type: application/json' http://127.0.0.1:8080/v2/models/iris/infer -d '{
  "inputs": [{"name": "sepal_length", "shape": [1], "datatype": "FP64", "data": [6.3]},
             {"name": "sepal_width",  "shape": [1], "datatype": "FP64", "data": [3.3]},
             {"name": "petal_length", "shape": [1], "datatype": "FP64", "data": [6.0]},
             {"name": "petal_width",  "shape": [1], "datatype": "FP64", "data": [2.5]}],
  "outputs": [{"name": "label"}]}'; echo
echo "-- metrics"
curl -fsS http://127.0.0.1:8080/metrics | grep '^mlctl_requests_total'
kill -TERM $server && wait $server
echo "-- prediction log: $(cat "$work"/predictions/*.jsonl | wc -l) rows"

echo
echo "== batch: score a CSV to Parquet (part files, a run manifest)"
$mlctl batch "$work/iris.mlb" -i $model/input.csv -o "$work/scored"
ls "$work/scored"

echo
echo "== drift: the served traffic against the baseline profile packed into the bundle"
status=0
$mlctl drift --baseline "$work/iris.mlb" --current "$work/predictions" --html "$work/drift.html" || status=$?
[ $status -le 1 ] # 0 no drift, 1 drift; 2 would be an error
echo "-- drift with the petals shifted by 40 % (exit 1 = drift, a CI gate)"
awk -F, 'NR == 1 { print; next } { printf "%s,%s,%.2f,%.2f\n", $1, $2, $3 * 1.4, $4 * 1.4 }' $model/input.csv > "$work/shifted.csv"
status=0
$mlctl drift --baseline "$work/iris.mlb" --current "$work/shifted.csv" --columns sepal_length,sepal_width,petal_length,petal_width || status=$?
[ $status -eq 1 ]
echo "demo: ok"
