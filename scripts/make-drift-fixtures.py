#!/usr/bin/env python3
"""Writes Tests/DriftTests/Fixtures/scipy-statistics.json: inputs and scipy's answers for the drift
statistics, so the Swift tests can check agreement without Python (`make test` never runs this).

    python3 scripts/make-drift-fixtures.py

Needs numpy and scipy. The data is drawn from a fixed seed, so rerunning gives the same file for a
given scipy version; the version is recorded in the file.
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20261125)
out_path = os.path.join(os.path.dirname(__file__), "..", "Tests", "DriftTests", "Fixtures", "scipy-statistics.json")


def floats(a):
    return [float(x) for x in a]


def ks_case(name, a, b):
    exact = stats.ks_2samp(a, b, method="exact")
    # The Kolmogorov limit Nightjar falls back to for very large samples.
    n, m = len(a), len(b)
    en = n * m / (n + m)
    limit = stats.kstwobign.sf(math.sqrt(en) * float(exact.statistic))
    return {
        "name": name, "a": floats(a), "b": floats(b),
        "statistic": float(exact.statistic), "pValueExact": float(exact.pvalue),
        "pValueLimit": float(limit),
    }


ks = [
    ks_case("same distribution, equal sizes", rng.normal(0, 1, 60), rng.normal(0, 1, 60)),
    ks_case("shifted mean, equal sizes", rng.normal(0, 1, 200), rng.normal(0.4, 1, 200)),
    ks_case("same distribution, unequal sizes", rng.normal(5, 2, 80), rng.normal(5, 2, 130)),
    ks_case("shifted, unequal sizes", rng.normal(0, 1, 300), rng.normal(0.25, 1, 450)),
    ks_case("wider spread, coprime sizes", rng.normal(0, 1, 257), rng.normal(0, 1.5, 331)),
    ks_case("ties in integer data", rng.integers(0, 6, 150).astype(float), rng.integers(0, 7, 170).astype(float)),
    ks_case("tiny samples", rng.normal(0, 1, 5), rng.normal(1, 1, 7)),
    ks_case("large samples", rng.normal(0, 1, 2048), rng.normal(0.05, 1, 1500)),
    ks_case("disjoint samples", rng.uniform(0, 1, 40), rng.uniform(2, 3, 50)),
]


def chi_case(name, observed, reference):
    observed = np.asarray(observed, dtype=float)
    reference = np.asarray(reference, dtype=float)
    expected = reference / reference.sum() * observed.sum()
    r = stats.chisquare(observed, expected)
    return {"name": name, "observed": [int(x) for x in observed], "reference": [int(x) for x in reference],
            "statistic": float(r.statistic), "pValue": float(r.pvalue)}


chi = [
    chi_case("close to reference", [98, 105, 97, 100], [1000, 1000, 1000, 1000]),
    chi_case("uneven reference", [30, 52, 18, 40, 60], [120, 200, 90, 150, 240]),
    chi_case("strong shift", [400, 50, 50], [100, 100, 100]),
    chi_case("many bins", [int(x) for x in rng.poisson(50, 12)], [int(x) for x in rng.poisson(500, 12) + 1]),
    chi_case("two bins", [7, 13], [10, 10]),
]


def js_case(name, p, q):
    return {"name": name, "p": floats(p), "q": floats(q), "distance": float(distance.jensenshannon(p, q, base=2))}


js = [
    js_case("identical", [1, 2, 3, 4], [1, 2, 3, 4]),
    js_case("unnormalised counts", [10, 20, 30], [30, 20, 10]),
    js_case("disjoint support", [1, 0, 0], [0, 0, 1]),
    js_case("zero bins on one side", [5, 0, 3, 2], [4, 1, 3, 2]),
    js_case("random histograms", rng.integers(0, 100, 15).astype(float), rng.integers(0, 100, 15).astype(float)),
]


def w_case(name, u, v):
    return {"name": name, "u": floats(u), "v": floats(v), "distance": float(stats.wasserstein_distance(u, v))}


wasserstein = [
    w_case("shifted normal", rng.normal(0, 1, 300), rng.normal(0.5, 1, 250)),
    w_case("different spread", rng.normal(0, 1, 100), rng.normal(0, 3, 400)),
    w_case("single values", [0.0], [5.0]),
    w_case("ties", [0, 0, 1, 1, 1, 3], [0, 1, 2, 2]),
    w_case("same", [1.5, 2.5, 3.5], [3.5, 1.5, 2.5]),
]

document = {
    "generator": "scripts/make-drift-fixtures.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "ks": ks,
    "chiSquared": chi,
    "jensenShannon": js,
    "wasserstein": wasserstein,
}
with open(out_path, "w") as f:
    json.dump(document, f, indent=1)
    f.write("\n")
print(f"wrote {os.path.normpath(out_path)} (scipy {scipy.__version__})")
