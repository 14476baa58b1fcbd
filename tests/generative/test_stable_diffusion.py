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


def _copy_gn(ours, ref, torch):
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight.data))
        ref.bias.copy_(torch.from_numpy(ours.bias.data))


def _copy_conv(ours, ref, torch):
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(ours.weight.data))
        ref.bias.copy_(torch.from_numpy(ours.bias.data))


def test_resblock_matches_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    rng = np.random.default_rng(0)
    blk = ResBlock(4, 8, 6, groups=2, rng=0, dtype=F64)
    _randomise(blk, rng)
    norm1, conv1, time = nn.GroupNorm(2, 4).double(), nn.Conv2d(4, 8, 3, padding=1).double(), nn.Linear(6, 8).double()
    norm2, conv2, skip = nn.GroupNorm(2, 8).double(), nn.Conv2d(8, 8, 3, padding=1).double(), nn.Conv2d(4, 8, 1).double()
    _copy_gn(blk.norm1, norm1, torch), _copy_gn(blk.norm2, norm2, torch)
    _copy_conv(blk.conv1, conv1, torch), _copy_conv(blk.conv2, conv2, torch), _copy_conv(blk.skip, skip, torch)
    with torch.no_grad():
        time.weight.copy_(torch.from_numpy(blk.time.weight.data.T))
        time.bias.copy_(torch.from_numpy(blk.time.bias.data))
    x_np, e_np = rng.normal(size=(3, 4, 4, 4)), rng.normal(size=(3, 6))
    g = rng.normal(size=(3, 8, 4, 4))
    x, e = Tensor(x_np, requires_grad=True), Tensor(e_np, requires_grad=True)
    out = blk(x, e)
    out.backward(g)
    silu = nn.functional.silu
    xt, et = torch.tensor(x_np, requires_grad=True), torch.tensor(e_np, requires_grad=True)
    h = conv1(silu(norm1(xt))) + time(et)[:, :, None, None]
    ref = skip(xt) + conv2(silu(norm2(h)))
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=1e-11)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(e.grad, et.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(blk.conv1.weight.grad, conv1.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(blk.norm2.weight.grad, norm2.weight.grad.numpy(), atol=1e-10)


def test_cross_attention_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    blk = SpatialCrossAttention(8, 6, n_heads=2, groups=4, rng=0, dtype=F64)
    _randomise(blk, rng)
    gn = torch.nn.GroupNorm(4, 8).double()
    mha = torch.nn.MultiheadAttention(8, 2, kdim=6, vdim=6, batch_first=True).double()
    _copy_gn(blk.norm, gn, torch)
    C = 8
    wkv, bkv = blk.attn.key_value.weight.data, blk.attn.key_value.bias.data
    with torch.no_grad():
        mha.q_proj_weight.copy_(torch.from_numpy(blk.attn.query.weight.data.T))
        mha.k_proj_weight.copy_(torch.from_numpy(wkv[:, :C].T))
        mha.v_proj_weight.copy_(torch.from_numpy(wkv[:, C:].T))
        mha.in_proj_bias.copy_(torch.from_numpy(np.concatenate([blk.attn.query.bias.data, bkv])))
        mha.out_proj.weight.copy_(torch.from_numpy(blk.attn.proj.weight.data.T))
        mha.out_proj.bias.copy_(torch.from_numpy(blk.attn.proj.bias.data))
    x_np, c_np = rng.normal(size=(2, 8, 2, 3)), rng.normal(size=(2, 4, 6))
    g = rng.normal(size=x_np.shape)
    x, c = Tensor(x_np, requires_grad=True), Tensor(c_np, requires_grad=True)
    out = blk(x, c)
    out.backward(g)
    xt, ct = torch.tensor(x_np, requires_grad=True), torch.tensor(c_np, requires_grad=True)
    q = gn(xt).reshape(2, 8, 6).transpose(1, 2)
    y, _ = mha(q, ct, ct)
    ref = xt + y.transpose(1, 2).reshape(2, 8, 2, 3)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=1e-11)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(c.grad, ct.grad.numpy(), atol=1e-10)


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
