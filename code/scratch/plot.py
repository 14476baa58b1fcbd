"""Plotting helpers shared by the book's pages (matplotlib allowed here).

Helpers that display code and records on a page live in :mod:`scratch.display`.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from scratch._validation import check_array, check_int, check_positive

__all__ = ["new_figure", "grid_2d", "draw_graph", "benchmark_summary"]

# Transitional: pages written before scratch.display existed import show from here.
from scratch.display import show  # noqa: E402,F401  (TODO(lead): remove once no page does)


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.0, height: float = 3.0, **kwargs):
    """A figure of ``nrows x ncols`` panels of ``width x height`` inches each, at a web-friendly dpi."""
    import matplotlib.pyplot as plt

    ncols, nrows = check_int(ncols, name="ncols", minimum=1), check_int(nrows, name="nrows", minimum=1)
    width, height = check_positive(width, name="width"), check_positive(height, name="height")
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             dpi=kwargs.pop("dpi", 100), layout="constrained", **kwargs)
    return fig, axes


def benchmark_summary(path, machine: str | None = None) -> str:
    """Text summary of the benchmark records written by ``benchmarks/*.py --json``.

    Pages quote speed ratios from these files (measured side by side by the benchmark
    script) instead of timing anything themselves. A file keeps one record per machine
    fingerprint (CPU model, numpy and its BLAS kernel, torch), so every ratio is shown
    with the machine that measured it.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON file, e.g. ``benchmarks/results.json``.
    machine : str, optional
        Show only the record of this fingerprint id (printed by the benchmarks), or
        ``"latest"`` for the newest record; default: every record, newest first.

    Returns
    -------
    str
        Per record: when and on which machine it was measured, one line per case with
        both times and the ratio scratch/torch, and the command that reproduces it. If
        the file does not exist (e.g. on Colab), a line saying how to create it.
    """
    import json
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        return f"{path.name} not found; create it by running the benchmark with --json (see benchmarks/)."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        records = data["records"] if "records" in data else [data]  # older files hold one record
        if machine == "latest":
            records = records[:1]
        elif machine is not None:
            records = [r for r in records if r.get("fingerprint_id") == machine]
            if not records:
                raise ValueError(f"{path} holds no record of machine {machine!r}.")
        lines = []
        for bench in records:
            lines.append("measured " + _machine_line(bench))
            for r in bench["results"]:
                lines.append(f"  {r['case']:36s} scratch {r['scratch_ms']:8.3f} ms  torch {r['torch_ms']:8.3f} ms  "
                             f"ratio scratch/torch {r['ratio']:.2f}")
            lines.append(f"reproduce with: {bench['command']}")
        if not lines:
            raise KeyError("records")
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ValueError(
            f"{path} is not a benchmark record written by benchmarks/*.py --json ({exc!r}); "
            "re-run the benchmark with --json to regenerate it."
        ) from None
    return "\n".join(lines)


def _machine_line(bench: dict) -> str:
    """Date, machine and settings of one benchmark record."""
    settings = f"threads={bench['threads']}, {bench['dtype']}"
    fp = bench.get("fingerprint")
    if fp is None:  # a record from before fingerprints: platform only
        m = bench["machine"]
        return (f"{bench['date']} on {m['platform']}, {m['cpu_count']} CPUs (CPU model not recorded), "
                f"numpy {m['numpy']}, torch {m['torch']}, {settings} (engine version not recorded)")
    settings += f", median {'CPU' if bench.get('clock') == 'cpu' else 'wall'} time per step, code {bench.get('code')}"
    blas, simd = fp["numpy"]["blas"], fp["numpy"]["simd"]
    best = simd["dispatch_supported"][-1] if simd["dispatch_supported"] else "baseline SIMD only"
    return (f"{bench['date']} on machine {fp['id']}: {fp['cpu']}, {fp['cpu_count']} CPUs; "
            f"numpy {fp['numpy']['version']} ({best}) with {blas.get('library')} {blas.get('version')} "
            f"{blas.get('kernel')} kernel; torch {fp['torch'].get('version')} with {fp['torch'].get('blas')}; "
            f"{settings}")


def grid_2d(X, *, resolution: int = 200, pad: float = 0.1):
    """A regular grid covering two-dimensional data, for drawing decision regions.

    Parameters
    ----------
    X : array_like of shape (n_samples, 2)
        The data the grid should cover.
    resolution : int
        Number of grid points along each axis.
    pad : float
        Extra margin on each side, as a fraction of the data's range.

    Returns
    -------
    xx, yy : ndarray of shape (resolution, resolution)
        Grid coordinates, as from :func:`numpy.meshgrid`.
    points : ndarray of shape (resolution * resolution, 2)
        The grid points as rows, ready for ``model.predict(points)``; reshape the
        result with ``.reshape(xx.shape)``.
    """
    X = check_array(X, name="X", ndim=2)
    if X.shape[1] != 2:
        raise ValueError(
            f"grid_2d needs two-dimensional data, shape (n_samples, 2); got shape {X.shape}. "
            "Select two features first."
        )
    resolution = check_int(resolution, name="resolution", minimum=2)
    pad = check_positive(pad, name="pad", strict=False)
    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - pad * span, high + pad * span
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def draw_graph(root: Any, ax: Any = None):
    """Draw the computation graph of ``root`` with matplotlib.

    Each Value is a box ``label | data | grad``; each operation is a small
    circle feeding the box of its result. Inputs are on the left, ``root`` on
    the right.

    Parameters
    ----------
    root : scratch.autograd.value.Value
        The output whose graph to draw.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created if omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    from scratch.autograd.value import Value

    if not isinstance(root, Value):
        raise TypeError(f"draw_graph expects a Value; got {type(root).__name__}.")
    if ax is not None and not hasattr(ax, "add_patch"):
        raise TypeError(f"ax must be a matplotlib Axes (or None for a new figure); got {type(ax).__name__}.")
    order = root.topological_order()
    depth: dict[int, int] = {}  # column of each node: longest path from a leaf
    for node in order:
        depth[id(node)] = 1 + max((depth[id(c)] for c in node._prev), default=-1)
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    pos = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[id(node)] = (4.0 * col, -(row - (len(nodes) - 1) / 2))

    if ax is None:
        n_cols, n_rows = len(columns), max(len(v) for v in columns.values())
        _, ax = plt.subplots(figsize=(3.0 * n_cols + 1, 0.9 * n_rows + 1.2))
    box = dict(boxstyle="round,pad=0.3", fc="white", ec="0.3")
    circle = dict(boxstyle="circle,pad=0.25", fc="#dde8f5", ec="0.3")
    arrow = dict(arrowstyle="->", color="0.4", shrinkA=2, shrinkB=2)
    artists = {}
    for node in order:
        x, y = pos[id(node)]
        text = f"{node.label + ' | ' if node.label else ''}data {node.data:.4g} | grad {node.grad:.4g}"
        artists[id(node)] = ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox=box, zorder=3)
    for node in order:
        if not node._op:
            continue
        x, y = pos[id(node)]
        op = ax.text(x - 2.0, y, node._op, ha="center", va="center", fontsize=8, bbox=circle, zorder=3)
        # arrows run between the artists' boxes: (0, 0.5) is a box's left middle, (1, 0.5) its right
        ax.annotate("", xy=(0, 0.5), xycoords=artists[id(node)], xytext=(1, 0.5), textcoords=op,
                    arrowprops=arrow)
        for child in node._prev:
            ax.annotate("", xy=(0, 0.5), xycoords=op, xytext=(1, 0.5), textcoords=artists[id(child)],
                        arrowprops=arrow)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 2.0, max(xs) + 2.0)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_axis_off()
    ax.set_title(f"Computation graph ({len(order)} values)")
    return ax
