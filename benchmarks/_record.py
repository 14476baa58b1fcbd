"""Write a benchmark's measurements, with the date, machine and settings, as JSON.

Shared by the benchmark scripts (``--json``); the book pages display these files with
:func:`scratch.plot.benchmark_summary` instead of running the benchmarks themselves.
"""

from __future__ import annotations

import datetime
import json
import os
import platform

import numpy as np


def write_record(path: str, *, benchmark: str, command: str, threads: int, repeats: int,
                 warmup: int, results: list[dict], torch) -> None:
    """Write ``results`` (one dict per case with ``case``, ``scratch_ms``, ``torch_ms``, ``ratio``)."""
    record = {
        "benchmark": benchmark,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
        },
        "threads": threads,
        "dtype": "float32",
        "repeats": repeats,
        "warmup": warmup,
        "statistic": "median seconds per step; ratio = scratch / torch (below 1: scratch faster)",
        "command": command,
        "results": results,
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=2)
        fh.write("\n")
    print(f"wrote {path}")
