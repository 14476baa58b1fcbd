"""Invalidate the execution cache when the code that pages import changes.

jupyter-cache keys a page on its code cells only, so editing a function in
``code/scratch`` would otherwise leave stale outputs in the cache *and* in the
built HTML. This script hashes everything a page's outputs depend on besides its
own cells: the ``scratch`` package source, the pinned environment, the Sphinx
extensions in ``_ext`` and ``_config.yml``. When the hash differs from the one
stored with the last build, it deletes the cache and the Sphinx environment so
that every page re-executes and is re-rendered. Unchanged: nothing is touched and
a rebuild takes seconds.

Usage: python tools/cache_key.py BUILD_DIR
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ["code/scratch", "requirements/constraints.txt", "pyproject.toml", "_config.yml", "_ext"]


def source_hash(root: Path = ROOT) -> str:
    h = hashlib.sha256()
    for entry in INPUTS:
        path = root / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def main(build_dir: str) -> int:
    build = Path(build_dir)
    stamp = build / ".scratch-hash"
    new = source_hash()
    old = stamp.read_text().strip() if stamp.exists() else None
    if old != new:
        for sub in [".jupyter_cache", ".doctrees", "html", "jupyter_execute"]:
            shutil.rmtree(build / sub, ignore_errors=True)
        build.mkdir(parents=True, exist_ok=True)
        stamp.write_text(new + "\n")
        why = "first build" if old is None else "the scratch package or the environment changed"
        print(f"cache_key: {why}; every page will re-execute")
    else:
        print("cache_key: package unchanged; reusing cached page outputs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "_build"))
