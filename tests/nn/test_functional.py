"""Tests for scratch.nn.functional: losses and activations against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn import functional as F


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    p = Tensor(pred.copy(), requires_grad=True)
    pt = torch.tensor(pred, requires_grad=True)
    out = F.mse_loss(p, target, reduction)
    t_out = torch.nn.functional.mse_loss(pt, torch.from_numpy(target), reduction=reduction)
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    t_out.backward(torch.from_numpy(g))
    np.testing.assert_allclose(p.grad, pt.grad.numpy(), rtol=1e-12)


def test_mse_loss_gradcheck_and_shape_check():
    rng = np.random.default_rng(1)
    target = rng.standard_normal((4, 1))
    assert gradcheck(lambda p: F.mse_loss(p, target), [Tensor(rng.standard_normal((4, 1)), requires_grad=True)])
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\).*reshape"):
        F.mse_loss(Tensor(np.ones((4, 1))), np.ones(4))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(Tensor(np.ones(2)), np.ones(2), reduction="max")


def test_activation_functions():
    x = Tensor(np.array([-1.0, 0.5]))
    np.testing.assert_allclose(F.relu(x).data, [0.0, 0.5])
    np.testing.assert_allclose(F.tanh(x).data, np.tanh([-1.0, 0.5]))
    np.testing.assert_allclose(F.sigmoid(x).data, 1 / (1 + np.exp([1.0, -0.5])))
    np.testing.assert_allclose(F.softmax(x).data.sum(), 1.0)
    np.testing.assert_allclose(np.exp(F.log_softmax(x).data), F.softmax(x).data)


def test_silu_matches_torch_and_gradcheck():
    torch = pytest.importorskip("torch")
    from scratch.nn.layers import SiLU

    rng = np.random.default_rng(2)
    x_np = np.concatenate([rng.standard_normal(20) * 5, [-800.0, 800.0, 0.0]])  # huge |x| must not overflow
    g = rng.standard_normal(x_np.shape)
    x = Tensor(x_np.copy(), requires_grad=True)
    out = SiLU()(x)
    out.backward(g)
    xt = torch.tensor(x_np, requires_grad=True)
    ref = torch.nn.functional.silu(xt)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert gradcheck(F.silu, [Tensor(rng.standard_normal((3, 4)), requires_grad=True)])


def test_gelu_matches_torch_and_gradcheck():
    torch = pytest.importorskip("torch")
    x = np.linspace(-6.0, 6.0, 61).reshape(61, 1) * np.ones((1, 3))
    xt = torch.tensor(x, requires_grad=True)
    ref = torch.nn.functional.gelu(xt, approximate="tanh")
    ours = Tensor(x.copy(), requires_grad=True)
    out = F.gelu(ours)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-13, atol=1e-14)
    g = np.random.default_rng(0).standard_normal(x.shape)
    out.backward(g)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-13)
    assert gradcheck(F.gelu, [Tensor(np.random.default_rng(1).standard_normal((4, 5)), requires_grad=True)])


def test_gelu_keeps_float32_and_leaves_input_alone():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(2).standard_normal((8, 16)).astype(np.float32)
    before = x.copy()
    t = Tensor(x, requires_grad=True)
    out = F.gelu(t)
    out.backward(np.ones_like(x))
    assert out.dtype == np.float32 and t.grad.dtype == np.float32
    np.testing.assert_array_equal(x, before)  # in-place temporaries never touch the input
    xt = torch.from_numpy(x.copy()).requires_grad_()
    ref = torch.nn.functional.gelu(xt, approximate="tanh")
    ref.sum().backward()
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t.grad, xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_gelu_is_importable_from_the_gpt_module():
    from scratch.language.gpt import gelu

    assert gelu is F.gelu
