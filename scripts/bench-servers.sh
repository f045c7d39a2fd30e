# Sourced by the serving benchmarks (bench-serving.sh, bench-drift-serving.sh): a temporary folder
# for logs, removed at exit together with every server whose pid was added to `pids`; a free port;
# waiting until a URL answers 200.

tmp="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {  # url
    for _ in $(seq 300); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ] && return 0
        sleep 0.1
    done
    echo "$1 did not come up; logs in $tmp" >&2
    exit 1
}
