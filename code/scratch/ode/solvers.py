"""Explicit solvers for ordinary differential equations ``dy/dt = f(t, y)``.

Three methods, from the simplest to the one used in practice:

* :func:`euler`: explicit Euler, first order, fixed steps;
* :func:`rk4`: the classical fourth-order Runge-Kutta method, fixed steps;
* :func:`dopri5`: the adaptive Dormand-Prince 5(4) pair with error control (the
  method behind ``scipy.integrate.solve_ivp(method="RK45")``, MATLAB's ``ode45``
  and ``torchdiffeq``'s default).

:func:`odeint` dispatches to them and returns an :class:`ODESolution`. The state
``y`` may have any shape. The fixed-step methods (and :func:`dopri5`) use only
``+``, ``-`` and multiplication by Python floats on the state, so they also run
on :class:`~scratch.autograd.Tensor` states: when ``y0`` or ``f`` involve
Tensors, the returned ``y`` is a Tensor and ``backward()`` differentiates
through every solver step ("discretise-then-optimise", as in a neural ODE
trained by backpropagation through the solver).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Any, Callable

import numpy as np

from scratch._validation import as_float_array, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor, stack

__all__ = [
    "ODESolution",
    "odeint",
    "euler",
    "rk4",
    "dopri5",
    "euler_step",
    "rk4_step",
    "dopri5_step",
    "METHODS",
]

METHODS = ("euler", "rk4", "dopri5")

State = Any  # an ndarray or a Tensor of the shape of y0
RHS = Callable[[float, State], State]


@dataclass
class ODESolution:
    """The solution of :func:`odeint` at the requested times.

    Attributes
    ----------
    t : ndarray of shape (n_times,)
        The requested times.
    y : ndarray or Tensor of shape (n_times, \\*y0.shape)
        ``y[i]`` approximates the solution at ``t[i]``; ``y[0]`` is ``y0``. A
        Tensor when ``y0`` or ``f`` used Tensors (gradients flow through it).
    nfev : int
        Number of evaluations of ``f``.
    n_steps : int
        Number of accepted steps.
    n_rejected : int
        Number of rejected steps (always 0 for the fixed-step methods).
    method : str
        The method used.
    """

    t: np.ndarray
    y: Any
    nfev: int
    n_steps: int
    n_rejected: int
    method: str

    def __post_init__(self) -> None:
        check_option(self.method, METHODS, name="method")
        n_times = len(np.atleast_1d(self.t))
        if len(self.y) != n_times:
            raise ValueError(f"y must have one row per time: t has {n_times} times but y has {len(self.y)} rows "
                             f"(shape {tuple(self.y.shape)}).")

    def __repr__(self) -> str:
        kind = "Tensor" if isinstance(self.y, Tensor) else "ndarray"
        return (
            f"ODESolution(method={self.method!r}, n_times={len(self.t)}, y: {kind} of shape "
            f"{tuple(self.y.shape)}, nfev={self.nfev}, n_steps={self.n_steps}, "
            f"n_rejected={self.n_rejected})"
        )


# =============================================================================
# Input checks and a counting wrapper around f
# =============================================================================


def _data(y: State) -> np.ndarray:
    return y.data if isinstance(y, Tensor) else y


def _check_y0(y0: Any) -> State:
    if isinstance(y0, Tensor):
        if y0.dtype.kind != "f":
            raise TypeError(
                f"y0 must hold floating-point numbers; got a Tensor of dtype {y0.dtype}. "
                "Create it with dtype=np.float64."
            )
        arr = y0.data
    else:
        arr = y0 = as_float_array(y0, "y0", "a numeric array or a Tensor")
    if arr.size == 0:
        raise ValueError(f"y0 is empty (shape {arr.shape}); the state needs at least one component.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("y0 contains NaN or infinite values; the initial state must be finite.")
    return y0


def _check_times(t: Any) -> np.ndarray:
    try:
        t = np.asarray(t, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"t must be a 1-D array of times; got {type(t).__name__} that numpy cannot convert."
        ) from None
    if t.ndim != 1 or t.size < 1:
        raise ValueError(
            f"t must be a 1-D array of at least one time, t[0] being the time of y0; got shape "
            f"{t.shape}. For a single interval pass t=[t0, t1]."
        )
    if not np.all(np.isfinite(t)):
        raise ValueError("t contains NaN or infinite values; the output times must be finite.")
    if t.size > 1:
        dt = np.diff(t)
        if not (np.all(dt > 0) or np.all(dt < 0)):
            raise ValueError(
                "t must be strictly increasing or strictly decreasing (integrating backwards in "
                f"time is allowed); got t = {np.array2string(t, threshold=8)}."
            )
    return t


class _Counted:
    """Wrap ``f`` to count its calls and check the shape of what it returns."""

    def __init__(self, f: RHS, shape: tuple[int, ...]):
        if not callable(f):
            raise TypeError(f"f must be a callable f(t, y); got {type(f).__name__}.")
        self.f = f
        self.shape = shape
        self.nfev = 0

    def __call__(self, t: float, y: State) -> State:
        self.nfev += 1
        dy = self.f(t, y)
        if not isinstance(dy, Tensor):
            try:
                dy = np.asarray(dy, dtype=np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    f"f(t, y) must return an array or a Tensor; it returned {type(dy).__name__}."
                ) from None
        if dy.shape != self.shape:
            raise ValueError(
                f"f(t, y) returned shape {tuple(dy.shape)} but the state y0 has shape {self.shape}; "
                "f must return dy/dt with the shape of y."
            )
        return dy


def _check_finite(y: State, t: float, method: str) -> None:
    if not np.all(np.isfinite(_data(y))):
        raise FloatingPointError(
            f"{method}: the solution became NaN or infinite at t = {t:.6g}. The step is too large "
            "for this (stiff or unstable) problem: use a smaller `step`, or method='dopri5'."
        )


def _stack(ys: list[State]) -> State:
    if any(isinstance(y, Tensor) for y in ys):
        return stack([y if isinstance(y, Tensor) else Tensor(y) for y in ys], axis=0)
    return np.stack(ys, axis=0)


def _check_step_args(f: RHS, t: float, y: State, h: float) -> None:
    """The arguments of one step: a callable ``f`` and finite real ``t`` and ``h`` (cheap checks)."""
    if not callable(f):
        raise TypeError(f"f must be a callable f(t, y); got {type(f).__name__}.")
    for name, value in (("t", t), ("h", h)):
        if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
            raise TypeError(f"{name} must be a real number; got {type(value).__name__} ({value!r}).")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number; got {value!r}.")


# =============================================================================
# One step of each method
# =============================================================================


def euler_step(f: RHS, t: float, y: State, h: float) -> State:
    """One explicit Euler step.

    Parameters
    ----------
    f : callable
        ``f(t, y)`` returns dy/dt with the shape of ``y``.
    t : float
        Current time.
    y : ndarray or Tensor
        Current state.
    h : float
        Step size (negative to integrate backwards).

    Returns
    -------
    ndarray or Tensor
        The state at ``t + h``.

    Notes
    -----
    .. math::
        y_{n+1} = y_n + h\\, f(t_n, y_n),

    with local error :math:`O(h^2)` and global error :math:`O(h)`.
    """
    _check_step_args(f, t, y, h)
    return y + h * f(t, y)


def rk4_step(f: RHS, t: float, y: State, h: float) -> State:
    """One step of the classical fourth-order Runge-Kutta method.

    Parameters
    ----------
    f : callable
        ``f(t, y)`` returns dy/dt with the shape of ``y``.
    t : float
        Current time.
    y : ndarray or Tensor
        Current state.
    h : float
        Step size.

    Returns
    -------
    ndarray or Tensor
        The state at ``t + h``.

    Notes
    -----
    .. math::
        k_1 = f(t_n, y_n),\\quad
        k_2 = f(t_n + \\tfrac{h}{2}, y_n + \\tfrac{h}{2} k_1),

        k_3 = f(t_n + \\tfrac{h}{2}, y_n + \\tfrac{h}{2} k_2),\\quad
        k_4 = f(t_n + h, y_n + h k_3),

    .. math::
        y_{n+1} = y_n + \\tfrac{h}{6}\\,(k_1 + 2k_2 + 2k_3 + k_4),

    with local error :math:`O(h^5)` and global error :math:`O(h^4)`.
    """
    _check_step_args(f, t, y, h)
    k1 = f(t, y)
    k2 = f(t + h / 2, y + (h / 2) * k1)
    k3 = f(t + h / 2, y + (h / 2) * k2)
    k4 = f(t + h, y + h * k3)
    return y + (h / 6) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


# Dormand-Prince 5(4) Butcher tableau (Dormand & Prince 1980; Hairer, Norsett & Wanner, Table II.5.2).
_DP_C = (0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0)
_DP_A = (
    (),
    (1 / 5,),
    (3 / 40, 9 / 40),
    (44 / 45, -56 / 15, 32 / 9),
    (19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729),
    (9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656),
)
_DP_B = (35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84)  # 5th order (also row 7 of A)
# E = b - b_hat, where b_hat (4th order) = (5179/57600, 0, 7571/16695, 393/640, -92097/339200, 187/2100, 1/40)
_DP_E = (71 / 57600, 0.0, -71 / 16695, 71 / 1920, -17253 / 339200, 22 / 525, -1 / 40)


def _combine(y: State, h: float, coeffs: tuple[float, ...], ks: list[State]) -> State:
    """``y + h * sum_j coeffs[j] * ks[j]`` (zero coefficients skipped)."""
    acc = None
    for c, k in zip(coeffs, ks):
        if c == 0.0:
            continue
        term = (h * c) * k
        acc = term if acc is None else acc + term
    return y if acc is None else y + acc


def dopri5_step(f: RHS, t: float, y: State, h: float, k1: State | None = None) -> tuple[State, State, np.ndarray]:
    """One Dormand-Prince 5(4) step with its local error estimate.

    Parameters
    ----------
    f : callable
        ``f(t, y)`` returns dy/dt with the shape of ``y``.
    t : float
        Current time.
    y : ndarray or Tensor
        Current state.
    h : float
        Step size.
    k1 : ndarray or Tensor, optional
        ``f(t, y)`` if already known (the "first same as last" property: the
        last stage of an accepted step is the first stage of the next).

    Returns
    -------
    y_new : ndarray or Tensor
        Fifth-order solution at ``t + h``.
    k7 : ndarray or Tensor
        ``f(t + h, y_new)``.
    error : ndarray
        Estimate of the local error of the embedded fourth-order solution
        (plain numbers, not differentiated).

    Notes
    -----
    Seven stages :math:`k_i = f(t + c_i h,\\; y + h \\sum_{j<i} a_{ij} k_j)` with the
    Dormand-Prince coefficients. The step and the error estimate are

    .. math::
        y_{n+1} = y_n + h \\sum_{i=1}^{6} b_i k_i, \\qquad
        \\mathrm{err} = h \\sum_{i=1}^{7} (b_i - \\hat b_i)\\, k_i,

    where :math:`\\hat b` are the weights of the embedded fourth-order method and
    :math:`k_7 = f(t + h, y_{n+1})` (:math:`b_7 = 0`).
    """
    _check_step_args(f, t, y, h)
    if k1 is not None and tuple(np.shape(_data(k1))) != tuple(np.shape(_data(y))):
        raise ValueError(f"k1 has shape {tuple(np.shape(_data(k1)))} but y has shape {tuple(np.shape(_data(y)))}; "
                         "k1 must be f(t, y), with the shape of y (or None to compute it).")
    ks = [f(t, y) if k1 is None else k1]
    for c, a in zip(_DP_C[1:], _DP_A[1:]):
        ks.append(f(t + c * h, _combine(y, h, a, ks)))
    y_new = _combine(y, h, _DP_B, ks)
    ks.append(f(t + h, y_new))  # k7
    error = h * sum(e * _data(k) for e, k in zip(_DP_E, ks) if e != 0.0)
    return y_new, ks[-1], np.asarray(error)


# =============================================================================
# Solvers over a grid of output times
# =============================================================================


def _fixed(f: RHS, y0: Any, t: Any, step: float | None, method: str) -> ODESolution:
    y0 = _check_y0(y0)
    t = _check_times(t)
    if step is not None:
        step = check_positive(step, name="step")
    fc = _Counted(f, tuple(y0.shape))
    one_step = euler_step if method == "euler" else rk4_step
    ys, y, n_steps = [y0], y0, 0
    for t_a, t_b in zip(t[:-1], t[1:]):
        n = 1 if step is None else max(1, math.ceil(abs(t_b - t_a) / step * (1 - 1e-12)))
        h = (t_b - t_a) / n  # n equal sub-steps that land exactly on t_b
        for i in range(n):
            y = one_step(fc, t_a + i * h, y, h)
        n_steps += n
        _check_finite(y, t_b, method)
        ys.append(y)
    return ODESolution(t=t, y=_stack(ys), nfev=fc.nfev, n_steps=n_steps, n_rejected=0, method=method)


def euler(f: RHS, y0: Any, t: Any, *, step: float | None = None) -> ODESolution:
    """Integrate ``dy/dt = f(t, y)`` with explicit Euler steps.

    Parameters
    ----------
    f : callable
        ``f(t, y)`` returns dy/dt with the shape of ``y`` (an ndarray or a Tensor).
    y0 : array_like or Tensor
        State at ``t[0]``; any shape.
    t : array_like of shape (n_times,)
        Strictly monotonic output times (decreasing integrates backwards).
    step : float, optional
        Largest step size. Each interval ``[t[i], t[i+1]]`` is cut into the
        fewest equal sub-steps no longer than ``step``; by default one step per
        interval.

    Returns
    -------
    ODESolution
        ``y`` has shape ``(n_times, *y0.shape)``.

    Notes
    -----
    :math:`y_{n+1} = y_n + h f(t_n, y_n)`; global error :math:`O(h)`. One
    evaluation of ``f`` per step.
    """
    return _fixed(f, y0, t, step, "euler")


def rk4(f: RHS, y0: Any, t: Any, *, step: float | None = None) -> ODESolution:
    """Integrate ``dy/dt = f(t, y)`` with classical fourth-order Runge-Kutta steps.

    Parameters
    ----------
    f : callable
        ``f(t, y)`` returns dy/dt with the shape of ``y`` (an ndarray or a Tensor).
    y0 : array_like or Tensor
        State at ``t[0]``; any shape.
    t : array_like of shape (n_times,)
        Strictly monotonic output times (decreasing integrates backwards).
    step : float, optional
        Largest step size (each interval is cut into equal sub-steps no longer
        than ``step``); by default one step per interval.

    Returns
    -------
    ODESolution
        ``y`` has shape ``(n_times, *y0.shape)``.

    Notes
    -----
    :math:`y_{n+1} = y_n + \\tfrac{h}{6}(k_1 + 2k_2 + 2k_3 + k_4)` (see
    :func:`rk4_step`); global error :math:`O(h^4)`. Four evaluations of ``f``
    per step.
    """
    return _fixed(f, y0, t, step, "rk4")


_SAFETY, _MIN_FACTOR, _MAX_FACTOR = 0.9, 0.2, 10.0  # the usual step-size controller constants


def _rms(x: np.ndarray) -> float:
    return float(np.linalg.norm(x) / math.sqrt(x.size))


def _initial_step(fc: _Counted, t0: float, y0: np.ndarray, f0: np.ndarray, direction: float,
                  interval: float, rtol: float, atol: float) -> float:
    """Hairer, Norsett & Wanner's starting step (Sec. II.4), as in scipy."""
    scale = atol + np.abs(y0) * rtol
    d0, d1 = _rms(y0 / scale), _rms(f0 / scale)
    h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    h0 = min(h0, interval)
    f1 = _data(fc(t0 + h0 * direction, y0 + h0 * direction * f0))
    d2 = _rms((f1 - f0) / scale) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1 / 5)
    return min(100 * h0, h1, interval)


def dopri5(
    f: RHS,
    y0: Any,
    t: Any,
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    first_step: float | None = None,
    max_steps: int = 100_000,
) -> ODESolution:
    """Integrate ``dy/dt = f(t, y)`` with the adaptive Dormand-Prince 5(4) method.

    Parameters
    ----------
    f : callable
        ``f(t, y)`` returns dy/dt with the shape of ``y``.
    y0 : array_like or Tensor
        State at ``t[0]``; any shape.
    t : array_like of shape (n_times,)
        Strictly monotonic output times. The solver steps exactly onto each of
        them (a step that would pass one is shortened), so no interpolation is
        involved.
    rtol, atol : float
        Relative and absolute tolerances (> 0) on the local error.
    first_step : float, optional
        Size of the first trial step; chosen automatically by default.
    max_steps : int
        Give up (``RuntimeError``) after this many steps, accepted or rejected.

    Returns
    -------
    ODESolution
        ``y`` has shape ``(n_times, *y0.shape)``.

    Notes
    -----
    Each trial step of size :math:`h` gives a fifth-order solution and an error
    estimate (see :func:`dopri5_step`). With the componentwise scale
    :math:`s_i = \\mathrm{atol} + \\mathrm{rtol}\\,\\max(|y_{n,i}|, |y_{n+1,i}|)`
    the error norm is

    .. math::
        E = \\sqrt{\\frac{1}{d} \\sum_{i=1}^{d} (\\mathrm{err}_i / s_i)^2}.

    The step is accepted when :math:`E < 1`; either way the next step size is

    .. math::
        h \\leftarrow h \\cdot \\min\\big(10, \\max(0.2,\\; 0.9\\, E^{-1/5})\\big),

    never growing right after a rejection. The solution is propagated with the
    fifth-order weights (local extrapolation). This is the controller of
    ``scipy.integrate.solve_ivp(method="RK45")``: with ``t=[t0, t1]`` both take
    the same steps.
    """
    y0 = _check_y0(y0)
    t = _check_times(t)
    rtol = check_positive(rtol, name="rtol")
    atol = check_positive(atol, name="atol")
    if first_step is not None:
        first_step = check_positive(first_step, name="first_step")
    max_steps = check_int(max_steps, name="max_steps", minimum=1)
    fc = _Counted(f, tuple(y0.shape))
    if t.size == 1:
        return ODESolution(t=t, y=_stack([y0]), nfev=0, n_steps=0, n_rejected=0, method="dopri5")

    direction = 1.0 if t[-1] > t[0] else -1.0
    y, tc = y0, float(t[0])
    k1 = fc(tc, y)
    if first_step is None:
        h_abs = _initial_step(fc, tc, _data(y), _data(k1), direction, abs(t[-1] - t[0]), rtol, atol)
    else:
        h_abs = first_step
    ys, n_steps, n_rejected = [y0], 0, 0
    for t_target in t[1:]:
        while direction * (t_target - tc) > 0:
            min_step = 10 * abs(np.nextafter(tc, direction * np.inf) - tc)
            rejected = False
            while True:
                if n_steps + n_rejected >= max_steps:
                    raise RuntimeError(
                        f"dopri5 took max_steps={max_steps} steps and reached only t = {tc:.6g} "
                        f"of {t[-1]:.6g}. The problem may be stiff, or the tolerances too tight: "
                        "raise max_steps, loosen rtol/atol, or use an implicit method."
                    )
                if h_abs < min_step:
                    raise RuntimeError(
                        f"dopri5: the step size fell below {min_step:.3g} at t = {tc:.6g} (the "
                        "solution may blow up there, or f may be discontinuous or non-finite)."
                    )
                proposed = h_abs
                t_new = tc + direction * h_abs
                clipped = direction * (t_new - t_target) >= 0
                if clipped:  # land exactly on the requested time
                    t_new = float(t_target)
                h = t_new - tc
                h_abs = abs(h)
                y_new, k_new, err = dopri5_step(fc, tc, y, h, k1)
                with np.errstate(over="ignore", invalid="ignore"):
                    scale = atol + rtol * np.maximum(np.abs(_data(y)), np.abs(_data(y_new)))
                    norm = _rms(err / scale)
                if not np.isfinite(norm):
                    norm = np.inf
                if norm < 1:
                    factor = _MAX_FACTOR if norm == 0 else min(_MAX_FACTOR, _SAFETY * norm ** -0.2)
                    if rejected:
                        factor = min(1.0, factor)
                    h_next = h_abs * factor
                    if clipped and t_target != t[-1]:  # a shortened step says nothing against the proposal
                        h_next = max(h_next, proposed)
                    h_abs = h_next
                    break
                n_rejected += 1
                rejected = True
                h_abs *= max(_MIN_FACTOR, _SAFETY * norm ** -0.2) if np.isfinite(norm) else _MIN_FACTOR
            n_steps += 1
            tc, y, k1 = t_new, y_new, k_new
        ys.append(y)
    return ODESolution(t=t, y=_stack(ys), nfev=fc.nfev, n_steps=n_steps, n_rejected=n_rejected,
                       method="dopri5")


def odeint(
    f: RHS,
    y0: Any,
    t: Any,
    method: str = "rk4",
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
    step: float | None = None,
) -> ODESolution:
    """Solve the initial-value problem ``dy/dt = f(t, y)``, ``y(t[0]) = y0``, at the times ``t``.

    Parameters
    ----------
    f : callable
        ``f(t, y)`` returns dy/dt with the shape of ``y``. ``t`` is a float; ``y``
        an ndarray, or a Tensor when ``y0`` is one or ``f`` returned one.
    y0 : array_like or Tensor
        The initial state, any shape.
    t : array_like of shape (n_times,)
        Strictly monotonic output times; ``t[0]`` is the time of ``y0``.
        Decreasing times integrate backwards (e.g. a probability-flow ODE from
        noise to data).
    method : {"rk4", "euler", "dopri5"}
        Fixed-step Euler or RK4, or adaptive Dormand-Prince 5(4).
    rtol, atol : float
        Tolerances (> 0) of ``"dopri5"``; ignored by the fixed-step methods.
    step : float, optional
        Fixed-step methods: the largest step (each interval between output times
        is cut into equal sub-steps no longer than ``step``; default: one step per
        interval). ``"dopri5"``: the first trial step.

    Returns
    -------
    ODESolution
        ``.t``, ``.y`` of shape ``(n_times, *y0.shape)`` and ``.nfev``.

    Notes
    -----
    Euler: :math:`y_{n+1} = y_n + h f(t_n, y_n)`. RK4:
    :math:`y_{n+1} = y_n + \\tfrac{h}{6}(k_1 + 2k_2 + 2k_3 + k_4)`. Dormand-Prince:
    fifth-order step with an embedded fourth-order error estimate and the step
    controller :math:`h \\leftarrow h \\min(10, \\max(0.2, 0.9 E^{-1/5}))`. See
    :func:`euler_step`, :func:`rk4_step`, :func:`dopri5`.

    Examples
    --------
    >>> sol = odeint(lambda t, y: -y, np.array([1.0]), np.linspace(0, 1, 11), step=0.01)
    >>> abs(sol.y[-1, 0] - np.exp(-1)) < 1e-9
    True
    """
    check_option(method, METHODS, name="method")
    if method == "dopri5":
        return dopri5(f, y0, t, rtol=rtol, atol=atol, first_step=step)
    rtol = check_positive(rtol, name="rtol")  # validated for every method: a bad value is a bug
    atol = check_positive(atol, name="atol")
    return _fixed(f, y0, t, step, method)
