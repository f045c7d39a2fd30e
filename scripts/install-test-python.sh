#!/usr/bin/env bash
# Installs the Python packages some tests use when present (WorkerTests runs the real Triton HTTP
# client against a worker); those tests skip with a message when the packages are absent.
set -euo pipefail
python3 -c "import tritonclient.http, numpy" 2>/dev/null && exit 0
echo "installing tritonclient[http] for the worker's OIP client test"
python3 -m pip install --quiet "tritonclient[http]" numpy
