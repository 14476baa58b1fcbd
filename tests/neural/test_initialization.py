"""Tests for scratch.neural.initialization (page: book/neural/initialization.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.neural.initialization import DeepMLP, init_weights, layer_statistics
from scratch.nn.layers import Linear


def batch(seed=0, n=128, d=16):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, 3, n)


@pytest.mark.parametrize("scheme,act,torch_init", [
    ("xavier", "tanh", lambda torch, w: torch.nn.init.xavier_normal_(w, gain=5 / 3)),
    ("kaiming", "relu", lambda torch, w: torch.nn.init.kaiming_normal_(w, nonlinearity="relu")),
])
def test_weight_scales_match_torch(scheme, act, torch_init):
    torch = pytest.importorskip("torch")
    model = init_weights(DeepMLP(400, 300, 3, depth=2, activation=act, rng=0), scheme, rng=1)
    ours = model.linears[1].weight.data                       # (300, 300)
    theirs = torch_init(torch, torch.empty(300, 300, dtype=torch.float64)).numpy()
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


def _names_like(seed=0, n=400, V=7, block=3):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, V, (n, block))
    return X, (X[:, 0] + X[:, 2]) % V


def test_char_mlp_shapes_gradcheck_and_init():
    from scratch.autograd import cross_entropy, gradcheck
    from scratch.neural.initialization import CharMLP
    X, Y = _names_like(n=6)
    m = CharMLP(7, 3, n_embd=2, width=4, depth=2, rng=0)
    assert m(X).shape == (6, 7) and len(m.linears) == 2
    assert gradcheck(lambda *ps: cross_entropy(m(X), Y), m.parameters())
    init_weights(m, "xavier", rng=1)  # the tanh gain 5/3 enters eq-init-xavier
    w = m.linears[1].weight.data
    assert np.all(m.linears[1].bias.data == 0) and w.std() < 5 / 3 * np.sqrt(2 / 8) * 2
    with pytest.raises(ValueError, match=r"\(B, 3\)"):
        m(np.zeros((2, 4), dtype=int))


def test_train_with_diagnostics_ratios_and_learning():
    from scratch.neural.initialization import CharMLP, train_with_diagnostics
    X, Y = _names_like()
    m = CharMLP(7, 3, n_embd=4, width=16, depth=3, rng=0)
    w0 = [layer.weight.data.copy() for layer in m.linears]
    d = train_with_diagnostics(m, X, Y, steps=201, batch_size=64, lr=0.3, record_every=50, rng=0)
    assert d["step"].tolist() == [0, 50, 100, 150, 200]
    assert d["saturation"].shape == d["grad_data"].shape == d["update_data"].shape == (5, 3)
    np.testing.assert_allclose(d["update_data"], 0.3 * d["grad_data"])  # SGD: update = lr * gradient
    assert not np.allclose(w0[0], m.linears[0].weight.data)
    assert d["loss"][-20:].mean() < d["loss"][:20].mean() - 0.2  # it learns
    assert len(d["act"]) == 3 and d["act"][0].shape == (64, 16) and d["act_grad"][0].shape == (64, 16)
    # first-step ratios by hand: one forward/backward of the initial model on the same batch
    m2 = CharMLP(7, 3, n_embd=4, width=16, depth=3, rng=0)
    d2 = train_with_diagnostics(m2, X, Y, steps=1, batch_size=64, lr=0.3, rng=0)
    np.testing.assert_allclose(d2["grad_data"][0], d["grad_data"][0])


def test_saturation_is_one_for_huge_weights():
    from scratch.neural.initialization import CharMLP, train_with_diagnostics
    X, Y = _names_like()
    m = init_weights(CharMLP(7, 3, n_embd=4, width=16, depth=2, rng=0), "normal", std=50.0, rng=1)
    d = train_with_diagnostics(m, X, Y, steps=1, batch_size=128, lr=0.1, rng=0)
    assert d["saturation"][0].min() > 0.9


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"steps": 0}, ValueError, "steps"),
    ({"lr": -1.0}, ValueError, "lr"),
    ({"record_every": 1.5}, TypeError, "record_every"),
])
def test_train_with_diagnostics_bad_input(kwargs, exc, match):
    from scratch.neural.initialization import CharMLP, train_with_diagnostics
    X, Y = _names_like()
    args = {"steps": 2, **kwargs}
    with pytest.raises(exc, match=match):
        train_with_diagnostics(CharMLP(7, 3, rng=0), X, Y, **args)
    with pytest.raises(TypeError, match="integer token ids"):
        train_with_diagnostics(CharMLP(7, 3, rng=0), X.astype(float), Y, steps=2)
    with pytest.raises(TypeError, match="linears"):
        train_with_diagnostics(Linear(3, 7), X, Y, steps=2)
