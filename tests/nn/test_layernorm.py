"""Tests for scratch.nn.layernorm: gradcheck and agreement with torch.nn.LayerNorm."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.layernorm import LayerNorm, layer_norm


def test_gradcheck():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(2, 3, 5)), requires_grad=True)
    w = Tensor(rng.normal(size=5), requires_grad=True)
    b = Tensor(rng.normal(size=5), requires_grad=True)
    assert gradcheck(lambda x, w, b: layer_norm(x, w, b), [x, w, b])
    assert gradcheck(lambda x: layer_norm(x, None, None), [x])


def test_matches_torch(torch_compare):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    ln = LayerNorm(6)
    ln.weight.data[...] = rng.normal(size=6)
    ln.bias.data[...] = rng.normal(size=6)
    torch_compare(ln, torch.nn.LayerNorm(6, dtype=torch.float64), [3 * rng.normal(size=(4, 5, 6)) + 2])


def test_bad_shape():
    with pytest.raises(ValueError, match=r"\(\.\.\., 4\)"):
        LayerNorm(4)(Tensor(np.zeros((2, 3))))


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-11), (np.float32, 2e-5)])
def test_matches_torch_at_gpt_size_in_each_dtype(dtype, tol):
    """The fused forward/backward (row means as matrix-vector products) at (B, T, C) = (3, 16, 128)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x_np = (2 * rng.normal(size=(3, 16, 128)) + 5).astype(dtype)  # an offset mean: cancellation check
    w_np, b_np = rng.normal(size=128).astype(dtype), rng.normal(size=128).astype(dtype)
    g = rng.normal(size=x_np.shape).astype(dtype)
    x, w, b = (Tensor(a.copy(), requires_grad=True) for a in (x_np, w_np, b_np))
    out = layer_norm(x, w, b)
    out.backward(g)
    assert out.dtype == dtype and x.grad.dtype == dtype
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x_np, w_np, b_np))
    ref = torch.nn.functional.layer_norm(xt, (128,), wt, bt)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=tol, rtol=tol)
    for ours, theirs in ((x, xt), (w, wt), (b, bt)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=tol * 10, rtol=tol)
