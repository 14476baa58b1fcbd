"""Every module a page imports is provided wherever a reader runs the page: the book
build ([pages] extra), Binder (binder/requirements.txt) and Colab (its preinstalled
packages plus the install cell). See tools/import_audit.py."""

from pathlib import Path

import pytest

import import_audit  # tools/import_audit.py
from execute_pages import toc_pages  # tools/execute_pages.py
from lock import declared, requirement_name  # tools/lock.py

ROOT = Path(__file__).resolve().parents[2]
PAGES = toc_pages()
HEADER = "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"


@pytest.fixture(scope="module")
def envs():
    return import_audit.environments()


@pytest.mark.parametrize("env", ["book build ([pages])", "Binder", "Colab"])
def test_every_page_import_is_provided(envs, env):
    report = import_audit.audit(PAGES, {env: envs[env]})
    assert not report, f"{env} lacks modules that pages import: {report.get(env)}"


def test_negative_control_a_module_nobody_provides_fails(tmp_path, envs):
    page = tmp_path / "broken.md"
    page.write_text(HEADER + "# Broken\n\n```{code-cell} ipython3\nimport numpy\nimport nobody_provides_this_module\n```\n")
    report = import_audit.audit([page], envs)
    assert set(report) == set(envs)  # every environment reports it
    assert all(rows == {str(page): {"nobody_provides_this_module"}} for rows in report.values())


def test_negative_control_colab_without_the_install_cell_lacks_census_names(envs):
    bare_colab = import_audit.provided(import_audit._requirement_lines(ROOT / "requirements/colab-preinstalled.txt"))
    report = import_audit.audit([ROOT / "book/language/bigram.md"], {"bare Colab": bare_colab})
    assert report == {"bare Colab": {"book/language/bigram.md": {"names"}}}


def test_scratch_modules_imports_are_followed():
    # `names` is read with importlib.resources inside scratch.data, never imported by the page itself.
    assert "names" in import_audit.page_imports(ROOT / "book/language/bigram.md")


def test_the_missing_package_table_matches_the_pages_extra():
    from scratch.display import PAGES_EXTRA

    needed = set().union(*(import_audit.page_imports(p) for p in PAGES)) - {"IPython"}
    assert needed <= set(PAGES_EXTRA), f"add {needed - set(PAGES_EXTRA)} to scratch.display.PAGES_EXTRA"
    declared_pages = {requirement_name(r) for r in declared(None) + declared("pages")}
    assert set(PAGES_EXTRA.values()) <= declared_pages
