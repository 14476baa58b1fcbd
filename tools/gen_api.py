"""Write book/api.md: the API reference of every public module of `scratch`.

Run after adding a module: ``.venv/bin/python tools/gen_api.py``.
tests/platform/test_api_reference.py fails when book/api.md is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "code" / "scratch"
SECTIONS = [
    ("Shared helpers", ["_validation", "plot", "data"]),
    ("Autograd", ["autograd"]),
    ("Neural-network layers", ["nn"]),
    ("Optimizers", ["optim"]),
    ("Part II: Classical machine learning", ["classical"]),
    ("Part III: Neural networks", ["neural"]),
    ("Part IV: Language models", ["language"]),
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


def render() -> str:
    lines = [HEADER]
    for title, prefixes in SECTIONS:
        mods = [m for p in prefixes for m in modules(p)]
        if not mods:
            continue
        lines.append(f"\n## {title}\n")
        for m in mods:
            lines.append(f"\n### `{m}`\n\n```{{eval-rst}}\n.. automodule:: {m}\n```\n")
    return "".join(lines)


if __name__ == "__main__":
    (ROOT / "book/api.md").write_text(render())
    print("wrote book/api.md")
    sys.exit(0)
