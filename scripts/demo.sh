#!/usr/bin/env bash
# mlctl's main job on the shipped example, with local files only:
# pack the iris random forest in three formats → verify → predict.
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
  -o "$work/iris.mlb" --name iris --version 1.0.0 --tag stable
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
