#!/usr/bin/env bash
# What the drift windows cost end to end: the same model served by two `nightjar worker`s on
# loopback, one whose version was pushed with a reference profile (so every answered request's
# inputs and outputs are tallied into its drift window) and one whose version was pushed without
# (no window). Same ONNX file, same flags, same requests: the demo's 200 sample rows, cycled, so the
# window's bins see varied values. wrk at 64 connections, rounds interleaved (the order flips every
# round) so the machine's load hits both alike. Prints each round's requests/s and the worker's CPU
# time per request (from /proc, which other processes on a busy machine do not inflate), then the
# median throughput ratio against the target: the window costs under 5% of throughput (issue #6).
#   DURATION=5s ROUNDS=6 CONNECTIONS=64 SWIFT_SCRATCH_PATH=.build [NIGHTJAR_BIN=path] scripts/bench-drift-serving.sh
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${DURATION:-5s}"
rounds="${ROUNDS:-6}"
connections="${CONNECTIONS:-64}"
scratch="${SWIFT_SCRATCH_PATH:-.build}"
model=Sources/nightjar/DemoModels/fraud-1.0.0.onnx
sample=Sources/nightjar/DemoModels/fraud-sample.json

command -v wrk >/dev/null || { echo "wrk is missing: run 'make deps' (Debian package wrk)" >&2; exit 1; }
if [ -n "${NIGHTJAR_BIN:-}" ]; then
    bin="$NIGHTJAR_BIN"
else
    swift build -c release --scratch-path "$scratch" --product nightjar >/dev/null
    bin="$scratch/release/nightjar"
fi

source scripts/bench-servers.sh   # tmp, pids (killed at exit), free_port, wait_for

# The sample rows as OIP requests: one per line for the reference profile, and a wrk script that
# cycles through them.
python3 - "$sample" "$tmp/reference.jsonl" "$tmp/rows.lua" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
bodies = [json.dumps({"inputs": [{"name": "features", "shape": [1, len(r)], "datatype": "FP32", "data": r}]},
                     separators=(",", ":")) for r in rows]
open(sys.argv[2], "w").write("\n".join(bodies) + "\n")
with open(sys.argv[3], "w") as lua:
    lua.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nlocal bodies = {\n')
    lua.writelines(f"  [[{b}]],\n" for b in bodies)
    lua.write("}\nlocal i = 0\nrequest = function()\n  i = i % #bodies + 1\n"
              "  return wrk.format(nil, \"/v2/models/fraud/infer\", nil, bodies[i])\nend\n")
PY

server_port=$(free_port); on_port=$(free_port); off_port=$(free_port)
export NIGHTJAR_HOME="$tmp/home"
"$bin" server --port "$server_port" --gateway-port 0 --home "$tmp/home" >"$tmp/server.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$server_port/healthz"
# One file, two versions: 1.0.0 with a reference profile (drift watched), 1.0.1 without.
"$bin" push "$model" --name fraud --version 1.0.0 --reference "$tmp/reference.jsonl" --server "http://127.0.0.1:$server_port" >/dev/null
"$bin" push "$model" --name fraud --version 1.0.1 --server "http://127.0.0.1:$server_port" >/dev/null
"$bin" worker --model fraud@1.0.0 --port "$on_port" --server "http://127.0.0.1:$server_port" >"$tmp/on.log" 2>&1 & on_pid=$!; pids+=($on_pid)
"$bin" worker --model fraud@1.0.1 --port "$off_port" --server "http://127.0.0.1:$server_port" >"$tmp/off.log" 2>&1 & off_pid=$!; pids+=($off_pid)
wait_for "http://127.0.0.1:$on_port/v2/health/ready"
wait_for "http://127.0.0.1:$off_port/v2/health/ready"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$on_port/v1/drift")" = 200 ] \
    || { echo "the drift-on worker has no drift window" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$off_port/v1/drift")" = 404 ] \
    || { echo "the drift-off worker watches drift" >&2; exit 1; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure() {  # label port pid → prints "label req/s cpu-us-per-request"
    local before after
    before=$(cpu_ticks "$3")
    wrk -t1 -c"$connections" -d"$duration" -s "$tmp/rows.lua" "http://127.0.0.1:$2" > "$tmp/wrk.out" 2>&1 || true
    after=$(cpu_ticks "$3")
    python3 - "$1" "$tmp/wrk.out" "$before" "$after" "$(getconf CLK_TCK)" <<'PY'
import re, sys
label, text, before, after, hz = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
done = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
if bad: sys.exit(f"{label}: {bad.group(1)} requests failed")
print(label, rps, (after - before) / hz * 1e6 / max(done, 1))
PY
}

# Both warm (first-touch allocations, the window's buckets) before anything counts.
DURATION=2s measure warm "$on_port" "$on_pid" >/dev/null
DURATION=2s measure warm "$off_port" "$off_pid" >/dev/null

printf '%-6s %14s %14s %12s %12s\n' "round" "on req/s" "off req/s" "on CPU µs" "off CPU µs"
: > "$tmp/rounds"
for r in $(seq "$rounds"); do
    if [ $((r % 2)) = 1 ]; then
        on=$(measure on "$on_port" "$on_pid"); off=$(measure off "$off_port" "$off_pid")
    else
        off=$(measure off "$off_port" "$off_pid"); on=$(measure on "$on_port" "$on_pid")
    fi
    echo "$on $off" >> "$tmp/rounds"
    echo "$on $off" | awk -v r="$r" '{printf "%-6s %14.0f %14.0f %12.1f %12.1f\n", r, $2, $5, $3, $6}'
done
curl -s "http://127.0.0.1:$on_port/v1/drift" > "$tmp/drift.json"
python3 - "$tmp/rounds" "$tmp/drift.json" "$connections" "$duration" <<'PY'
import json, statistics, sys
rounds = [line.split() for line in open(sys.argv[1])]
ratio = statistics.median(float(r[1]) / float(r[4]) for r in rounds)
cpu_on = statistics.median(float(r[2]) for r in rounds)
cpu_off = statistics.median(float(r[5]) for r in rounds)
cost = 1 - ratio
report = json.load(open(sys.argv[2]))
counted = max(c["liveCount"] for c in report["columns"])
print(f"drift windows on ÷ off, median of {len(rounds)} interleaved rounds (wrk -c{sys.argv[3]} -d{sys.argv[4]}): "
      f"throughput {ratio:.3f}x, cost {cost * 100:.1f}% (target < 5%: {'met' if cost < 0.05 else 'MISSED'}); "
      f"worker CPU per request {cpu_on:.1f} µs on, {cpu_off:.1f} µs off ({(cpu_on / cpu_off - 1) * 100:+.1f}%); "
      f"window holds {counted} values per column")
PY
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
