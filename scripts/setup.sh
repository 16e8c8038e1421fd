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

packages=(python3 python3-sklearn python3-numpy python3-scipy python3-pandas libonnx-testdata curl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Any npm will do (a Node.js from elsewhere may already bring one).
command -v npm >/dev/null || missing+=(npm)
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

# Go: mlctl needs the version go.mod names. Debian's golang-go is older; Go
# fetches its own newer toolchain as a module, which works through the module
# proxy alone.
want_go=$(sed -n 's/^go \([0-9.]*\)$/\1/p' go.mod)
go_ok() { command -v go >/dev/null && [ "$(printf '%s\n' "$want_go" "$(go env GOVERSION | sed 's/^go//')" | sort -V | head -1)" = "$want_go" ]; }
gocache="${XDG_CACHE_HOME:-$HOME/.cache}/mlctl/go"
[ -x "$gocache/bin/go" ] && export PATH="$gocache/bin:$PATH"
if ! go_ok; then
  command -v go >/dev/null || { $sudo apt-get update -q; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q golang-go; }
  echo "setup: fetching the Go $want_go toolchain into $gocache"
  mod="golang.org/toolchain@v0.0.1-go$want_go.linux-$(go env GOARCH)"
  dir=$(cd "$(mktemp -d)" && GOFLAGS=-mod=mod go mod download -json "$mod" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -f "$dir/bin/go" ] || { echo "setup: could not fetch $mod" >&2; exit 1; }
  rm -rf "$gocache" && mkdir -p "$(dirname "$gocache")" && cp -r "$dir" "$gocache"
  # The module cache keeps no file modes: restore the executables' bits.
  chmod -R u+w "$gocache" && chmod +x "$gocache"/bin/* "$gocache"/pkg/tool/*/*
  export PATH="$gocache/bin:$PATH"
  echo "setup: add $gocache/bin to your PATH to use this Go outside the scripts"
fi

# grpcurl: a real third-party gRPC client for the serve tests.
gobin="$(go env GOPATH)/bin"
if [ ! -x "$gobin/grpcurl" ] && ! command -v grpcurl >/dev/null; then
  echo "setup: installing grpcurl"
  go install github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.4
fi

# --- test environment for batch/objstore (internal/testenv) -----------------
# versitygw: a real S3-compatible server; DuckDB (npm): an independent
# Parquet reader. Both go to mlctl's cache directory, nothing into the repo.
bash scripts/testenv/s3.sh
bash scripts/testenv/duckdb.sh
# --- end test environment for batch/objstore --------------------------------

# --- test environment for deploy (internal/testenv.RequireDocker) -----------
# A Docker engine (started only if none answers; its PID in the cache), the
# locally built base image mlctl-base/glibc:bookworm, a registry binary for
# push tests. MLCTL_DOCKER_PYTHON_BASE=1 also builds the large
# python-sklearn base (pickle images, the image-size comparison).
bash scripts/testenv/docker.sh || echo "setup: the Docker test environment is not ready (deploy tests will skip); see the messages above" >&2
# --- end test environment for deploy ----------------------------------------

# --- test environment for drift/report (internal/testenv/chromium.go) -------
# Debian's chromium, run headless by the HTML report's browser tests.
if ! command -v chromium >/dev/null; then
  echo "setup: installing chromium (headless browser for the HTML report tests)"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends chromium
fi
# --- end test environment for drift/report ----------------------------------

echo "setup: building bin/mlctl"
# Stripped (-s -w): the binary goes into every deploy image, where symbols are dead weight.
go build -trimpath -ldflags="-s -w" -o bin/mlctl ./cmd/mlctl
echo "setup: done ($(bin/mlctl version))"
