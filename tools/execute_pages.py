"""Execute the book's pages in parallel into the execution cache, before Sphinx runs.

``make book`` calls this after ``tools/cache_key.py``. Every page in ``_toc.yml`` that
is a notebook and is not already in the jupyter-cache (``execute.cache`` in
``_config.yml``) is executed in a pool of worker processes, one page per worker, one
BLAS thread per worker (``OMP_NUM_THREADS=1`` … as the Makefile sets), and as many
workers as cores (``--jobs``). Each executed notebook is stored in the cache exactly
as MyST-NB stores it (same notebook reader, same hash, ``execution_seconds``), so the
Sphinx build that follows reads the outputs from the cache and the per-page budget
(``_ext/page_budget.py``) still sees each page's own runtime.

A page that raises is not cached: its traceback is printed here, every failing page
is listed (not only the first), and the script exits with status 1, so ``make book``
stops. Sphinx would re-execute such a page and fail on it anyway.

Usage: ``python tools/execute_pages.py [--jobs N] [--build _build] [--cache DIR] [PAGE.md ...]``
(pages default to every notebook page in ``_toc.yml``; the cache to ``execute.cache``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
THREAD_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def toc_pages(root: Path = ROOT) -> list[Path]:
    """Pages listed in ``_toc.yml`` (root, chapters, sections) that are MyST notebooks."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    pages = []
    for f in files:
        path = root / f"{f}.md"
        if path.is_file() and "kernelspec:" in path.read_text(encoding="utf-8")[:800]:
            pages.append(path)
    return pages


def read_notebook(path: Path):
    """The notebook exactly as MyST-NB reads the page (so the cache hash matches)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(path.read_text("utf8"), path=str(path))


def _execute(path_str: str, timeout: int) -> tuple[str, str | None, float, str | None]:
    """Worker: execute one page; return (path, executed notebook JSON or None, seconds, error)."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    os.environ.update(THREAD_ENV)
    path = Path(path_str)
    nb = read_notebook(path)
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=timeout, allow_errors=False,
                                 meta_override=True)
    if result.err is not None:
        return path_str, None, result.time, result.exc_string or repr(result.err)
    return path_str, nbformat.writes(nb), result.time, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: the number of cores)")
    parser.add_argument("--build", default="_build", help="build folder (default: _build)")
    parser.add_argument("--root", default=str(ROOT), help="the book's folder (default: this repository)")
    parser.add_argument("--cache", default=None, help="jupyter-cache folder (default: execute.cache of _config.yml)")
    parser.add_argument("pages", nargs="*", help="pages to execute (default: every notebook page in _toc.yml)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be at least 1; got {args.jobs}")

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    root = Path(args.root).resolve()
    config = yaml.safe_load((root / "_config.yml").read_text())
    cache = get_cache(str(root / (args.cache or config["execute"]["cache"])))
    timeout = int(config["execute"].get("timeout", 120))

    todo = []
    pages = [Path(p).resolve() for p in args.pages] or toc_pages(root)
    for p in pages:
        if p.suffix != ".md" or not p.is_file():
            parser.error(f"expected a page such as book/classical/svm.md; got {p}")
    for path in pages:
        try:
            cache.match_cache_notebook(read_notebook(path))
        except KeyError:
            todo.append(path)
    if not todo:
        print("execute_pages: every page is already in the execution cache")
        return 0
    # Longest pages first (from the last report), so the pool finishes evenly.
    report = root / args.build / "exec_report.json"
    last = {}
    if report.is_file():
        last = {k: (v.get("runtime_s") or 0) for k, v in json.loads(report.read_text())["pages"].items()}
    todo.sort(key=lambda p: -last.get(str(p.relative_to(root).with_suffix("")), 1e9))

    print(f"execute_pages: executing {len(todo)} pages with {args.jobs} workers")
    start, failed = time.perf_counter(), []
    os.environ.update(THREAD_ENV)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(_execute, str(p), timeout) for p in todo]
        for fut in as_completed(futures):
            path_str, nb_json, seconds, error = fut.result()
            rel = Path(path_str).relative_to(root)
            if error is not None:
                failed.append((rel, error))
                print(f"  FAILED {rel} after {seconds:.1f} s")
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(nbformat.reads(nb_json, as_version=4), path_str,
                              data={"execution_seconds": seconds}),
                check_validity=False, overwrite=True)
            print(f"  {seconds:6.1f} s  {rel}")
    print(f"execute_pages: {len(todo) - len(failed)} pages executed in "
          f"{time.perf_counter() - start:.0f} s wall with {args.jobs} workers")
    for rel, error in failed:
        print(f"\n=== {rel} raised ===\n{error}", file=sys.stderr)
    if failed:
        print(f"execute_pages: {len(failed)} page(s) raised: " + ", ".join(str(r) for r, _ in failed),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
