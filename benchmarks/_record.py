"""Shared by the benchmark scripts: the machine fingerprint, a short profile, and the JSON records.

A speed ratio means little without the machine that produced it: the same code
ran 2.4x slower than PyTorch on one CPU and 1.3x on another, because numpy's
``x**3`` goes through the C library's ``pow`` and that was slow there. Every
benchmark therefore prints

* the **fingerprint** (:func:`fingerprint`): CPU model, numpy's SIMD features,
  the BLAS library and kernel numpy uses (via threadpoolctl), torch's version,
  BLAS and threads;
* the five functions that take most of the time in a short cProfile of the
  scratch step (:func:`profile_top`), so a ratio can be explained, not just
  compared.

``--json`` records (:func:`write_record`) are kept **per fingerprint**: a file
holds one record per machine, and re-running a benchmark on a machine replaces
only that machine's record. The book pages display them with
:func:`scratch.plot.benchmark_summary`, which names the machine of each record.
Files in the older one-record format are read and converted on the next write.
"""

from __future__ import annotations

import cProfile
import datetime
import hashlib
import json
import os
import platform
import pstats
import re
import time
from typing import Any, Callable

import numpy as np


# ---- fingerprint -------------------------------------------------------------

def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _numpy_simd() -> dict[str, Any]:
    """numpy's compiled-in baseline and the dispatch targets this CPU supports."""
    try:
        from numpy._core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        from numpy.core._multiarray_umath import __cpu_baseline__, __cpu_dispatch__, __cpu_features__
    return {"baseline": list(__cpu_baseline__),
            "dispatch_supported": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)],
            "dispatch_missing": [f for f in __cpu_dispatch__ if not __cpu_features__.get(f)]}


def _numpy_blas() -> dict[str, Any]:
    """numpy's BLAS (library, version, kernel architecture, threads) via threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {"library": "unknown (install threadpoolctl)"}
    for info in threadpool_info():
        if info.get("user_api") == "blas" and "numpy" in str(info.get("filepath", "")):
            break
    else:
        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if not blas:
            return {"library": "unknown"}
        info = blas[0]
    return {"library": info.get("internal_api"), "version": info.get("version"),
            "kernel": info.get("architecture"), "threads": info.get("num_threads")}


def _torch_info(torch: Any) -> dict[str, Any]:
    if torch is None:
        return {}
    config = torch.__config__.show()
    found = re.search(r"BLAS_INFO=(\w+)", config)
    blas = found.group(1) if found else "unknown"
    capability = next((line.split(":", 1)[1].strip() for line in config.splitlines()
                       if "CPU capability usage" in line), "unknown")
    return {"version": torch.__version__, "blas": blas, "cpu_capability": capability,
            "threads": torch.get_num_threads()}


def _allocator_info() -> str:
    """Whether the engine's malloc tuning (scratch.autograd.allocator) is on in this process."""
    try:
        from scratch.autograd.allocator import allocator_info
    except ImportError:
        return "unknown"
    return allocator_info()


def fingerprint(torch: Any = None) -> dict[str, Any]:
    """Everything about this machine and its libraries that changes a speed ratio.

    Returns
    -------
    dict with ``cpu``, ``cpu_count``, ``platform``, ``python``, ``numpy``
    (version, SIMD features, BLAS library/kernel/threads), ``torch`` and ``id``
    (a short hash of the parts that identify the machine and its libraries).
    """
    fp = {
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": {"version": np.__version__, "simd": _numpy_simd(), "blas": _numpy_blas()},
        "torch": _torch_info(torch),
        "allocator": _allocator_info(),
    }
    fp["id"] = fingerprint_id(fp)
    return fp


def fingerprint_id(fp: dict[str, Any]) -> str:
    """Short hash of CPU model, CPU count, numpy/BLAS and torch versions (what makes a machine)."""
    blas = fp["numpy"]["blas"]
    key = "|".join(str(v) for v in (fp["cpu"], fp["cpu_count"], fp["numpy"]["version"], blas.get("library"),
                                    blas.get("version"), blas.get("kernel"), fp["torch"].get("version")))
    return hashlib.sha256(key.encode()).hexdigest()[:10]


def describe(fp: dict[str, Any]) -> str:
    """One paragraph naming the machine, for printing."""
    blas, simd, tch = fp["numpy"]["blas"], fp["numpy"]["simd"], fp["torch"]
    top = simd["dispatch_supported"][-1] if simd["dispatch_supported"] else "baseline only"
    lines = [f"machine {fp['id']}: {fp['cpu']}, {fp['cpu_count']} CPUs, {fp['platform']}, Python {fp['python']}",
             f"  numpy {fp['numpy']['version']}: SIMD baseline {'+'.join(simd['baseline']) or '-'}, "
             f"best dispatch target {top} (missing: {', '.join(simd['dispatch_missing']) or 'none'}); "
             f"BLAS {blas.get('library')} {blas.get('version', '')} kernel {blas.get('kernel')}, "
             f"{blas.get('threads')} thread(s)"]
    lines.append(f"  memory: {fp.get('allocator', 'unknown')} (both engines share this process)")
    if tch:
        lines.append(f"  torch {tch['version']}: BLAS {tch['blas']}, CPU capability {tch['cpu_capability']}, "
                     f"{tch['threads']} thread(s)")
    return "\n".join(lines)


# ---- profile -----------------------------------------------------------------

def time_side_by_side(step_scratch: Callable[[], Any], step_torch: Callable[[], Any], *, repeats: int,
                      warmup: int, clock: str = "cpu", block: int = 5) -> tuple[float, float, int]:
    """Median seconds per step of each engine, measured side by side.

    After ``warmup`` untimed steps of each, the engines alternate in blocks of ``block``
    timed steps until each has ``repeats`` (rounded down to whole blocks, at least one),
    so that a change in machine load hits both alike. ``clock`` is ``"cpu"`` (process
    CPU time, robust on a shared machine) or ``"wall"``.

    Returns
    -------
    (median scratch seconds, median torch seconds, steps timed per engine)
    """
    timer = time.process_time if clock == "cpu" else time.perf_counter
    for _ in range(warmup):
        step_scratch(); step_torch()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(max(repeats // block, 1)):
        for fn, acc in zip((step_scratch, step_torch), times):
            for _ in range(block):
                t0 = timer(); fn(); acc.append(timer() - t0)
    return float(np.median(times[0])), float(np.median(times[1])), len(times[0])


def profile_top(step: Callable[[], Any], calls: int = 5, top: int = 5) -> list[dict[str, Any]]:
    """The ``top`` functions by own time in a cProfile of ``calls`` calls of ``step``.

    Returns a list of ``{"function", "ncalls", "tottime_ms_per_step", "share"}``,
    ``share`` being the fraction of the profiled time spent in that function itself.
    """
    prof = cProfile.Profile(time.process_time)  # CPU time: robust on a shared machine
    prof.enable()
    for _ in range(calls):
        step()
    prof.disable()
    stats = pstats.Stats(prof).stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}
    total = sum(v[2] for v in stats.values()) or 1.0
    rows = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    out = []
    for (file, line, name), (_, nc, tt, _, _) in rows:
        where = f"{os.path.relpath(file) if file.startswith('/') else file}:{line}" if line else file
        out.append({"function": f"{name} ({where})", "ncalls": int(nc // calls),
                    "tottime_ms_per_step": round(1e3 * tt / calls, 3), "share": round(tt / total, 3)})
    return out


def print_profile(name: str, rows: list[dict[str, Any]]) -> None:
    print(f"  top functions of the scratch step, {name} (cProfile, own time):")
    for r in rows:
        print(f"    {100 * r['share']:5.1f}%  {r['tottime_ms_per_step']:8.3f} ms/step  "
              f"{r['ncalls']:4d} calls/step  {r['function']}")


# ---- records -----------------------------------------------------------------

def _old_record_id(record: dict[str, Any]) -> str:
    m = record.get("machine", {})
    key = "|".join(str(m.get(k)) for k in ("platform", "processor", "cpu_count", "numpy", "torch"))
    return "legacy-" + hashlib.sha256(key.encode()).hexdigest()[:8]


def load_records(path: str) -> dict[str, Any]:
    """A record file as ``{"benchmark": ..., "records": [...]}``; older one-record files are converted."""
    if not os.path.exists(path):
        return {"records": []}
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if "records" in data:
        return data
    data.setdefault("fingerprint_id", _old_record_id(data))  # the old format: one record, no fingerprint
    return {"benchmark": data.get("benchmark"), "records": [data]}


def write_record(path: str, *, benchmark: str, command: str, threads: int, repeats: int,
                 warmup: int, results: list[dict], torch, profile: list[dict] | None = None,
                 dtype: str = "float32", clock: str = "wall") -> None:
    """Store ``results`` for this machine in ``path``, keeping other machines' records.

    ``results`` holds one dict per case with ``case``, ``scratch_ms``, ``torch_ms``, ``ratio``.
    A record for the same fingerprint (same CPU model, numpy, BLAS and torch) is replaced.
    """
    fp = fingerprint(torch)
    record = {
        "benchmark": benchmark,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "fingerprint_id": fp["id"],
        "fingerprint": fp,
        "code": code_version(),
        "clock": clock,
        "machine": {  # the summary fields of the older format, still read by benchmark_summary
            "platform": platform.platform(),
            "processor": fp["cpu"],
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
        },
        "threads": threads,
        "dtype": dtype,
        "repeats": repeats,
        "warmup": warmup,
        "statistic": (f"median {'process CPU' if clock == 'cpu' else 'wall-clock'} seconds per step; "
                      "ratio = scratch / torch (below 1: scratch faster)"),
        "command": command,
        "results": results,
    }
    if profile:
        record["profile_top5"] = profile
    data = load_records(path)
    others = [r for r in data["records"] if r.get("fingerprint_id") != fp["id"]]
    data = {"benchmark": benchmark, "format": "one record per machine fingerprint, newest first",
            "records": [record] + others}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
        fh.write("\n")
    print(f"wrote {path} (machine {fp['id']}; {len(others)} other machine record(s) kept)")


def code_version() -> str:
    """The commit of the engine's code (``git describe --always``), with "+edits" when ``code/``
    differs from it; "unknown" outside a git checkout."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        out = subprocess.run(["git", "describe", "--always"], capture_output=True, text=True, cwd=root, timeout=10)
        dirty = subprocess.run(["git", "diff", "--quiet", "HEAD", "--", "code"], cwd=root, timeout=10).returncode
        return (out.stdout.strip() + ("+edits" if dirty else "")) or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def print_table_start(torch: Any, args: Any, width: int = 40) -> None:
    """Set torch's threads, print the fingerprint, the settings and the column titles of a ratio table."""
    torch.set_num_threads(args.threads)
    print_header(torch, args.threads)
    print(f"numpy {np.__version__}, torch {torch.__version__}, threads={args.threads}, float32, "
          f"median {args.clock} time of {args.repeats} steps after {args.warmup} warmup steps")
    print(f"{'case':{width}s} {'scratch ms':>11s} {'torch ms':>9s} {'ratio':>7s}")


def print_header(torch: Any, threads: int) -> None:
    """Print the fingerprint (every benchmark starts with this)."""
    print(describe(fingerprint(torch)) + f"\n  code {code_version()}")
    try:
        load = os.getloadavg()
        print(f"  load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs "
              f"(a loaded machine makes both engines slower; ratios are measured side by side), "
              f"benchmark threads={threads}")
    except OSError:
        pass
