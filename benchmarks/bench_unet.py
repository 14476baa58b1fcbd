"""Time one training step of a small UNet, scratch vs PyTorch CPU, side by side.

The network has the pieces the diffusion chapters use, at 16x16, batch 32:
3x3 convolutions (one with stride 2 going down), GroupNorm, SiLU, nearest
upsampling, a skip connection by channel concatenation, and one self-attention
block over the 256 positions of the 16x16 feature map. One step = forward,
mean-squared error against a target of the input's shape (as when a diffusion
model predicts the noise), backward, Adam update. Both engines use float32, the
same weights (copied) and one thread; timings alternate between engines in blocks,
and the script prints the machine fingerprint, the median time per step (process
CPU time by default), the ratio scratch / torch, and the top five functions of a
short profile of the scratch step.

Usage::

    python benchmarks/bench_unet.py                 # 1 thread
    python benchmarks/bench_unet.py --repeats 40 --json
"""

from __future__ import annotations

import argparse
import os
import sys

_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("--threads", type=int, default=1)
_parser.add_argument("--repeats", type=int, default=20, help="timed steps per engine (default 20)")
_parser.add_argument("--warmup", type=int, default=3)
_parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                     help="cpu: process CPU time (default); wall: perf_counter")
_parser.add_argument("--json", nargs="?", const=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                             "results_unet.json"),
                     default=None, metavar="PATH", help="write the results as JSON")
ARGS = _parser.parse_args() if __name__ == "__main__" else _parser.parse_args([])
for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)


import numpy as np  # noqa: E402

from scratch.autograd import Tensor, concatenate  # noqa: E402
from scratch.nn.attention import MultiHeadAttention  # noqa: E402
from scratch.nn.conv import Conv2d  # noqa: E402
from scratch.nn.functional import mse_loss, silu  # noqa: E402
from scratch.nn.groupnorm import GroupNorm  # noqa: E402
from scratch.nn.module import Module  # noqa: E402
from scratch.nn.upsample import Upsample  # noqa: E402
from scratch.optim import Adam  # noqa: E402

B, C_IN, SIDE, C1, C2, GROUPS, HEADS = 32, 3, 16, 32, 64, 8, 2


class SmallUNet(Module):
    """conv-GN-SiLU x2 at 16x16, attention at 16x16, down to 8x8 (stride 2), up, concat skip, out."""

    def __init__(self, rng):
        f32 = dict(rng=rng, dtype=np.float32)
        self.conv_in = Conv2d(C_IN, C1, 3, padding=1, **f32)
        self.gn1 = GroupNorm(GROUPS, C1, dtype=np.float32)
        self.conv1 = Conv2d(C1, C1, 3, padding=1, **f32)
        self.gn2 = GroupNorm(GROUPS, C1, dtype=np.float32)
        self.gn_attn = GroupNorm(GROUPS, C1, dtype=np.float32)
        self.attn = MultiHeadAttention(C1, HEADS, **f32)
        self.down = Conv2d(C1, C2, 3, stride=2, padding=1, **f32)
        self.gn3 = GroupNorm(GROUPS, C2, dtype=np.float32)
        self.up = Upsample(2)
        self.conv_up = Conv2d(C2, C1, 3, padding=1, **f32)
        self.conv_cat = Conv2d(2 * C1, C1, 3, padding=1, **f32)
        self.gn4 = GroupNorm(GROUPS, C1, dtype=np.float32)
        self.conv_out = Conv2d(C1, C_IN, 3, padding=1, **f32)

    def forward(self, x):
        h = silu(self.gn1(self.conv_in(x)))                          # (B, C1, 16, 16)
        h = silu(self.gn2(self.conv1(h)))                            # (B, C1, 16, 16)
        n, c, hh, ww = h.shape
        tokens = self.gn_attn(h).reshape(n, c, hh * ww).transpose(0, 2, 1)  # (B, 256, C1)
        h = h + self.attn(tokens).transpose(0, 2, 1).reshape(n, c, hh, ww)  # self-attention block
        skip = h
        d = silu(self.gn3(self.down(h)))                             # (B, C2, 8, 8)
        u = self.conv_up(self.up(d))                                 # (B, C1, 16, 16)
        h = silu(self.gn4(self.conv_cat(concatenate([u, skip], axis=1))))  # skip by concatenation
        return self.conv_out(h)                                      # (B, C_IN, 16, 16)


def build_torch(ours, torch):
    nn = torch.nn

    class TorchUNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv_in, self.gn1 = nn.Conv2d(C_IN, C1, 3, padding=1), nn.GroupNorm(GROUPS, C1)
            self.conv1, self.gn2 = nn.Conv2d(C1, C1, 3, padding=1), nn.GroupNorm(GROUPS, C1)
            self.gn_attn, self.attn = nn.GroupNorm(GROUPS, C1), nn.MultiheadAttention(C1, HEADS, batch_first=True)
            self.down, self.gn3 = nn.Conv2d(C1, C2, 3, stride=2, padding=1), nn.GroupNorm(GROUPS, C2)
            self.up = nn.Upsample(scale_factor=2, mode="nearest")
            self.conv_up = nn.Conv2d(C2, C1, 3, padding=1)
            self.conv_cat, self.gn4 = nn.Conv2d(2 * C1, C1, 3, padding=1), nn.GroupNorm(GROUPS, C1)
            self.conv_out = nn.Conv2d(C1, C_IN, 3, padding=1)

        def forward(self, x):
            F = nn.functional
            h = F.silu(self.gn1(self.conv_in(x)))
            h = F.silu(self.gn2(self.conv1(h)))
            n, c, hh, ww = h.shape
            tokens = self.gn_attn(h).reshape(n, c, hh * ww).transpose(1, 2)
            a, _ = self.attn(tokens, tokens, tokens, need_weights=False)
            h = h + a.transpose(1, 2).reshape(n, c, hh, ww)
            skip = h
            d = F.silu(self.gn3(self.down(h)))
            u = self.conv_up(self.up(d))
            h = F.silu(self.gn4(self.conv_cat(torch.cat([u, skip], dim=1))))
            return self.conv_out(h)

    tm = TorchUNet()
    with torch.no_grad():
        for name in ("conv_in", "conv1", "down", "conv_up", "conv_cat", "conv_out", "gn1", "gn2", "gn_attn", "gn3", "gn4"):
            a, t = getattr(ours, name), getattr(tm, name)
            t.weight.copy_(torch.from_numpy(a.weight.data))
            t.bias.copy_(torch.from_numpy(a.bias.data))
        C = C1  # our attention stores (in, out) matrices; torch stores (out, in) with q, k, v stacked
        w = np.concatenate([ours.attn.query.weight.data, ours.attn.key_value.weight.data], axis=1).T
        tm.attn.in_proj_weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
        tm.attn.in_proj_bias.copy_(torch.from_numpy(np.concatenate([ours.attn.query.bias.data,
                                                                    ours.attn.key_value.bias.data])))
        tm.attn.out_proj.weight.copy_(torch.from_numpy(np.ascontiguousarray(ours.attn.proj.weight.data.T)))
        tm.attn.out_proj.bias.copy_(torch.from_numpy(ours.attn.proj.bias.data))
        assert w.shape == (3 * C, C)
    return tm


def main() -> None:
    import torch

    from _record import print_header, print_profile, profile_top, time_side_by_side, write_record

    torch.set_num_threads(ARGS.threads)
    print_header(torch, ARGS.threads)
    rng = np.random.default_rng(0)
    ours = SmallUNet(rng)
    ref = build_torch(ours, torch)
    x = rng.standard_normal((B, C_IN, SIDE, SIDE)).astype(np.float32)
    target = rng.standard_normal(x.shape).astype(np.float32)
    xt, tt = torch.from_numpy(x), torch.from_numpy(target)
    opt, opt_t = Adam(ours.parameters(), lr=1e-3), torch.optim.Adam(ref.parameters(), lr=1e-3)

    def step_s():
        opt.zero_grad(); loss = mse_loss(ours(Tensor(x)), target); loss.backward(); opt.step()
        return loss.item()

    def step_t():
        opt_t.zero_grad(); loss = torch.nn.functional.mse_loss(ref(xt), tt); loss.backward(); opt_t.step()
        return loss.item()

    l_s, l_t = [step_s() for _ in range(2)], [step_t() for _ in range(2)]
    print(f"losses of the first two steps: scratch {l_s[0]:.6f} {l_s[1]:.6f}, torch {l_t[0]:.6f} {l_t[1]:.6f}")
    if not np.allclose(l_s, l_t, rtol=1e-3, atol=1e-5):
        print("  warning: the two engines disagree", file=sys.stderr)
    s, t, n = time_side_by_side(step_s, step_t, repeats=ARGS.repeats, warmup=ARGS.warmup, clock=ARGS.clock)
    name = f"UNet 16x16 ({C1}-{C2} ch, GN, SiLU, attn 256 tokens), batch {B}"
    print(f"{name}: scratch {1e3 * s:.1f} ms/step, torch {1e3 * t:.1f} ms/step, ratio scratch/torch = {s / t:.2f} "
          f"(median {ARGS.clock} time of {n} steps each)")
    prof = profile_top(step_s, calls=3)
    print_profile("UNet", prof)
    if ARGS.json:
        write_record(ARGS.json, benchmark="bench_unet.py: one training step of a small UNet (conv, GroupNorm, SiLU, "
                     "upsampling, skip concatenation, self-attention at 16x16), scratch vs torch",
                     command="python benchmarks/bench_unet.py --json", threads=ARGS.threads, repeats=ARGS.repeats,
                     warmup=ARGS.warmup, torch=torch, profile=prof, clock=ARGS.clock,
                     results=[{"case": name, "scratch_ms": round(1e3 * s, 3), "torch_ms": round(1e3 * t, 3),
                               "ratio": round(s / t, 3)}])


if __name__ == "__main__":
    main()
