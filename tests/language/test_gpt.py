"""Tests for scratch.language.gpt (page: book/language/gpt.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, cross_entropy, gradcheck
from scratch.language.gpt import GPT, Block, GPTConfig, gelu, get_batch, train_gpt


CFG = GPTConfig(vocab_size=7, block_size=6, n_layer=2, n_head=2, n_embd=8, dtype="float64")


def test_gelu_matches_torch_and_gradcheck():
    torch = pytest.importorskip("torch")
    x = np.linspace(-4, 4, 17)
    ref = torch.nn.functional.gelu(torch.from_numpy(x), approximate="tanh").numpy()
    np.testing.assert_allclose(gelu(Tensor(x)).data, ref, atol=1e-14)
    assert gradcheck(gelu, [Tensor(x, requires_grad=True)])


def test_gradcheck_block():
    blk = Block(4, 2, rng=0, dtype=np.float64)
    x = Tensor(np.random.default_rng(0).normal(size=(2, 3, 4)), requires_grad=True)
    assert gradcheck(lambda x, *ps: blk(x), [x, *blk.parameters()])


def _to_torch_block(params, C, mha_map):
    """param_map: our Block -> torch.nn.TransformerEncoderLayer(norm_first=True)."""
    out = mha_map(params, C, ours="attn.", theirs="self_attn.")
    for ours, theirs in (("fc", "linear1"), ("fc_out", "linear2")):
        out[f"{theirs}.weight"], out[f"{theirs}.bias"] = params[f"{ours}.weight"].T, params[f"{ours}.bias"]
    for ours, theirs in (("ln1", "norm1"), ("ln2", "norm2")):
        out[f"{theirs}.weight"], out[f"{theirs}.bias"] = params[f"{ours}.weight"], params[f"{ours}.bias"]
    return out


def test_block_matches_torch_encoder_layer(torch_compare, torch_mha_map):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    blk = Block(8, 2, rng=0, dtype=np.float64)
    for p in blk.parameters():
        p.data[...] = rng.normal(size=p.shape) * 0.3
    layer = torch.nn.TransformerEncoderLayer(8, blk.attn.n_heads, 4 * 8, dropout=0.0,
                                             activation=lambda t: torch.nn.functional.gelu(t, approximate="tanh"),
                                             batch_first=True, norm_first=True, dtype=torch.float64)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    run = lambda m, xs: m(*xs) if isinstance(m, Block) else m(*xs, src_mask=mask, is_causal=True)  # noqa: E731
    torch_compare(blk, layer, [rng.normal(size=(2, 5, 8))], param_map=lambda p: _to_torch_block(p, 8, torch_mha_map),
                  call=run, atol=1e-12, grad_atol=1e-10, rtol=1e-7)


def test_gpt_is_causal():
    m = GPT(CFG, rng=0)
    idx = np.array([[1, 2, 3, 4, 5, 6]])
    a = m(idx).data
    idx2 = idx.copy()
    idx2[0, 3:] = [0, 0, 0]
    b = m(idx2).data
    np.testing.assert_allclose(a[:, :3], b[:, :3], atol=1e-14)
    assert np.abs(a[:, 3:] - b[:, 3:]).max() > 1e-6


def test_sampling_reproducible_and_top_k():
    m = GPT(CFG, rng=0)
    a = m.generate([[1, 2]], 20, rng=5)
    b = m.generate([[1, 2]], 20, rng=5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (1, 22)
    g = m.generate([[1]], 30, top_k=1, rng=0)  # top_k=1 is greedy: independent of the seed
    np.testing.assert_array_equal(g, m.generate([[1]], 30, top_k=1, rng=99))


def test_training_step_lowers_loss():
    ids = np.tile(np.arange(7), 40)
    m = GPT(CFG, rng=0)
    h = train_gpt(m, ids, ids, steps=60, batch_size=4, lr=1e-2, warmup=5, eval_every=0, verbose=False)
    assert h["train_loss"][-5:].mean() < 0.5 * h["train_loss"][0]


def test_bad_inputs():
    m = GPT(CFG, rng=0)
    with pytest.raises(ValueError, match="exceeds block_size=6"):
        m(np.zeros((1, 7), dtype=int))
    with pytest.raises(ValueError, match="ids must lie"):
        m(np.array([[9]]))
    with pytest.raises(ValueError, match="longer than block_size"):
        get_batch(np.arange(5), 6, 2, np.random.default_rng(0))
    with pytest.raises(ValueError, match="temperature"):
        m.generate([[1]], 2, temperature=0.0)
