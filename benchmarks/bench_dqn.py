"""Time one DQN training step in scratch and in PyTorch CPU, side by side.

One step = sample-free minibatch update of a Q-network (MLP 4-64-64-2, batch 64):
the target network's forward pass on the next observations, the TD targets
``r + gamma (1 - terminated) max_a Q_target(s', a)``, the online forward pass, the
Huber loss on the Q-values of the taken actions, backward, and an Adam step. The
scratch side is :meth:`scratch.rl.dqn.DQN.train_step` (hard target copies every 500
steps, as in the book); the torch side is the same computation written idiomatically.
Both use the same dtype, the same number of threads and the same initial weights.
Timings are interleaved in blocks; the script prints the median time per step and the
ratio scratch / torch (below 1 means scratch is faster), after the machine fingerprint
and the top of a profile of the scratch step.

Usage::

    python benchmarks/bench_dqn.py                  # 1 thread, float32
    python benchmarks/bench_dqn.py --dtype float64 --repeats 1000
    python benchmarks/bench_dqn.py --json           # also write benchmarks/results_dqn.json
"""

from __future__ import annotations

import argparse
import os
import sys

_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("--threads", type=int, default=1, help="BLAS/OpenMP threads for both engines (default 1)")
_parser.add_argument("--repeats", type=int, default=500, help="timed steps per engine (default 500)")
_parser.add_argument("--warmup", type=int, default=50, help="untimed steps first (default 50)")
_parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
_parser.add_argument("--seed", type=int, default=0)
_parser.add_argument("--json", nargs="?", const=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results_dqn.json"),
                     default=None, metavar="PATH", help="write the results as JSON")
ARGS = _parser.parse_args() if __name__ == "__main__" else _parser.parse_args([])
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)


import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _record import print_header, print_profile, profile_top, time_side_by_side, write_record  # noqa: E402

from scratch.rl.dqn import DQN, DQNConfig  # noqa: E402

BATCH, GAMMA = 64, 0.99


def make_batch(rng: np.random.Generator, dtype) -> dict[str, np.ndarray]:
    return {"obs": rng.normal(size=(BATCH, 4)).astype(dtype), "actions": rng.integers(2, size=BATCH),
            "rewards": np.ones(BATCH, dtype=dtype), "next_obs": rng.normal(size=(BATCH, 4)).astype(dtype),
            "terminated": (rng.random(BATCH) < 0.05).astype(dtype)}


def build_torch(agent: DQN, torch):
    tdtype = getattr(torch, ARGS.dtype)

    def mlp():
        return torch.nn.Sequential(torch.nn.Linear(4, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64),
                                   torch.nn.ReLU(), torch.nn.Linear(64, 2)).to(tdtype)

    q, q_target = mlp(), mlp()
    with torch.no_grad():
        for lin, ours in zip([q[0], q[2], q[4]], agent.q.layers):
            lin.weight.copy_(torch.from_numpy(ours.weight.data.T.copy()))
            lin.bias.copy_(torch.from_numpy(ours.bias.data.copy()))
    q_target.load_state_dict(q.state_dict())
    opt = torch.optim.Adam(q.parameters(), lr=agent.config.lr)
    n = [0]

    def step(b) -> float:
        with torch.no_grad():
            y = b["rewards"] + GAMMA * (1 - b["terminated"]) * q_target(b["next_obs"]).max(dim=1).values
        q_taken = q(b["obs"]).gather(1, b["actions"][:, None]).squeeze(1)
        loss = torch.nn.functional.huber_loss(q_taken, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        n[0] += 1
        if n[0] % 500 == 0:
            q_target.load_state_dict(q.state_dict())
        return loss.item()

    return step


def main() -> None:
    import torch

    torch.set_num_threads(ARGS.threads)
    print_header(torch, ARGS.threads)
    dtype = getattr(np, ARGS.dtype)
    rng = np.random.default_rng(ARGS.seed)
    agent = DQN(4, 2, DQNConfig(hidden=(64, 64), lr=1e-3, gamma=GAMMA, batch_size=BATCH, dtype=dtype), rng=ARGS.seed)
    torch_step = build_torch(agent, torch)
    batch = make_batch(rng, dtype)
    tbatch = {k: torch.from_numpy(v) for k, v in batch.items()}

    l_s = [agent.train_step(batch) for _ in range(3)]
    l_t = [torch_step(tbatch) for _ in range(3)]
    if not np.allclose(l_s, l_t, rtol=1e-3, atol=1e-5):
        print(f"  warning: losses differ: scratch {l_s} torch {l_t}", file=sys.stderr)
    med_s, med_t, n = time_side_by_side(lambda: agent.train_step(batch), lambda: torch_step(tbatch),
                                        repeats=ARGS.repeats, warmup=ARGS.warmup, clock="wall", block=10)
    name = f"DQN train step, MLP 4-64-64-2, batch {BATCH}, with targets"
    print(f"{ARGS.dtype}, median wall time of {n} steps after {ARGS.warmup} warmup steps")
    print(f"{'case':50s} {'scratch ms':>11s} {'torch ms':>9s} {'ratio':>7s}")
    print(f"{name:50s} {1e3 * med_s:11.3f} {1e3 * med_t:9.3f} {med_s / med_t:7.2f}")
    rows = profile_top(lambda: agent.train_step(batch), calls=50)
    print_profile("scratch DQN step", rows)
    if ARGS.json:
        write_record(ARGS.json, benchmark="bench_dqn.py: one DQN training step (targets, Huber loss, backward, Adam), "
                     "scratch vs torch", command="python benchmarks/bench_dqn.py --json"
                     + (f" --dtype {ARGS.dtype}" if ARGS.dtype != "float32" else ""),
                     threads=ARGS.threads, repeats=ARGS.repeats, warmup=ARGS.warmup,
                     results=[{"case": name, "scratch_ms": round(1e3 * med_s, 4), "torch_ms": round(1e3 * med_t, 4),
                               "ratio": round(med_s / med_t, 3)}], torch=torch, profile=rows, dtype=ARGS.dtype)


if __name__ == "__main__":
    main()
