"""Tests for scratch.foundations.backprop: the hand-written backward pass of a two-layer MLP."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.foundations.backprop import (
    PARAM_NAMES,
    engine_gradients,
    init_params,
    manual_backward,
    mlp_forward,
)


def _problem(n, d, h, c, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.integers(0, c, n)
    return X, y, init_params(d, h, c, rng=seed + 100)


@pytest.mark.parametrize("seed", range(6))
def test_manual_backward_equals_engine_random_shapes(seed):
    rng = np.random.default_rng(seed)
    n, d, h, c = (int(v) for v in rng.integers([1, 1, 1, 2], [40, 12, 20, 8]))
    X, y, params = _problem(n, d, h, c, seed)
    loss_m, g_m = manual_backward(X, y, params)
    loss_e, g_e = engine_gradients(X, y, params)
    assert loss_m == pytest.approx(loss_e, abs=1e-13)
    assert set(g_m) == set(g_e) == {"W1", "b1", "W2", "b2", "Z2", "H", "Z1"}
    for k in g_m:
        assert g_m[k].shape == g_e[k].shape
        np.testing.assert_allclose(g_m[k], g_e[k], atol=1e-13, rtol=0)
    for k in PARAM_NAMES:
        assert g_m[k].shape == params[k].shape


def test_manual_backward_matches_finite_differences():
    X, y, params = _problem(7, 4, 5, 3, seed=11)
    _, grads = manual_backward(X, y, params)
    eps = 1e-6
    for k in PARAM_NAMES:
        num = np.zeros_like(params[k])
        for idx in np.ndindex(params[k].shape):
            plus = {**params, k: params[k].copy()}
            minus = {**params, k: params[k].copy()}
            plus[k][idx] += eps
            minus[k][idx] -= eps
            num[idx] = (mlp_forward(X, y, plus)[0] - mlp_forward(X, y, minus)[0]) / (2 * eps)
        np.testing.assert_allclose(grads[k], num, atol=1e-8)


def test_manual_backward_matches_torch():
    torch = pytest.importorskip("torch")
    X, y, params = _problem(16, 6, 9, 4, seed=3)
    loss_m, g_m = manual_backward(X, y, params)
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    logits = torch.tanh(torch.from_numpy(X) @ P["W1"] + P["b1"]) @ P["W2"] + P["b2"]
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
    loss.backward()
    assert loss_m == pytest.approx(loss.item(), abs=1e-13)
    for k in PARAM_NAMES:
        np.testing.assert_allclose(g_m[k], P[k].grad.numpy(), atol=1e-13, rtol=0)


def test_closed_form_zero_weights():
    # W1 = W2 = 0, b2 = 0: P is uniform 1/c, dZ2 = (1/c - Y)/n, H = tanh(b1), dW1 = 0
    n, d, h, c = 6, 3, 4, 3
    X = np.arange(n * d, dtype=float).reshape(n, d) / 10
    y = np.array([0, 1, 2, 0, 0, 1])
    params = {"W1": np.zeros((d, h)), "b1": np.full(h, 0.5), "W2": np.zeros((h, c)), "b2": np.zeros(c)}
    loss, g = manual_backward(X, y, params)
    assert loss == pytest.approx(np.log(c), abs=1e-15)
    dZ2 = (np.full((n, c), 1 / c) - np.eye(c)[y]) / n
    np.testing.assert_allclose(g["Z2"], dZ2, atol=1e-15)
    np.testing.assert_allclose(g["b2"], dZ2.sum(0), atol=1e-15)
    np.testing.assert_allclose(g["W2"], np.tanh(0.5) * np.ones((h, 1)) * dZ2.sum(0), atol=1e-15)
    assert np.all(g["W1"] == 0) and np.all(g["b1"] == 0)


def test_bias_gradient_sums_to_zero_and_shift_invariance():
    X, y, params = _problem(10, 5, 6, 4, seed=2)
    loss, g = manual_backward(X, y, params)
    assert abs(g["b2"].sum()) < 1e-15
    shifted = {**params, "b2": params["b2"] + 1000.0}  # softmax is shift-invariant; stable forward
    loss2, g2 = manual_backward(X, y, shifted)
    assert loss2 == pytest.approx(loss, abs=1e-10)
    np.testing.assert_allclose(g2["W1"], g["W1"], atol=1e-12)


def test_float32_keeps_dtype_and_is_close():
    X, y, params = _problem(8, 4, 5, 3, seed=4)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    _, g32 = manual_backward(X, y, p32)
    _, g64 = manual_backward(X, y, params)
    for k in PARAM_NAMES:
        assert g32[k].dtype == np.float32
        np.testing.assert_allclose(g32[k], g64[k], atol=1e-5)


def test_gradcheck_needs_float64():
    from scratch.autograd import cross_entropy

    z = Tensor(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="finite differences need float64"):
        gradcheck(lambda t: cross_entropy(t, np.array([0, 1, 2])), [z])
    z64 = Tensor(z.data.astype(np.float64), requires_grad=True)
    assert gradcheck(lambda t: cross_entropy(t, np.array([0, 1, 2])), [z64])


def test_init_params_shapes_seeded():
    p1, p2 = init_params(5, 7, 3, rng=0), init_params(5, 7, 3, rng=0)
    assert {k: v.shape for k, v in p1.items()} == {"W1": (5, 7), "b1": (7,), "W2": (7, 3), "b2": (3,)}
    for k in PARAM_NAMES:
        np.testing.assert_array_equal(p1[k], p2[k])
    assert init_params(2, 2, 2, dtype=np.float32, rng=0)["W1"].dtype == np.float32


# ---- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [mlp_forward, manual_backward, engine_gradients])
def test_bad_input(fn):
    X, y, params = _problem(5, 3, 4, 3, seed=0)
    with pytest.raises(TypeError, match="params must be a dict with keys"):
        fn(X, y, {"W1": params["W1"]})
    with pytest.raises(ValueError, match="parameter shapes do not fit"):
        fn(X[:, :2], y, params)
    with pytest.raises(ValueError, match=r"y must have shape \(5,\)"):
        fn(X, y[:-1], params)
    with pytest.raises(TypeError, match="integer class labels"):
        fn(X, y.astype(float), params)
    with pytest.raises(ValueError, match=r"labels in \[0, 3\)"):
        fn(X, np.array([0, 1, 2, 3, 0]), params)
    with pytest.raises(ValueError, match="NaN or infinite"):
        fn(np.where(X > 0.5, np.nan, X), y, params)
    with pytest.raises(ValueError, match="must have shape"):
        fn(X[0], y, params)
    with pytest.raises(TypeError, match="share one float dtype"):
        fn(X, y, {**params, "b1": params["b1"].astype(np.float32)})


def test_init_params_bad_input():
    with pytest.raises(ValueError, match="n_out must be >= 2"):
        init_params(3, 4, 1)
    with pytest.raises(TypeError, match="n_hidden must be an integer"):
        init_params(3, 4.0, 2)
    with pytest.raises(TypeError, match="floating-point dtype"):
        init_params(3, 4, 2, dtype=np.int32)
