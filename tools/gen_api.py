"""Write the API reference of every module of `scratch`: book/api.md and one page per
section in book/api/ (one page per part keeps each page light).

Run after adding a module: ``.venv/bin/python tools/gen_api.py``.
tests/platform/test_api_reference.py fails when the pages are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "code" / "scratch"
SECTIONS = [  # (page, title, module prefixes)
    ("shared", "Shared helpers and data", ["_validation", "metrics", "display", "plot", "cache", "data"]),
    ("engine", "Autograd, layers and optimizers", ["autograd", "nn", "optim"]),
    ("blocks", "Distributions, environments and ODE solvers", ["distributions", "envs", "ode"]),
    ("foundations", "Part I: Foundations", ["foundations"]),
    ("classical", "Part II: Classical machine learning", ["classical"]),
    ("neural", "Part III: Neural networks", ["neural"]),
    ("language", "Part IV: Language models", ["language"]),
    ("probabilistic", "Part V: Probabilistic models and inference", ["probabilistic"]),
    ("generative", "Part VI: Generative models", ["generative"]),
    ("rl", "Part VII: Reinforcement learning", ["rl"]),
    ("frontiers", "Part VIII: Frontiers", ["frontiers"]),
    ("appendix", "Appendices", ["appendix"]),
]

HEADER = """# API reference: the `scratch` package

Generated from the package's numpydoc docstrings by `tools/gen_api.py`: the same
code every chapter imports and the test suite checks. Each *Notes* section names
the equation label of the chapter that derives it.
"""


def modules(prefix: str) -> list[str]:
    path = PKG / prefix
    if path.with_suffix(".py").exists():
        return [f"scratch.{prefix}"]
    if not path.is_dir():
        return []
    out = []
    for f in sorted(path.rglob("*.py")):
        rel = f.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            continue
        out.append("scratch." + ".".join(parts))
    return out


def render() -> dict[str, str]:
    """Page path (relative to the repo) -> content."""
    pages = {}
    index = [HEADER, "\n| Section | Modules |\n|---|---|\n"]
    for page, title, prefixes in SECTIONS:
        mods = [m for p in prefixes for m in modules(p)]
        lines = [f"# {title}\n"]
        for m in mods:
            lines.append(f"\n## `{m}`\n\n```{{eval-rst}}\n.. automodule:: {m}\n```\n")
        pages[f"book/api/{page}.md"] = "".join(lines)
        index.append(f"| [{title}](api/{page}.md) | {len(mods)} |\n")
    pages["book/api.md"] = "".join(index)
    return pages


def toc_sections() -> list[str]:
    """The TOC entries (without .md) of the section pages, for _toc.yml."""
    return [f"book/api/{page}" for page, _, _ in SECTIONS]


if __name__ == "__main__":
    for path, text in render().items():
        (ROOT / path).parent.mkdir(parents=True, exist_ok=True)
        (ROOT / path).write_text(text)
    print(f"wrote book/api.md and {len(SECTIONS)} section pages")
    sys.exit(0)
