#!/usr/bin/env bash
# Installs what mlctl needs on Debian/Ubuntu and builds bin/mlctl:
#   - Python with scikit-learn for the pickle sidecar and the example scripts,
#   - ONNX's backend test data for the ONNX conformance tests,
#   - the ONNX Runtime CPU library, taken from the npm package onnxruntime-node
#     (the official build ships inside it) into mlctl's cache directory.
# Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

ORT_VERSION=1.30.0
ORT_LIB_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
cache="${XDG_CACHE_HOME:-$HOME/.cache}/mlctl/onnxruntime"
lib="$cache/libonnxruntime.so"

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

packages=(python3 python3-sklearn python3-numpy python3-scipy python3-pandas libonnx-testdata npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$lib" ] || [ "$(sha256sum "$lib" | cut -d' ' -f1)" != "$ORT_LIB_SHA256" ]; then
  echo "setup: fetching ONNX Runtime $ORT_VERSION (CPU) into $cache"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
  tar -xzf "$tmp/onnxruntime-node-$ORT_VERSION.tgz" -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
  got=$(sha256sum "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" | cut -d' ' -f1)
  if [ "$got" != "$ORT_LIB_SHA256" ]; then
    echo "setup: libonnxruntime.so.1 has sha256 $got, expected $ORT_LIB_SHA256" >&2
    exit 1
  fi
  mkdir -p "$cache"
  install -m 0644 "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$lib"
fi

echo "setup: building bin/mlctl"
go build -o bin/mlctl ./cmd/mlctl
echo "setup: done ($(bin/mlctl version))"
