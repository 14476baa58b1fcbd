"""Time one GPT training step in scratch and in PyTorch CPU, side by side.

Model: 4 layers, 4 heads, 128 dims, block 64, batch 12, float32, the same
weights in both engines (pre-LayerNorm blocks, tanh-GELU MLP, causal
self-attention). One step = forward, cross-entropy, backward, gradient
clipping, AdamW update. Timings alternate between engines in blocks so machine
noise hits both alike; the script prints the machine fingerprint, the median
time per step (process CPU time by default: robust on a shared machine; ``--clock
wall`` for wall time), the ratio scratch / torch, and the five functions that
take most of the scratch step in a short profile.

Usage::

    python benchmarks/bench_gpt.py                 # 1 thread
    python benchmarks/bench_gpt.py --threads 2 --repeats 40
"""

from __future__ import annotations

import argparse
import os

_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("--threads", type=int, default=1)
_parser.add_argument("--repeats", type=int, default=30, help="timed steps per engine (default 30)")
_parser.add_argument("--warmup", type=int, default=3)
_parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                     help="cpu: process CPU time (default); wall: perf_counter")
_parser.add_argument("--json", nargs="?", const=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results_gpt.json"),
                     default=None, metavar="PATH",
                     help="write the results as JSON (default path: benchmarks/results_gpt.json)")
ARGS = _parser.parse_args() if __name__ == "__main__" else _parser.parse_args([])
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)


import numpy as np  # noqa: E402

from scratch.autograd import cross_entropy  # noqa: E402
from scratch.language.gpt import GPT, GPTConfig  # noqa: E402
from scratch.optim import AdamW, clip_grad_norm  # noqa: E402

V, T, B = 96, 64, 12
CFG = GPTConfig(vocab_size=V, block_size=T, n_layer=4, n_head=4, n_embd=128, dtype="float32")


def build_torch(model: GPT, torch):
    nn, F = torch.nn, torch.nn.functional
    C = CFG.n_embd

    class TorchGPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(V, C)
            self.pos = nn.Embedding(T, C)
            self.blocks = nn.ModuleList(
                nn.TransformerEncoderLayer(C, CFG.n_head, 4 * C, dropout=0.0, batch_first=True, norm_first=True,
                                           activation=lambda x: F.gelu(x, approximate="tanh"))
                for _ in range(CFG.n_layer))
            self.ln_f = nn.LayerNorm(C)
            self.head = nn.Linear(C, V)
            self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(T))

        def forward(self, idx):
            x = self.tok(idx) + self.pos(torch.arange(idx.shape[1]))
            for blk in self.blocks:
                x = blk(x, src_mask=self.mask, is_causal=True)
            return self.head(self.ln_f(x))

    tm = TorchGPT()
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    with torch.no_grad():
        tm.tok.weight.copy_(t(model.tok_emb.weight.data)); tm.pos.weight.copy_(t(model.pos_emb.weight.data))
        for ours, theirs in zip(model.blocks, tm.blocks):
            a = ours.attn
            theirs.self_attn.in_proj_weight.copy_(t(np.concatenate([a.query.weight.data, a.key_value.weight.data], 1).T))
            theirs.self_attn.in_proj_bias.copy_(t(np.concatenate([a.query.bias.data, a.key_value.bias.data])))
            theirs.self_attn.out_proj.weight.copy_(t(a.proj.weight.data.T)); theirs.self_attn.out_proj.bias.copy_(t(a.proj.bias.data))
            theirs.linear1.weight.copy_(t(ours.fc.weight.data.T)); theirs.linear1.bias.copy_(t(ours.fc.bias.data))
            theirs.linear2.weight.copy_(t(ours.fc_out.weight.data.T)); theirs.linear2.bias.copy_(t(ours.fc_out.bias.data))
        tm.head.weight.copy_(t(model.head.weight.data.T)); tm.head.bias.copy_(t(model.head.bias.data))
    return tm


def main() -> None:
    import torch

    from _record import print_header, print_profile, profile_top, time_side_by_side

    torch.set_num_threads(ARGS.threads)
    print_header(torch, ARGS.threads)
    rng = np.random.default_rng(0)
    model = GPT(CFG, rng=0)
    tmodel = build_torch(model, torch)
    x = rng.integers(0, V, (B, T)); y = rng.integers(0, V, (B, T))
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    params = model.parameters()
    opt = AdamW(params, lr=1e-3)
    topt = torch.optim.AdamW(tmodel.parameters(), lr=1e-3)

    def step_scratch():
        loss = cross_entropy(model(x), y)
        model.zero_grad(); loss.backward(); clip_grad_norm(params, 1.0); opt.step()
        return loss.item()

    def step_torch():
        loss = torch.nn.functional.cross_entropy(tmodel(xt).reshape(-1, V), yt.reshape(-1))
        topt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(tmodel.parameters(), 1.0); topt.step()
        return loss.item()

    with torch.no_grad():
        l_t = torch.nn.functional.cross_entropy(tmodel(xt).reshape(-1, V), yt.reshape(-1)).item()
    l_s = cross_entropy(model(x), y).item()
    print(f"numpy {np.__version__}, torch {torch.__version__}, threads={ARGS.threads}, float32; "
          f"initial loss scratch {l_s:.5f} torch {l_t:.5f}")
    s, t, n = time_side_by_side(step_scratch, step_torch, repeats=ARGS.repeats, warmup=ARGS.warmup,
                                clock=ARGS.clock)
    print(f"GPT 4x4x128, block {T}, batch {B}: scratch {1e3 * s:.1f} ms/step, torch {1e3 * t:.1f} ms/step, "
          f"ratio scratch/torch = {s / t:.2f} (median {ARGS.clock} time of {n} steps each)")
    prof = profile_top(step_scratch, calls=5)
    print_profile("GPT", prof)
    if ARGS.json:
        from _record import write_record

        write_record(
            ARGS.json,
            benchmark="bench_gpt.py: one GPT training step (forward, cross-entropy, backward, clipping, AdamW)",
            command="python benchmarks/bench_gpt.py --json"
                    + (f" --threads {ARGS.threads}" if ARGS.threads != 1 else ""),
            threads=ARGS.threads, repeats=ARGS.repeats, warmup=ARGS.warmup, torch=torch, profile=prof,
            clock=ARGS.clock,
            results=[{"case": f"GPT 4x4x128, block {T}, batch {B}", "scratch_ms": round(1e3 * s, 3),
                      "torch_ms": round(1e3 * t, 3), "ratio": round(s / t, 3)}],
        )


if __name__ == "__main__":
    main()
