"""Optimisation: test functions, a trajectory runner over :mod:`scratch.optim`, and mini-batch SGD.

The chapter ``book/foundations/optimization.md`` derives every update rule used
here; the equation labels in the *Notes* sections match the page. The optimizers
themselves (:class:`scratch.optim.SGD`, :class:`scratch.optim.Adam`, ...) live in
:mod:`scratch.optim`; this module only drives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive, check_X_y
from scratch.autograd.tensor import Tensor, no_grad

__all__ = [
    "make_quadratic",
    "quadratic",
    "quadratic_grad",
    "rosenbrock",
    "rosenbrock_grad",
    "Trajectory",
    "minimize",
    "steps_to_tolerance",
    "SGDResult",
    "minibatch_sgd",
]


# ---- test functions ---------------------------------------------------------------------


def make_quadratic(condition_number: float, largest: float = 1.0, angle: float = 0.0) -> np.ndarray:
    r"""A 2x2 symmetric positive-definite Hessian with a chosen condition number.

    Parameters
    ----------
    condition_number : float
        :math:`\kappa = \lambda_{\max} / \lambda_{\min} \ge 1`.
    largest : float, default 1
        :math:`\lambda_{\max}` (the smoothness constant :math:`L`).
    angle : float, default 0
        Rotation (radians) of the eigenvectors away from the coordinate axes.

    Returns
    -------
    ndarray of shape (2, 2)
        :math:`H = R\,\mathrm{diag}(L/\kappa, L)\,R^\top` with :math:`R` a rotation.

    Notes
    -----
    The Hessian of ``eq-opt-quadratic``; gradient descent on it is stable for
    :math:`\eta < 2/L` (``eq-opt-gd-rate``).
    """
    kappa = check_positive(condition_number, name="condition_number")
    if kappa < 1:
        raise ValueError(f"condition_number must be >= 1 (lambda_max / lambda_min); got {kappa}.")
    L = check_positive(largest, name="largest")
    angle = _check_real(angle, "angle")
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    return R @ np.diag([L / kappa, L]) @ R.T


def _check_real(value: Any, name: str) -> float:
    """A finite real number (a shape parameter or an angle)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}.")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}.")
    return float(value)


def _check_H(H) -> np.ndarray:
    H = check_array(H, name="H", ndim=2)
    if H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError(f"H must be a symmetric square matrix; got shape {H.shape}. "
                         "Build one with make_quadratic(condition_number).")
    return H


def quadratic(x, H):
    r"""The quadratic :math:`f(x) = \tfrac12 x^\top H x`, for one point or a grid of points.

    Parameters
    ----------
    x : ndarray of shape (..., d) or Tensor of shape (d,)
        Points (last axis = coordinates). A :class:`~scratch.autograd.Tensor` gives a
        Tensor result that can be back-propagated.
    H : array_like of shape (d, d)
        Symmetric Hessian (e.g. from :func:`make_quadratic`).

    Returns
    -------
    ndarray of shape (...) or scalar Tensor

    Notes
    -----
    ``eq-opt-quadratic``. Its minimum is :math:`x^\star = 0`.
    """
    H = _check_H(H)
    if not isinstance(x, Tensor):
        x = check_array(x, name="x", ndim=range(1, 8))
    if x.shape[-1] != H.shape[0]:
        raise ValueError(f"x has {x.shape[-1]} coordinates but H is {H.shape}.")
    return 0.5 * ((x @ H) * x).sum(axis=-1)  # H symmetric: (x @ H)_i = (H x)_i


def quadratic_grad(x, H) -> np.ndarray:
    """Gradient :math:`\\nabla f(x) = H x` of :func:`quadratic`, shape of ``x`` (..., d)."""
    H = _check_H(H)
    x = check_array(x, name="x", ndim=range(1, 8))
    if x.shape[-1] != H.shape[0]:
        raise ValueError(f"x has {x.shape[-1]} coordinates but H is {H.shape}.")
    return x @ H


def rosenbrock(x, a: float = 1.0, b: float = 100.0):
    r"""Rosenbrock's banana function :math:`f(x, y) = (a - x)^2 + b\,(y - x^2)^2`.

    Parameters
    ----------
    x : ndarray of shape (..., 2) or Tensor of shape (2,)
        Points (last axis = (x, y)). A Tensor gives a back-propagatable Tensor.
    a, b : float
        Shape parameters; the minimum is at :math:`(a, a^2)` with value 0.

    Returns
    -------
    ndarray of shape (...) or scalar Tensor

    Notes
    -----
    ``eq-opt-rosenbrock`` (Rosenbrock, 1960): a curved, narrow valley whose floor
    is almost flat.
    """
    if not isinstance(x, Tensor):
        x = check_array(x, name="x", ndim=range(1, 8))
    if x.shape[-1] != 2:
        raise ValueError(f"rosenbrock is a function of 2 variables; got x with shape {x.shape}.")
    a, b = _check_real(a, "a"), _check_real(b, "b")
    u, v = x[..., 0], x[..., 1]
    return (a - u) ** 2 + b * (v - u**2) ** 2


def rosenbrock_grad(x, a: float = 1.0, b: float = 100.0) -> np.ndarray:
    r"""Analytic gradient of :func:`rosenbrock`, shape of ``x`` (..., 2).

    Notes
    -----
    Differentiating ``eq-opt-rosenbrock``:

    .. math:: \partial_x f = -2(a - x) - 4b\,x\,(y - x^2), \qquad \partial_y f = 2b\,(y - x^2).
    """
    x = check_array(x, name="x", ndim=range(1, 8))
    if x.shape[-1] != 2:
        raise ValueError(f"rosenbrock is a function of 2 variables; got x with shape {x.shape}.")
    a, b = _check_real(a, "a"), _check_real(b, "b")
    u, v = x[..., 0], x[..., 1]
    return np.stack([-2 * (a - u) - 4 * b * u * (v - u**2), 2 * b * (v - u**2)], axis=-1)


# ---- the trajectory runner ----------------------------------------------------------------


@dataclass
class Trajectory:
    """What :func:`minimize` records.

    Attributes
    ----------
    xs : ndarray of shape (n_done + 1, d)
        The iterates, starting with ``x0``.
    losses : ndarray of shape (n_done + 1,) or None
        ``loss_fn`` at each iterate (None when only ``grad_fn`` was given).
    lrs : ndarray of shape (n_done,)
        The learning rate used at each step.
    diverged : bool
        True if the run stopped early because an iterate or the loss left the
        finite range (``n_done < n_steps``).
    """

    xs: np.ndarray
    losses: np.ndarray | None
    lrs: np.ndarray
    diverged: bool


def minimize(optimizer_factory: Callable, x0, n_steps: int, *, loss_fn: Callable | None = None,
             grad_fn: Callable | None = None, scheduler_factory: Callable | None = None,
             max_norm: float = 1e8) -> Trajectory:
    r"""Run a :mod:`scratch.optim` optimizer from ``x0`` and record its trajectory.

    Parameters
    ----------
    optimizer_factory : callable
        ``optimizer_factory([x])`` returns an optimizer for the single parameter
        ``x`` (a Tensor), e.g. ``lambda p: Adam(p, lr=0.01)``.
    x0 : array_like of shape (d,)
        Starting point.
    n_steps : int
        Number of optimizer steps.
    loss_fn : callable, optional
        ``loss_fn(x)`` for a Tensor ``x`` returns a scalar Tensor; its
        ``backward()`` gives the gradient when ``grad_fn`` is not given, and its
        value is recorded in ``Trajectory.losses``.
    grad_fn : callable, optional
        ``grad_fn(x)`` for an ndarray ``x`` of shape (d,) returns the gradient
        (d,). Faster than autograd for the 2-D test functions.
    scheduler_factory : callable, optional
        ``scheduler_factory(optimizer)`` returns a schedule from
        :mod:`scratch.optim.schedules`; its ``step()`` is called after every update.
    max_norm : float, default 1e8
        Stop (``diverged=True``) once ``|x|`` exceeds this or anything is non-finite.

    Returns
    -------
    Trajectory

    Notes
    -----
    Each step sets ``x.grad`` (``eq-opt-gd`` and the optimizers' own rules are
    applied by ``optimizer.step()``), exactly as a training loop does.
    """
    if loss_fn is None and grad_fn is None:
        raise ValueError("minimize needs loss_fn (differentiated by autograd) or grad_fn (or both).")
    for name, fn in (("optimizer_factory", optimizer_factory), ("loss_fn", loss_fn), ("grad_fn", grad_fn),
                     ("scheduler_factory", scheduler_factory)):
        if fn is not None and not callable(fn):
            raise TypeError(f"{name} must be a function (callable); got {type(fn).__name__}.")
    n_steps = check_int(n_steps, name="n_steps", minimum=0)
    max_norm = check_positive(max_norm, name="max_norm")
    x = Tensor(check_array(x0, name="x0", ndim=1).copy(), requires_grad=True)
    opt = optimizer_factory([x])
    sched = scheduler_factory(opt) if scheduler_factory is not None else None
    xs, losses, lrs = [x.data.copy()], [], []
    diverged = False
    for _ in range(n_steps + 1):
        if loss_fn is not None:
            if grad_fn is None:
                loss = loss_fn(x)
                x.grad = None
                loss.backward()
            else:
                with no_grad():
                    loss = loss_fn(x)
            losses.append(float(loss.data) if isinstance(loss, Tensor) else float(loss))
        if grad_fn is not None:
            g = np.asarray(grad_fn(x.data.copy()), dtype=x.data.dtype)
            if g.size != x.size:
                raise ValueError(f"grad_fn must return the gradient with x's shape {x.shape}; got shape {g.shape}.")
            x.grad = g.reshape(x.shape)
        bad = not (np.all(np.isfinite(x.data)) and np.linalg.norm(x.data) <= max_norm)
        if loss_fn is not None:
            bad = bad or not np.isfinite(losses[-1])
        if bad:
            diverged = True
            break
        if len(xs) == n_steps + 1:  # the loss at the last iterate is recorded; no more steps
            break
        lrs.append(opt.lr)
        opt.step()
        if sched is not None:
            sched.step()
        xs.append(x.data.copy())
    return Trajectory(xs=np.array(xs), losses=np.array(losses) if loss_fn is not None else None,
                      lrs=np.array(lrs), diverged=diverged)


def steps_to_tolerance(xs, x_star, tol: float) -> int | None:
    """First step ``t`` at which ``||xs[t] - x_star|| <= tol`` (None if never).

    Parameters
    ----------
    xs : array_like of shape (n_steps + 1, d)
        A trajectory, e.g. ``Trajectory.xs``.
    x_star : array_like of shape (d,)
        The minimiser.
    tol : float
        Distance tolerance.
    """
    xs = check_array(xs, name="xs", ndim=2)
    x_star = check_array(x_star, name="x_star", ndim=1)
    tol = check_positive(tol, name="tol")
    if xs.shape[1] != x_star.shape[0]:
        raise ValueError(f"xs has {xs.shape[1]} coordinates per step but x_star has {x_star.shape[0]}.")
    hit = np.flatnonzero(np.linalg.norm(xs - x_star, axis=1) <= tol)
    return int(hit[0]) if hit.size else None


# ---- stochastic gradient descent on least squares ------------------------------------------


@dataclass
class SGDResult:
    """What :func:`minibatch_sgd` records.

    Attributes
    ----------
    w : ndarray of shape (n_features,)
        Final weights.
    epoch_losses : ndarray of shape (n_epochs + 1,)
        Full-data loss before training and after each epoch.
    n_updates : int
        Number of parameter updates made (``n_epochs * ceil(n_samples / batch_size)``).
    """

    w: np.ndarray
    epoch_losses: np.ndarray
    n_updates: int


def _lsq_loss(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    r = X @ w - y
    return 0.5 * float(r @ r) / len(y)


def minibatch_sgd(X, y, optimizer_factory: Callable, *, batch_size: int, n_epochs: int,
                  scheduler_factory: Callable | None = None,
                  rng: RNG = None) -> SGDResult:
    r"""Least squares by (mini-batch) stochastic gradient descent with a :mod:`scratch.optim` optimizer.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    optimizer_factory : callable
        ``optimizer_factory([w])`` for the weight Tensor ``w`` of shape (n_features,).
    batch_size : int
        ``n_samples`` for full-batch gradient descent, 1 for online SGD, anything
        between for mini-batches.
    n_epochs : int
        Passes over the data; each pass visits the samples in a fresh random order.
    scheduler_factory : callable, optional
        ``scheduler_factory(optimizer)``; its ``step()`` runs after every update.
    rng : Generator, int or None
        Source of the shuffling.

    Returns
    -------
    SGDResult

    Notes
    -----
    ``eq-opt-sgd``: each update uses the gradient of the mini-batch loss
    :math:`\frac{1}{2|B|}\sum_{i\in B}(x_i^\top w - y_i)^2`, an unbiased estimate of
    the full gradient, computed here by autograd.
    """
    X, y = check_X_y(X, y)
    n, d = X.shape
    batch_size = check_int(batch_size, name="batch_size", minimum=1, maximum=n)
    n_epochs = check_int(n_epochs, name="n_epochs", minimum=1)
    rng = as_rng(rng)
    w = Tensor(np.zeros(d), requires_grad=True)
    opt = optimizer_factory([w])
    sched = scheduler_factory(opt) if scheduler_factory is not None else None
    losses = [_lsq_loss(X, y, w.data)]
    n_updates = 0
    for _ in range(n_epochs):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            residual = Tensor(X[idx]) @ w - Tensor(y[idx])    # (|B|,)
            loss = 0.5 * (residual * residual).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()
            n_updates += 1
            if not np.all(np.abs(w.data) < 1e50):  # also catches NaN, before anything overflows
                raise ValueError(
                    f"SGD diverged (|w| > 1e50 after {n_updates} updates) with batch_size="
                    f"{batch_size}; lower the learning rate or standardise the features."
                )
        losses.append(_lsq_loss(X, y, w.data))
    return SGDResult(w=w.data.copy(), epoch_losses=np.array(losses), n_updates=n_updates)
