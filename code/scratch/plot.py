"""Plotting and display helpers shared by the book's pages (matplotlib allowed here)."""

from __future__ import annotations

import inspect

__all__ = ["show", "new_figure", "benchmark_summary"]


def show(*objs):
    """Display the source code of package objects on a page.

    Pages never paste package code; they call ``show(LinearRegression.fit)`` in a cell
    whose input is removed, so the rendered code is the tested code.

    Parameters
    ----------
    *objs : function, class or module
        Objects whose source to render, in order.
    """
    from IPython.display import Code, display  # IPython is present wherever pages run

    if not objs:
        raise TypeError("show() needs at least one function, class or module to display.")
    for obj in objs:
        try:
            source = inspect.getsource(obj)
        except (TypeError, OSError) as exc:
            raise TypeError(
                f"show() displays package source code; cannot get the source of {obj!r} ({exc})."
            ) from None
        display(Code(inspect.cleandoc("\n" + source) if source.startswith(" ") else source,
                     language="python"))


def new_figure(ncols: int = 1, nrows: int = 1, *, width: float = 4.0, height: float = 3.0, **kwargs):
    """A figure of ``nrows x ncols`` panels of ``width x height`` inches each, at a web-friendly dpi."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             dpi=kwargs.pop("dpi", 100), layout="constrained", **kwargs)
    return fig, axes


def benchmark_summary(path) -> str:
    """Text summary of a benchmark record written by ``benchmarks/*.py --json``.

    Pages quote speed ratios from these files (measured side by side by the benchmark
    script) instead of timing anything themselves.

    Parameters
    ----------
    path : str or os.PathLike
        The JSON record, e.g. ``benchmarks/results.json``.

    Returns
    -------
    str
        When and where it was measured, one line per case with both times and the ratio
        scratch/torch, and the command that reproduces it. If the file does not exist
        (e.g. on Colab), a line saying how to create it.
    """
    import json
    from pathlib import Path

    path = Path(path)
    if not path.exists():
        return f"{path.name} not found; create it by running the benchmark with --json (see benchmarks/)."
    try:
        bench = json.loads(path.read_text(encoding="utf-8"))
        m = bench["machine"]
        lines = [f"measured {bench['date']} on {m['platform']}, {m['cpu_count']} CPUs, numpy {m['numpy']}, "
                 f"torch {m['torch']}, threads={bench['threads']}, {bench['dtype']}"]
        for r in bench["results"]:
            lines.append(f"  {r['case']:36s} scratch {r['scratch_ms']:8.3f} ms  torch {r['torch_ms']:8.3f} ms  "
                         f"ratio scratch/torch {r['ratio']:.2f}")
        lines.append(f"reproduce with: {bench['command']}")
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"{path} is not a benchmark record written by benchmarks/*.py --json ({exc!r}); "
            "re-run the benchmark with --json to regenerate it."
        ) from None
    return "\n".join(lines)
