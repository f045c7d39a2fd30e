#!/usr/bin/env bash
# Installs the Python packages some tests use when present (WorkerTests runs the real Triton HTTP
# client and KServe's v2 REST client against a worker); those tests skip with a message when the
# packages are absent.
set -euo pipefail
if ! python3 -c "import tritonclient.http, numpy" 2>/dev/null; then
    echo "installing tritonclient[http] for the worker's OIP client test"
    python3 -m pip install --quiet "tritonclient[http]" numpy
fi
if ! python3 -c "import kserve, numpy" 2>/dev/null; then
    # The whole KServe SDK (its server, grpcio, kubernetes models) for its REST client: the largest
    # install here, so a failure only skips that one test.
    echo "installing kserve for the worker's KServe v2 REST client test"
    python3 -m pip install --quiet kserve numpy || echo "kserve did not install; its worker test will be skipped" >&2
fi
