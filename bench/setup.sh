#!/usr/bin/env bash
# Installs what the serving benchmarks need beyond the project's own setup:
# the Python baseline server (FastAPI + uvicorn, the shape of MLflow's
# scoring server) and wrk for a cross-check. CI does not run this.
set -euo pipefail
sudo=""
if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
	python3-fastapi python3-uvicorn python3-pandas python3-sklearn python3-torch python3-onnx wrk
