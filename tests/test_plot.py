"""Tests for scratch.plot."""

import pytest

pytest.importorskip("IPython")

import numpy as np  # noqa: E402

from scratch.plot import grid_2d, new_figure  # noqa: E402


def test_new_figure_shape():
    import matplotlib

    matplotlib.use("Agg")
    fig, axes = new_figure(3, 2)
    assert axes.shape == (2, 3)
    assert fig.get_size_inches().tolist() == [12.0, 6.0]


def test_benchmark_summary(tmp_path):
    import json

    from scratch.plot import benchmark_summary

    record = {"date": "2026-11-21 12:00 UTC", "threads": 1, "dtype": "float32",
              "machine": {"platform": "Linux", "cpu_count": 2, "numpy": "2.4", "torch": "2.13"},
              "command": "python benchmarks/bench_gpt.py --json",
              "results": [{"case": "GPT", "scratch_ms": 150.0, "torch_ms": 100.0, "ratio": 1.5}]}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(record))
    text = benchmark_summary(path)
    assert "ratio scratch/torch 1.50" in text and "2 CPUs" in text and text.endswith("--json")
    assert "not found" in benchmark_summary(tmp_path / "missing.json")
    path.write_text("{}")
    with pytest.raises(ValueError, match="not a benchmark record"):
        benchmark_summary(path)


def test_committed_benchmark_records_are_readable():
    from pathlib import Path

    from scratch.plot import benchmark_summary

    root = Path(__file__).resolve().parents[1] / "benchmarks"
    for name in ["results.json", "results_gpt.json"]:
        assert "ratio scratch/torch" in benchmark_summary(root / name), name


def test_grid_2d_covers_the_data():
    X = np.array([[0.0, -1.0], [2.0, 3.0]])
    xx, yy, points = grid_2d(X, resolution=11, pad=0.5)
    assert xx.shape == yy.shape == (11, 11) and points.shape == (121, 2)
    assert xx.min() == pytest.approx(-1.0) and xx.max() == pytest.approx(3.0)
    assert yy.min() == pytest.approx(-3.0) and yy.max() == pytest.approx(5.0)
    np.testing.assert_array_equal(points[:, 0], xx.ravel())
    _, _, flat = grid_2d(np.array([[1.0, 1.0], [1.0, 1.0]]), resolution=3)  # zero range: still a grid
    assert np.ptp(flat[:, 0]) > 0


def test_grid_2d_bad_input():
    with pytest.raises(ValueError, match=r"shape \(n_samples, 2\)"):
        grid_2d(np.zeros((4, 3)))


def test_draw_graph_returns_axes():
    matplotlib = pytest.importorskip("matplotlib")
    from scratch.autograd.value import Value
    from scratch.plot import draw_graph

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = (a * b + a).tanh()
    c.backward()
    ax = draw_graph(c)
    assert isinstance(ax, matplotlib.axes.Axes)
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("a | data 2") for t in texts)
    assert {"*", "+", "tanh"} <= set(texts)
    assert "5 values" in ax.get_title()
    fig, ax2 = plt.subplots()
    assert draw_graph(c, ax=ax2) is ax2
    plt.close("all")


def test_draw_graph_rejects_non_values():
    from scratch.plot import draw_graph

    with pytest.raises(TypeError, match="expects a Value"):
        draw_graph(1.0)
