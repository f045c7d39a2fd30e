#!/usr/bin/env python3
"""Writes an MLflow model directory (onnx flavor) with the real `mlflow` package, for the
`nightjar import mlflow` tests. The output is committed, so `make test` needs no Python.

Run from the repository root:  python3 scripts/make-mlflow-fixture.py
Needs: pip install mlflow-skinny onnx onnxruntime pandas numpy
"""
import os
import shutil

import mlflow
import mlflow.onnx
import numpy as np
import onnx
from mlflow.models import infer_signature

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "Sources", "nightjar", "DemoModels", "fraud-1.0.0.onnx")
OUT = os.path.join(ROOT, "Tests", "RegistryTests", "Fixtures", "mlflow-fraud")

x = np.random.default_rng(7).normal(size=(8, 6)).astype(np.float32)
signature = infer_signature(x, np.zeros(8, dtype=np.int64))
shutil.rmtree(OUT, ignore_errors=True)
mlflow.onnx.save_model(onnx.load(MODEL), OUT, signature=signature,
                       metadata={"description": "fraud scorer exported through MLflow", "auc": "0.91"})
print("wrote", OUT, "with mlflow", mlflow.__version__)
