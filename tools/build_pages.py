"""Build a few pages with the strict settings of ``make book``, for authors.

``.venv/bin/python tools/build_pages.py book/rl/dqn.md [book/rl/td.md ...]``
builds a throw-away book holding the landing page and the given pages, with the
real ``_config.yml`` and ``_ext`` (execution, ``-W -n --keep-going``, the page
budget), in ``_build/partial/<name of the first page>/``. Each partial build has
its own execution cache, so several authors can build at once. Links to pages
outside the selection are reported as warnings; ``make book`` is the reference.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def main(pages: list[str]) -> int:
    if not pages:
        print(__doc__)
        return 2
    files = []
    for p in pages:
        path = Path(p)
        if path.suffix != ".md" or not (ROOT / path).is_file():
            print(f"build_pages: expected a page such as book/rl/dqn.md; got {p!r}")
            return 2
        files.append(str(path.with_suffix("")))
    out = ROOT / "_build" / "partial" / Path(files[0]).name
    out.mkdir(parents=True, exist_ok=True)
    toc = {"format": "jb-book", "root": "book/intro", "parts": [{"caption": "Selection", "chapters": [{"file": f} for f in ["book/how_to_use", *files, "book/bibliography"]]}]}
    (out / "_toc.yml").write_text(yaml.safe_dump(toc))
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["cache"] = str(out / ".jupyter_cache")
    # Paths in the config are relative to the config file's folder: make them absolute.
    config["sphinx"]["local_extensions"] = {k: str(ROOT / v) for k, v in config["sphinx"]["local_extensions"].items()}
    config["bibtex_bibfiles"] = [str(ROOT / b) for b in config["bibtex_bibfiles"]]
    config["sphinx"]["config"]["html_static_path"] = [str(ROOT / s) for s in config["sphinx"]["config"]["html_static_path"]]
    (out / "_config.yml").write_text(yaml.safe_dump(config))
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--builder", "html",
           "--toc", str(out / "_toc.yml"), "--config", str(out / "_config.yml"), "--path-output", str(out),
           "-W", "-n", "--keep-going"]
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
