#!/usr/bin/env bash
# Runs every check CI runs: formatting, vet, module tidiness, and all tests
# with the race detector. Needs scripts/setup.sh to have run once.
set -euo pipefail
cd "$(dirname "$0")/.."
gocache="${XDG_CACHE_HOME:-$HOME/.cache}/mlctl/go"
[ -x "$gocache/bin/go" ] && export PATH="$gocache/bin:$PATH"

unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
cp go.mod /tmp/mlctl-go.mod.bak; cp go.sum /tmp/mlctl-go.sum.bak
go mod tidy
if ! git diff --quiet -- go.mod go.sum; then
  echo "go mod tidy changed go.mod/go.sum: run it and commit" >&2
  git --no-pager diff -- go.mod go.sum >&2
  exit 1
fi
# A binary built without cgo must still build and say why ONNX cannot run.
CGO_ENABLED=0 go build -o /dev/null ./cmd/mlctl
CGO_ENABLED=0 go test -count=1 ./pkg/flavors/onnx
go test -race -count=1 ./... "$@"
