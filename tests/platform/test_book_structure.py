"""The three mirrors (page ↔ module ↔ test), the TOC, and the generated Colab notebooks."""

from pathlib import Path

import jupytext
import pytest
import yaml

import launch_links  # _ext/launch_links.py

ROOT = Path(__file__).resolve().parents[2]
PARTS = ["foundations", "classical", "neural", "language", "probabilistic", "generative", "rl", "frontiers",
         "appendix"]


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part["chapters"]]
    return files


def chapter_pages():
    return sorted(p for part in PARTS for p in (ROOT / "book" / part).glob("*.md"))


def test_every_toc_entry_exists():
    for f in toc_files():
        assert (ROOT / f"{f}.md").exists(), f"_toc.yml lists {f} but {f}.md does not exist"


def test_every_chapter_page_is_in_the_toc():
    listed = set(toc_files())
    for page in chapter_pages():
        rel = str(page.relative_to(ROOT).with_suffix(""))
        assert rel in listed, f"{rel}.md is not listed in _toc.yml, so it is never built"


@pytest.mark.parametrize("page", chapter_pages(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_page_module_test_mirror(page):
    part, topic = page.parent.name, page.stem
    assert (ROOT / f"code/scratch/{part}/{topic}.py").exists(), f"no module for {page}"
    assert (ROOT / f"tests/{part}/test_{topic}.py").exists(), f"no tests for {page}"


@pytest.mark.parametrize("page", chapter_pages(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_page_follows_the_contract(page):
    text = page.read_text()
    assert text.startswith("---\njupytext:"), "pages are MyST notebooks with a jupytext header"
    assert "kernelspec:" in text.split("---")[1]
    for section in ["## Overview", "## Exercises", "## Summary"]:
        assert section in text, f"{page.name} lacks the section {section!r}"
    assert "{exercise}" in text and ":class: dropdown" in text
    assert "{cite}" in text
    assert "outputs" not in jupytext.reads(text, fmt="md:myst").cells[0], "no stored outputs"


def test_modules_have_tests():
    for part in PARTS:
        for module in sorted((ROOT / f"code/scratch/{part}").glob("*.py")):
            if module.name == "__init__.py":
                continue
            assert (ROOT / f"tests/{part}/test_{module.stem}.py").exists(), f"{module} has no test module"


def test_colab_notebook_starts_with_an_install_cell():
    page = ROOT / "book/classical/linear_regression.md"
    nb = launch_links.colab_notebook(page, "https://github.com/o/r", "main")
    first = nb.cells[0]
    assert first.cell_type == "code" and "import scratch" in first.source
    assert '%pip install' in first.source and "git+https://github.com/o/r@main" in first.source
    assert "ml-from-scratch[pages]" in first.source  # everything the pages import, not numpy alone
    source_cells = jupytext.read(page).cells
    assert [c.source for c in nb.cells[1:]] == [c.source for c in source_cells]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
