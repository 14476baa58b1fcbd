"""Tests for scratch.ode.solvers: Euler, RK4 and Dormand-Prince against closed forms and scipy."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.ode import ODESolution, dopri5, euler, odeint, rk4

# A damped rotation: dy/dt = A y, y(t) = expm(A t) y0 (closed form below, no scipy needed).
A = np.array([[-0.5, 2.0], [-2.0, -0.5]])
Y0 = np.array([1.0, 0.5])


def linear(t, y):
    return A @ y


def exact_linear(t):
    """expm(A t) y0 for A = [[a, b], [-b, a]]: e^{at} times a rotation by -bt."""
    a, b = A[0, 0], A[0, 1]
    c, s = np.cos(b * t), np.sin(b * t)
    return np.exp(a * t) * np.array([c * Y0[0] + s * Y0[1], -s * Y0[0] + c * Y0[1]])


def van_der_pol(t, y, mu=1.0):
    return np.array([y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]])


def test_closed_form_fixture_is_the_matrix_exponential():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    for t in (0.3, 2.0, 5.0):
        np.testing.assert_allclose(exact_linear(t), scipy_linalg.expm(A * t) @ Y0, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("method, step, order", [("euler", None, 1), ("rk4", None, 4)])
def test_fixed_step_convergence_order(method, step, order):
    """Halving the step divides the global error by 2^order."""
    errors = []
    for n in (50, 100, 200):
        t = np.linspace(0.0, 2.0, n + 1)
        sol = odeint(linear, Y0, t, method)
        errors.append(np.abs(sol.y[-1] - exact_linear(2.0)).max())
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    np.testing.assert_allclose(rates, order, atol=0.15)


def test_step_subdivides_intervals_and_lands_on_output_times():
    t = np.array([0.0, 0.25, 1.0])
    sol = rk4(linear, Y0, t, step=0.1)
    assert sol.n_steps == 3 + 8  # ceil(0.25/0.1) + ceil(0.75/0.1)
    assert sol.nfev == 4 * sol.n_steps
    np.testing.assert_allclose(sol.t, t)
    assert sol.y.shape == (3, 2)
    coarse = np.abs(sol.y[-1] - exact_linear(1.0)).max()
    fine = np.abs(rk4(linear, Y0, t, step=0.025).y[-1] - exact_linear(1.0)).max()
    assert coarse < 5e-5 and fine < coarse / 100  # h/4: error / 4^4


@pytest.mark.parametrize("rtol, atol", [(1e-3, 1e-6), (1e-6, 1e-9), (1e-10, 1e-12)])
@pytest.mark.parametrize("problem", ["linear", "van_der_pol"])
def test_dopri5_takes_scipy_rk45_steps(problem, rtol, atol):
    """Same tableau and controller as solve_ivp(method='RK45'): same steps, same nfev."""
    integrate = pytest.importorskip("scipy.integrate")
    f, y0, t1 = (linear, Y0, 5.0) if problem == "linear" else (van_der_pol, np.array([2.0, 0.0]), 10.0)
    sol = odeint(f, y0, [0.0, t1], "dopri5", rtol=rtol, atol=atol)
    ref = integrate.solve_ivp(f, (0.0, t1), y0, method="RK45", rtol=rtol, atol=atol)
    assert sol.nfev == ref.nfev
    assert sol.n_steps == len(ref.t) - 1
    # same steps; only rounding differs (largest difference 4e-11, van der Pol at rtol=1e-3)
    np.testing.assert_allclose(sol.y[-1], ref.y[:, -1], rtol=1e-9, atol=1e-12)


def test_dopri5_meets_tolerance_on_linear_system():
    t = np.linspace(0.0, 5.0, 11)
    for rtol in (1e-6, 1e-9):
        sol = odeint(linear, Y0, t, "dopri5", rtol=rtol, atol=rtol * 1e-3)
        err = np.abs(sol.y - np.array([exact_linear(ti) for ti in t])).max()
        assert err < 100 * rtol  # global error within a small multiple of the local tolerance
    loose = odeint(linear, Y0, t, "dopri5", rtol=1e-3, atol=1e-6)
    tight = odeint(linear, Y0, t, "dopri5", rtol=1e-9, atol=1e-12)
    assert tight.nfev > 5 * loose.nfev  # error control spends more work for more accuracy


def test_dopri5_many_output_times_and_backwards_vs_scipy():
    integrate = pytest.importorskip("scipy.integrate")
    t = np.linspace(0.0, 10.0, 21)
    ref = integrate.solve_ivp(van_der_pol, (0.0, 10.0), [2.0, 0.0], method="DOP853", rtol=1e-13, atol=1e-13,
                              t_eval=t)
    sol = odeint(van_der_pol, [2.0, 0.0], t, "dopri5", rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sol.y, ref.y.T, atol=5e-9)
    back = odeint(linear, exact_linear(5.0), np.linspace(5.0, 0.0, 11), "dopri5", rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(back.y[-1], Y0, atol=1e-8)  # backwards in time recovers y0
    rk = odeint(van_der_pol, [2.0, 0.0], t, "rk4", step=0.002)
    np.testing.assert_allclose(rk.y, ref.y.T, atol=1e-9)


def test_state_of_any_shape():
    y0 = np.arange(6.0).reshape(2, 3)
    for method in ("euler", "rk4", "dopri5"):
        sol = odeint(lambda t, y: -y, y0, [0.0, 0.5, 1.0], method, step=0.001)
        assert sol.y.shape == (3, 2, 3)
        np.testing.assert_allclose(sol.y[-1], y0 * np.exp(-1.0), rtol={"euler": 1e-3, "rk4": 1e-9, "dopri5": 1e-5}[method])
    assert isinstance(sol, ODESolution) and "dopri5" in repr(sol)


def test_single_time_returns_y0():
    sol = dopri5(linear, Y0, [1.0])
    np.testing.assert_array_equal(sol.y, Y0[None])
    assert sol.nfev == 0


# ---- Tensors: gradients through the solver ---------------------------------------------------


@pytest.mark.parametrize("method", ["euler", "rk4", "dopri5"])
def test_gradients_through_solver_match_finite_differences(method):
    rng = np.random.default_rng(0)
    W = Tensor(0.5 * rng.standard_normal((2, 2)), requires_grad=True)
    y0 = Tensor(rng.standard_normal(2), requires_grad=True)
    t = [0.0, 0.4, 1.0]

    def loss(W, y0):  # a tiny neural ODE: dy/dt = tanh(W y)
        sol = odeint(lambda t, y: (W @ y).tanh(), y0, t, method, step=0.05, rtol=1e-8, atol=1e-10)
        return sol.y

    assert gradcheck(loss, [W, y0], eps=1e-6, atol=1e-7, rtol=1e-5)


def test_tensor_parameters_with_array_state():
    """y0 an ndarray, f uses a Tensor parameter: the solution becomes a Tensor."""
    k = Tensor(0.7, requires_grad=True)
    sol = rk4(lambda t, y: -k * y, np.array([1.0, 2.0]), [0.0, 1.0], step=0.01)
    assert isinstance(sol.y, Tensor) and sol.y.shape == (2, 2)
    sol.y[-1].sum().backward()
    # d/dk of 3 exp(-k) = -3 exp(-k)
    np.testing.assert_allclose(k.grad, -3.0 * np.exp(-0.7), rtol=1e-8)


def test_euler_solution_of_linear_system_is_matrix_power():
    """Euler on dy/dt = A y is y_n = (I + hA)^n y0 exactly."""
    sol = euler(linear, Y0, np.linspace(0.0, 1.0, 11))
    np.testing.assert_allclose(sol.y[-1], np.linalg.matrix_power(np.eye(2) + 0.1 * A, 10) @ Y0, rtol=1e-13)


# ---- bad input ------------------------------------------------------------------------------

BAD = [
    (dict(method="heun"), ValueError, "Unknown method='heun'"),
    (dict(method="dopri5", rtol=0.0), ValueError, "rtol must be finite and > 0"),
    (dict(method="dopri5", atol=-1e-9), ValueError, "atol must be finite and > 0"),
    (dict(method="rk4", rtol=-1.0), ValueError, "rtol must be finite and > 0"),
    (dict(method="rk4", step=0.0), ValueError, "step must be finite and > 0"),
    (dict(method="dopri5", step=-0.1), ValueError, "first_step must be finite and > 0"),
    (dict(t=[0.0, 1.0, 0.5]), ValueError, "strictly increasing or strictly decreasing"),
    (dict(t=[[0.0, 1.0]]), ValueError, "t must be a 1-D array"),
    (dict(t=[0.0, np.nan]), ValueError, "t contains NaN"),
    (dict(y0=np.array([1.0, np.inf])), ValueError, "y0 contains NaN"),
    (dict(y0=np.zeros(0)), ValueError, "y0 is empty"),
    (dict(y0="abc"), TypeError, "y0 must be a numeric array"),
    (dict(f=lambda t, y: np.zeros(3)), ValueError, r"f\(t, y\) returned shape \(3,\)"),
    (dict(f="not callable"), TypeError, "f must be a callable"),
]


@pytest.mark.parametrize("kwargs, exc, match", BAD, ids=[b[2][:30] for b in BAD])
def test_bad_input_raises_clear_errors(kwargs, exc, match):
    args = dict(f=linear, y0=Y0, t=[0.0, 1.0], method="rk4")
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        odeint(args.pop("f"), args.pop("y0"), args.pop("t"), **args)


def test_blow_up_is_reported_not_returned():
    with pytest.raises(FloatingPointError, match="became NaN or infinite"), np.errstate(over="ignore",
                                                                                          invalid="ignore"):
        odeint(lambda t, y: y**2, np.array([1.0]), [0.0, 2.0], "euler", step=0.01)
    with pytest.raises(RuntimeError, match="step size fell below|max_steps"), np.errstate(over="ignore",
                                                                                            invalid="ignore"):
        odeint(lambda t, y: y**2, np.array([1.0]), [0.0, 2.0], "dopri5")  # y = 1/(1-t) blows up at t=1


def test_max_steps():
    with pytest.raises(RuntimeError, match="max_steps=5"):
        dopri5(van_der_pol, [2.0, 0.0], [0.0, 10.0], max_steps=5)
    with pytest.raises(ValueError, match="max_steps must be >= 1"):
        dopri5(van_der_pol, [2.0, 0.0], [0.0, 10.0], max_steps=0)
