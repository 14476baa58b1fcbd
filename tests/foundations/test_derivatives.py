"""Tests for scratch.foundations.derivatives (finite differences, Value MLP training)."""

import numpy as np
import pytest

from scratch.autograd.value import Value
from scratch.autograd.value_nn import MLP
from scratch.data.toy2d import two_moons
from scratch.foundations.derivatives import (
    central_difference,
    difference_errors,
    forward_difference,
    numerical_gradient,
    optimal_step,
    predict_value_mlp,
    train_value_mlp,
    value_gradients,
    value_mlp_weights,
)

# ---- finite differences: values and error orders -------------------------------------


@pytest.mark.parametrize("rule", [forward_difference, central_difference])
def test_exact_on_linear_functions(rule):
    # a linear function has no truncation error; h = 0.5 keeps round-off tiny
    assert rule(lambda x: 3.0 * x - 1.0, 2.0, h=0.5) == pytest.approx(3.0, abs=1e-14)


def test_array_input_elementwise_and_shape():
    x = np.linspace(-1, 1, 7).reshape(7, 1)
    d = central_difference(np.exp, x)
    assert d.shape == (7, 1)
    np.testing.assert_allclose(d, np.exp(x), rtol=1e-9)


def test_central_closed_form_on_cubic():
    # for f = x^3, (f(x+h) - f(x-h)) / 2h = 3x^2 + h^2 exactly: the O(h^2) term is h^2 f'''/6
    x, h = 1.5, 1e-2
    assert central_difference(lambda t: t**3, x, h) == pytest.approx(3 * x**2 + h**2, rel=1e-12)
    # forward: 3x^2 + 3xh + h^2
    assert forward_difference(lambda t: t**3, x, h) == pytest.approx(3 * x**2 + 3 * x * h + h**2, rel=1e-12)


@pytest.mark.parametrize("method, order", [("forward", 1), ("central", 2)])
def test_error_order(method, order):
    # halving h divides the truncation error by 2^order (in the truncation-dominated range)
    steps = np.array([1e-2, 5e-3, 2.5e-3])
    e = difference_errors(np.sin, np.cos, 1.0, steps, method=method)
    ratios = e[:-1] / e[1:]
    np.testing.assert_allclose(ratios, 2.0**order, rtol=0.02)
    slope = np.polyfit(np.log(steps), np.log(e), 1)[0]
    assert slope == pytest.approx(order, abs=0.02)


def test_round_off_floor_and_optimum():
    steps = np.logspace(-15, -1, 57)
    for method in ["forward", "central"]:
        e = difference_errors(np.exp, np.exp, 0.5, steps, method=method)
        best = steps[np.argmin(e)]
        assert 0.02 < optimal_step(method) / best < 50  # within ~1.5 orders of magnitude
        assert e[0] > 100 * e.min()  # tiny steps are ruined by round-off
    assert e.min() < 1e-9  # central at its best keeps > 9 digits


def test_float32_has_a_much_higher_floor():
    steps = np.logspace(-8, -1, 29)
    e64 = difference_errors(np.sin, np.cos, 1.0, steps, dtype=np.float64).min()
    e32 = difference_errors(np.sin, np.cos, 1.0, steps, dtype=np.float32).min()
    assert e32 > 1e4 * e64
    assert optimal_step("central", np.float32) == pytest.approx(np.finfo(np.float32).eps ** (1 / 3))


def test_numerical_gradient_matches_closed_form():
    a = np.array([1.0, -2.0, 0.5])
    f = lambda x: float(np.sum(np.sin(x) * a) + x @ x)  # noqa: E731
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(numerical_gradient(f, x), a * np.cos(x) + 2 * x, atol=1e-9)


# ---- reverse mode on Values ----------------------------------------------------------


def test_value_gradients_match_central_differences():
    def g(x, y):
        return (x * y).tanh() + (x**2 + 1).log() * y.sigmoid() - y / x

    point = np.array([0.7, -1.2])
    val, grads = value_gradients(g, *point)
    fd = numerical_gradient(lambda v: g(*map(Value, v)).data, point)
    np.testing.assert_allclose(grads, fd, atol=1e-8)
    assert val == pytest.approx(g(Value(0.7), Value(-1.2)).data)


def test_value_gradients_match_torch():
    torch = pytest.importorskip("torch")

    def g(x, y, z):
        return (x * z).sigmoid() + (y - z).relu() * (0.5 * x).exp() + (x * y + z).tanh() ** 2

    point = (0.4, 1.1, -0.3)
    val, grads = value_gradients(g, *point)
    xt = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    out = g(*xt)
    out.backward()
    assert val == pytest.approx(out.item(), abs=1e-14)
    np.testing.assert_allclose(grads, [t.grad.item() for t in xt], atol=1e-14)


# ---- training a Value MLP ------------------------------------------------------------


def _moons(n=40):
    X, y = two_moons(n, noise=0.1, rng=0)
    return (X - X.mean(0)) / X.std(0), 2.0 * y - 1


def test_training_decreases_loss_and_is_seeded():
    X, y = _moons(30)
    h1 = train_value_mlp(MLP(2, [6, 1], rng=3), X, y, n_steps=15, learning_rate=0.5)
    h2 = train_value_mlp(MLP(2, [6, 1], rng=3), X, y, n_steps=15, learning_rate=0.5)
    assert h1.loss == h2.loss
    assert h1.loss[-1] < 0.7 * h1.loss[0]
    assert len(h1.accuracy) == 15 and all(0 <= a <= 1 for a in h1.accuracy)


def test_one_step_matches_manual_gradient_descent():
    X, y = _moons(10)
    model = MLP(2, [3, 1], rng=0)
    before = [p.data for p in model.parameters()]
    # gradient from a fresh copy, computed independently of the training loop
    twin = MLP(2, [3, 1], rng=0)
    scores = [twin(list(r)) for r in X]
    loss = sum((1 - yi * si).relu() for yi, si in zip(y, scores)) * (1 / len(X))
    loss = loss + 1e-4 * sum(p * p for p in twin.parameters())
    loss.backward()
    train_value_mlp(model, X, y, n_steps=1, learning_rate=0.3, alpha=1e-4)
    after = [p.data for p in model.parameters()]
    expected = [b - 0.3 * p.grad for b, p in zip(before, twin.parameters())]
    np.testing.assert_allclose(after, expected, atol=1e-14)


def test_value_mlp_weights_layout_matches_forward():
    model = MLP(3, [4, 2], rng=5)
    (W1, b1), (W2, b2) = value_mlp_weights(model)
    assert W1.shape == (3, 4) and b1.shape == (4,) and W2.shape == (4, 2)
    x = np.array([0.2, -0.5, 1.0])
    out = [v.data for v in model(list(x))]
    np.testing.assert_allclose(out, np.tanh(x @ W1 + b1) @ W2 + b2, atol=1e-14)
    model(list(x))[0].backward()
    (G1, _), (G2, g2) = value_mlp_weights(model, "grad")
    np.testing.assert_allclose(g2, [1.0, 0.0])
    np.testing.assert_allclose(G2[:, 0], np.tanh(x @ W1 + b1), atol=1e-14)
    assert np.all(G2[:, 1] == 0)


def test_predict_value_mlp_shape():
    X, _ = _moons(8)
    s = predict_value_mlp(MLP(2, [3, 1], rng=0), X)
    assert s.shape == (8,) and np.all(np.isfinite(s))


# ---- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [forward_difference, central_difference])
def test_bad_input_rejected(rule):
    with pytest.raises(TypeError, match="callable"):
        rule(3.0, 1.0)
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        rule(np.sin, 1.0, h=0.0)
    with pytest.raises(ValueError, match="h must be finite and > 0"):
        rule(np.sin, 1.0, h=-1e-3)
    with pytest.raises(ValueError, match="NaN or infinite"):
        rule(np.sin, np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="empty"):
        rule(np.sin, np.array([]))
    with pytest.raises(TypeError, match="real number or a float array"):
        rule(np.sin, "1.0")


def test_difference_errors_bad_input():
    with pytest.raises(ValueError, match="Unknown method='backward'"):
        difference_errors(np.sin, np.cos, 1.0, [1e-3], method="backward")
    with pytest.raises(ValueError, match="every step size must be > 0"):
        difference_errors(np.sin, np.cos, 1.0, [1e-3, 0.0])
    with pytest.raises(TypeError, match="floating-point dtype"):
        difference_errors(np.sin, np.cos, 1.0, [1e-3], dtype=np.int64)
    with pytest.raises(TypeError, match="dfdx must be a function"):
        difference_errors(np.sin, None, 1.0, [1e-3])
    with pytest.raises(ValueError, match="Unknown method"):
        optimal_step("sideways")


def test_numerical_gradient_and_value_gradients_bad_input():
    with pytest.raises(ValueError, match=r"shape \(n_samples,\)"):
        numerical_gradient(np.sum, np.ones((2, 2)))
    with pytest.raises(ValueError, match="at least one input"):
        value_gradients(lambda: Value(1.0))
    with pytest.raises(TypeError, match="must return a Value"):
        value_gradients(lambda x: 3.0, 1.0)


def test_train_value_mlp_bad_input():
    X, y = _moons(10)
    model = MLP(2, [3, 1], rng=0)
    with pytest.raises(ValueError, match="labels -1 and \\+1 only"):
        train_value_mlp(model, X, (y + 1) / 2 + 5, n_steps=1)
    with pytest.raises(ValueError, match="single class"):
        train_value_mlp(model, X, np.ones(10), n_steps=1)
    with pytest.raises(ValueError, match="mismatched lengths"):
        train_value_mlp(model, X, y[:-1], n_steps=1)
    with pytest.raises(ValueError, match="NaN or infinite"):
        train_value_mlp(model, np.where(X > 1, np.nan, X), y, n_steps=1)
    with pytest.raises(ValueError, match="expects 2 inputs"):
        train_value_mlp(model, np.hstack([X, X]), y, n_steps=1)
    with pytest.raises(ValueError, match="exactly one output"):
        train_value_mlp(MLP(2, [3, 2], rng=0), X, y, n_steps=1)
    with pytest.raises(TypeError, match="scratch.autograd.value_nn.MLP"):
        train_value_mlp("net", X, y)
    with pytest.raises(ValueError, match="n_steps must be >= 1"):
        train_value_mlp(model, X, y, n_steps=0)
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        train_value_mlp(model, X, y, learning_rate=-1.0)
    with pytest.raises(ValueError, match="Unknown which"):
        value_mlp_weights(model, "weights")
