"""Executable pages: Binder, Colab and download links, and the generated Colab notebook.

Expected URLs are derived from ``_config.yml`` (``repository``, ``launch_buttons`` and
``sphinx.config.colab_branch``), never hard-coded; see ``_ext/launch_links.py``.
"""

from __future__ import annotations

import re
import urllib.request
from urllib.parse import urlsplit

import nbformat
import pytest

pytestmark = pytest.mark.browser


def _repo(book):
    repo = book.config.get("repository") or {}
    url = str(repo.get("url", "")).rstrip("/")
    parts = urlsplit(url).path.strip("/").split("/")
    assert urlsplit(url).hostname == "github.com" and len(parts) == 2, (
        f"_config.yml repository.url should be https://github.com/<org>/<repo>, not {url!r}")
    return {"url": url, "org": parts[0], "name": parts[1], "branch": repo.get("branch") or "main",
            "path_to_book": str(repo.get("path_to_book") or "").strip("/")}


def _links_to(report, host):
    return [link for link in report["links"] if urlsplit(link["href"]).hostname == host]


def _fetch_notebook(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # the local test server
        nb = nbformat.reads(response.read().decode("utf-8"), as_version=4)
    nbformat.validate(nb)
    return nb


def test_binder_link(exec_page, exec_report, book):
    repo = _repo(book)
    launch = book.config.get("launch_buttons") or {}
    hub = str(launch.get("binderhub_url") or "https://mybinder.org").rstrip("/")
    source = book.page_source(exec_page)
    in_repo = f"{repo['path_to_book']}/{exec_page}" if repo["path_to_book"] else exec_page
    tree = "lab/tree" if launch.get("notebook_interface", "classic") == "jupyterlab" else "tree"
    expected = (f"{hub}/v2/gh/{repo['org']}/{repo['name']}/{repo['branch']}"
                f"?urlpath={tree}/{in_repo}{source.suffix}")
    links = _links_to(exec_report, urlsplit(hub).hostname)
    assert links, f"{exec_page} is executable (it has a kernelspec) but has no Binder link"
    assert {link["href"] for link in links} == {expected}, (
        f"{exec_page}: Binder link(s) {[link['href'] for link in links]}, expected {expected}")
    assert (book.repo / f"{exec_page}{source.suffix}").is_file()  # the path Binder opens exists


def test_colab_link(exec_page, exec_report, book):
    repo = _repo(book)
    launch = book.config.get("launch_buttons") or {}
    colab = str(launch.get("colab_url") or "https://colab.research.google.com").rstrip("/")
    branch = ((book.config.get("sphinx") or {}).get("config") or {}).get("colab_branch", "colab")
    expected = f"{colab}/github/{repo['org']}/{repo['name']}/blob/{branch}/{exec_page}.ipynb"
    links = _links_to(exec_report, urlsplit(colab).hostname)
    assert links, f"{exec_page} is executable but has no Colab link"
    assert {link["href"] for link in links} == {expected}, (
        f"{exec_page}: Colab link(s) {[link['href'] for link in links]}, expected {expected}")


def test_download_notebook_link(exec_page, exec_report, site):
    links = [link for link in exec_report["links"] if "btn-download-notebook-button" in link["cls"]]
    assert len(links) == 1, f"{exec_page}: expected one 'Download notebook' link, found {len(links)}"
    href = links[0]["href"]
    assert site.path_of(href) == site.dir / "_sources" / f"{exec_page}.ipynb", (
        f"{exec_page}: the notebook download link points at {href}")
    nb = _fetch_notebook(href)
    assert any(cell.cell_type == "code" for cell in nb.cells), f"{href} has no code cell"


def test_colab_notebook_installs_the_package(exec_page, site, book):
    """``<page>.ipynb`` next to the HTML (what the colab branch receives) starts by installing ``scratch``."""
    if not (site.dir / f"{exec_page}.html").is_file():
        pytest.skip("the page is not in the site (test_page_is_built fails for it)")
    path = site.dir / f"{exec_page}.ipynb"
    assert path.is_file(), f"no Colab notebook {path.relative_to(site.dir)} (see _ext/launch_links.py)"
    nb = _fetch_notebook(site.url(exec_page).removesuffix(".html") + ".ipynb")
    repo = _repo(book)
    first = nb.cells[0]
    assert first.cell_type == "code", "the first cell of the Colab notebook must be code"
    assert "import scratch" in first.source and re.search(r"[%!]pip install", first.source), (
        f"the first cell must install `scratch` when it is missing:\n{first.source}")
    assert f"git+{repo['url']}@{repo['branch']}" in first.source, (
        f"the install cell should install from {repo['url']}@{repo['branch']}:\n{first.source}")
    import jupytext

    page_cells = [c.source for c in jupytext.read(book.page_source(exec_page)).cells if c.cell_type == "code"]
    nb_cells = [c.source for c in nb.cells[1:] if c.cell_type == "code"]
    assert nb_cells == page_cells, (
        f"{path.name} does not hold the page's current code cells ({len(nb_cells)} vs {len(page_cells)}): "
        "the site is stale, rerun `make book`")
    assert not any(cell.get("outputs") for cell in nb.cells), "the Colab notebook should carry no outputs"
