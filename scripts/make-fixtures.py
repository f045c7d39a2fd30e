#!/usr/bin/env python3
"""Writes the engine's fixture models and onnxruntime's answers for them, and the demo models.

Run from the repository root:  python3 scripts/make-fixtures.py
Needs: pip install onnx onnxruntime skl2onnx scikit-learn "protobuf>=6.31.1,<7"
The generated files are committed, so `make test` needs no Python.
"""
import json
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from skl2onnx import to_onnx
from sklearn.datasets import load_breast_cancer, load_iris, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, StandardScaler

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "EngineTests", "Fixtures")
DEMO = os.path.join(ROOT, "Sources", "nightjar", "DemoModels")
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}


def export(model, x, zipmap):
    options = {id(model): {"zipmap": zipmap}}
    return to_onnx(model, x[:1].astype(np.float32), target_opset=TARGET_OPSET, options=options)


def run_reference(onx, feeds):
    session = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return names, session.run(None, feeds)


def jsonable(value):
    if isinstance(value, np.ndarray):
        return {"shape": list(value.shape), "data": value.ravel().tolist()}
    if isinstance(value, list):  # ZipMap: a list of {class: probability}
        return {"maps": [{str(k): float(v) for k, v in row.items()} for row in value]}
    raise TypeError(type(value))


def write_case(name, onx, x):
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, name + ".onnx"), "wb") as f:
        f.write(onx.SerializeToString())
    input_name = onx.graph.input[0].name
    cases = []
    for rows in (x[:1], x[:50]):
        rows = rows.astype(np.float32)
        names, outputs = run_reference(onx, {input_name: rows})
        cases.append({
            "inputs": {input_name: jsonable(rows)},
            "outputs": {n: jsonable(v) for n, v in zip(names, outputs)},
        })
    with open(os.path.join(FIXTURES, name + ".json"), "w") as f:
        json.dump({"model": name + ".onnx", "cases": cases}, f, separators=(",", ":"))
    ops = sorted({(n.domain or "ai.onnx", n.op_type) for n in onx.graph.node})
    print(f"{name}: {', '.join(d + ':' + o for d, o in ops)}")


def sklearn_fixtures():
    bc_x, bc_y = load_breast_cancer(return_X_y=True)
    iris_x, iris_y = load_iris(return_X_y=True)
    rng = np.random.RandomState(0)
    bc_idx = rng.permutation(len(bc_x))
    iris_idx = rng.permutation(len(iris_x))
    bc_x, bc_y = bc_x[bc_idx], bc_y[bc_idx]
    iris_x, iris_y = iris_x[iris_idx], iris_y[iris_idx]

    binary = LogisticRegression(max_iter=5000).fit(bc_x, bc_y)
    multi = LogisticRegression(max_iter=5000).fit(iris_x, iris_y)
    scaled_binary = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(bc_x, bc_y)
    scaled_multi = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=5000)).fit(iris_x, iris_y)
    normalized = make_pipeline(Normalizer(norm="l2"), LogisticRegression(max_iter=5000)).fit(iris_x, iris_y)
    # String class labels exercise the classlabels_strings path.
    names = np.array(["setosa", "versicolor", "virginica"])[iris_y]
    string_labels = LogisticRegression(max_iter=5000).fit(iris_x, names)

    for zipmap in (True, False):
        suffix = "zipmap" if zipmap else "tensor"
        write_case(f"logreg_binary_{suffix}", export(binary, bc_x, zipmap), bc_x)
        write_case(f"logreg_multi_{suffix}", export(multi, iris_x, zipmap), iris_x)
        write_case(f"scaler_logreg_binary_{suffix}", export_pipeline(scaled_binary, bc_x, zipmap), bc_x)
        write_case(f"scaler_logreg_multi_{suffix}", export_pipeline(scaled_multi, iris_x, zipmap), iris_x)
    write_case("normalizer_logreg_multi_tensor", export_pipeline(normalized, iris_x, False), iris_x)
    write_case("logreg_string_labels_zipmap", export(string_labels, iris_x, True), iris_x)


def export_pipeline(pipeline, x, zipmap):
    final = pipeline.steps[-1][1]
    return to_onnx(pipeline, x[:1].astype(np.float32), target_opset=TARGET_OPSET,
                   options={id(final): {"zipmap": zipmap}})


def invalid_fixtures():
    # A graph with an operator the engine does not implement, to check the load-time refusal.
    node = helper.make_node("Celu", ["x"], ["y"], name="celu_1", alpha=1.0)
    graph = helper.make_graph([node], "unsupported",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with open(os.path.join(FIXTURES, "unsupported_celu.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    with open(os.path.join(FIXTURES, "not_onnx.onnx"), "wb") as f:
        f.write(b"this is a CSV file, not a model\nage,income\n41,52000\n")


def demo_models():
    """Two versions of a binary 'fraud' classifier over 6 features, and sample rows for traffic."""
    x, y = make_classification(n_samples=4000, n_features=6, n_informative=4, n_redundant=1,
                               weights=[0.9, 0.1], random_state=7)
    x = x.astype(np.float32)
    v1 = LogisticRegression(max_iter=2000).fit(x, y)
    v2 = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=2000)).fit(x, y)
    os.makedirs(DEMO, exist_ok=True)
    for version, model, final in (("1.0.0", v1, v1), ("1.1.0", v2, v2.steps[-1][1])):
        onx = to_onnx(model, x[:1], target_opset=TARGET_OPSET, options={id(final): {"zipmap": False}},
                      initial_types=None)
        rename_input(onx, "features")
        onnx.checker.check_model(onx)
        with open(os.path.join(DEMO, f"fraud-{version}.onnx"), "wb") as f:
            f.write(onx.SerializeToString())
    with open(os.path.join(DEMO, "fraud-sample.json"), "w") as f:
        json.dump([[round(float(v), 4) for v in row] for row in x[:200]], f, separators=(",", ":"))


def rename_input(onx, new_name):
    old = onx.graph.input[0].name
    onx.graph.input[0].name = new_name
    for node in onx.graph.node:
        node.input[:] = [new_name if i == old else i for i in node.input]


if __name__ == "__main__":
    sklearn_fixtures()
    invalid_fixtures()
    demo_models()
