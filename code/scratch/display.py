"""Display helpers for the book's pages: package source code, and a clear message
when a page needs a package that the environment lacks.

Importing this module inside IPython (every page's first cell does, through
:func:`show`) registers a handler for :class:`ModuleNotFoundError`: when a cell
imports a package that the book's ``[pages]`` extra provides but the environment
lacks, the error names the package and the command that installs it, instead of
leaving a bare traceback deep in a cell. Outside IPython nothing is registered.
"""

from __future__ import annotations

import inspect

__all__ = ["show", "PAGES_EXTRA", "missing_package_hint"]

#: Import name -> distribution, for every third-party package a page imports. The
#: ``[pages]`` extra of pyproject.toml provides them all; tests/platform/test_import_audit.py
#: checks that this table, the extra and the pages agree.
PAGES_EXTRA = {
    "matplotlib": "matplotlib",
    "numpy": "numpy",
    "scipy": "scipy",
    "sklearn": "scikit-learn",
    "torch": "torch",
    "lime": "lime",
    "names": "names",
    "networkx": "networkx",
    "gymnasium": "gymnasium",
    "hmmlearn": "hmmlearn",
    "pykalman": "pykalman",
    "ipywidgets": "ipywidgets",
}


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


def missing_package_hint(module: str) -> str | None:
    """The message for a page that imports ``module`` where it is not installed.

    Returns None for modules that the ``[pages]`` extra does not provide (a typo,
    or a package no page should need).
    """
    if not isinstance(module, str):
        raise TypeError(f"module must be an import name such as 'torch'; got {type(module).__name__}.")
    top = module.split(".")[0]
    if top not in PAGES_EXTRA:
        return None
    dist = PAGES_EXTRA[top]
    return (f"This page needs the package {dist!r} (import {top}), which this environment lacks. "
            "It is in the book's [pages] extra: run  %pip install \"ml-from-scratch[pages]\"  "
            "(a clone: `make book`; Binder and the Colab install cell install it for you), "
            "then restart the kernel.")


def _on_missing_module(shell, etype, evalue, tb, tb_offset=None):
    hint = missing_package_hint(getattr(evalue, "name", None) or "")
    if hint:
        evalue = etype(f"{evalue}. {hint}", name=evalue.name)
    shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)


def _register() -> None:
    try:
        from IPython import get_ipython
    except ImportError:  # not in IPython: plain tracebacks
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((ModuleNotFoundError,), _on_missing_module)


_register()
