"""Parallel page execution (tools/execute_pages.py) keeps the strict build's guarantees:
every raising page is reported with its traceback and stops `make book`; executed pages
land in the cache that MyST-NB reads; the per-page budget still sees each page's runtime."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).parent))
from test_strict_build import HEADER, build, make_book  # noqa: E402  (the same throw-away book)


def execute(book: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "tools/execute_pages.py"), "--root", str(book), *args],
                          capture_output=True, text=True, timeout=600, cwd=book)


@pytest.mark.slow
def test_every_raising_page_is_reported_and_the_good_one_is_cached(tmp_path):
    book = make_book(tmp_path, ["good", "raises"])
    (book / "book/raises2.md").write_text(HEADER + "# Also raises\n\n```{code-cell} ipython3\n1 / 0\n```\n")
    toc = yaml.safe_load((book / "_toc.yml").read_text())
    toc["chapters"].append({"file": "book/raises2"})
    (book / "_toc.yml").write_text(yaml.safe_dump(toc))
    proc = execute(book, "--jobs", "2")
    assert proc.returncode == 1
    assert "deliberately broken page" in proc.stderr and "ZeroDivisionError" in proc.stderr  # both tracebacks
    assert "2 page(s) raised" in proc.stderr
    again = execute(book, "--jobs", "2", str(book / "book/good.md"))
    assert again.returncode == 0 and "already in the execution cache" in again.stdout


@pytest.mark.slow
def test_sphinx_reads_the_cache_and_the_budget_still_applies(tmp_path):
    book = make_book(tmp_path, ["good", "slow"], budget=2)
    proc = execute(book, "--jobs", "2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    built = build(book)
    log = built.stdout + built.stderr
    assert "Using cached notebook" in log
    assert built.returncode != 0 and "page book/slow took" in log and "over its budget of 2 s" in log


def test_bad_jobs_is_a_clear_error():
    proc = subprocess.run([sys.executable, str(ROOT / "tools/execute_pages.py"), "--jobs", "0"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "--jobs must be at least 1" in proc.stderr


def test_toc_pages_lists_every_executable_toc_page():
    sys.path.insert(0, str(ROOT / "tools"))
    import execute_pages

    pages = execute_pages.toc_pages()
    assert ROOT / "book/classical/linear_regression.md" in pages
    assert ROOT / "book/api.md" not in pages          # not a notebook
