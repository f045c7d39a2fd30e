#!/usr/bin/env bash
# `make bench`, console section: the CPU a console costs while an operator only watches.
#
# A real `nightjar demo` (server, gateway, workers, synthetic traffic, so every panel refreshes each
# second) runs in one tmux session; a second `nightjar console` against the same server runs in
# another at 160x48. After a warm-up, the console's own CPU time (utime + stime from /proc) over a
# fixed wall-clock window is reported as a percentage of one core. Target (issue #8): under 1%.
# Usage: scripts/bench-console-idle.sh NIGHTJAR_BINARY [SECONDS]
set -euo pipefail
binary=$(realpath "$1")
seconds=${2:-30}
home=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
demo="nightjar-bench-demo-$$"
console="nightjar-bench-console-$$"
cleanup() {
    tmux kill-session -t "$console" 2>/dev/null || true
    tmux kill-session -t "$demo" 2>/dev/null || true
    sleep 1
    rm -rf "$home"
}
trap cleanup EXIT

tmux new-session -d -s "$demo" -x 120 -y 40 \
    "env NIGHTJAR_HOME=$home LANG=C.UTF-8 TERM=xterm-256color $binary demo --scenario calm --port $port --gateway-port 0 2>$home/demo.err"
for _ in $(seq 120); do
    [ -s "$home/token" ] && curl -sf "http://127.0.0.1:$port/api/v1/endpoints" -H "Authorization: Bearer $(cat "$home/token")" \
        | grep -q fraud && break
    sleep 0.5
done
tmux new-session -d -s "$console" -x 160 -y 48 \
    "env NIGHTJAR_HOME=$home LANG=C.UTF-8 TERM=xterm-256color $binary console --server http://127.0.0.1:$port --no-bell"
sleep 10  # warm-up: first reads, history filling
pid=$(pgrep -f "$binary console --server http://127.0.0.1:$port" | head -1)
[ -n "$pid" ] || { echo "console bench: the console did not start"; tmux capture-pane -p -t "$console" || true; exit 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks "$pid")
sleep "$seconds"
after=$(ticks "$pid")
screen=$(tmux capture-pane -p -t "$console")
echo "$screen" | grep -q "fraud" || { echo "console bench: the console shows no endpoint:"; echo "$screen"; exit 1; }
python3 - "$before" "$after" "$hz" "$seconds" <<'PY'
import sys
before, after, hz, seconds = (float(v) for v in sys.argv[1:])
cpu = (after - before) / hz / seconds * 100
print(f"console watching a live demo at 160x48: {cpu:.2f}% of one core over {seconds:.0f} s (target < 1%: {'met' if cpu < 1 else 'MISSED'})")
PY
