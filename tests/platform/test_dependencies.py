"""One declaration (pyproject.toml); the pinned lists are derived from it and agree."""

import tomllib
from pathlib import Path

import lock  # tools/lock.py

ROOT = Path(__file__).resolve().parents[2]


def constraints():
    pins = {}
    for line in (ROOT / "requirements/constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[lock.canonical(name)] = version
    return pins


def test_jupyter_book_1x_is_pinned():
    book = lock.declared("book")
    assert any(r.startswith("jupyter-book==1.") for r in book), book


def test_every_declared_pin_is_in_the_lock_with_the_same_version():
    pins = constraints()
    for extra in [None, "plot", "pages", "book", "test"]:
        for req in lock.declared(extra):
            name = lock.requirement_name(req)
            assert name in pins, f"{name} is declared in pyproject.toml but missing from the lock; run `make lock`"
            if "==" in req:
                want = req.split("==")[1].split()[0]
                assert pins[name].split("+")[0] == want, f"{name}: pyproject {want}, lock {pins[name]}; run `make lock`"


def test_binder_requirements_are_derived_from_the_lock():
    lines = [l for l in (ROOT / "binder/requirements.txt").read_text().splitlines() if l and not l.startswith("#")]
    assert lines == lock.binder_requirements(constraints())


def test_reference_libraries_are_test_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [lock.requirement_name(r) for r in project["dependencies"]]
    assert runtime == ["numpy"]
    pages = [lock.requirement_name(r) for r in lock.declared("pages")]
    test = [lock.requirement_name(r) for r in project["optional-dependencies"]["test"]]
    for heavy in ["diffusers", "torch-geometric", "filterpy", "playwright"]:
        assert heavy in test and heavy not in pages, f"{heavy} is for the tests only"


def test_make_book_installs_the_pages_extra():
    """A newcomer's `make book` must install everything a page imports (it once missed torch)."""
    assert "ml-from-scratch[pages]" in [r.replace(" ", "") for r in
                                        tomllib.loads((ROOT / "pyproject.toml").read_text())
                                        ["project"]["optional-dependencies"]["book"]]
    makefile = (ROOT / "Makefile").read_text()
    book_install = makefile.split("$(VENV)/.book-installed:")[1].split("\n\n")[0]
    assert '-e ".[book]"' in book_install


def test_binder_gets_the_cpu_build_of_torch():
    lines = (ROOT / "binder/requirements.txt").read_text().splitlines()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    torch = [l for l in lines if l.startswith("torch==")]
    assert len(torch) == 1 and torch[0].endswith("+cpu")
