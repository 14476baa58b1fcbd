"""Time one MLP training step in scratch and in PyTorch CPU, side by side.

One step = forward, cross-entropy, backward, Adam update. Both engines use
float32, the same shapes, the same number of threads, and PyTorch's idiomatic
code (``nn.Sequential``, ``F.cross_entropy``, ``torch.optim.Adam`` with its
defaults). Timings are interleaved in rounds so that machine noise hits both
engines alike; the script prints the median time per step and the ratio
scratch / torch (below 1 means scratch is faster).

Usage::

    python benchmarks/bench_mlp.py                # 1 thread
    python benchmarks/bench_mlp.py --threads 2 --repeats 400
    python benchmarks/bench_mlp.py --json         # also write benchmarks/results.json

``--json [PATH]`` records the measured times and ratios together with the date,
the machine fingerprint (CPU model, numpy's SIMD features and BLAS kernel, torch)
and the thread count, one record per machine, so that a page can display them
without re-running the benchmark. Every run prints the fingerprint and the top five
functions of a short profile of the scratch step.
"""

from __future__ import annotations

import argparse
import os
import sys

# Threads must be fixed before numpy (and its BLAS) is imported.
_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads for both engines (default 1)")
_parser.add_argument("--repeats", type=int, default=300, help="timed steps per case and engine (default 300)")
_parser.add_argument("--warmup", type=int, default=20, help="untimed steps first (default 20)")
_parser.add_argument("--seed", type=int, default=0)
_parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                     help="cpu: process CPU time, robust on a shared machine (default); wall: perf_counter")
_parser.add_argument("--json", nargs="?", const=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json"),
                     default=None, metavar="PATH",
                     help="write the results as JSON (default path: benchmarks/results.json)")
ARGS = _parser.parse_args() if __name__ == "__main__" else _parser.parse_args([])
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

import scratch.nn as snn  # noqa: E402
from scratch.autograd import Tensor  # noqa: E402
from scratch.optim import Adam  # noqa: E402


@dataclass
class Case:
    name: str
    sizes: tuple[int, ...]  # layer widths, input first
    batch: int


CASES = [
    Case("(a) MLP 64-256-10, batch 64", (64, 256, 10), 64),
    Case("(b) MLP 784-512-512-10, batch 128", (784, 512, 512, 10), 128),
]


def build_scratch(case: Case, rng: np.random.Generator):
    layers = []
    for i in range(len(case.sizes) - 1):
        layers.append(snn.Linear(case.sizes[i], case.sizes[i + 1], rng=rng, dtype=np.float32))
        if i < len(case.sizes) - 2:
            layers.append(snn.ReLU())
    model = snn.Sequential(*layers)
    optimizer = Adam(model.parameters(), lr=1e-3)

    def step(x: np.ndarray, y: np.ndarray) -> float:
        optimizer.zero_grad()
        logits = model(Tensor(x))  # (B, n_classes)
        loss = snn.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return model, step


def build_torch(case: Case, scratch_model, torch):
    layers = []
    for i in range(len(case.sizes) - 1):
        layers.append(torch.nn.Linear(case.sizes[i], case.sizes[i + 1]))
        if i < len(case.sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():  # same initial weights (torch stores the transpose)
        ours = [m for m in scratch_model if isinstance(m, snn.Linear)]
        theirs = [m for m in model if isinstance(m, torch.nn.Linear)]
        for a, b in zip(ours, theirs):
            b.weight.copy_(torch.from_numpy(a.weight.data.T.copy()))
            b.bias.copy_(torch.from_numpy(a.bias.data))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.functional.cross_entropy

    def step(x, y) -> float:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def run_case(case: Case, torch, repeats: int, warmup: int, seed: int):
    from _record import time_side_by_side

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((case.batch, case.sizes[0])).astype(np.float32)
    y = rng.integers(0, case.sizes[-1], case.batch)
    model, scratch_step = build_scratch(case, rng)
    torch_step = build_torch(case, model, torch)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    l_s = [scratch_step(x, y) for _ in range(3)]
    l_t = [torch_step(xt, yt) for _ in range(3)]
    if not np.allclose(l_s, l_t, rtol=1e-3, atol=1e-4):  # same maths, so same losses
        print(f"  warning: losses differ: scratch {l_s} torch {l_t}", file=sys.stderr)
    med_s, med_t, _ = time_side_by_side(lambda: scratch_step(x, y), lambda: torch_step(xt, yt), repeats=repeats,
                                        warmup=warmup, clock=ARGS.clock, block=10)
    return med_s, med_t, med_s / med_t, lambda: scratch_step(x, y)


def main() -> None:
    import torch

    from _record import print_profile, print_table_start, profile_top

    print_table_start(torch, ARGS)
    results, profiles = [], []
    for case in CASES:
        s, t, ratio, step = run_case(case, torch, ARGS.repeats, ARGS.warmup, ARGS.seed)
        print(f"{case.name:40s} {1e3 * s:11.3f} {1e3 * t:9.3f} {ratio:7.2f}", flush=True)
        results.append({"case": case.name, "sizes": list(case.sizes), "batch": case.batch,
                        "scratch_ms": round(1e3 * s, 4), "torch_ms": round(1e3 * t, 4),
                        "ratio": round(ratio, 3)})
        profiles.append((case.name, profile_top(step, calls=20)))
    for name, prof in profiles:
        print_profile(name, prof)
    if ARGS.json:
        write_json(ARGS.json, results, torch, [dict(r, case=c) for c, prof in profiles for r in prof])


def write_json(path: str, results: list[dict], torch, profile: list[dict]) -> None:
    """Write ``results`` with the date, machine description and settings to ``path``."""
    from _record import write_record

    write_record(
        path,
        benchmark="bench_mlp.py: one training step (forward, cross-entropy, backward, Adam), scratch vs torch",
        command="python benchmarks/bench_mlp.py --json"
                + (f" --threads {ARGS.threads}" if ARGS.threads != 1 else "")
                + (f" --repeats {ARGS.repeats}" if ARGS.repeats != 300 else ""),
        threads=ARGS.threads, repeats=ARGS.repeats, warmup=ARGS.warmup, results=results, torch=torch,
        profile=profile, clock=ARGS.clock,
    )


if __name__ == "__main__":
    main()
