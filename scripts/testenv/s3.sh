#!/usr/bin/env bash
# Installs versitygw, a real S3-compatible server, for the S3 tests
# (internal/testenv.StartS3) into mlctl's cache: ${XDG_CACHE_HOME:-~/.cache}/mlctl/bin.
# Needs Go and the Go module proxy. Safe to run again: it skips what is there.
set -euo pipefail

VERSITYGW_VERSION=v1.8.0
bin="${XDG_CACHE_HOME:-$HOME/.cache}/mlctl/bin"
stamp="$bin/.versitygw-$VERSITYGW_VERSION"

if [ -x "$bin/versitygw" ] && [ -f "$stamp" ]; then
  exit 0
fi
echo "testenv: installing versitygw $VERSITYGW_VERSION into $bin (about a minute)"
mkdir -p "$bin"
# Outside any module, so the project's go.mod is neither read nor changed.
(cd "$(mktemp -d)" && GOBIN="$bin" GOFLAGS=-mod=mod go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION")
rm -f "$bin"/.versitygw-*
touch "$stamp"
