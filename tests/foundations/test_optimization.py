"""Tests for scratch.foundations.optimization (page: book/foundations/optimization.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.foundations.optimization import (
    make_quadratic,
    minibatch_sgd,
    minimize,
    quadratic,
    quadratic_grad,
    rosenbrock,
    rosenbrock_grad,
    steps_to_tolerance,
)
from scratch.optim import SGD, Adam, CosineAnnealingLR, RMSProp

X0 = np.array([-1.5, 2.0])


# -- test functions ------------------------------------------------------------------------
def test_make_quadratic_spectrum():
    H = make_quadratic(25.0, largest=2.0, angle=0.3)
    np.testing.assert_allclose(H, H.T)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [2.0 / 25.0, 2.0], rtol=1e-12)
    with pytest.raises(ValueError, match="condition_number must be >= 1"):
        make_quadratic(0.5)


def test_closed_form_values():
    H = make_quadratic(4.0)  # diag(0.25, 1)
    assert quadratic([2.0, 1.0], H) == pytest.approx(0.5 * (0.25 * 4 + 1.0))
    np.testing.assert_allclose(quadratic_grad([2.0, 1.0], H), [0.5, 1.0])
    assert rosenbrock([1.0, 1.0]) == 0.0
    assert rosenbrock([0.0, 0.0]) == 1.0
    assert rosenbrock([2.0, 1.0], a=1.0, b=10.0) == pytest.approx(1.0 + 10.0 * 9.0)
    np.testing.assert_allclose(rosenbrock_grad([1.0, 1.0]), [0.0, 0.0])


@pytest.mark.parametrize("point", [[-1.5, 2.0], [0.3, -0.7], [1.2, 1.4]])
def test_gradients_match_autograd_and_finite_differences(point):
    H = make_quadratic(10.0, angle=0.4)
    for f, g in [(rosenbrock, rosenbrock_grad), (lambda x: quadratic(x, H), lambda x: quadratic_grad(x, H))]:
        x = Tensor(np.array(point), requires_grad=True)
        f(x).backward()
        np.testing.assert_allclose(g(np.array(point)), x.grad, rtol=1e-12, atol=1e-12)
        gradcheck(f, [Tensor(np.array(point), requires_grad=True)])


def test_functions_vectorise_over_grids():
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)), axis=-1)  # (5, 7, 2)
    Z = rosenbrock(grid)
    assert Z.shape == (5, 7)
    assert Z[2, 3] == pytest.approx(rosenbrock(grid[2, 3]))
    assert rosenbrock_grad(grid).shape == (5, 7, 2)
    H = make_quadratic(3.0)
    assert quadratic(grid, H).shape == (5, 7)


def test_scipy_rosen_agrees():
    optimize = pytest.importorskip("scipy.optimize")
    pts = np.random.default_rng(0).normal(size=(10, 2))
    for p in pts:
        assert rosenbrock(p) == pytest.approx(optimize.rosen(p), rel=1e-12)
        np.testing.assert_allclose(rosenbrock_grad(p), optimize.rosen_der(p), rtol=1e-12)


# -- the runner against torch.optim ---------------------------------------------------------


def torch_trajectory(make_opt, n_steps):
    torch = pytest.importorskip("torch")
    x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    opt = make_opt([x])
    xs = [x.detach().numpy().copy()]
    for _ in range(n_steps):
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        opt.step()
        xs.append(x.detach().numpy().copy())
    return np.array(xs)


@pytest.mark.parametrize("name", ["momentum", "nesterov", "adam", "rmsprop"])
def test_trajectories_match_torch_on_rosenbrock(name):
    torch = pytest.importorskip("torch")
    ours, ref = {
        "momentum": (lambda p: SGD(p, lr=1e-3, momentum=0.9),
                     lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9)),
        "nesterov": (lambda p: SGD(p, lr=1e-3, momentum=0.9, nesterov=True),
                     lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True)),
        "adam": (lambda p: Adam(p, lr=0.05), lambda p: torch.optim.Adam(p, lr=0.05)),
        "rmsprop": (lambda p: RMSProp(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    }[name]
    traj = minimize(ours, X0, 300, loss_fn=rosenbrock)   # gradients by our autograd
    np.testing.assert_allclose(traj.xs, torch_trajectory(ref, 300), rtol=0, atol=1e-9)


def test_grad_fn_and_autograd_give_the_same_trajectory():
    a = minimize(lambda p: Adam(p, lr=0.02), X0, 200, grad_fn=rosenbrock_grad, loss_fn=rosenbrock)
    b = minimize(lambda p: Adam(p, lr=0.02), X0, 200, loss_fn=rosenbrock)
    np.testing.assert_allclose(a.xs, b.xs, atol=1e-12)
    np.testing.assert_allclose(a.losses, rosenbrock(a.xs), atol=1e-12)
    assert a.xs.shape == (201, 2) and a.losses.shape == (201,) and a.lrs.shape == (200,)
    c = minimize(lambda p: Adam(p, lr=0.02), X0, 200, grad_fn=rosenbrock_grad)
    assert c.losses is None
    np.testing.assert_allclose(c.xs, a.xs)


def test_gd_on_quadratic_matches_closed_form_iterates():
    """GD on 1/2 x^T H x is x_t = (I - eta H)^t x_0."""
    H = make_quadratic(10.0, angle=0.5)
    eta = 1.5
    traj = minimize(lambda p: SGD(p, lr=eta), [1.0, -2.0], 30, grad_fn=lambda x: quadratic_grad(x, H))
    M = np.eye(2) - eta * H
    expected = np.array([np.linalg.matrix_power(M, t) @ [1.0, -2.0] for t in range(31)])
    np.testing.assert_allclose(traj.xs, expected, atol=1e-12)


def test_step_size_threshold_two_over_L():
    H = make_quadratic(10.0, largest=4.0, angle=0.2)
    grad = lambda x: quadratic_grad(x, H)  # noqa: E731
    below = minimize(lambda p: SGD(p, lr=0.98 * 2 / 4.0), [1.0, 1.0], 3000, grad_fn=grad)
    above = minimize(lambda p: SGD(p, lr=1.02 * 2 / 4.0), [1.0, 1.0], 3000, grad_fn=grad)
    assert not below.diverged and np.linalg.norm(below.xs[-1]) < 1e-6
    assert above.diverged and len(above.xs) < 3001


def test_momentum_beats_gd_on_ill_conditioned_quadratic():
    H = make_quadratic(100.0, angle=0.3)
    grad = lambda x: quadratic_grad(x, H)  # noqa: E731
    gd = minimize(lambda p: SGD(p, lr=1.0), [1.0, 1.0], 3000, grad_fn=grad)
    hb = minimize(lambda p: SGD(p, lr=1.0, momentum=0.8), [1.0, 1.0], 3000, grad_fn=grad)
    t_gd = steps_to_tolerance(gd.xs, [0.0, 0.0], 1e-6)
    t_hb = steps_to_tolerance(hb.xs, [0.0, 0.0], 1e-6)
    assert t_gd is not None and t_hb is not None and t_hb < t_gd / 3


def test_scheduler_is_stepped_and_recorded():
    traj = minimize(lambda p: SGD(p, lr=0.1), X0, 10, grad_fn=lambda x: quadratic_grad(x, np.eye(2)),
                    scheduler_factory=lambda o: CosineAnnealingLR(o, T_max=10))
    assert not traj.diverged and traj.xs.shape == (11, 2)
    expected = [0.05 * (1 + np.cos(np.pi * t / 10)) for t in range(10)]
    np.testing.assert_allclose(traj.lrs, expected, atol=1e-15)


def test_steps_to_tolerance():
    xs = np.array([[3.0, 0.0], [1.0, 0.0], [0.1, 0.0], [0.5, 0.0]])
    assert steps_to_tolerance(xs, [0.0, 0.0], 0.2) == 2
    assert steps_to_tolerance(xs, [0.0, 0.0], 0.01) is None
    with pytest.raises(ValueError, match="xs has 2 coordinates per step but x_star has 3"):
        steps_to_tolerance(xs, [0.0, 0.0, 0.0], 0.1)


def test_minimize_bad_input():
    with pytest.raises(ValueError, match="needs loss_fn"):
        minimize(lambda p: SGD(p, lr=0.1), X0, 10)
    with pytest.raises(ValueError, match=r"x0 must have shape \(n_samples,\)"):
        minimize(lambda p: SGD(p, lr=0.1), [[1.0, 2.0]], 10, grad_fn=rosenbrock_grad)
    with pytest.raises(ValueError, match="n_steps must be >= 0"):
        minimize(lambda p: SGD(p, lr=0.1), X0, -1, grad_fn=rosenbrock_grad)
    with pytest.raises(ValueError, match="function of 2 variables"):
        rosenbrock(np.zeros(3))
    with pytest.raises(ValueError, match="symmetric square"):
        quadratic([1.0, 1.0], [[1.0, 2.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="x has 3 coordinates but H is"):
        quadratic_grad([1.0, 1.0, 1.0], np.eye(2))


# -- mini-batch SGD ------------------------------------------------------------------------------
def lsq_problem(n=200, d=3, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    return X, X @ w + noise * rng.normal(size=n)


def test_full_batch_sgd_is_gradient_descent():
    X, y = lsq_problem()
    res = minibatch_sgd(X, y, lambda p: SGD(p, lr=0.1), batch_size=len(y), n_epochs=5, rng=0)
    w = np.zeros(3)
    for _ in range(5):
        w -= 0.1 * X.T @ (X @ w - y) / len(y)
    np.testing.assert_allclose(res.w, w, atol=1e-12)
    assert res.n_updates == 5 and res.epoch_losses.shape == (6,)


@pytest.mark.parametrize("batch_size, lr, n_updates", [(200, 0.5, 50), (20, 0.1, 500), (1, 0.02, 10000)])
def test_minibatch_sgd_approaches_least_squares(batch_size, lr, n_updates):
    X, y = lsq_problem()
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    res = minibatch_sgd(X, y, lambda p: SGD(p, lr=lr), batch_size=batch_size, n_epochs=50, rng=1,
                        scheduler_factory=lambda o: CosineAnnealingLR(o, T_max=n_updates))
    assert res.n_updates == n_updates
    assert np.linalg.norm(res.w - w_star) < 5e-3
    assert res.epoch_losses[-1] < res.epoch_losses[0] / 10


def test_minibatch_sgd_is_reproducible_and_uses_rng():
    X, y = lsq_problem()
    run = lambda seed: minibatch_sgd(X, y, lambda p: SGD(p, lr=0.05), batch_size=8,  # noqa: E731
                                     n_epochs=2, rng=seed).w
    np.testing.assert_array_equal(run(3), run(3))
    assert not np.array_equal(run(3), run(4))


def test_minibatch_sgd_bad_input():
    X, y = lsq_problem()
    make = lambda p: SGD(p, lr=0.1)  # noqa: E731
    with pytest.raises(ValueError, match="batch_size must be <= 200"):
        minibatch_sgd(X, y, make, batch_size=500, n_epochs=1)
    with pytest.raises(ValueError, match="mismatched lengths"):
        minibatch_sgd(X, y[:-1], make, batch_size=10, n_epochs=1)
    with pytest.raises(TypeError, match="rng must be"):
        minibatch_sgd(X, y, make, batch_size=10, n_epochs=1, rng="seed")
    with pytest.raises(ValueError, match="SGD diverged"):
        minibatch_sgd(X * 100, y, lambda p: SGD(p, lr=10.0), batch_size=200, n_epochs=200)
