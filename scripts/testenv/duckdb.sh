#!/usr/bin/env bash
# Installs DuckDB for Node.js (@duckdb/node-api, which pulls the prebuilt
# @duckdb/node-bindings-linux-x64) into mlctl's cache:
# ${XDG_CACHE_HOME:-~/.cache}/mlctl/duckdb-node. The Parquet tests read
# files back through it (internal/testenv.ReadParquetWithDuckDB) as an
# independent reader. Needs node and npm. Safe to run again.
set -euo pipefail

DUCKDB_NODE_VERSION=1.5.6-r.1
dir="${XDG_CACHE_HOME:-$HOME/.cache}/mlctl/duckdb-node"
stamp="$dir/.installed-$DUCKDB_NODE_VERSION"

if [ -f "$stamp" ] && [ -d "$dir/node_modules/@duckdb/node-api" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "testenv: npm is needed to install DuckDB (apt-get install npm)" >&2; exit 1; }
echo "testenv: installing @duckdb/node-api@$DUCKDB_NODE_VERSION into $dir"
mkdir -p "$dir"
cat > "$dir/package.json" <<JSON
{
  "name": "mlctl-testenv-duckdb",
  "private": true,
  "description": "DuckDB for mlctl's Parquet tests; written by scripts/testenv/duckdb.sh",
  "dependencies": { "@duckdb/node-api": "$DUCKDB_NODE_VERSION" }
}
JSON
rm -f "$dir"/.installed-*
(cd "$dir" && npm install --silent --no-audit --no-fund --save-exact)
node -e "require('$dir/node_modules/@duckdb/node-api')" || {
  echo "testenv: @duckdb/node-api installed but does not load in $(node --version)" >&2
  exit 1
}
touch "$stamp"
