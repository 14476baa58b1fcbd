"""Colab notebooks for MyST Markdown pages, and launch links that point at them.

Colab can only open ``.ipynb`` files from GitHub, but our pages are MyST Markdown.
For every executable page this extension:

1. converts the page source to a notebook with jupytext, without outputs, and
   prepends a cell that installs the ``scratch`` package when it is missing;
2. writes it next to the page's HTML (``<page>.ipynb``), so it is published with the
   site; the deploy workflow also pushes these notebooks to the ``colab`` branch;
3. rewrites the theme's Colab button to open that notebook from the ``colab`` branch
   (the theme would point Colab at the ``.md`` source, which Colab cannot open).

Binder links are the theme's own: Binder opens the ``.md`` page with jupytext
(see ``binder/``).
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat

INSTALL_CELL = """\
# Colab / fresh environments: install the book's package `scratch` and what the pages
# import (the [pages] extra) if it is missing. SCRATCH_INSTALL_URL may point elsewhere
# (a fork, or a local checkout as file:///path/to/clone).
try:
    import scratch  # noqa: F401
except ImportError:
    import importlib, os
    _url = os.environ.get("SCRATCH_INSTALL_URL", "git+{repo_url}@{branch}")
    %pip install --quiet "ml-from-scratch[pages] @ {{_url}}"
    importlib.invalidate_caches()
"""


def _repo_parts(app):
    url = app.config.html_theme_options.get("repository_url", "").rstrip("/")
    parts = url.split("/")
    return url, parts[-2], parts[-1]


def colab_notebook(source: Path, repo_url: str, branch: str):
    """The Colab notebook for a MyST page: its cells, no outputs, an install cell first."""
    nb = jupytext.read(source)
    cell = nbformat.v4.new_code_cell(INSTALL_CELL.format(repo_url=repo_url, branch=branch))
    cell.metadata["tags"] = ["colab-install"]
    nb.cells.insert(0, cell)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _on_page(app, pagename, templatename, context, doctree):
    if doctree is None or not context.get("header_buttons"):
        return
    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".md" or "kernelspec" not in source.read_text(encoding="utf-8")[:600]:
        return
    repo_url, org, repo = _repo_parts(app)
    branch = app.config.html_theme_options.get("repository_branch", "main")
    nb = colab_notebook(source, repo_url, branch)
    target = Path(app.outdir) / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))

    colab = f"https://colab.research.google.com/github/{org}/{repo}/blob/{app.config.colab_branch}/{pagename}.ipynb"
    for group in context["header_buttons"]:
        for button in group.get("buttons", []) or []:
            if button.get("text") == "Colab":
                button["url"] = colab


def setup(app):
    app.add_config_value("colab_branch", "colab", "html")
    app.connect("html-page-context", _on_page, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
