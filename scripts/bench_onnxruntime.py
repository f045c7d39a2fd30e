#!/usr/bin/env python3
"""The reference for `make bench`: onnxruntime, one thread, same model, batch and iteration count.
Usage: bench_onnxruntime.py MODEL INPUT_NAME FEATURES BATCH ITERATIONS  → {"mean_us": …}
FEATURES is one row's shape: a number, or CxHxW for an image."""
import json
import sys
import time

import numpy as np
import onnxruntime as ort

model, input_name, batch, iterations = sys.argv[1], sys.argv[2], *map(int, sys.argv[4:6])
row = tuple(int(d) for d in sys.argv[3].split("x"))
options = ort.SessionOptions()
options.intra_op_num_threads = 1
options.inter_op_num_threads = 1
session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
x = np.random.uniform(-3, 3, size=(batch,) + row).astype(np.float32)
feeds = {input_name: x}
for _ in range(min(100, iterations)):
    session.run(None, feeds)
start = time.perf_counter()
for _ in range(iterations):
    session.run(None, feeds)
elapsed = time.perf_counter() - start
print(json.dumps({"mean_us": elapsed / iterations * 1e6, "batch": batch}))
