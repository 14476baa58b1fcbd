"""Tests for scratch.neural.initialization (page: book/neural/initialization.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.neural.initialization import DeepMLP, init_weights, layer_statistics

torch = pytest.importorskip("torch")


def batch(seed=0, n=128, d=16):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, 3, n)


@pytest.mark.parametrize("scheme,act,torch_init", [
    ("xavier", "tanh", lambda w: torch.nn.init.xavier_normal_(w, gain=5 / 3)),
    ("kaiming", "relu", lambda w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu")),
])
def test_weight_scales_match_torch(scheme, act, torch_init):
    model = init_weights(DeepMLP(400, 300, 3, depth=2, activation=act, rng=0), scheme, rng=1)
    ours = model.linears[1].weight.data                       # (300, 300)
    theirs = torch_init(torch.empty(300, 300, dtype=torch.float64)).numpy()
    assert ours.std() == pytest.approx(theirs.std(), rel=0.02)  # 90,000 draws: ~0.3% sampling error
    assert np.all(model.linears[1].bias.data == 0)


def test_variance_recursion_tanh():
    X, y = batch()
    tiny = layer_statistics(init_weights(DeepMLP(16, 64, 3, depth=8, rng=0), "normal", std=0.01, rng=1), X, y)
    xav = layer_statistics(init_weights(DeepMLP(16, 64, 3, depth=8, rng=0), "xavier", rng=1), X, y)
    huge = layer_statistics(init_weights(DeepMLP(16, 64, 3, depth=8, rng=0), "normal", std=1.0, rng=1), X, y)
    assert tiny["act_std"][-1] < 1e-6 * tiny["act_std"][0]      # vanishing (eq-init-forward)
    assert 0.5 < xav["act_std"][-1] / xav["act_std"][0] < 2.0  # stable
    assert huge["saturated"][-1] > 0.5                           # saturated tanh
    assert tiny["grad_std"][0] < 1e-6 * tiny["grad_std"][-1]    # gradients vanish towards the input
    assert len(xav["act"]) == 8 and xav["act"][0].shape == (128, 64)


def test_kaiming_keeps_relu_scale_and_xavier_shrinks_it():
    X, y = batch(1)
    kai = layer_statistics(init_weights(DeepMLP(16, 128, 3, depth=10, activation="relu", rng=0), "kaiming", rng=1), X, y)
    xav = layer_statistics(init_weights(DeepMLP(16, 128, 3, depth=10, activation="relu", rng=0), "xavier", rng=1), X, y)
    assert kai["act_std"][-1] > 10 * xav["act_std"][-1]
    assert all(0 <= d <= 1 for d in kai["dead"])


def test_batchnorm_rescues_bad_scale():
    X, y = batch(2)
    model = init_weights(DeepMLP(16, 64, 3, depth=8, batchnorm=True, rng=0), "normal", std=0.01, rng=1)
    s = layer_statistics(model, X, y)
    assert s["act_std"][-1] > 0.3                               # not vanished
    assert s["grad_std"][0] > 1e-3 * s["grad_std"][-1]


def test_forward_shapes_and_default_scheme():
    model = DeepMLP(5, 7, 2, depth=3, rng=0)
    before = model.linears[0].weight.data.copy()
    init_weights(model, "default")
    np.testing.assert_array_equal(model.linears[0].weight.data, before)
    assert model(Tensor(np.ones((4, 5)))).shape == (4, 2)


def test_bad_input():
    model = DeepMLP(5, 7, 2, depth=2, rng=0)
    with pytest.raises(ValueError, match="Unknown scheme"):
        init_weights(model, "orthogonal")
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        init_weights(model, "normal", std=0.0)
    with pytest.raises(ValueError, match="Unknown activation"):
        DeepMLP(5, 7, 2, depth=2, activation="gelu")
    with pytest.raises(ValueError, match="depth must be >= 1"):
        DeepMLP(5, 7, 2, depth=0)
