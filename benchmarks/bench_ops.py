"""Time each primitive of the scratch engine against the same operation in PyTorch CPU.

A chapter's speed is the sum of a few primitives: elementwise functions,
reductions and matrix products. When one of them is slow on a machine (numpy's
``x**3`` goes through the C library's ``pow``, which costs 300x a product on some
CPUs) it shows here first, as one row far above the others, before it shows up
as a slow chapter.

Each row runs the scratch ``Tensor`` operation and the torch operation on the same
data, float32 and float64, alternating engines in rounds so that machine noise
hits both alike, and prints the median time of each and the ratio scratch/torch.
Times are the process's CPU time by default (``--clock cpu``): on a shared machine
wall time also counts the moments another process held the core.
"fwd" rows time the forward pass; "f+b" rows time forward and backward (on a
tensor that requires grad; the gradient of ``sum`` of the output). Rows above
3x are flagged with ``<-- SLOW``. ``np x**3`` is the raw numpy expression that
the engine no longer uses: it shows whether this machine has the trap.

Usage::

    python benchmarks/bench_ops.py                  # 1 thread, all rows
    python benchmarks/bench_ops.py --only exp,matmul --dtype float32
"""

from __future__ import annotations

import argparse
import os

_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads for both engines (default 1)")
_parser.add_argument("--rounds", type=int, default=15, help="alternating rounds per row (default 15)")
_parser.add_argument("--target-ms", type=float, default=2.0, help="time per sample, set by calibration (default 2)")
_parser.add_argument("--dtype", default="float32,float64")
_parser.add_argument("--only", default="", help="comma-separated substrings of row names to run")
_parser.add_argument("--flag", type=float, default=3.0, help="flag rows whose ratio exceeds this (default 3)")
_parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                     help="cpu: process CPU time, robust on a shared machine (default); wall: perf_counter")
ARGS = _parser.parse_args() if __name__ == "__main__" else _parser.parse_args([])
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

import time  # noqa: E402

import numpy as np  # noqa: E402

from scratch.autograd import Tensor, cross_entropy, log_softmax, softmax, where  # noqa: E402
from scratch.nn.attention import scaled_dot_product_attention  # noqa: E402
from scratch.nn.functional import gelu  # noqa: E402
from scratch.nn.layernorm import layer_norm  # noqa: E402

N, M = 768, 512          # elementwise/reduction operand: a GPT MLP activation (B*T, 4C)
MM = [(768, 128, 512), (768, 512, 128), (128, 768, 512)]  # (n, k, m) of the GPT's products
ATT = (48, 64, 32)        # (B*H, T, D) of the GPT's attention


def rows(torch):
    """(name, kind, make_inputs(dtype, rng) -> list of arrays, scratch fn, torch fn, grad?)."""
    F = torch.nn.functional
    targets = np.random.default_rng(0).integers(0, M, N)
    ttargets = torch.from_numpy(targets)
    x1 = lambda dt, rng: [rng.standard_normal((N, M)).astype(dt)]
    pos = lambda dt, rng: [rng.uniform(0.5, 2.0, (N, M)).astype(dt)]
    x2 = lambda dt, rng: [rng.standard_normal((N, M)).astype(dt), rng.standard_normal((N, M)).astype(dt)]
    xrow = lambda dt, rng: [rng.standard_normal((N, M)).astype(dt), rng.standard_normal(M).astype(dt)]
    table = [
        # elementwise, binary (with a broadcast row: the bias add of every layer)
        ("add", x2, lambda a, b: a + b, lambda a, b: a + b),
        ("add (N,M)+(M,)", xrow, lambda a, b: a + b, lambda a, b: a + b),
        ("sub", x2, lambda a, b: a - b, lambda a, b: a - b),
        ("mul", x2, lambda a, b: a * b, lambda a, b: a * b),
        ("mul (N,M)*(M,)", xrow, lambda a, b: a * b, lambda a, b: a * b),
        ("div", lambda dt, rng: [x2(dt, rng)[0], pos(dt, rng)[0]], lambda a, b: a / b, lambda a, b: a / b),
        ("mul scalar", x1, lambda a: a * 0.5, lambda a: a * 0.5),
        ("neg", x1, lambda a: -a, lambda a: -a),
        # elementwise, unary
        ("exp", x1, lambda a: a.exp(), lambda a: a.exp()),
        ("log", pos, lambda a: a.log(), lambda a: a.log()),
        ("tanh", x1, lambda a: a.tanh(), lambda a: a.tanh()),
        ("sigmoid", x1, lambda a: a.sigmoid(), lambda a: a.sigmoid()),
        ("relu", x1, lambda a: a.relu(), lambda a: a.relu()),
        ("abs", x1, lambda a: a.abs(), lambda a: a.abs()),
        ("sqrt", pos, lambda a: a.sqrt(), lambda a: a.sqrt()),
        ("pow 2", x1, lambda a: a**2, lambda a: a**2),
        ("pow 3", x1, lambda a: a**3, lambda a: a**3),
        ("pow -0.5", pos, lambda a: a**-0.5, lambda a: a**-0.5),
        ("pow 1.7 (np.power)", pos, lambda a: a**1.7, lambda a: a**1.7),
        ("gelu (tanh)", x1, gelu, lambda a: F.gelu(a, approximate="tanh")),
        ("where", x2, lambda a, b: where(a.data > 0, a, b), lambda a, b: torch.where(a > 0, a, b)),
        # reductions
        ("sum all", x1, lambda a: a.sum(), lambda a: a.sum()),
        ("sum axis 0", x1, lambda a: a.sum(axis=0), lambda a: a.sum(0)),
        ("sum axis -1", x1, lambda a: a.sum(axis=-1), lambda a: a.sum(-1)),
        ("mean axis -1", x1, lambda a: a.mean(axis=-1), lambda a: a.mean(-1)),
        ("max axis -1", x1, lambda a: a.max(axis=-1), lambda a: a.amax(-1)),
        ("var axis -1", x1, lambda a: a.var(axis=-1), lambda a: a.var(-1, correction=0)),
        ("softmax -1", x1, lambda a: softmax(a, -1), lambda a: F.softmax(a, -1)),
        ("log_softmax -1", x1, lambda a: log_softmax(a, -1), lambda a: F.log_softmax(a, -1)),
        ("cross_entropy", x1, lambda a: cross_entropy(a, targets), lambda a: F.cross_entropy(a, ttargets)),
        ("layer_norm (C=512)", lambda dt, rng: x1(dt, rng) + [np.ones(M, dt), np.zeros(M, dt)],
         lambda a, w, b: layer_norm(a, w, b), lambda a, w, b: F.layer_norm(a, (M,), w, b)),
        # shapes
        ("transpose+reshape", lambda dt, rng: [rng.standard_normal((12, 64, 4, 128)).astype(dt)],
         lambda a: a.transpose(0, 2, 1, 3).reshape(48, -1) * 1.0,
         lambda a: a.permute(0, 2, 1, 3).reshape(48, -1) * 1.0),
    ]
    for n, k, m in MM:
        table.append((f"matmul ({n},{k})@({k},{m})",
                      lambda dt, rng, n=n, k=k, m=m: [rng.standard_normal((n, k)).astype(dt),
                                                      rng.standard_normal((k, m)).astype(dt)],
                      lambda a, b: a @ b, lambda a, b: a @ b))
    bh, t, d = ATT
    table.append((f"matmul batched ({bh},{t},{d})@({bh},{d},{t})",
                  lambda dt, rng: [rng.standard_normal((bh, t, d)).astype(dt), rng.standard_normal((bh, d, t)).astype(dt)],
                  lambda a, b: a @ b, lambda a, b: a @ b))
    table.append((f"attention causal ({bh},{t},{d})",
                  lambda dt, rng: [rng.standard_normal((bh, t, d)).astype(dt) for _ in range(3)],
                  lambda q, k, v: scaled_dot_product_attention(q, k, v, causal=True),
                  lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True)))
    return table


def clock() -> float:
    return time.process_time() if ARGS.clock == "cpu" else time.perf_counter()


def calibrate(fn, target_s: float) -> int:
    """Calls per sample so one sample takes about ``target_s``."""
    n = 1
    while True:
        t0 = clock()
        for _ in range(n):
            fn()
        dt = clock() - t0
        if dt >= target_s / 4 or n >= 1 << 14:
            return max(1, int(n * target_s / max(dt, 1e-9)))
        n *= 4


def side_by_side(fs, ft, rounds: int, target_s: float) -> tuple[float, float]:
    """Median seconds per call of ``fs`` and ``ft``, alternating engines every round."""
    fs(); ft()  # warm up
    ns, nt = calibrate(fs, target_s), calibrate(ft, target_s)
    ts, tt = [], []
    for _ in range(rounds):
        for fn, n, acc in ((fs, ns, ts), (ft, nt, tt)):
            t0 = clock()
            for _ in range(n):
                fn()
            acc.append((clock() - t0) / n)
    return float(np.median(ts)), float(np.median(tt))


def main() -> None:
    import torch

    from _record import print_header, print_profile, profile_top

    torch.set_num_threads(ARGS.threads)
    print_header(torch, ARGS.threads)
    only = [s.strip() for s in ARGS.only.split(",") if s.strip()]
    table = [r for r in rows(torch) if not only or any(s in r[0] for s in only)]
    print(f"rows: elementwise/reductions on ({N}, {M}); median {ARGS.clock} time of {ARGS.rounds} alternating rounds; "
          f"ratio = scratch / torch, flagged above {ARGS.flag:g}x")
    print(f"{'op':42s} {'dtype':8s} {'pass':4s} {'scratch us':>11s} {'torch us':>9s} {'ratio':>7s}")
    slow = []
    for dtype in ARGS.dtype.split(","):
        dt = np.dtype(dtype)
        rng = np.random.default_rng(0)
        # the trap itself, in raw numpy: what `x**3` costs on this machine
        x = rng.standard_normal((N, M)).astype(dt)
        xt = torch.from_numpy(x)
        if not only or any(s in "np x**3" for s in only):
            s, t = side_by_side(lambda: x**3, lambda: xt**3, ARGS.rounds, 1e-3 * ARGS.target_ms)
            _print_row("np x**3 (raw numpy, not used by the engine)", dtype, "fwd", s, t, slow)
        for name, make, f_s, f_t in table:
            arrays = make(dt, rng)
            ours = [Tensor(a) for a in arrays]
            theirs = [torch.from_numpy(a) for a in arrays]
            s, t = side_by_side(lambda: f_s(*ours), lambda: f_t(*theirs), ARGS.rounds, 1e-3 * ARGS.target_ms)
            _print_row(name, dtype, "fwd", s, t, slow)
            if "transpose" in name:
                continue
            ours_g = [Tensor(a, requires_grad=True) for a in arrays]
            theirs_g = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays]

            def step_s():
                for p in ours_g:
                    p.grad = None
                f_s(*ours_g).sum().backward()

            def step_t():
                for p in theirs_g:
                    p.grad = None
                f_t(*theirs_g).sum().backward()

            s, t = side_by_side(step_s, step_t, ARGS.rounds, 1e-3 * ARGS.target_ms)
            _print_row(name, dtype, "f+b", s, t, slow)
    if slow:
        print(f"\n{len(slow)} row(s) above {ARGS.flag:g}x: " + "; ".join(slow))
    else:
        print(f"\nno row above {ARGS.flag:g}x")
    # where the time of a typical composite goes: a GELU MLP block forward and backward
    w1 = Tensor(np.random.default_rng(1).standard_normal((128, 512)).astype(np.float32) * 0.05, requires_grad=True)
    w2 = Tensor(np.random.default_rng(2).standard_normal((512, 128)).astype(np.float32) * 0.05, requires_grad=True)
    xb = Tensor(np.random.default_rng(3).standard_normal((768, 128)).astype(np.float32))

    def mlp_step():
        w1.grad = w2.grad = None
        (gelu(xb @ w1) @ w2).sum().backward()

    print_profile("a GELU MLP block (768x128 -> 512 -> 128), float32", profile_top(mlp_step, calls=20))


def _print_row(name, dtype, kind, s, t, slow):
    ratio = s / t
    flag = "  <-- SLOW" if ratio > ARGS.flag else ""
    print(f"{name:42s} {dtype:8s} {kind:4s} {1e6 * s:11.1f} {1e6 * t:9.1f} {ratio:7.2f}{flag}", flush=True)
    if flag:
        slow.append(f"{name} {dtype} {kind} {ratio:.1f}x")


if __name__ == "__main__":
    main()
