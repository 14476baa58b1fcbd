"""Tests for scratch.frontiers.neural_ode (page: book/frontiers/neural_ode.md)."""

import numpy as np
import pytest

from scratch.autograd.gradcheck import gradcheck
from scratch.autograd.tensor import Tensor
from scratch.frontiers.neural_ode import (
    NeuralODE,
    ODEFunc,
    adjoint_gradients,
    spiral_trajectory,
    vector_jacobian_products,
)
from scratch.nn.module import Module, Parameter


class LinearField(Module):
    """dz/dt = z W (row states), for closed-form checks."""

    def __init__(self, W):
        self.W = Parameter(np.asarray(W, dtype=float))

    def forward(self, t, z):
        return z @ self.W


def mse_and_grad(Z, Y):
    return float(np.mean((Z - Y) ** 2)), 2 * (Z - Y) / Z.size


def loss_of_params(func, z0, t, Y, rtol=1e-11, atol=1e-12):
    Z = NeuralODE(func, method="dopri5", rtol=rtol, atol=atol)(z0, t).data
    return mse_and_grad(Z, Y)


# -- closed forms and cross-checks ------------------------------------------------------------------
def test_adjoint_matches_matrix_exponential():
    linalg = pytest.importorskip("scipy.linalg")
    W = np.array([[-0.1, 1.0], [-1.0, -0.1]])
    func = LinearField(W)
    z0, T = np.array([[1.0, 0.5]]), 2.0
    ZT = z0 @ linalg.expm(W * T)
    c = np.array([[0.3, -0.7]])
    dz0, (dW,), _ = adjoint_gradients(func, [0.0, T], np.stack([z0, ZT]), np.stack([np.zeros_like(c), c]),
                                      rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dz0, c @ linalg.expm(W * T).T, atol=1e-10)
    # dL/dW by finite differences of the closed form
    fd = np.zeros_like(W)
    for i in range(2):
        for j in range(2):
            E = np.zeros_like(W)
            E[i, j] = 1e-6
            fd[i, j] = (np.sum(z0 @ linalg.expm((W + E) * T) * c) - np.sum(z0 @ linalg.expm((W - E) * T) * c)) / 2e-6
    np.testing.assert_allclose(dW, fd, atol=1e-8)


def test_forward_solve_matches_scipy_solve_ivp():
    integrate = pytest.importorskip("scipy.integrate")
    func = ODEFunc(2, 16, rng=0)
    z0 = np.array([[1.0, -0.5]])
    t = np.linspace(0, 3, 7)
    ours = NeuralODE(func, method="dopri5", rtol=1e-10, atol=1e-12)(z0, t).data[:, 0]
    ref = integrate.solve_ivp(lambda s, y: func(s, y[None]).data[0], (0, 3), z0[0], t_eval=t,
                              rtol=1e-10, atol=1e-12, method="RK45")
    np.testing.assert_allclose(ours, ref.y.T, atol=1e-8)


@pytest.mark.parametrize("seed", [0, 1])
def test_adjoint_equals_backprop_through_solver_and_finite_differences(seed):
    func = ODEFunc(2, 8, rng=seed)
    t, Y = spiral_trajectory(6, 2.0)
    z0 = Y[:1]
    Ys = Y[:, None, :]                                                   # (6, 1, 2)
    # backprop through many small RK4 steps (discretisation error ~ h^4)
    node = NeuralODE(func, method="rk4", step=0.005)
    for p in func.parameters():
        p.grad = None
    Z = node(Tensor(z0), t)
    ((Z - Tensor(Ys)) ** 2).mean().backward()
    bpts = [p.grad.copy() for p in func.parameters()]
    # adjoint
    Zd, dZ = NeuralODE(func, method="dopri5", rtol=1e-11, atol=1e-12)(z0, t).data, None
    _, dZ = mse_and_grad(Zd, Ys)
    _, adj, _ = adjoint_gradients(func, t, Zd, dZ, rtol=1e-11, atol=1e-12)
    for a, b in zip(adj, bpts):
        np.testing.assert_allclose(a, b, atol=1e-8)
    # central finite differences on a few entries of the first weight matrix
    W = func.lin1.weight
    for idx in [(0, 0), (1, 3)]:
        old = W.data[idx]
        W.data[idx] = old + 1e-5
        lp = loss_of_params(func, z0, t, Ys)[0]
        W.data[idx] = old - 1e-5
        lm = loss_of_params(func, z0, t, Ys)[0]
        W.data[idx] = old
        assert abs((lp - lm) / 2e-5 - adj[0][idx]) < 1e-7


def test_backprop_through_rk4_gradchecks():
    func = ODEFunc(2, 4, rng=3)
    node = NeuralODE(func, method="rk4", step=0.25)
    z0 = Tensor(np.array([[0.5, -1.0], [1.0, 0.2]]), requires_grad=True)
    assert gradcheck(lambda z, w: node(z, [0.0, 0.5, 1.0]), [z0, func.lin1.weight])


def test_vjp_leaves_parameter_gradients_untouched():
    func = ODEFunc(3, 5, rng=4)
    func.lin1.weight.grad = np.ones_like(func.lin1.weight.data)
    f, a_dz, a_dth = vector_jacobian_products(func, 0.0, np.ones((2, 3)), np.ones((2, 3)))
    assert f.shape == (2, 3) and a_dz.shape == (2, 3) and a_dth.size == func.n_parameters()
    np.testing.assert_array_equal(func.lin1.weight.grad, 1.0)


def test_augmentation_adds_zero_dimensions():
    func = ODEFunc(3, 4, rng=5)
    out = NeuralODE(func, augment=2)(np.ones((4, 1)), [0.0])
    assert out.shape == (1, 4, 3)
    np.testing.assert_array_equal(out.data[0, :, 1:], 0.0)


def test_one_dimensional_flows_preserve_order():
    """Trajectories of a 1-D ODE cannot cross: the time-1 map is increasing."""
    func = ODEFunc(1, 8, rng=6)
    x = np.linspace(-2, 2, 41)[:, None]
    y = NeuralODE(func, method="rk4", step=0.05)(x, [0.0, 1.0]).data[-1, :, 0]
    assert np.all(np.diff(y) > 0)


def test_spiral_closed_form():
    t, z = spiral_trajectory(50, 5.0)
    dz = np.gradient(z, t, axis=0)
    A = np.array([[-0.1, -1.0], [1.0, -0.1]])
    np.testing.assert_allclose(dz[1:-1], (z @ A.T)[1:-1], atol=0.02)


# -- bad input ----------------------------------------------------------------------------------------
F0 = ODEFunc(2, 3, rng=0)


@pytest.mark.parametrize("call, match", [
    (lambda: NeuralODE(F0, rtol=0.0), "rtol must be finite and > 0"),
    (lambda: NeuralODE(F0, atol=-1e-9), "atol must be finite and > 0"),
    (lambda: adjoint_gradients(F0, [0, 1], np.zeros((2, 1, 2)), np.zeros((2, 1, 2)), rtol=-1.0), "rtol"),
    (lambda: adjoint_gradients(F0, [0, 1], np.zeros((2, 1, 2)), np.zeros((2, 1, 2)), atol=0.0), "atol"),
    (lambda: NeuralODE(F0, method="dopri5", rtol=1e-6)(np.ones((1, 2)), [0.0, 1.0]) and
     NeuralODE(F0, step=-0.1), "step must be finite and > 0"),
    (lambda: adjoint_gradients(F0, [1, 0], np.zeros((2, 1, 2)), np.zeros((2, 1, 2))), "strictly increasing"),
    (lambda: adjoint_gradients(F0, [0, 1], np.zeros((2, 1, 2)), np.zeros((3, 1, 2))), "must both have shape"),
    (lambda: NeuralODE(lambda t, z: z), "Module"),
    (lambda: NeuralODE(F0, augment=-1), "augment must be >= 0"),
    (lambda: NeuralODE(F0)(np.ones(2), [0.0, 1.0]), "shape"),
    (lambda: spiral_trajectory(1), "n_times must be >= 2"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
