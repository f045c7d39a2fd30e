#!/usr/bin/env bash
# Worker serving benchmark: wrk (1 thread) on loopback against `nightjar worker` serving the demo
# fraud model over OIP, against the same model served by MLServer over the same protocol (a custom
# runtime calling onnxruntime, one inference worker: scripts/bench_mlserver_runtime.py), and by
# FastAPI + uvicorn + onnxruntime written the tutorial way (scripts/bench_fastapi_app.py). Same row,
# same connections, one server after the other; and the floor, a bare Hummingbird route that reads
# the same body and answers a constant (Benchmarks/RouteFloor). Prints requests/s, wrk's latency percentiles and the
# worker's requests/s over each peer's; docs/performance.md records a run. MLServer lives in its own
# virtualenv ($MLSERVER_VENV, created on first use) so its pinned dependencies leave python3 alone.
# With ROUNDS above 1 the four servers take turns round by round and the rows are medians.
#   DURATION=10s CONNECTIONS="1 16 64" ROUNDS=1 SWIFT_SCRATCH_PATH=.build [NIGHTJAR_BIN=path] [FLOOR_BIN=path] scripts/bench-serving.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${DURATION:-10s}"
connections="${CONNECTIONS:-1 16 64}"
rounds="${ROUNDS:-1}"
scratch="${SWIFT_SCRATCH_PATH:-.build}"
# The model, its input's name and one row of it; the default is the demo's logistic regression.
# Issue #6's forest: MODEL=Tests/EngineTests/Fixtures/bench_rf_100x10.onnx INPUT=X ROW="$(python3 -c 'print([0.5]*20)')"
model="${MODEL:-Sources/nightjar/DemoModels/fraud-1.0.0.onnx}"
input="${INPUT:-features}"
row="${ROW:-[0.5, -1.2, 3.3, 0.0, 2.1, -0.7]}"
features=$(python3 -c "import sys, json; print(len(json.loads(sys.argv[1])))" "$row")

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

lua "$tmp/oip.lua" /v2/models/fraud/infer "{\"inputs\":[{\"name\":\"$input\",\"shape\":[1,$features],\"datatype\":\"FP32\",\"data\":[$row]}]}"
lua "$tmp/fastapi.lua" /predict "{\"features\":[$row]}"
# Each answers the same row correctly before it is measured.
curl -sf "http://127.0.0.1:$worker_port/v2/models/fraud/infer" -d "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$tmp/oip.lua")" | grep -q probabilities
curl -sf "http://127.0.0.1:$mlserver_port/v2/models/fraud/infer" -H 'Content-Type: application/json' -d "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" "$tmp/oip.lua")" | grep -q probabilities
curl -sf "http://127.0.0.1:$fastapi_port/predict" -H 'Content-Type: application/json' -d "{\"features\":[$row]}" | grep -q probabilities

measure() {  # label url lua connections → one tab-separated line into $tmp/runs
    wrk -t1 -c"$4" -d"$duration" --latency -s "$3" "$2" > "$tmp/wrk.out" 2>&1 || true
    python3 - "$1" "$4" "$round" "$tmp/wrk.out" >> "$tmp/runs" <<'PY'
import re, sys
label, conns, round_, text = sys.argv[1], sys.argv[2], sys.argv[3], open(sys.argv[4]).read()
def ms(p):
    m = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m: return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
sock = re.search(r"Socket errors:.*", text)
print("\t".join([label, conns, round_, str(float(rps.group(1)) if rps else float("nan")), str(ms(50)), str(ms(90)), str(ms(99)),
                 errors.group(1) if errors else "0", sock.group(0) if sock else ""]))
PY
}
# One row per server and connection count; with ROUNDS above 1 the servers take turns round by round
# (the order flips every round) and each row holds the medians, the ratio being the median of each
# round's worker ÷ server, so a burst of load on the machine cannot favour one server.
servers=("nightjar worker (OIP)|http://127.0.0.1:$worker_port|$tmp/oip.lua"
         "MLServer + onnxruntime (OIP)|http://127.0.0.1:$mlserver_port|$tmp/oip.lua"
         "FastAPI + uvicorn + onnxruntime|http://127.0.0.1:$fastapi_port|$tmp/fastapi.lua"
         "bare Hummingbird route (floor)|http://127.0.0.1:$floor_port|$tmp/oip.lua")
: > "$tmp/runs"
printf '%-34s %5s %10s %9s %9s %9s %7s %8s\n' "server" "conns" "req/s" "p50 ms" "p90 ms" "p99 ms" "errors" "nj/this"
for c in $connections; do
    for round in $(seq "$rounds"); do
        order=(0 1 2 3)
        [ $((round % 2)) = 0 ] && order=(3 2 1 0)
        for i in "${order[@]}"; do
            IFS='|' read -r label url script <<< "${servers[$i]}"
            measure "$label" "$url" "$script" "$c"
        done
    done
    python3 - "$tmp/runs" "$c" <<'PY'
import statistics, sys
runs = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
runs = [r for r in runs if r[1] == sys.argv[2]]
worker = "nightjar worker (OIP)"
order = [worker, "MLServer + onnxruntime (OIP)", "FastAPI + uvicorn + onnxruntime", "bare Hummingbird route (floor)"]
worker_rps = {r[2]: float(r[3]) for r in runs if r[0] == worker}
m = statistics.median
for label in order:
    mine = [r for r in runs if r[0] == label]
    ratio = m([worker_rps[r[2]] / float(r[3]) if float(r[3]) > 0 else float("nan") for r in mine])
    sock = next((r[8] for r in mine if r[8]), "")
    # Below 1x (the floor's row): the share of the bare route's requests/s the worker reaches.
    print(f"{label:34s} {sys.argv[2]:>5s} {m(float(r[3]) for r in mine):10.0f} {m(float(r[4]) for r in mine):9.3f} "
          f"{m(float(r[5]) for r in mine):9.3f} {m(float(r[6]) for r in mine):9.3f} {sum(int(r[7]) for r in mine):>7d} {ratio:7.2f}x"
          + (f"  ({sock})" if sock else ""))
PY
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
echo "wrk -t1 -d$duration on 127.0.0.1, $rounds round(s), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); python $(python3 -c 'import sys; print(sys.version.split()[0])'), onnxruntime $(python3 -c 'import onnxruntime; print(onnxruntime.__version__)'), mlserver $("$mlserver_venv/bin/python" -c 'import mlserver; print(mlserver.__version__)')"
