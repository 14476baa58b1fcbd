"""Plotting and display helpers shared by the book's pages (matplotlib allowed here)."""

from __future__ import annotations

import inspect

__all__ = ["show", "new_figure"]


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
