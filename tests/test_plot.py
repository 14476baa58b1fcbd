"""Tests for scratch.plot."""

import numpy as np
import pytest

from scratch.plot import grid_2d, new_figure


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


def _load_record_module():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "_record.py"
    spec = importlib.util.spec_from_file_location("_bench_record", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_records_are_kept_per_machine_and_name_the_machine(tmp_path):
    """write_record converts an old one-record file, adds this machine's record, and replaces it
    (not duplicates it) on a second run; benchmark_summary names the machine of every record."""
    import json

    torch = pytest.importorskip("torch")
    pytest.importorskip("threadpoolctl")
    from scratch.plot import benchmark_summary

    rec = _load_record_module()
    legacy = {"date": "2026-11-21 12:00 UTC", "threads": 1, "dtype": "float32",
              "machine": {"platform": "Linux-old", "cpu_count": 2, "numpy": "2.4", "torch": "2.13"},
              "command": "python benchmarks/bench_gpt.py --json",
              "results": [{"case": "GPT", "scratch_ms": 150.0, "torch_ms": 100.0, "ratio": 1.5}]}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(legacy))
    for ratio in (0.9, 0.8):  # the same machine twice: one record, the newer
        rec.write_record(str(path), benchmark="b", command="python benchmarks/bench_gpt.py --json", threads=1,
                         repeats=3, warmup=1, torch=torch, clock="cpu",
                         results=[{"case": "GPT", "scratch_ms": 80.0, "torch_ms": 100.0, "ratio": ratio}])
    data = json.loads(path.read_text())
    assert len(data["records"]) == 2 and data["records"][0]["results"][0]["ratio"] == 0.8
    fp = data["records"][0]["fingerprint"]
    assert fp["id"] == data["records"][0]["fingerprint_id"] and fp["cpu"] and fp["numpy"]["blas"]
    text = benchmark_summary(path)
    assert f"machine {fp['id']}: {fp['cpu']}" in text and "ratio scratch/torch 0.80" in text
    assert "CPU model not recorded" in text and "ratio scratch/torch 1.50" in text
    assert "1.50" not in benchmark_summary(path, machine="latest")
    assert "0.80" not in benchmark_summary(path, machine=data["records"][1]["fingerprint_id"])
    with pytest.raises(ValueError, match="no record of machine"):
        benchmark_summary(path, machine="nonexistent")
