"""Tests for scratch.nn.attention: gradchecks, PyTorch agreement, and the causal mask."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.attention import MultiHeadAttention, causal_mask, scaled_dot_product_attention


def _qkv(rng, tq=4, tk=4, d=3, dv=2):
    return (Tensor(rng.normal(size=(2, tq, d)), requires_grad=True),
            Tensor(rng.normal(size=(2, tk, d)), requires_grad=True),
            Tensor(rng.normal(size=(2, tk, dv)), requires_grad=True))


@pytest.mark.parametrize("causal", [False, True])
def test_gradcheck_sdpa(causal):
    q, k, v = _qkv(np.random.default_rng(0))
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, causal=causal), [q, k, v])


def test_gradcheck_cross_attention_lengths():
    q, k, v = _qkv(np.random.default_rng(1), tq=3, tk=5)
    assert gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v), [q, k, v])


@pytest.mark.parametrize("causal,tq,tk", [(False, 5, 5), (True, 5, 5), (False, 3, 6), (True, 4, 6)])
def test_sdpa_matches_torch(causal, tq, tk):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(2)
    q, k, v = _qkv(rng, tq, tk, d=8, dv=4)
    out = scaled_dot_product_attention(q, k, v, causal=causal)
    g = rng.normal(size=out.shape)
    out.backward(g)
    qt, kt, vt = (torch.tensor(t.data, requires_grad=True) for t in (q, k, v))
    ref = F.scaled_dot_product_attention(qt, kt, vt, is_causal=causal)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=1e-12)
    for ours, theirs in zip((q, k, v), (qt, kt, vt)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-10)


def test_boolean_mask_matches_torch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    q, k, v = _qkv(rng, 4, 5)
    mask = rng.random((4, 5)) > 0.3
    mask[:, 0] = True
    out = scaled_dot_product_attention(q, k, v, mask=mask)
    ref = F.scaled_dot_product_attention(*(torch.from_numpy(t.data) for t in (q, k, v)), attn_mask=torch.from_numpy(mask))
    np.testing.assert_allclose(out.data, ref.numpy(), atol=1e-12)


@pytest.mark.parametrize("cross", [False, True])
def test_multihead_matches_torch(cross, torch_compare, torch_mha_map):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    C, H, kdim = 8, 2, (6 if cross else 8)
    ref = torch.nn.MultiheadAttention(C, H, batch_first=True, kdim=kdim, vdim=kdim, dtype=torch.float64)
    ours = MultiHeadAttention(C, H, kdim=kdim, causal=not cross, rng=0).load_torch_weights(ref)
    loaded = torch_mha_map({n: p.data for n, p in ours.named_parameters()}, C)
    for name, value in ref.named_parameters():  # load_torch_weights agrees with the map used below
        np.testing.assert_array_equal(loaded[name], value.detach().numpy(), err_msg=name)
    mask = None if cross else torch.from_numpy(~causal_mask(5))  # torch: True = blocked

    def run(module, xs):
        if isinstance(module, MultiHeadAttention):
            return module(*xs) if cross else module(xs[0])
        z = xs[1] if cross else xs[0]
        return module(xs[0], z, z, attn_mask=mask, need_weights=False)

    x = rng.normal(size=(2, 5, C))
    inputs = [x, rng.normal(size=(2, 7, kdim))] if cross else [x]
    torch_compare(ours, ref, inputs, param_map=lambda p: torch_mha_map(p, C), call=run,
                  atol=1e-12, grad_atol=1e-10, rtol=1e-7, seed=4)


def test_gradcheck_multihead():
    mha = MultiHeadAttention(4, 2, causal=True, rng=0)
    x = Tensor(np.random.default_rng(5).normal(size=(1, 3, 4)), requires_grad=True)
    params = mha.parameters()
    assert gradcheck(lambda x, *ps: mha(x), [x, *params])


def test_causal_mask_blocks_the_future():
    rng = np.random.default_rng(6)
    mha = MultiHeadAttention(8, 2, causal=True, rng=0)
    x = rng.normal(size=(1, 6, 8))
    y1 = mha(Tensor(x)).data
    x2 = x.copy()
    x2[:, 4:] = rng.normal(size=(1, 2, 8))  # change the future of position 3
    y2 = mha(Tensor(x2)).data
    np.testing.assert_allclose(y1[:, :4], y2[:, :4], atol=1e-14)
    assert np.abs(y1[:, 4:] - y2[:, 4:]).max() > 1e-3  # the changed positions do change


def test_bad_inputs():
    q, k, v = _qkv(np.random.default_rng(7), tq=3, tk=4)
    with pytest.raises(ValueError, match="same number of positions"):
        scaled_dot_product_attention(q, k, v[:, :3])
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(6, 4)
    with pytest.raises(ValueError, match=r"\(B, T, 8\)"):
        MultiHeadAttention(8, 2, rng=0)(Tensor(np.zeros((2, 3, 5))))
    with pytest.raises(TypeError, match="boolean"):
        scaled_dot_product_attention(q, k, v, mask=np.ones((3, 4)))
