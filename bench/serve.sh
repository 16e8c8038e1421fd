#!/usr/bin/env bash
# Reproduces every number in docs/benchmarks.md "Serving (issue 3)".
#
#   bench/setup.sh        # once: FastAPI, uvicorn, wrk (Debian packages)
#   bench/serve.sh        # ~10 minutes on 2 cores; results in bench/out/
#
# It builds mlctl and the harness, packs the bundles, runs the in-process Go
# benchmarks (raw model, HTTP path, decoders), then starts each server in
# turn on a loopback port and drives it with bench/loadgen:
#   bare      bench/barehttp: decode the same JSON, answer a constant (X_http)
#   pmml      mlctl serve, iris forest, PMML flavor (the tiny model)
#   onnx      mlctl serve, iris forest, ONNX flavor
#   pickle    mlctl serve, iris forest, pickle flavor (scikit-learn sidecar)
#   python    bench/pyserver: FastAPI + pandas + scikit-learn, 2 workers
#   mlp-b64   mlctl serve, ONNX MLP (bench/make_mlp.py), batching on
#   mlp-b1    the same, batching off
# and finally bench/summarize.py prints the ratios as markdown.
#
# Every run is bounded: fixed durations, fixed rate ladders. Environment:
#   BENCH_OUT   results directory (default bench/out)
#   BENCH_PORT  first loopback port to use (default 18180)
#   BENCH_QUICK=1  short runs, to check the script itself
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${BENCH_OUT:-$root/bench/out}
port=${BENCH_PORT:-18180}
py=/usr/bin/python3
dur=5s warm=1s ladder_dur=4s benchtime=1s
if [ "${BENCH_QUICK:-}" = 1 ]; then dur=1s warm=200ms ladder_dur=1s benchtime=100ms; fi
# The batching ladder: offered rates (req/s) and the p99 bound (ms) under
# which a rate counts as sustained; the same for both configurations.
ladder=(400 500 640 800 1000 1250 1600 2000 2500 3200 4000 5000 6400 8000 10000 12500)
p99_bound_ms=50

rm -rf "$out" && mkdir -p "$out/bin" "$out/bundles" "$out/runs"
log() { printf '%s  %s\n' "$(date +%T)" "$*" >&2; }

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
}
trap cleanup EXIT

# --- build and prepare ------------------------------------------------------
log "building mlctl, loadgen, barehttp"
go build -o "$out/bin/mlctl" ./cmd/mlctl
go build -o "$out/bin/loadgen" ./bench/loadgen
go build -o "$out/bin/barehttp" ./bench/barehttp
mlctl=$out/bin/mlctl loadgen=$out/bin/loadgen

log "writing the compute-bound MLP and packing bundles"
$py bench/make_mlp.py "$out/bundles/mlp.onnx"
forest=examples/models/iris_forest
"$mlctl" pack "$forest/model.pmml" "$forest/model.onnx" "$forest/model.pkl" -o "$out/bundles/iris.mlb" --name iris >&2
"$mlctl" pack "$out/bundles/mlp.onnx" -o "$out/bundles/mlp.mlb" --name mlp >&2

# Request bodies: one row in MLflow's dataframe_split shape.
$py - "$out" <<'EOF'
import csv, json, random, sys
out = sys.argv[1]
with open("examples/models/iris_forest/input.csv") as f:
    rows = list(csv.reader(f))
body = {"dataframe_split": {"columns": rows[0], "data": [[float(v) for v in rows[1]]]}}
open(f"{out}/iris1.json", "w").write(json.dumps(body))
random.seed(0)
cols = [f"x{i}" for i in range(32)]
body = {"dataframe_split": {"columns": cols, "data": [[round(random.uniform(-1, 1), 4) for _ in cols]]}}
open(f"{out}/mlp1.json", "w").write(json.dumps(body))
EOF

{
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "cores: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "go: $(go version | cut -d' ' -f3)"
	echo "python: $($py --version 2>&1 | cut -d' ' -f2)"
} > "$out/machine.txt"

# --- in-process benchmarks --------------------------------------------------
log "go test benchmarks (raw model, HTTP path, decoders)"
go test -c -o "$out/bin/serve.test" ./pkg/serve
gobench() { # output-file args...: the benchmarks run from pkg/serve, as go test does
	local f=$1; shift
	(cd pkg/serve && MLCTL_BENCH_MLP=$out/bundles/mlp.onnx "$out/bin/serve.test" -test.run '^$' -test.timeout 10m "$@") > "$f"
}
gobench "$out/gobench.txt" -test.bench 'RawModel|ServeHTTP|DecodeJSON|DecodeBinary' -test.benchtime "$benchtime"

# --- servers under load -----------------------------------------------------
wait_ready() { # url
	for _ in $(seq 1 300); do
		if curl -fs -o /dev/null "$1"; then return 0; fi
		sleep 0.1
	done
	log "server at $1 did not become ready"; return 1
}

server_pid=
start() { # name cmd...
	local name=$1; shift
	"$@" > "$out/runs/$name.server.log" 2>&1 &
	server_pid=$!
	pids+=("$server_pid")
	wait_ready "http://127.0.0.1:$port/ping"
}
stop() {
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	port=$((port + 1))
}

scrape() { # name: the server's /metrics after a run
	curl -fs "http://127.0.0.1:$port/metrics" > "$out/runs/$1.metrics" 2>/dev/null || true
}

# load NAME BODY ARGS...: one loadgen run, JSON report to runs/NAME.json.
load() {
	local name=$1 body=$2; shift 2
	"$loadgen" -url "http://127.0.0.1:$port/invocations" -body "$body" \
		-header 'Content-Type: application/json' -label "$name" -warmup "$warm" -json "$@" > "$out/runs/$name.json"
	scrape "$name"
	$py -c 'import json,sys; r=json.load(open(sys.argv[1])); l=r["latency_us"]; print("  %s: %.0f ok req/s, p50 %.0f us, p99 %.0f us, failed %d" % (r["label"], r["throughput_rps"], l["p50"], l["p99"], r["failed"] + r["unsent"]), file=sys.stderr)' "$out/runs/$name.json"
}

max_rps() { $py -c 'import json,sys; print(json.load(open(sys.argv[1]))["throughput_rps"])' "$out/runs/$1.json"; }
frac() { $py -c "import sys; print(max(1.0, round(float(sys.argv[1]) * float(sys.argv[2]))))" "$1" "$2"; }

# standard NAME BODY CONC: closed-loop max, then open loop at 10% and 80% of it.
standard() {
	local name=$1 body=$2 conc=$3
	scrape "$name-start"
	load "$name-max" "$body" -concurrency "$conc" -duration "$dur"
	local x; x=$(max_rps "$name-max")
	load "$name-open10" "$body" -rate "$(frac "$x" 0.1)" -duration "$dur"
	load "$name-open80" "$body" -rate "$(frac "$x" 0.8)" -duration "$dur"
}

wrk_check() { # name body: wrk's closed-loop number, as a cross-check of loadgen's
	command -v wrk > /dev/null || return 0
	BODY=$2 wrk -t1 -c16 -d"$dur" -s bench/wrk_post.lua "http://127.0.0.1:$port/invocations" > "$out/runs/$1-wrk.txt" 2>&1 || true
}

iris=$out/iris1.json mlpbody=$out/mlp1.json
serve_flags=(--grpc-port "" --log-level error)

log "bare net/http"
start bare "$out/bin/barehttp" -addr "127.0.0.1:$port"
standard bare "$iris" 16
wrk_check bare "$iris"
# The raw MLP again while HTTP load keeps the other core busy, as it is when
# mlctl serves: the model's own slowdown from sharing 2 cores.
log "raw MLP under co-located HTTP load"
"$loadgen" -url "http://127.0.0.1:$port/invocations" -body "$iris" -header 'Content-Type: application/json' \
	-concurrency 16 -duration 60s -warmup 0s > /dev/null &
bg=$!
pids+=("$bg")
sleep 1
gobench "$out/gobench-loaded.txt" -test.bench 'RawModel/mlp/' -test.benchtime "$benchtime"
kill "$bg" 2>/dev/null || true
wait "$bg" 2>/dev/null || true
stop

for flavor in pmml onnx pickle; do
	log "mlctl serve, iris forest, $flavor"
	start "$flavor" "$mlctl" serve "$out/bundles/iris.mlb" --port "127.0.0.1:$port" --flavor "$flavor" "${serve_flags[@]}"
	standard "$flavor" "$iris" 16
	[ "$flavor" = pmml ] && wrk_check pmml "$iris"
	stop
done

log "Python: FastAPI + pandas + scikit-learn, uvicorn --workers 2"
MODEL_PATH=$forest/model.pkl start python $py -m uvicorn --app-dir bench/pyserver app:app \
	--host 127.0.0.1 --port "$port" --workers 2 --no-access-log --log-level warning
standard python "$iris" 16
wrk_check python "$iris"
stop

# The compute-bound MLP, one instance (one ORT session on one core, as
# X_raw is measured), batching on and off at the same offered loads and the
# same queue capacity (1024 rows, so 64 connections never meet a 503).
mlp_run() { # name batch-rows delay
	local name=$1
	log "mlctl serve, MLP, $name"
	start "$name" "$mlctl" serve "$out/bundles/mlp.mlb" --port "127.0.0.1:$port" --instances 1 \
		--max-batch-rows "$2" --max-queue-delay "$3" --max-queue-rows 1024 "${serve_flags[@]}"
	standard "$name" "$mlpbody" 64
	for rate in "${ladder[@]}"; do
		load "$name-rate$rate" "$mlpbody" -rate "$rate" -duration "$ladder_dur"
		if ! $py -c '
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["throughput_rps"] >= 0.97 * r["rate"] and r["latency_us"]["p99"] <= float(sys.argv[2]) * 1000 and r["failed"] == 0
sys.exit(0 if ok else 1)' "$out/runs/$name-rate$rate.json" "$p99_bound_ms"; then
			break
		fi
	done
	stop
}
mlp_run mlp-b64 64 1ms
mlp_run mlp-b1 1 0s

echo "p99_bound_ms: $p99_bound_ms" >> "$out/machine.txt"
log "summary"
$py bench/summarize.py "$out" | tee "$out/summary.md"
