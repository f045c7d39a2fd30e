#!/usr/bin/env bash
# Worker serving benchmark: wrk (1 thread) on loopback against `nightjar worker` serving the demo
# fraud model over OIP, against the same model served by MLServer over the same protocol (a custom
# runtime calling onnxruntime, one inference worker: scripts/bench_mlserver_runtime.py), and by
# FastAPI + uvicorn + onnxruntime written the tutorial way (scripts/bench_fastapi_app.py). Same row,
# same connections, one server after the other; and the floor, a bare Hummingbird route that reads
# the same body and answers a constant (Benchmarks/RouteFloor). Prints requests/s, wrk's latency percentiles and the
# worker's requests/s over each peer's; docs/performance.md records a run. MLServer lives in its own
# virtualenv ($MLSERVER_VENV, created on first use) so its pinned dependencies leave python3 alone.
#   DURATION=10s CONNECTIONS="1 16 64" SWIFT_SCRATCH_PATH=.build [NIGHTJAR_BIN=path] [FLOOR_BIN=path] scripts/bench-serving.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${DURATION:-10s}"
connections="${CONNECTIONS:-1 16 64}"
scratch="${SWIFT_SCRATCH_PATH:-.build}"
model=Sources/nightjar/DemoModels/fraud-1.0.0.onnx
row='[0.5, -1.2, 3.3, 0.0, 2.1, -0.7]'

command -v wrk >/dev/null || { echo "wrk is missing: run 'make deps' (Debian package wrk)" >&2; exit 1; }
if ! python3 -c "import fastapi, uvicorn, onnxruntime, numpy" 2>/dev/null; then
    echo "installing fastapi, uvicorn and onnxruntime for the reference server"
    python3 -m pip install -q fastapi uvicorn onnxruntime numpy
fi
mlserver_venv="$(realpath -m "${MLSERVER_VENV:-$scratch/mlserver-venv}")"
if ! "$mlserver_venv/bin/python" -c "import mlserver, onnxruntime, numpy" 2>/dev/null; then
    echo "installing mlserver and onnxruntime into $mlserver_venv for the MLServer peer"
    python3 -m venv "$mlserver_venv"
    # uvloop 0.22 dropped the implicit event loop MLServer 1.7's inference workers ask for at start.
    "$mlserver_venv/bin/python" -m pip install -q mlserver onnxruntime numpy "uvloop<0.22"
fi
if [ -n "${NIGHTJAR_BIN:-}" ]; then
    bin="$NIGHTJAR_BIN"   # an already built binary, e.g. to check this script against a debug build
else
    swift build -c release --scratch-path "$scratch" --product nightjar >/dev/null
    bin="$scratch/release/nightjar"
fi
if [ -n "${FLOOR_BIN:-}" ]; then
    floor_bin="$FLOOR_BIN"
else
    swift build -c release --scratch-path "$scratch" --product nightjar-route-floor >/dev/null
    floor_bin="$scratch/release/nightjar-route-floor"
fi

source scripts/bench-servers.sh   # tmp, pids (killed at exit), free_port, wait_for
lua() {  # file path body
    cat > "$1" <<LUA
wrk.method = "POST"
wrk.path = "$2"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$3'
LUA
}

server_port=$(free_port); worker_port=$(free_port); fastapi_port=$(free_port); mlserver_port=$(free_port); floor_port=$(free_port)
export NIGHTJAR_HOME="$tmp/home"   # where `push` finds the token the fresh server wrote
"$bin" server --port "$server_port" --gateway-port 0 --home "$tmp/home" >"$tmp/server.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$server_port/healthz"
"$bin" push "$model" --name fraud --version 1.0.0 --server "http://127.0.0.1:$server_port" >/dev/null
"$bin" worker --model fraud@1.0.0 --port "$worker_port" --server "http://127.0.0.1:$server_port" >"$tmp/worker.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$worker_port/v2/health/ready"
# The interpreter itself, not a version-manager shim, so the pid we kill is the server's.
python="$(python3 -c 'import sys; print(sys.executable)')"
BENCH_MODEL="$model" "$python" -m uvicorn scripts.bench_fastapi_app:app --host 127.0.0.1 --port "$fastapi_port" \
    --log-level warning --no-access-log >"$tmp/fastapi.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$fastapi_port/docs"
"$floor_bin" "$floor_port" >"$tmp/floor.log" 2>&1 & pids+=($!)
for _ in $(seq 300); do
    curl -sf -o /dev/null -d '{}' "http://127.0.0.1:$floor_port/v2/models/fraud/infer" && break
    sleep 0.1
done
mkdir -p "$tmp/mlserver"
cp scripts/bench_mlserver_runtime.py "$tmp/mlserver/"
cat > "$tmp/mlserver/settings.json" <<JSON
{"host": "127.0.0.1", "http_port": $mlserver_port, "grpc_port": $(free_port), "metrics_port": $(free_port),
 "parallel_workers": 1, "debug": false}
JSON
cat > "$tmp/mlserver/model-settings.json" <<JSON
{"name": "fraud", "implementation": "bench_mlserver_runtime.OnnxRuntime", "parameters": {"uri": "$PWD/$model"}}
JSON
(cd "$tmp/mlserver" && exec "$mlserver_venv/bin/mlserver" start . >"$tmp/mlserver.log" 2>&1) & pids+=($!)
wait_for "http://127.0.0.1:$mlserver_port/v2/models/fraud/ready"

lua "$tmp/oip.lua" /v2/models/fraud/infer "{\"inputs\":[{\"name\":\"features\",\"shape\":[1,6],\"datatype\":\"FP32\",\"data\":[$row]}]}"
lua "$tmp/fastapi.lua" /predict "{\"features\":[$row]}"
# Each answers the same row correctly before it is measured.
curl -sf "http://127.0.0.1:$worker_port/v2/models/fraud/infer" -d "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$tmp/oip.lua")" | grep -q probabilities
curl -sf "http://127.0.0.1:$mlserver_port/v2/models/fraud/infer" -H 'Content-Type: application/json' -d "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$tmp/oip.lua")" | grep -q probabilities
curl -sf "http://127.0.0.1:$fastapi_port/predict" -H 'Content-Type: application/json' -d "{\"features\":[$row]}" | grep -q probabilities

printf '%-34s %5s %10s %9s %9s %9s %7s %8s\n' "server" "conns" "req/s" "p50 ms" "p90 ms" "p99 ms" "errors" "nj/this"
measure() {  # label url lua connections
    wrk -t1 -c"$4" -d"$duration" --latency -s "$3" "$2" > "$tmp/wrk.out" 2>&1 || true
    python3 - "$1" "$4" "$tmp/wrk.out" "$tmp/worker-rps-$4" <<'PY'
import os, re, sys
label, conns, text, worker_file = sys.argv[1], sys.argv[2], open(sys.argv[3]).read(), sys.argv[4]
def ms(p):
    m = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m: return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
sock = re.search(r"Socket errors:.*", text)
requests = float(rps.group(1)) if rps else float("nan")
# The worker is measured first at each connection count; every peer's row says how many times its
# requests/s the worker served.
if not os.path.exists(worker_file):
    open(worker_file, "w").write(str(requests))
ratio = float(open(worker_file).read()) / requests if requests > 0 else float("nan")
print(f"{label:34s} {conns:>5s} {requests:10.0f} {ms(50):9.3f} {ms(90):9.3f} {ms(99):9.3f} {errors.group(1) if errors else '0':>7s} {ratio:7.2f}x"
      + (f"  ({sock.group(0)})" if sock else ""))
PY
}
for c in $connections; do
    measure "nightjar worker (OIP)" "http://127.0.0.1:$worker_port" "$tmp/oip.lua" "$c"
    measure "MLServer + onnxruntime (OIP)" "http://127.0.0.1:$mlserver_port" "$tmp/oip.lua" "$c"
    measure "FastAPI + uvicorn + onnxruntime" "http://127.0.0.1:$fastapi_port" "$tmp/fastapi.lua" "$c"
    # Below 1x: the share of the bare route's requests/s the worker reaches.
    measure "bare Hummingbird route (floor)" "http://127.0.0.1:$floor_port" "$tmp/oip.lua" "$c"
done
curl -s "http://127.0.0.1:$worker_port/v1/stats" > "$tmp/stats.json"
python3 - "$tmp/stats.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
w = s["windows"][-1]
e = w["engineLatencyMs"]
print(f"worker /v1/stats, last 5 min: engine call p50 {e['p50']} ms, p99 {e['p99']} ms; rows per engine call {w['batchSizes']}; "
      f"RSS {s['process']['residentMemoryBytes'] >> 20} MiB")
PY
echo "wrk -t1 -d$duration on 127.0.0.1, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); python $(python3 -c 'import sys; print(sys.version.split()[0])'), onnxruntime $(python3 -c 'import onnxruntime; print(onnxruntime.__version__)'), mlserver $("$mlserver_venv/bin/python" -c 'import mlserver; print(mlserver.__version__)')"
