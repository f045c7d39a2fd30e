#!/usr/bin/env bash
# `make bench`: the engine against onnxruntime (Python, 1 thread) on the same models and batches,
# interleaved in one run so machine noise hits both. Prints per-call times and the ratio
# onnxruntime / nightjar (above 1 means the engine is faster).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! python3 -c "import onnxruntime, numpy" 2>/dev/null; then
    echo "installing onnxruntime for the reference measurement"
    pip install -q onnxruntime numpy
fi
# SCRATCH lets a worktree keep its own build folder (swift build --scratch-path); default .build.
scratch=${SCRATCH:-.build}
swift build --scratch-path "$scratch" -c release --product nightjar-bench >/dev/null
bench=$scratch/release/nightjar-bench

rounds=${ENGINE_ROUNDS:-3}  # more on a shared machine: the ratio is the median of the rounds
printf '%-44s %6s %12s %12s %8s\n' "model" "batch" "nightjar µs" "ort µs" "ort/nj"
run_case() {  # model input features batch iterations
    local nj=() ort=()
    for _ in $(seq $rounds); do
        nj+=("$("$bench" "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mean_us"])')")
        ort+=("$(python3 scripts/bench_onnxruntime.py "$@" | python3 -c 'import json,sys; print(json.load(sys.stdin)["mean_us"])')")
    done
    python3 - "$1" "$4" "${nj[*]}" "${ort[*]}" <<'PY'
import statistics, sys, os
model, batch, nj, ort = sys.argv[1], sys.argv[2], [float(v) for v in sys.argv[3].split()], [float(v) for v in sys.argv[4].split()]
n, o = statistics.median(nj), statistics.median(ort)
print(f"{os.path.basename(model):44s} {batch:>6s} {n:12.2f} {o:12.2f} {o / n:8.2f}x")
PY
}
run_case Sources/nightjar/DemoModels/fraud-1.0.0.onnx features 6 1 20000
run_case Sources/nightjar/DemoModels/fraud-1.1.0.onnx features 6 1 20000
run_case Sources/nightjar/DemoModels/fraud-1.1.0.onnx features 6 1000 300
run_case Tests/EngineTests/Fixtures/scaler_logreg_multi_zipmap.onnx X 4 1 20000
run_case Tests/EngineTests/Fixtures/scaler_logreg_multi_zipmap.onnx X 4 1000 300
# Issue #4's tabular models at their real sizes (scripts/make-fixtures.py bench): logistic regression
# on 20 features, a random forest of 100 trees of depth 10, histogram gradient boosting of 100
# iterations; then a smaller boosted regressor and the dense networks.
run_case Tests/EngineTests/Fixtures/bench_logreg_20.onnx X 20 1 20000
run_case Tests/EngineTests/Fixtures/bench_logreg_20.onnx X 20 1000 300
run_case Tests/EngineTests/Fixtures/bench_rf_100x10.onnx X 20 1 5000
run_case Tests/EngineTests/Fixtures/bench_rf_100x10.onnx X 20 1000 100
run_case Tests/EngineTests/Fixtures/bench_hgb_100.onnx X 20 1 5000
run_case Tests/EngineTests/Fixtures/bench_hgb_100.onnx X 20 1000 100
run_case Tests/EngineTests/Fixtures/tree_gb_regressor.onnx X 8 1000 300
run_case Tests/EngineTests/Fixtures/mlp_classifier.onnx X 10 1 20000
run_case Tests/EngineTests/Fixtures/mlp_classifier.onnx X 10 1000 300
run_case Tests/EngineTests/Fixtures/mlp_regressor.onnx X 10 1000 300
run_case Tests/EngineTests/Fixtures/svm_svc_rbf.onnx X 6 1000 100
# Small PyTorch exports: a 2-D CNN on 1×16×16 images and a transformer encoder block on 8×16 tokens.
run_case Tests/EngineTests/Fixtures/torch_cnn2d.onnx x 1x16x16 1 5000
run_case Tests/EngineTests/Fixtures/torch_cnn2d.onnx x 1x16x16 64 200
run_case Tests/EngineTests/Fixtures/torch_cnn2d.onnx x 1x16x16 1000 20
run_case Tests/EngineTests/Fixtures/torch_transformer_gelu.onnx x 8x16 1 5000
run_case Tests/EngineTests/Fixtures/torch_transformer_gelu.onnx x 8x16 64 200
echo "reference: onnxruntime $(python3 -c 'import onnxruntime; print(onnxruntime.__version__)'), intra_op_num_threads=1, median of $rounds interleaved rounds"

# Worker serving: HTTP end to end, nightjar worker against FastAPI + uvicorn + onnxruntime.
echo
SWIFT_SCRATCH_PATH="$scratch" scripts/bench-serving.sh
# Gateway overhead: the same load straight to a worker, through the gateway in front of it, and
# through a bare SwiftNIO HTTP/1 relay (the floor for any HTTP-aware hop), in one process and one run,
# paired round by round (Benchmarks/GatewayBench). Prints the throughput ratios and added p50 latency.
echo
swift build --scratch-path "$scratch" -c release --product nightjar-gateway-bench >/dev/null
"$scratch/release/nightjar-gateway-bench" --model Sources/nightjar/DemoModels/fraud-1.0.0.onnx
# The same with a model that costs the worker more per request (a small CNN, batch 1): the hop's cost
# is the same, so the ratio says how much of the gap is the tiny demo model's. The target is judged on
# the run above.
echo
"$scratch/release/nightjar-gateway-bench" --model Tests/EngineTests/Fixtures/torch_cnn2d.onnx

# Rollback: a canary whose worker starts failing every request, real `nightjar server` and workers on
# loopback (Benchmarks/RollbackBench). Prints the time from the first failed answer a client saw to
# the deployment being 100% on the stable version, against the 2 s target.
echo
swift build --scratch-path "$scratch" -c release --product nightjar >/dev/null
swift build --scratch-path "$scratch" -c release --product nightjar-rollback-bench >/dev/null
"$scratch/release/nightjar-rollback-bench" --binary "$scratch/release/nightjar"

# Console: a full frame at 200x60 per view (target < 1000 µs), and the CPU a console watching a live
# demo costs (target < 1% of one core).
echo
swift build --scratch-path "$scratch" -c release --product nightjar-console-bench >/dev/null
"$scratch/release/nightjar-console-bench"
scripts/bench-console-idle.sh "$scratch/release/nightjar" 30

# Drift: the cost of feeding one request's row into a worker's drift window.
echo
swift build --scratch-path "$scratch" -c release --product nightjar-drift-bench >/dev/null
"$scratch/release/nightjar-drift-bench"
# Drift end to end: the same model served with drift windows updating and without, interleaved at 64
# connections; prints the throughput ratio against the < 5% target (scripts/bench-drift-serving.sh).
echo
SWIFT_SCRATCH_PATH="$scratch" scripts/bench-drift-serving.sh
