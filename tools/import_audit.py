"""Which top-level modules each page imports, and which launch environment provides them.

A page imports modules in its code cells and, through them, in the ``scratch`` modules
it uses. Each place a reader runs a page must provide all of them:

- the book build (``make book``): the ``[pages]`` extra;
- Binder: ``binder/requirements.txt`` plus the package itself (``binder/postBuild``);
- Colab: what Colab preinstalls (``requirements/colab-preinstalled.txt``) plus what the
  notebooks' install cell installs (the extra named in ``_ext/launch_links.py``).

Every notebook environment also runs a kernel, so ``ipykernel`` (and IPython) is
available everywhere. Run ``python tools/import_audit.py`` to print the table;
``tests/platform/test_import_audit.py`` fails when an environment lacks a module.
"""

from __future__ import annotations

import ast
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import jupytext
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "code"
KERNEL = ["ipykernel"]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports_in_source(source: str) -> set[str]:
    """Absolute module names imported anywhere in ``source`` (IPython magics skipped)."""
    lines = ["" if l.lstrip().startswith(("%", "!")) else l for l in source.splitlines()]
    tree = ast.parse("\n".join(lines))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names if node.module.startswith("scratch")}
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in {"files", "import_module", "find_spec"}):
            out.add(node.args[0].value)  # data read from a package: resources.files("names"), ...
    return out


def _scratch_file(module: str) -> Path | None:
    base = PKG.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _direct_imports(module: str) -> tuple[set[str], set[str]]:
    """(scratch modules, other top-level modules) that one scratch module imports directly."""
    path = _scratch_file(module)
    if path is None:
        return set(), set()
    inner, other = set(), set()
    for name in _imports_in_source(path.read_text()):
        parts = name.split(".")
        if parts[0] == "scratch":
            inner |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}  # with the package __init__s
        else:
            other.add(parts[0])
    return inner, other


@lru_cache(maxsize=None)
def module_imports(module: str) -> frozenset[str]:
    """Top-level non-scratch modules that a ``scratch`` module imports, transitively."""
    seen, todo, out = set(), [module], set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        inner, other = _direct_imports(m)
        todo += list(inner - seen)
        out |= other
    return frozenset(out)


def page_imports(page: Path) -> set[str]:
    """Top-level non-stdlib modules a page needs: its cells' imports and its scratch modules'."""
    nb = jupytext.read(page)
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code":
            names |= _imports_in_source(cell.source)
    tops = set()
    for name in names:
        if name.split(".")[0] == "scratch":
            tops |= module_imports(name)
        else:
            tops.add(name.split(".")[0])
    return {t for t in tops if t not in sys.stdlib_module_names and t not in {"scratch", "__future__"}}


def _requires(dist_name: str, extras: set[str]) -> list[Requirement]:
    try:
        reqs = metadata.requires(dist_name) or []
    except metadata.PackageNotFoundError:
        return []
    out = []
    for r in map(Requirement, reqs):
        if r.marker is None or any(r.marker.evaluate({"extra": e}) for e in (extras or {""})):
            out.append(r)
    return out


def distribution_closure(requirements: list[str]) -> set[str]:
    """Canonical names of the distributions that installing ``requirements`` brings in."""
    seen, todo = set(), [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonical(req.name)
        key = (name, frozenset(req.extras))
        if key in seen:
            continue
        seen.add(key)
        todo += _requires(name, set(req.extras))
    return {name for name, _ in seen}


@lru_cache(maxsize=None)
def _import_names() -> dict[str, set[str]]:
    """Distribution (canonical) -> top-level import names, for installed distributions."""
    out: dict[str, set[str]] = {}
    for imp, dists in metadata.packages_distributions().items():
        for d in dists:
            out.setdefault(canonical(d), set()).add(imp)
    return out


def provided(requirements: list[str]) -> set[str]:
    """Top-level modules importable after installing ``requirements``."""
    names = _import_names()
    out = set()
    for dist in distribution_closure(requirements):
        out |= names.get(dist, {dist.replace("-", "_")})
    return out


def _requirement_lines(path: Path) -> list[str]:
    return [l.split("#")[0].strip() for l in path.read_text().splitlines()
            if l.split("#")[0].strip() and not l.strip().startswith("-")]


def install_cell_extra() -> str:
    sys.path.insert(0, str(ROOT / "_ext"))
    import launch_links

    match = re.search(r"ml-from-scratch\[(\w+)\]", launch_links.INSTALL_CELL)
    return match.group(1) if match else ""


def environments() -> dict[str, set[str]]:
    """Launch environment -> the top-level modules it provides."""
    extra = install_cell_extra()
    package = f"ml-from-scratch[{extra}]" if extra else "ml-from-scratch"
    return {
        "book build ([pages])": provided(["ml-from-scratch[pages]", *KERNEL]),
        "Binder": provided([*_requirement_lines(ROOT / "binder/requirements.txt"), "ml-from-scratch", *KERNEL]),
        "Colab": provided([*_requirement_lines(ROOT / "requirements/colab-preinstalled.txt"), package, *KERNEL]),
    }


def audit(pages: list[Path], envs: dict[str, set[str]] | None = None) -> dict[str, dict[str, set[str]]]:
    """{environment: {page: modules it lacks}} (only pages that lack something)."""
    envs = environments() if envs is None else envs
    report: dict[str, dict[str, set[str]]] = {}
    for page in pages:
        need = page_imports(page)
        for env, have in envs.items():
            missing = need - have
            if missing:
                report.setdefault(env, {})[str(page.relative_to(ROOT) if page.is_relative_to(ROOT) else page)] = missing
    return report


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tools"))
    from execute_pages import toc_pages

    pages = toc_pages()
    for page in pages:
        print(f"{page.relative_to(ROOT)}: {', '.join(sorted(page_imports(page))) or '-'}")
    result = audit(pages)
    for env, rows in result.items():
        for page, missing in rows.items():
            print(f"MISSING in {env}: {page} needs {', '.join(sorted(missing))}")
    sys.exit(1 if result else 0)
