#!/usr/bin/env bash
# PMML evaluator speed against ONNX Runtime and scikit-learn on the same
# models (docs/benchmarks.md, "PMML evaluator"): the two examples plus a
# 100-tree random forest made here, under bench/out (not committed).
#
#   bash scripts/bench_pmml.sh [-benchtime 1s]
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out/models
mkdir -p "$out"
[ -f "$out/breast_cancer_forest100/model.pmml" ] || /usr/bin/python3 examples/make_models.py --bench --out "$out"
benchtime=${2:-1s}
MLCTL_BENCH_MODELS="$PWD/$out/breast_cancer_forest100" \
	go test ./pkg/load -run '^$' -bench 'BenchmarkFlavors/.*/(pmml|onnx)/' -benchtime "$benchtime" | tee bench/out/pmml-flavors.txt
/usr/bin/python3 scripts/bench_sklearn.py examples/models/iris_forest examples/models/diabetes_gbm "$out/breast_cancer_forest100" | tee bench/out/pmml-sklearn.txt
