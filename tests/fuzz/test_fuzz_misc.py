"""Bad-input fuzz of the shared helpers: scratch.metrics, scratch.plot, scratch.cache and
scratch.display. Each case must raise a clear ValueError/TypeError from scratch itself.
No case here trains, writes a cache file or opens a window (refused before any work)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from scratch import cache, display, metrics, plot  # noqa: E402
from scratch.autograd.value import Value  # noqa: E402
from scratch.nn.layers import Linear  # noqa: E402

X = np.arange(12.0).reshape(6, 2)
Y = np.array([0, 1, 2, 0, 1, 2])


def model():
    return Linear(2, 3, rng=0)


def never():
    raise AssertionError("compute must not run for a refused call")


EXEMPT = {
    "scratch.cache.cache_dir": "takes no arguments: the folder comes from the working directory",
}

CASES = [
    # ---- metrics -----------------------------------------------------------------------
    Case(metrics.accuracy_score, lambda: metrics.accuracy_score([0, 1, 1], [0, 1]), ValueError, "mismatched shapes",
         label="lengths differ"),
    Case(metrics.accuracy_score, lambda: metrics.accuracy_score(np.ones((3, 1)), np.ones(3)), ValueError,
         r"\(n_samples,\)", label="column vector"),
    Case(metrics.accuracy_score, lambda: metrics.accuracy_score([], []), ValueError, "empty", label="no samples"),
    Case(metrics.predict_logits, lambda: metrics.predict_logits(model(), X[:, 0]), ValueError, "shape",
         label="1-D X"),
    Case(metrics.predict_logits, lambda: metrics.predict_logits(model(), X, batch_size=0), ValueError, "batch_size",
         label="batch_size 0"),
    Case(metrics.predict_logits, lambda: metrics.predict_logits(np.mean, X), TypeError, "Module|model",
         label="a numpy function as model"),
    Case(metrics.predict_logits, lambda: metrics.predict_logits(model(), np.where(X > 5, np.nan, X)), ValueError,
         "NaN", label="NaN in X"),
    Case(metrics.accuracy, lambda: metrics.accuracy(model(), X, Y[:5]), ValueError, "mismatched lengths",
         label="y too short"),
    Case(metrics.accuracy, lambda: metrics.accuracy(model(), X, Y.astype(float)), TypeError, "integer class labels",
         label="float labels"),
    Case(metrics.accuracy, lambda: metrics.accuracy(model(), X, np.eye(3)[Y]), ValueError, r"\(n_samples,\)",
         label="one-hot labels"),
    Case(metrics.squared_euclidean_distances, lambda: metrics.squared_euclidean_distances(X, np.ones((3, 3))),
         ValueError, "features", label="widths differ"),
    Case(metrics.squared_euclidean_distances, lambda: metrics.squared_euclidean_distances(X, [[np.inf, 0.0]]),
         ValueError, "NaN", label="inf in B"),
    Case(metrics.squared_euclidean_distances, lambda: metrics.squared_euclidean_distances(X[:, 0], X), ValueError,
         "n_samples, n_features", label="1-D A"),
    # ---- plot ----------------------------------------------------------------------------------
    Case(plot.new_figure, lambda: plot.new_figure(0), ValueError, "ncols must be >= 1", label="no columns"),
    Case(plot.new_figure, lambda: plot.new_figure(2, width=-4.0), ValueError, "width", label="negative width"),
    Case(plot.new_figure, lambda: plot.new_figure(2.5), TypeError, "ncols must be an integer", label="float ncols"),
    Case(plot.benchmark_summary, lambda: plot.benchmark_summary(Path(__file__)), ValueError,
         "not a benchmark record", label="a Python file, not JSON"),
    Case(plot.grid_2d, lambda: plot.grid_2d(np.ones((5, 3))), ValueError, "2 features|two features|columns",
         label="3 features"),
    Case(plot.grid_2d, lambda: plot.grid_2d(X, resolution=1), ValueError, "resolution", label="resolution 1"),
    Case(plot.grid_2d, lambda: plot.grid_2d(X, pad=-0.1), ValueError, "pad", label="negative pad"),
    Case(plot.draw_graph, lambda: plot.draw_graph(3.0), TypeError, "expects a Value", label="a float"),
    Case(plot.draw_graph, lambda: plot.draw_graph(Value(1.0) * 2, ax="left"), TypeError, "matplotlib Axes",
         label="a string as ax"),
    # ---- cache ---------------------------------------------------------------------------------------
    Case(cache.source_hash, lambda: cache.source_hash(metrics), TypeError, "list of modules", label="a module, not a list"),
    Case(cache.source_hash, lambda: cache.source_hash("scratch.metrics"), TypeError, "list of modules",
         label="a module name"),
    Case(cache.source_hash, lambda: cache.source_hash([3]), TypeError, "not a module, class or function",
         label="a number in the list"),
    Case(cache.cached_arrays, lambda: cache.cached_arrays("../weights", {}, [metrics], never), ValueError,
         "file-name prefix", label="a path as name"),
    Case(cache.cached_arrays, lambda: cache.cached_arrays("fuzz", {"w": np.ones(2)}, [metrics], never), TypeError,
         "JSON-serialisable", label="an array in config"),
    Case(cache.cached_arrays, lambda: cache.cached_arrays("fuzz", [("lr", 0.1)], [metrics], never), TypeError,
         "config must be a dict", label="config as a list"),
    Case(cache.cached_arrays, lambda: cache.cached_arrays("fuzz", {}, [metrics], {"w": np.ones(2)}), TypeError,
         "compute must be a function", label="arrays instead of a function"),
    # ---- display -------------------------------------------------------------------------------------
    Case(display.show, lambda: display.show(), TypeError, "at least one", label="nothing to show"),
    Case(display.show, lambda: display.show(3), TypeError, "cannot get the source", label="a number"),
    Case(display.missing_package_hint, lambda: display.missing_package_hint(None), TypeError, "import name",
         label="None"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
