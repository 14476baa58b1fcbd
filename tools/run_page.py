"""Execute one or more book pages quickly, outside the Sphinx build.

For authors: ``.venv/bin/python tools/run_page.py book/classical/linear_regression.md``
runs the page's code cells in a fresh kernel (as the build does), prints the time
each page took against the 120 s budget, and exits non-zero on an error or an
over-budget page. Use ``--save out.ipynb`` to keep the executed notebook and look
at its outputs. The strict build (``make book``) remains the reference.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

BUDGET_S = 120.0


def run(path: Path, save: Path | None = None) -> float:
    nb = jupytext.read(path)
    os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")  # as the Makefile
    client = NotebookClient(nb, timeout=int(BUDGET_S), kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    finally:
        if save:
            nbformat.write(nb, str(save))
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr" and out.get("text", "").strip():
                print(f"  stderr in {path}: {out['text'].strip()[:300]}")
    return elapsed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="+", type=Path)
    ap.add_argument("--save", type=Path, help="write the executed notebook here (one page only)")
    args = ap.parse_args(argv)
    status = 0
    for page in args.pages:
        try:
            t = run(page, args.save)
        except CellExecutionError as err:
            print(f"FAIL {page}: a cell raised\n{str(err)[-3000:]}")
            status = 1
            continue
        flag = "OK  " if t <= BUDGET_S else "SLOW"
        status |= t > BUDGET_S
        print(f"{flag} {page}: {t:.1f} s (budget {BUDGET_S:.0f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
