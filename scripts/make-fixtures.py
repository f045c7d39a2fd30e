#!/usr/bin/env python3
"""Writes the engine's fixture models and onnxruntime's answers for them, and the demo models.

Run from the repository root:  python3 scripts/make-fixtures.py [GROUP ...]
Groups: linear trees bench mlp svm torch boosting pipelines invalid (the default: all of them) and demo.
The demo models are only written when `demo` is named, because other code depends on their exact
bytes.
Needs: pip install -r scripts/fixture-requirements.txt (onnx, onnxruntime, skl2onnx, scikit-learn,
pandas and protobuf; torch for `torch`; xgboost, lightgbm and onnxmltools for `boosting`).
The generated files are committed, so `make test` needs no Python.
"""
import json
import math
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper
from skl2onnx import to_onnx
from onnx import numpy_helper
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_iris, make_classification, make_regression
from sklearn.ensemble import (ExtraTreesClassifier, GradientBoostingClassifier, GradientBoostingRegressor,
                              HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Binarizer, MinMaxScaler, Normalizer, OneHotEncoder, StandardScaler
from sklearn.svm import SVC, SVR, LinearSVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

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


def number(v):
    """JSON has no NaN or infinity, so those travel as text; float32 values in their shortest form."""
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return float(str(v)) if isinstance(v, np.float32) else float(v)
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode()
    return str(v)


DTYPES = {np.dtype(np.float32): "FP32", np.dtype(np.float64): "FP64", np.dtype(np.int64): "INT64",
          np.dtype(np.int32): "INT32", np.dtype(np.bool_): "BOOL"}


def jsonable(value):
    if isinstance(value, np.ndarray):
        datatype = DTYPES.get(value.dtype, "BYTES")
        return {"shape": list(value.shape), "datatype": datatype, "data": [number(v) for v in value.ravel()]}
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


def write_feeds(name, onx, batches):
    """Like write_case, for models with several or non-float inputs: each batch is {input: array}."""
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, name + ".onnx"), "wb") as f:
        f.write(onx.SerializeToString())
    cases = []
    for feeds in batches:
        names, outputs = run_reference(onx, feeds)
        cases.append({
            "inputs": {k: jsonable(v) for k, v in feeds.items()},
            "outputs": {n: jsonable(v) for n, v in zip(names, outputs)},
        })
    with open(os.path.join(FIXTURES, name + ".json"), "w") as f:
        json.dump({"model": name + ".onnx", "cases": cases}, f, separators=(",", ":"), allow_nan=False)
    ops = sorted({(n.domain or "ai.onnx", n.op_type) for n in onx.graph.node})
    print(f"{name}: {', '.join(d + ':' + o for d, o in ops)}")


def float_cases(onx, x, rows=1000):
    """Batch 1 and a large batch of float32 rows for the model's single input."""
    input_name = onx.graph.input[0].name
    x = x.astype(np.float32)
    return [{input_name: x[:1]}, {input_name: x[:rows]}]


def double_cases(onx, x, rows=1000):
    input_name = onx.graph.input[0].name
    # Values a float cannot hold exactly, so a double comparison is really exercised.
    x = x.astype(np.float64) * (1 + 1e-9)
    return [{input_name: x[:1]}, {input_name: x[:rows]}]


def tabular(n_classes, seed, rows=1400, features=8, nan_fraction=0.0):
    x, y = make_classification(n_samples=rows, n_features=features, n_informative=5, n_redundant=1,
                               n_classes=n_classes, n_clusters_per_class=1, random_state=seed)
    rng = np.random.RandomState(seed)
    if nan_fraction:
        x[rng.uniform(size=x.shape) < nan_fraction] = np.nan
    return x.astype(np.float32), y


def regression(seed, rows=1400, features=8, nan_fraction=0.0):
    x, y = make_regression(n_samples=rows, n_features=features, n_informative=6, noise=5.0, random_state=seed)
    rng = np.random.RandomState(seed)
    if nan_fraction:
        x[rng.uniform(size=x.shape) < nan_fraction] = np.nan
    return x.astype(np.float32), y


def tree_fixtures():
    # Small ensembles: the point is every code path of the operators, not model quality.
    x2, y2 = tabular(2, 1)
    x3, y3 = tabular(3, 2)
    xr, yr = regression(3)
    xn2, yn2 = tabular(2, 4, nan_fraction=0.1)
    xn3, yn3 = tabular(3, 5, nan_fraction=0.1)
    xnr, ynr = regression(6, nan_fraction=0.1)
    # Training rows get NaNs too, so the trees learn where missing values go.
    models = [
        ("tree_dt_classifier", DecisionTreeClassifier(max_depth=6, random_state=0).fit(x3, y3), x3, False),
        ("tree_dt_classifier_binary", DecisionTreeClassifier(max_depth=5, random_state=0).fit(x2, y2), x2, False),
        ("tree_dt_regressor", DecisionTreeRegressor(max_depth=6, random_state=0).fit(xr, yr), xr, None),
        ("tree_rf_classifier", RandomForestClassifier(n_estimators=12, max_depth=6, random_state=0).fit(x3, y3), x3, False),
        ("tree_rf_classifier_binary_zipmap", RandomForestClassifier(n_estimators=10, max_depth=5, random_state=0).fit(x2, y2), x2, True),
        ("tree_rf_regressor", RandomForestRegressor(n_estimators=10, max_depth=6, random_state=0).fit(xr, yr), xr, None),
        ("tree_et_classifier", ExtraTreesClassifier(n_estimators=10, max_depth=6, random_state=0).fit(x3, y3), x3, False),
        ("tree_gb_classifier_binary", GradientBoostingClassifier(n_estimators=15, max_depth=3, random_state=0).fit(x2, y2), x2, False),
        ("tree_gb_classifier", GradientBoostingClassifier(n_estimators=10, max_depth=3, random_state=0).fit(x3, y3), x3, False),
        ("tree_gb_regressor", GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0).fit(xr, yr), xr, None),
        ("tree_hgb_classifier_binary_nan", HistGradientBoostingClassifier(max_iter=15, max_depth=4, random_state=0).fit(xn2, yn2), xn2, False),
        ("tree_hgb_classifier_nan", HistGradientBoostingClassifier(max_iter=10, max_depth=4, random_state=0).fit(xn3, yn3), xn3, False),
        ("tree_hgb_regressor_nan", HistGradientBoostingRegressor(max_iter=20, max_depth=4, random_state=0).fit(xnr, ynr), xnr, None),
    ]
    for name, model, x, zipmap in models:
        options = {id(model): {"zipmap": zipmap}} if zipmap is not None else None
        onx = to_onnx(model, x[:1], target_opset=TARGET_OPSET, options=options)
        write_feeds(name, onx, float_cases(onx, x))
    # String labels on a forest: labels come back by index.
    names = np.array(["low", "mid", "high"])[y3]
    forest = RandomForestClassifier(n_estimators=6, max_depth=5, random_state=1).fit(x3, names)
    onx = to_onnx(forest, x3[:1], target_opset=TARGET_OPSET, options={id(forest): {"zipmap": False}})
    write_feeds("tree_rf_classifier_string_labels", onx, float_cases(onx, x3))
    # Double thresholds and weights (the *_as_tensor attributes) on a double input, float outputs:
    # what onnxruntime accepts of the opset 3 operators.
    dt = DecisionTreeRegressor(max_depth=6, random_state=0).fit(xr, yr)
    onx = as_tensor_attributes(to_onnx(dt, xr[:1], target_opset=TARGET_OPSET))
    write_feeds("tree_dt_regressor_as_tensor", onx, double_cases(onx, xr))
    gb = GradientBoostingClassifier(n_estimators=8, max_depth=3, random_state=0).fit(x2, y2)
    onx = as_tensor_attributes(to_onnx(gb, x2[:1], target_opset=TARGET_OPSET, options={id(gb): {"zipmap": False}}))
    write_feeds("tree_gb_classifier_binary_as_tensor", onx, double_cases(onx, x2))
    # ai.onnx.ml opset 5 TreeEnsemble, converted from the regressor above by tree_ensemble_v5.
    forest = RandomForestRegressor(n_estimators=8, max_depth=5, random_state=0).fit(xnr, ynr)
    onx = tree_ensemble_v5(to_onnx(forest, xnr[:1], target_opset=TARGET_OPSET))
    write_feeds("tree_ensemble_v5_regressor_nan", onx, float_cases(onx, xnr))


def bench_fixtures():
    """The models issue #4's engine benchmark names, at their real sizes, on 20 features: a binary
    logistic regression, a 100-tree depth-10 random forest and a 100-iteration histogram gradient
    boosting classifier trained with missing values. Checked like the other fixtures; scripts/bench.sh
    times them against onnxruntime."""
    x, y = tabular(2, 11, rows=2000, features=20)
    logreg = LogisticRegression(max_iter=5000).fit(x, y)
    onx = to_onnx(logreg, x[:1], target_opset=TARGET_OPSET, options={id(logreg): {"zipmap": False}})
    write_feeds("bench_logreg_20", onx, float_cases(onx, x))
    forest = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0).fit(x, y)
    onx = to_onnx(forest, x[:1], target_opset=TARGET_OPSET, options={id(forest): {"zipmap": False}})
    write_feeds("bench_rf_100x10", onx, float_cases(onx, x))
    xn, yn = tabular(2, 12, rows=2000, features=20, nan_fraction=0.1)
    hgb = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(xn, yn)
    assert hgb.n_iter_ == 100, hgb.n_iter_
    onx = to_onnx(hgb, xn[:1], target_opset=TARGET_OPSET, options={id(hgb): {"zipmap": False}})
    write_feeds("bench_hgb_100", onx, float_cases(onx, xn))


def as_tensor_attributes(onx):
    """Moves a tree node's float attributes (thresholds, weights, base values) to their double
    `*_as_tensor` twins, which converters use for models trained in double precision."""
    for node in onx.graph.node:
        if not node.op_type.startswith("TreeEnsemble"):
            continue
        for attribute in list(node.attribute):
            if attribute.name in ("nodes_values", "target_weights", "class_weights", "base_values"):
                values = np.array(helper.get_attribute_value(attribute), dtype=np.float64)
                node.attribute.remove(attribute)
                node.attribute.append(helper.make_attribute(attribute.name + "_as_tensor", numpy_helper.from_array(values)))
    for o in onx.opset_import:
        if o.domain == "ai.onnx.ml":
            o.version = 3  # where the *_as_tensor attributes appeared
    onx.graph.input[0].type.tensor_type.elem_type = TensorProto.DOUBLE
    return onx


def tree_ensemble_v5(onx):
    """Rewrites a float TreeEnsembleRegressor graph as ai.onnx.ml opset 5 TreeEnsemble, with some
    splits as BRANCH_MEMBER sets, so the new encoding is checked against onnxruntime."""
    old = next(n for n in onx.graph.node if n.op_type == "TreeEnsembleRegressor")
    a = {x.name: helper.get_attribute_value(x) for x in old.attribute}
    trees = {}
    for i, (t, n) in enumerate(zip(a["nodes_treeids"], a["nodes_nodeids"])):
        trees.setdefault(t, {})[n] = i
    weights = {(t, n): w for t, n, w in zip(a["target_treeids"], a["target_nodeids"], a["target_weights"])}
    nodes = {k: [] for k in ("featureids", "splits", "modes", "truenodeids", "trueleafs", "falsenodeids", "falseleafs", "missing")}
    leaf_weights, leaf_targets, roots, members = [], [], [], []

    def emit(tree, node_id):
        i = trees[tree][node_id]
        if a["nodes_modes"][i] == b"LEAF":
            leaf_weights.append(weights[(tree, node_id)])
            leaf_targets.append(0)
            return True, len(leaf_weights) - 1
        position = len(nodes["featureids"])
        for k in nodes:
            nodes[k].append(0)
        nodes["featureids"][position] = a["nodes_featureids"][i]
        threshold = a["nodes_values"][i]
        nodes["splits"][position] = threshold
        nodes["modes"][position] = 0
        nodes["missing"][position] = a["nodes_missing_value_tracks_true"][i] if "nodes_missing_value_tracks_true" in a else 0
        nodes["trueleafs"][position], nodes["truenodeids"][position] = emit(tree, a["nodes_truenodeids"][i])
        nodes["falseleafs"][position], nodes["falsenodeids"][position] = emit(tree, a["nodes_falsenodeids"][i])
        return False, position

    for tree in sorted(trees):
        is_leaf, position = emit(tree, 0)
        if is_leaf:  # a one-leaf tree: a node whose both branches reach the leaf
            for k in nodes:
                nodes[k].append(0)
            nodes["trueleafs"][-1] = nodes["falseleafs"][-1] = 1
            nodes["truenodeids"][-1] = nodes["falsenodeids"][-1] = position
            position = len(nodes["featureids"]) - 1
        roots.append(position)
    # One extra tree made of set-membership and equality splits, so BRANCH_MEMBER / EQ / NEQ / GT run too.
    base = len(nodes["featureids"])
    extra = [  # feature, split, mode, true, true-is-leaf, false, false-is-leaf, missing-tracks-true
        (0, 0.0, 6, base + 1, 0, base + 2, 0, 1),
        (1, 0.5, 3, len(leaf_weights), 1, len(leaf_weights) + 1, 1, 0),
        (2, 0.0, 5, len(leaf_weights) + 2, 1, len(leaf_weights) + 3, 1, 1),
    ]
    members.extend([-1.0, 0.0, 1.0, float("nan")])
    for f, s, m, t, tl, fa, fl, miss in extra:
        for k, v in zip(("featureids", "splits", "modes", "truenodeids", "trueleafs", "falsenodeids", "falseleafs", "missing"),
                        (f, s, m, t, tl, fa, fl, miss)):
            nodes[k].append(v)
    leaf_weights.extend([3.0, -2.0, 0.5, 7.0])
    leaf_targets.extend([0, 0, 0, 0])
    roots.append(base)
    new = helper.make_node(
        "TreeEnsemble", list(old.input), list(old.output), name=old.name, domain="ai.onnx.ml",
        aggregate_function=1, post_transform=0, n_targets=1, tree_roots=roots,
        nodes_featureids=nodes["featureids"],
        nodes_splits=numpy_helper.from_array(np.array(nodes["splits"], dtype=np.float32)),
        nodes_modes=numpy_helper.from_array(np.array(nodes["modes"], dtype=np.uint8)),
        nodes_truenodeids=nodes["truenodeids"], nodes_trueleafs=nodes["trueleafs"],
        nodes_falsenodeids=nodes["falsenodeids"], nodes_falseleafs=nodes["falseleafs"],
        nodes_missing_value_tracks_true=nodes["missing"],
        membership_values=numpy_helper.from_array(np.array(members, dtype=np.float32)),
        leaf_targetids=leaf_targets,
        leaf_weights=numpy_helper.from_array(np.array(leaf_weights, dtype=np.float32)))
    index = list(onx.graph.node).index(old)
    onx.graph.node.remove(old)
    onx.graph.node.insert(index, new)
    for o in onx.opset_import:
        if o.domain == "ai.onnx.ml":
            o.version = 5
    return onx


def mlp_fixtures():
    x3, y3 = tabular(3, 7, features=10)
    xr, yr = regression(8, features=10)
    clf = MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=300, random_state=0).fit(x3, y3)
    onx = to_onnx(clf, x3[:1], target_opset=TARGET_OPSET, options={id(clf): {"zipmap": False}})
    write_feeds("mlp_classifier", onx, float_cases(onx, x3))
    x2, y2 = tabular(2, 9, features=10)
    binary = MLPClassifier(hidden_layer_sizes=(32,), activation="tanh", max_iter=300, random_state=0).fit(x2, y2)
    onx = to_onnx(binary, x2[:1], target_opset=TARGET_OPSET, options={id(binary): {"zipmap": True}})
    write_feeds("mlp_classifier_binary_zipmap", onx, float_cases(onx, x2))
    reg = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=300, random_state=0)).fit(xr, yr)
    onx = to_onnx(reg, xr[:1], target_opset=TARGET_OPSET)
    write_feeds("mlp_regressor", onx, float_cases(onx, xr))
    logistic = MLPRegressor(hidden_layer_sizes=(16,), activation="logistic", max_iter=300, random_state=0).fit(xr, yr / 100)
    onx = to_onnx(logistic, xr[:1], target_opset=TARGET_OPSET)
    write_feeds("mlp_regressor_logistic", onx, float_cases(onx, xr))


def torch_fixtures():
    """PyTorch models exported by torch.onnx.export: an MLP, a 1-D and a 2-D CNN, and a transformer
    encoder block, with random weights and non-trivial BatchNorm statistics. Batch 1 and 64."""
    import torch
    from torch import nn

    torch.manual_seed(0)

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 3))

        def forward(self, x):
            return torch.softmax(self.layers(x), dim=-1)

    class Cnn1d(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv1d(4, 8, kernel_size=5, padding=2), nn.BatchNorm1d(8), nn.ReLU(), nn.MaxPool1d(2),
                nn.Conv1d(8, 12, kernel_size=3, stride=2, padding=1, dilation=1), nn.ReLU(),
                nn.AvgPool1d(3, stride=1, padding=1, count_include_pad=False), nn.BatchNorm1d(12), nn.Conv1d(12, 16, kernel_size=3, dilation=2, groups=4), nn.ReLU(),
                nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(16, 3))

        def forward(self, x):
            return self.features(x)

    class Cnn2d(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                nn.BatchNorm2d(8), nn.Conv2d(8, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
                nn.AvgPool2d(2, ceil_mode=True), nn.Conv2d(16, 16, kernel_size=1), nn.ReLU(),
                nn.Conv2d(16, 16, kernel_size=3, padding=1, groups=16),
                nn.MaxPool2d(3, stride=1, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 4))

        def forward(self, x):
            return self.features(x)

    class EncoderBlock(nn.Module):
        """Pre-norm self-attention and a GELU feed-forward, written out so every operator shows."""
        def __init__(self, d=16, heads=4, hidden=32):
            super().__init__()
            self.heads = heads
            self.norm1, self.norm2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.out = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.ff1, self.ff2 = nn.Linear(d, hidden), nn.Linear(hidden, d)
            self.gelu = nn.GELU()

        def forward(self, x):
            b, t, d = x.shape
            q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
            split = lambda z: z.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)
            q, k, v = split(q), split(k), split(v)
            attention = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // self.heads), dim=-1)
            x = x + self.out((attention @ v).transpose(1, 2).reshape(b, t, d))
            return x + self.ff2(self.gelu(self.ff1(self.norm2(x))))

    rng = np.random.RandomState(21)
    models = [
        ("torch_mlp", Mlp(), (12,), 17),
        ("torch_cnn1d", Cnn1d(), (4, 32), 17),
        ("torch_cnn2d", Cnn2d(), (1, 16, 16), 17),
        ("torch_transformer_erf", EncoderBlock(), (8, 16), 17),  # GELU written as Erf before opset 20
        ("torch_transformer_gelu", EncoderBlock(), (8, 16), 20),
    ]
    for name, model, shape, opset in models:
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.running_mean.copy_(torch.randn(m.num_features) * 0.5)
                m.running_var.copy_(torch.rand(m.num_features) + 0.5)
                m.weight.data.copy_(torch.rand(m.num_features) + 0.5)
                m.bias.data.copy_(torch.randn(m.num_features) * 0.2)
        model.eval()
        x = rng.normal(size=(64,) + shape).astype(np.float32)
        onx = torch_export(model, x, opset)
        write_feeds(name, onx, float_cases(onx, x, rows=64))
    gelu_fixture()


def gelu_fixture():
    """Gelu's tanh approximation, which no PyTorch export above uses, beside the erf form; built
    with onnx.helper since Debian's ONNX backend tests predate Gelu."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 16])
    graph = helper.make_graph([
        helper.make_node("Gelu", ["x"], ["erf"], name="gelu_erf"),
        helper.make_node("Gelu", ["x"], ["tanh"], name="gelu_tanh", approximate="tanh"),
    ], "gelu", [x], [helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, 16]) for n in ("erf", "tanh")])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    onnx.checker.check_model(onx)
    rows = np.random.RandomState(22).normal(scale=3, size=(64, 16)).astype(np.float32)
    write_feeds("onnx_gelu", onx, float_cases(onx, rows, rows=64))


def torch_export(model, x, opset):
    """torch.onnx.export with its defaults but a dynamic batch axis, through the TorchScript
    exporter (dynamo=False), which writes the opset asked for."""
    import io
    import torch
    buffer = io.BytesIO()
    torch.onnx.export(model, (torch.from_numpy(x[:1]),), buffer, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=opset, dynamo=False)
    onx = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(onx)
    return onx


def boosting_fixtures():
    """XGBoost and LightGBM classifiers (binary, multiclass) and regressors converted by onnxmltools,
    trained and run on rows with 10% NaN, which both libraries route down a learned default branch."""
    import lightgbm
    import xgboost
    from onnxmltools import convert_lightgbm, convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType as MlFloat

    xn2, yn2 = tabular(2, 31, nan_fraction=0.1)
    xn3, yn3 = tabular(3, 32, nan_fraction=0.1)
    xnr, ynr = regression(33, nan_fraction=0.1)
    initial = [("X", MlFloat([None, xn2.shape[1]]))]
    opsets = {"target_opset": 15}  # onnxmltools 1.16 goes up to 15 and picks the ai.onnx.ml opset itself
    xgb = [
        ("xgb_classifier_binary_nan", xgboost.XGBClassifier(n_estimators=12, max_depth=4, random_state=0).fit(xn2, yn2), xn2),
        ("xgb_classifier_nan", xgboost.XGBClassifier(n_estimators=8, max_depth=3, random_state=0).fit(xn3, yn3), xn3),
        ("xgb_regressor_nan", xgboost.XGBRegressor(n_estimators=15, max_depth=4, random_state=0).fit(xnr, ynr), xnr),
    ]
    for name, model, x in xgb:
        onx = convert_xgboost(model, initial_types=initial, **opsets)
        onx.graph.name = name  # onnxmltools names graphs with a random UUID; keep reruns byte-identical
        write_feeds(name, onx, float_cases(onx, x))
    lgbm = [
        ("lgbm_classifier_binary_nan", lightgbm.LGBMClassifier(n_estimators=12, num_leaves=15, random_state=0, verbose=-1).fit(xn2, yn2), xn2),
        ("lgbm_classifier_nan", lightgbm.LGBMClassifier(n_estimators=8, num_leaves=7, random_state=0, verbose=-1).fit(xn3, yn3), xn3),
        ("lgbm_regressor_nan", lightgbm.LGBMRegressor(n_estimators=15, num_leaves=15, random_state=0, verbose=-1).fit(xnr, ynr), xnr),
    ]
    for name, model, x in lgbm:
        onx = convert_lightgbm(model, initial_types=initial, zipmap=False, **opsets)
        onx.graph.name = name
        write_feeds(name, onx, float_cases(onx, x))


def svm_fixtures():
    x3, y3 = tabular(3, 10, rows=1000, features=6)
    x2, y2 = tabular(2, 11, rows=1000, features=6)
    xr, yr = regression(12, rows=1000, features=6)
    cases = [
        ("svm_svc_rbf", make_pipeline(StandardScaler(), SVC(kernel="rbf", probability=False)).fit(x3, y3), x3, False),
        ("svm_svc_rbf_binary", make_pipeline(StandardScaler(), SVC(kernel="rbf")).fit(x2, y2), x2, False),
        ("svm_svc_linear", make_pipeline(StandardScaler(), SVC(kernel="linear")).fit(x3, y3), x3, False),
        ("svm_svr_rbf", make_pipeline(StandardScaler(), SVR(kernel="rbf")).fit(xr, yr), xr, None),
        ("svm_svr_linear", make_pipeline(StandardScaler(), SVR(kernel="linear")).fit(xr, yr), xr, None),
        ("svm_svc_rbf_proba", make_pipeline(StandardScaler(), SVC(probability=True, random_state=0)).fit(x3, y3), x3, False),
        ("svm_svc_poly", make_pipeline(StandardScaler(), SVC(kernel="poly", degree=3)).fit(x3, y3), x3, False),
        # No SIGMOID-kernel fixture: onnxruntime takes tanh from MLAS's polynomial approximation, and
        # over hundreds of support vectors the engine's libm tanh drifts past 1e-5 from it.
    ]
    for name, pipeline, x, zipmap in cases:
        final = pipeline.steps[-1][1]
        options = {id(final): {"zipmap": zipmap}} if zipmap is not None else None
        onx = to_onnx(pipeline, x[:1], target_opset=TARGET_OPSET, options=options)
        write_feeds(name, onx, float_cases(onx, x))
    # liblinear's LinearSVC exports as LinearClassifier; string labels through an SVC with Platt scaling.
    scaled = StandardScaler().fit_transform(x3).astype(np.float32)
    linear = LinearSVC(random_state=0).fit(scaled, y3)
    onx = to_onnx(linear, scaled[:1], target_opset=TARGET_OPSET)
    write_feeds("svm_linear_svc", onx, float_cases(onx, scaled))
    names = np.array(["cat", "dog"])[y2]
    strings = SVC(probability=True, random_state=0).fit(StandardScaler().fit_transform(x2), names)
    scaled2 = StandardScaler().fit_transform(x2).astype(np.float32)
    onx = to_onnx(strings, scaled2[:1], target_opset=TARGET_OPSET, options={id(strings): {"zipmap": False}})
    write_feeds("svm_svc_proba_string_labels", onx, float_cases(onx, scaled2))


def pipeline_fixtures():
    x, y = tabular(2, 13, rows=1400, features=6, nan_fraction=0.05)
    imputed = make_pipeline(SimpleImputer(strategy="mean"), MinMaxScaler(), LogisticRegression(max_iter=2000)).fit(x, y)
    onx = to_onnx(imputed, x[:1], target_opset=TARGET_OPSET, options={id(imputed.steps[-1][1]): {"zipmap": False}})
    write_feeds("pipeline_imputer_minmax_logreg", onx, float_cases(onx, x))
    binarized = make_pipeline(Binarizer(threshold=0.2), LogisticRegression(max_iter=2000)).fit(np.nan_to_num(x), y)
    onx = to_onnx(binarized, x[:1], target_opset=TARGET_OPSET, options={id(binarized.steps[-1][1]): {"zipmap": False}})
    write_feeds("pipeline_binarizer_logreg", onx, float_cases(onx, np.nan_to_num(x)))
    # Numeric and string columns, as a ColumnTransformer sees a data frame: one input per column group.
    rng = np.random.RandomState(14)
    numeric = x[:, :4]
    colours = np.array(["red", "green", "blue"])[rng.randint(0, 3, size=len(x))]
    sizes = np.array(["S", "M", "L", "XL"])[rng.randint(0, 4, size=len(x))]
    strings = np.stack([colours, sizes], axis=1).astype(object)
    frame_y = (y + (colours == "red")) % 2
    transformer = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), [0, 1, 2, 3]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), [4, 5]),
    ])
    frame = np.concatenate([numeric.astype(object), strings], axis=1)
    model = make_pipeline(transformer, LogisticRegression(max_iter=2000))
    import pandas as pd
    df = pd.DataFrame(frame, columns=["a", "b", "c", "d", "colour", "size"])
    for col in "abcd":
        df[col] = df[col].astype(np.float32)
    transformer.transformers[0] = ("num", transformer.transformers[0][1], ["a", "b", "c", "d"])
    transformer.transformers[1] = ("cat", transformer.transformers[1][1], ["colour", "size"])
    model.fit(df, frame_y)
    # skl2onnx maps ColumnTransformer columns to graph inputs by name, so give one input per column.
    initial = [(c, FloatTensorType([None, 1])) for c in "abcd"] + [("colour", StringTensorType([None, 1])), ("size", StringTensorType([None, 1]))]
    onx = to_onnx(model, initial_types=initial, target_opset=TARGET_OPSET, options={id(model.steps[-1][1]): {"zipmap": False}})
    feeds = []
    for rows in (slice(0, 1), slice(0, 1000)):
        feed = {c: df[c].values[rows].reshape(-1, 1).astype(np.float32) for c in "abcd"}
        feed["colour"] = df["colour"].values[rows].reshape(-1, 1).astype(object)
        feed["size"] = df["size"].values[rows].reshape(-1, 1).astype(object)
        feeds.append(feed)
    write_feeds("pipeline_column_transformer", onx, feeds)


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
    broken_graphs()


def save_invalid(name, nodes, inputs, outputs, initializers=(), ml=False):
    """A hand-made graph the engine must refuse at load time with a clear message."""
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    opsets = [helper.make_opsetid("", 17)] + ([helper.make_opsetid("ai.onnx.ml", 3)] if ml else [])
    model = helper.make_model(graph, opset_imports=opsets)
    with open(os.path.join(FIXTURES, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())


def broken_graphs():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])
    # Two nodes feeding each other.
    save_invalid("invalid_cycle", [
        helper.make_node("Add", ["x", "b"], ["a"], name="first"),
        helper.make_node("Relu", ["a"], ["b"], name="second"),
        helper.make_node("Identity", ["b"], ["y"], name="out"),
    ], [x], [y])
    # An input nobody provides.
    save_invalid("invalid_dangling_input", [
        helper.make_node("Add", ["x", "offset"], ["y"], name="add_offset"),
    ], [x], [y])
    # Weights for 5 features behind an input of 4.
    w = numpy_helper.from_array(np.ones((5, 3), dtype=np.float32), "weights")
    save_invalid("invalid_initializer_shape", [
        helper.make_node("MatMul", ["x", "weights"], ["y"], name="dense_1"),
    ], [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 3])], [w])
    # Raw data that does not fill the declared dims.
    bad = numpy_helper.from_array(np.ones((2, 3), dtype=np.float32), "scale")
    bad.raw_data = bad.raw_data[:20]  # onnx's helpers refuse to write this, so cut it afterwards
    save_invalid("invalid_initializer_bytes", [
        helper.make_node("Mul", ["x", "scale"], ["y"], name="scale_1"),
    ], [x], [y], [bad])
    # A tree whose branch sends rows to a node id that does not exist.
    save_invalid("invalid_tree_child", [helper.make_node(
        "TreeEnsembleRegressor", ["x"], ["y"], name="trees", domain="ai.onnx.ml", n_targets=1,
        nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
        nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"], nodes_values=[0.5, 0, 0],
        nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[7, 0, 0],
        target_treeids=[0, 0], target_nodeids=[1, 2], target_ids=[0, 0], target_weights=[1.0, 2.0])],
        [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])], ml=True)
    # A split the engine does not know.
    save_invalid("unsupported_tree_mode", [helper.make_node(
        "TreeEnsembleRegressor", ["x"], ["y"], name="odd_trees", domain="ai.onnx.ml", n_targets=1,
        nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
        nodes_modes=["BRANCH_SOMETIMES", "LEAF", "LEAF"], nodes_values=[0.5, 0, 0],
        nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 0],
        target_treeids=[0, 0], target_nodeids=[1, 2], target_ids=[0, 0], target_weights=[1.0, 2.0])],
        [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])], ml=True)
    # The opset 3 classifier in a model importing ai.onnx.ml opset 5, where it no longer exists.
    graph = helper.make_graph([helper.make_node(
        "TreeEnsembleClassifier", ["x"], ["label", "scores"], name="old_trees", domain="ai.onnx.ml",
        classlabels_int64s=[0, 1], nodes_treeids=[0], nodes_nodeids=[0], nodes_featureids=[0],
        nodes_modes=["LEAF"], nodes_values=[0.0], nodes_truenodeids=[0], nodes_falsenodeids=[0],
        class_treeids=[0], class_nodeids=[0], class_ids=[1], class_weights=[1.0])], "old_opset", [x],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, 2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21), helper.make_opsetid("ai.onnx.ml", 5)])
    with open(os.path.join(FIXTURES, "unsupported_opset_tree.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    # Convolution and batch normalization settings the engine does not run, refused at load.
    image = helper.make_tensor_value_info("image", TensorProto.FLOAT, [None, 2, 8, 8])
    kernel = numpy_helper.from_array(np.ones((4, 2, 3, 3), dtype=np.float32), "kernel")
    save_invalid("unsupported_conv_auto_pad", [
        helper.make_node("Conv", ["image", "kernel"], ["y"], name="conv_odd_pad", auto_pad="SAME_SOMETIMES"),
    ], [image], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [kernel])
    # Groups that do not divide the input's channels: the load-time rehearsal finds it.
    grouped = numpy_helper.from_array(np.ones((4, 1, 3, 3), dtype=np.float32), "kernel")
    save_invalid("invalid_conv_group", [
        helper.make_node("Conv", ["image", "kernel"], ["y"], name="conv_groups", group=3),
    ], [image], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [grouped])
    stats = [numpy_helper.from_array(np.ones(2, dtype=np.float32), n) for n in ("gamma", "beta", "mean", "var")]
    save_invalid("unsupported_batchnorm_training", [
        helper.make_node("BatchNormalization", ["image", "gamma", "beta", "mean", "var"], ["y"], name="bn_train", training_mode=1),
    ], [image], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], stats)
    # A tree whose nodes point back at each other: no root, and a loop.
    save_invalid("invalid_tree_cycle", [helper.make_node(
        "TreeEnsembleRegressor", ["x"], ["y"], name="looping_trees", domain="ai.onnx.ml", n_targets=1,
        nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 1, 0],
        nodes_modes=["BRANCH_LEQ", "BRANCH_LEQ", "LEAF"], nodes_values=[0.5, 0.5, 0],
        nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 2, 0],
        target_treeids=[0], target_nodeids=[2], target_ids=[0], target_weights=[1.0])],
        [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])], ml=True)


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


GROUPS = {
    "linear": lambda: sklearn_fixtures(),
    "trees": lambda: tree_fixtures(),
    "bench": lambda: bench_fixtures(),
    "mlp": lambda: mlp_fixtures(),
    "svm": lambda: svm_fixtures(),
    "torch": lambda: torch_fixtures(),
    "boosting": lambda: boosting_fixtures(),
    "pipelines": lambda: pipeline_fixtures(),
    "invalid": lambda: invalid_fixtures(),
    "demo": lambda: demo_models(),
}

if __name__ == "__main__":
    chosen = sys.argv[1:] or [g for g in GROUPS if g != "demo"]
    for group in chosen:
        if group not in GROUPS:
            sys.exit(f"unknown group {group}; choose from {', '.join(GROUPS)}")
        GROUPS[group]()
