"""Time one training step of a small CNN and of an LSTM, scratch vs PyTorch CPU, side by side.

One step = forward, cross-entropy, backward, Adam update. Both engines use
float32, the same shapes, the same number of threads and copied initial
weights; timings are interleaved in blocks so that machine noise hits both
alike. Prints the machine fingerprint, the median time per step (process CPU
time by default, robust on a shared machine; ``--clock wall`` for wall time), the
ratio scratch / torch, and the top five functions of a short profile of each
scratch step. ``--json`` records the ratios for this machine in
``benchmarks/results_cnn_lstm.json``.

Usage::

    python benchmarks/bench_cnn_lstm.py                 # 1 thread
    python benchmarks/bench_cnn_lstm.py --threads 2 --repeats 100
"""

from __future__ import annotations

import argparse
import os
import sys

_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads for both engines (default 1)")
_parser.add_argument("--repeats", type=int, default=60, help="timed steps per case and engine (default 60)")
_parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (default 5)")
_parser.add_argument("--seed", type=int, default=0)
_parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                     help="cpu: process CPU time (default); wall: perf_counter")
_parser.add_argument("--json", nargs="?", const=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "results_cnn_lstm.json"),
                     default=None, metavar="PATH", help="write the results as JSON")
ARGS = _parser.parse_args() if __name__ == "__main__" else _parser.parse_args([])
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)


import numpy as np  # noqa: E402

from scratch.autograd import Tensor, cross_entropy  # noqa: E402
from scratch.neural.cnn import DigitCNN  # noqa: E402
from scratch.nn.layers import Linear  # noqa: E402
from scratch.nn.module import Module  # noqa: E402
from scratch.nn.recurrent import Recurrent  # noqa: E402
from scratch.optim import Adam  # noqa: E402


class LSTMClassifier(Module):
    """LSTM over (B, T, D) then a linear read-out of the last state."""

    def __init__(self, d_in, hidden, n_classes, rng):
        self.rnn = Recurrent("lstm", d_in, hidden, rng=rng, dtype=np.float32)
        self.head = Linear(hidden, n_classes, rng=rng, dtype=np.float32)

    def forward(self, x):
        out, _ = self.rnn(x)                 # (B, T, H)
        return self.head(out[:, -1])         # (B, n_classes)


def cnn_case(torch, rng):
    ours = DigitCNN(rng=rng)                 # float32, (B, 1, 8, 8) -> (B, 10)
    ref = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(128, 10))
    with torch.no_grad():
        for a, t in [(ours.conv1, ref[0]), (ours.conv2, ref[3])]:
            t.weight.copy_(torch.from_numpy(a.weight.data)); t.bias.copy_(torch.from_numpy(a.bias.data))
        ref[7].weight.copy_(torch.from_numpy(ours.head.weight.data.T.copy()))
        ref[7].bias.copy_(torch.from_numpy(ours.head.bias.data))
    x = rng.random((64, 1, 8, 8), dtype=np.float32)
    return "(a) DigitCNN 16-32 on 8x8, batch 64", ours, ref, x, rng.integers(0, 10, 64)


def lstm_case(torch, rng):
    ours = LSTMClassifier(8, 64, 10, rng)
    ref_rnn, ref_head = torch.nn.LSTM(8, 64, batch_first=True), torch.nn.Linear(64, 10)
    with torch.no_grad():
        for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            d = getattr(ours.rnn.cell, n).data
            getattr(ref_rnn, n + "_l0").copy_(torch.from_numpy(d.T.copy() if d.ndim == 2 else d))
        ref_head.weight.copy_(torch.from_numpy(ours.head.weight.data.T.copy()))
        ref_head.bias.copy_(torch.from_numpy(ours.head.bias.data))

    class Ref(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = ref_rnn, ref_head

        def forward(self, x):
            return self.head(self.rnn(x)[0][:, -1])

    x = rng.standard_normal((32, 30, 8)).astype(np.float32)
    return "(b) LSTM 8-64, T=30, batch 32", ours, Ref(), x, rng.integers(0, 10, 32)


def run(torch, name, ours, ref, x, y):
    from _record import time_side_by_side

    opt, opt_t = Adam(ours.parameters(), lr=1e-3), torch.optim.Adam(ref.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step_s():
        opt.zero_grad(); loss = cross_entropy(ours(Tensor(x)), y); loss.backward(); opt.step()
        return loss.item()

    def step_t():
        opt_t.zero_grad(); loss = torch.nn.functional.cross_entropy(ref(xt), yt); loss.backward(); opt_t.step()
        return loss.item()

    l_s, l_t = [step_s() for _ in range(2)], [step_t() for _ in range(2)]
    if not np.allclose(l_s, l_t, rtol=1e-3, atol=1e-4):
        print(f"  warning: losses differ: scratch {l_s} torch {l_t}", file=sys.stderr)
    ms, mt, _ = time_side_by_side(step_s, step_t, repeats=ARGS.repeats, warmup=ARGS.warmup, clock=ARGS.clock)
    print(f"{name:40s} {1e3 * ms:11.3f} {1e3 * mt:9.3f} {ms / mt:7.2f}", flush=True)
    return {"case": name, "scratch_ms": round(1e3 * ms, 4), "torch_ms": round(1e3 * mt, 4),
            "ratio": round(ms / mt, 3)}, step_s


def main() -> None:
    import torch

    from _record import print_profile, print_table_start, profile_top, write_record

    print_table_start(torch, ARGS)
    results, profiles = [], []
    for make in (cnn_case, lstm_case):
        row, step = run(torch, *make(torch, np.random.default_rng(ARGS.seed)))
        results.append(row)
        profiles.append((row["case"], profile_top(step, calls=10)))
    for case, prof in profiles:
        print_profile(case, prof)
    if ARGS.json:
        write_record(ARGS.json, benchmark="bench_cnn_lstm.py: one training step (forward, cross-entropy, "
                     "backward, Adam) of a small CNN and an LSTM, scratch vs torch",
                     command="python benchmarks/bench_cnn_lstm.py --json", threads=ARGS.threads,
                     repeats=ARGS.repeats, warmup=ARGS.warmup, results=results, torch=torch,
                     profile=[dict(r, case=c) for c, prof in profiles for r in prof], clock=ARGS.clock)


if __name__ == "__main__":
    main()
