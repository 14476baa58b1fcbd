"""The book build is strict: a page that raises, warns, cites nothing, or runs past its
budget fails it. Proven on a throw-away book that uses the real _config.yml and _ext."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JB = Path(sys.executable).parent / "jupyter-book"

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

PAGES = {
    "good": "# A good page\n\n```{code-cell} ipython3\nprint(1 + 1)\n```\n",
    "raises": "# Raises\n\n```{code-cell} ipython3\nraise RuntimeError('deliberately broken page')\n```\n",
    "warns": "# Warns\n\n```{code-cell} ipython3\nimport warnings\nwarnings.warn('deliberate warning from a cell')\n```\n",
    "slow": "# Slow\n\n```{code-cell} ipython3\nimport time\ntime.sleep(4)\n```\n",
    "badref": "# Bad reference\n\nSee {cite}`no-such-paper-2099` and {eq}`eq-that-does-not-exist`.\n",
}


def make_book(tmp_path: Path, pages: list[str], budget: float = 120) -> Path:
    book = tmp_path / "book"
    shutil.copytree(ROOT / "_ext", book / "_ext", ignore=shutil.ignore_patterns("__pycache__"))
    (book / "_static").mkdir(parents=True)
    shutil.copytree(ROOT / "book/bib", book / "book/bib")
    shutil.copy(ROOT / "book/references.bib", book / "book/references.bib")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["sphinx"]["config"]["page_budget_seconds"] = budget
    config["sphinx"]["config"].pop("mathjax_path", None)
    config["html"]["baseurl"] = ""
    (book / "_config.yml").write_text(yaml.safe_dump(config))
    (book / "book/intro.md").write_text("# Test book\n")
    for name in pages:
        (book / f"book/{name}.md").write_text(HEADER + PAGES[name])
    toc = {"format": "jb-book", "root": "book/intro",
           "chapters": [{"file": f"book/{name}"} for name in pages]}
    (book / "_toc.yml").write_text(yaml.safe_dump(toc))
    return book


def build(book: Path) -> subprocess.CompletedProcess:
    # The same flags as the Makefile's `book` target.
    return subprocess.run([str(JB), "build", str(book), "--builder", "html", "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, timeout=600, cwd=book)


@pytest.mark.slow
def test_a_good_page_builds(tmp_path):
    book = make_book(tmp_path, ["good"])
    proc = build(book)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (book / "_build/html/book/good.html").exists()
    assert (book / "_build/html/book/good.ipynb").exists()        # the Colab notebook


BROKEN = {
    "raises": ["deliberately broken page"],
    "warns": ["book/warns.md", "stderr was found in the cell outputs"],
    "slow": ["page book/slow took", "over its budget of 2 s"],
    "badref": ["no-such-paper-2099", "eq-that-does-not-exist"],
}


@pytest.mark.slow
@pytest.mark.parametrize("page", sorted(BROKEN))
def test_a_broken_page_fails_the_build(tmp_path, page):
    book = make_book(tmp_path, ["good", page], budget=2)
    proc = build(book)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"the build passed although page '{page}' is broken"
    for message in BROKEN[page]:
        assert message in log, f"expected {message!r} in the build log"
