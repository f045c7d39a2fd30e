"""The comparison point for the worker benchmark: a model served the way most tutorials show it —
FastAPI, a pydantic request model, onnxruntime, one uvicorn process. Started by scripts/bench-serving.sh:

    BENCH_MODEL=path/to/model.onnx uvicorn scripts.bench_fastapi_app:app --port PORT
"""
import os

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
session = ort.InferenceSession(os.environ["BENCH_MODEL"], providers=["CPUExecutionProvider"])
input_name = session.get_inputs()[0].name


class Features(BaseModel):
    features: list[list[float]]


@app.post("/predict")
def predict(request: Features):
    x = np.array(request.features, dtype=np.float32)
    label, probabilities = session.run(None, {input_name: x})
    return {"label": label.tolist(), "probabilities": probabilities.tolist()}
