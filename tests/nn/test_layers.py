"""Tests for scratch.nn.layers: Linear against torch.nn.Linear, activations, a training run."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.nn import (
    CrossEntropyLoss,
    Flatten,
    Identity,
    Linear,
    MSELoss,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
)
from scratch.optim import Adam


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x_shape", [(5, 3), (2, 4, 3)])
def test_linear_matches_torch(bias, x_shape, torch_compare):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    ref = torch.nn.Linear(3, 4, bias=bias).double()
    ours = Linear(3, 4, bias=bias, rng=0)
    ours.load_torch_weights(ref.weight.detach().numpy(), ref.bias.detach().numpy() if bias else None)
    np.testing.assert_array_equal(ours.weight.data, ref.weight.detach().numpy().T)
    if bias:
        np.testing.assert_array_equal(ours.bias.data, ref.bias.detach().numpy())
    diffs = torch_compare(ours, ref, [np.random.default_rng(1).standard_normal(x_shape)], transpose=("weight",),
                          atol=1e-12, rtol=1e-12, seed=2)
    assert ("bias grad" in diffs) == bias


def test_linear_layout_init_and_reproducibility():
    layer = Linear(16, 8, rng=0)
    assert layer.weight.shape == (16, 8) and layer.bias.shape == (8,)
    bound = 1 / np.sqrt(16)  # PyTorch's default U(-1/sqrt(in), 1/sqrt(in))
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert np.abs(layer.weight.data).max() > 0.8 * bound
    np.testing.assert_array_equal(layer.weight.data, Linear(16, 8, rng=0).weight.data)
    assert not np.array_equal(layer.weight.data, Linear(16, 8, rng=1).weight.data)
    assert Linear(2, 2, rng=0, dtype=np.float32).weight.dtype == np.float32
    assert Linear(2, 3, bias=False, rng=0).bias is None


def test_linear_bad_input():
    layer = Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"expects input of shape \(\.\.\., 3\); got \(4, 5\)"):
        layer(Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match=r"\(out_features, in_features\) = \(2, 3\)"):
        layer.load_torch_weights(np.ones((3, 2)))
    with pytest.raises(ValueError, match="minimum|>= 1"):
        Linear(0, 2)
    with pytest.raises(TypeError, match="integer"):
        Linear(2.5, 2)


def test_activation_modules():
    x = Tensor(np.array([[-2.0, 0.5], [1.0, -0.1]]))
    np.testing.assert_allclose(ReLU()(x).data, np.maximum(x.data, 0))
    np.testing.assert_allclose(Tanh()(x).data, np.tanh(x.data))
    np.testing.assert_allclose(Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)))
    assert Identity()(x) is x
    assert Flatten()(Tensor(np.ones((2, 3, 4)))).shape == (2, 12)


def test_loss_modules():
    pred = Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
    assert MSELoss()(pred, np.array([[0.0], [0.0]])).item() == pytest.approx(2.5)
    logits = Tensor(np.zeros((2, 4)))
    assert CrossEntropyLoss()(logits, np.array([1, 3])).item() == pytest.approx(np.log(4))
    assert CrossEntropyLoss("sum")(logits, np.array([1, 3])).item() == pytest.approx(2 * np.log(4))
    with pytest.raises(ValueError, match="reduction"):
        MSELoss("avg")


def test_tiny_mlp_learns_spirals():
    """A 2-32-32-3 ReLU MLP fits three interleaved spirals (not linearly separable)."""
    rng = np.random.default_rng(0)
    n, k = 60, 3
    X, y = [], []
    for c in range(k):
        r = np.linspace(0.1, 1, n)
        t = np.linspace(c * 4, (c + 1) * 4, n) + 0.1 * rng.standard_normal(n)
        X.append(np.c_[r * np.sin(t), r * np.cos(t)])
        y.append(np.full(n, c))
    X, y = np.vstack(X), np.concatenate(y)
    model = Sequential(Linear(2, 32, rng=rng), ReLU(), Linear(32, 32, rng=rng), ReLU(), Linear(32, 3, rng=rng))
    opt = Adam(model.parameters(), lr=0.02)
    loss_fn = CrossEntropyLoss()
    first = None
    for _ in range(200):
        loss = loss_fn(model(Tensor(X)), y)
        first = loss.item() if first is None else first
        opt.zero_grad()
        loss.backward()
        opt.step()
    accuracy = np.mean(model(Tensor(X)).argmax(axis=1) == y)
    assert first > 1.0 and loss.item() < 0.05, (first, loss.item())
    assert accuracy > 0.97
