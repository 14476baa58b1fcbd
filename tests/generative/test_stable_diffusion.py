"""Tests for scratch.generative.stable_diffusion: UNet blocks against torch, guidance, prompts, latents."""

import math

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.generative.ddpm import NoiseSchedule
from scratch.generative.stable_diffusion import (
    AutoEncoder,
    PromptEncoder,
    ResBlock,
    SpatialCrossAttention,
    TinyUNet,
    Tokenizer,
    caption_dataset,
    sample_guided,
    train_autoencoder,
    train_latent_diffusion,
)

F64 = np.float64


def _randomise(module, rng):
    for p in module.parameters():
        p.data[...] = rng.normal(scale=0.5, size=p.shape)


def test_resblock_matches_torch(torch_compare):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    rng = np.random.default_rng(0)
    blk = ResBlock(4, 8, 6, groups=2, rng=0, dtype=F64)
    _randomise(blk, rng)

    class TorchResBlock(nn.Module):  # the same parameter names as ours
        def __init__(self):
            super().__init__()
            self.norm1, self.conv1, self.time = nn.GroupNorm(2, 4), nn.Conv2d(4, 8, 3, padding=1), nn.Linear(6, 8)
            self.norm2, self.conv2, self.skip = nn.GroupNorm(2, 8), nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(4, 8, 1)

        def forward(self, x, e):
            silu = nn.functional.silu
            h = self.conv1(silu(self.norm1(x))) + self.time(e)[:, :, None, None]
            return self.skip(x) + self.conv2(silu(self.norm2(h)))

    x, e = rng.normal(size=(3, 4, 4, 4)), rng.normal(size=(3, 6))
    diffs = torch_compare(blk, TorchResBlock().double(), [x, e], transpose=("time.weight",),
                          atol=1e-11, grad_atol=1e-10, rtol=1e-7)
    assert {"input 1 grad", "conv1.weight grad", "norm2.weight grad", "skip.weight grad"} <= set(diffs)


def test_cross_attention_matches_torch(torch_compare, torch_mha_map):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    rng = np.random.default_rng(1)
    blk = SpatialCrossAttention(8, 6, n_heads=2, groups=4, rng=0, dtype=F64)
    _randomise(blk, rng)

    class TorchCrossAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.norm = nn.GroupNorm(4, 8)
            self.attn = nn.MultiheadAttention(8, 2, kdim=6, vdim=6, batch_first=True)

        def forward(self, x, c):
            B, C, H, W = x.shape
            q = self.norm(x).reshape(B, C, H * W).transpose(1, 2)
            y, _ = self.attn(q, c, c)
            return x + y.transpose(1, 2).reshape(B, C, H, W)

    def to_torch(p):
        return {"norm.weight": p["norm.weight"], "norm.bias": p["norm.bias"],
                **torch_mha_map(p, 8, ours="attn.", theirs="attn.")}

    x, c = rng.normal(size=(2, 8, 2, 3)), rng.normal(size=(2, 4, 6))
    diffs = torch_compare(blk, TorchCrossAttention().double(), [x, c], param_map=to_torch,
                          atol=1e-11, grad_atol=1e-10, rtol=1e-7)
    assert {"input 0 grad", "input 1 grad", "attn.k_proj_weight grad"} <= set(diffs)


def test_unet_gradcheck_and_shapes():
    rng = np.random.default_rng(2)
    unet = TinyUNet(channels=4, context_dim=6, t_dim=8, rng=0, dtype=F64)
    ctx = Tensor(rng.normal(size=(2, 3, 6)), requires_grad=True)
    z = Tensor(rng.normal(size=(2, 2, 4, 4)), requires_grad=True)
    assert unet(z, np.array([3, 50]), ctx).shape == (2, 2, 4, 4)
    assert gradcheck(lambda z, c: unet(z, np.array([3, 50]), c), [z, ctx])


def test_guidance_weights_zero_and_one():
    """w = 0 is the unconditional model (empty prompt); w = 1 is the conditional model alone."""
    tok = Tokenizer()
    unet, text = TinyUNet(rng=0), PromptEncoder(len(tok.vocab), rng=0)
    sched = NoiseSchedule(50, kind="cosine")
    ids, empty = tok.encode("a seven"), tok.encode("")
    a = sample_guided(unet, text, ids, sched, 4, guidance=0.0, n_inference=5, rng=0)
    b = sample_guided(unet, text, empty, sched, 4, guidance=1.0, n_inference=5, rng=0)
    np.testing.assert_allclose(a, b, atol=1e-5)
    c = sample_guided(unet, text, ids, sched, 4, guidance=1.0, n_inference=5, rng=0)
    assert np.abs(a - c).max() > 1e-4


def test_training_steps_reduce_losses():
    rng = np.random.default_rng(3)
    X = np.tanh(rng.normal(size=(64, 64)))
    ae = AutoEncoder(hidden=32, rng=0)
    losses = train_autoencoder(ae, X, n_iter=60, batch_size=32, rng=0)
    assert losses[-10:].mean() < losses[:10].mean()
    tok = Tokenizer()
    ids = tok.encode(caption_dataset(rng.integers(0, 10, 64), rng=0))
    unet, text = TinyUNet(channels=8, rng=0), PromptEncoder(len(tok.vocab), rng=0)
    z = rng.normal(size=(64, 2, 4, 4))
    losses = train_latent_diffusion(unet, text, z, ids, NoiseSchedule(50), n_iter=40, batch_size=32, rng=0)
    assert np.all(np.isfinite(losses)) and losses[-10:].mean() < losses[:10].mean()


def test_captions_and_tokenizer():
    caps = caption_dataset([7, 8, 1], rng=0, p_parity=0.0)
    assert caps == ["a seven", "an eight", "a one"]
    tok = Tokenizer()
    ids = tok.encode(["an odd digit", ""])
    assert ids.shape == (2, 3) and ids[1].sum() == 0 and (ids[0] > 0).all()


@pytest.mark.parametrize("make, match", [
    (lambda: Tokenizer().encode("a purple seven"), r"unknown token\(s\) \['purple'\]"),
    (lambda: Tokenizer().encode("a seven odd digit"), "at most 3"),
    (lambda: AutoEncoder(rng=0).decode(Tensor(np.zeros((2, 2, 2, 2), dtype=np.float32))), r"\(N, 2, 4, 4\)"),
    (lambda: AutoEncoder(rng=0).encode(Tensor(np.zeros((2, 7, 7), dtype=np.float32))), "8x8"),
    (lambda: TinyUNet(rng=0)(Tensor(np.zeros((1, 2, 8, 8), dtype=np.float32)), 1,
                             Tensor(np.zeros((1, 3, 16), dtype=np.float32))), r"\(N, 2, 4, 4\)"),
    (lambda: sample_guided(TinyUNet(rng=0), PromptEncoder(16, rng=0), np.zeros((1, 3), dtype=int),
                           NoiseSchedule(10), 2, guidance=math.nan), "finite"),
    (lambda: sample_guided(TinyUNet(rng=0), PromptEncoder(16, rng=0), np.zeros((1, 3), dtype=int),
                           NoiseSchedule(10), 2, n_inference=20), "trained with only 10"),
    (lambda: train_latent_diffusion(TinyUNet(rng=0), PromptEncoder(16, rng=0), np.zeros((4, 2, 2, 2)),
                                    np.zeros((4, 3), dtype=int), NoiseSchedule(10)), r"\(n_samples, 2, 4, 4\)"),
    (lambda: PromptEncoder(16, rng=0)(np.zeros((2, 5), dtype=int)), r"\(N, 3\)"),
])
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()
