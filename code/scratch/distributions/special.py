"""Differentiable special functions the distributions need: lgamma, digamma, softplus, xlogy.

numpy has no ``lgamma`` or ``digamma`` (``math.lgamma`` works on one float at a
time), and the Tensor engine has no ``softplus``. Each function here takes a
:class:`~scratch.autograd.Tensor` or an array and returns a Tensor, with its
forward (vectorised numpy) and backward side by side, built with
:func:`~scratch.autograd.tensor.from_op`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import as_float_array
from scratch.autograd.tensor import Tensor, from_op, unbroadcast

__all__ = ["lgamma", "digamma", "trigamma", "softplus", "xlogy", "safe_log"]

# Lanczos approximation, g = 7, n = 9 (coefficients of Godfrey; relative error ~1e-15).
_LANCZOS_G = 7.0
_LANCZOS = (
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _as_tensor(x: Any, fn: str = "x") -> Tensor:
    if isinstance(x, Tensor) or (isinstance(x, np.ndarray) and x.dtype.kind in "biuf"):
        t = x if isinstance(x, Tensor) else Tensor(x)
    else:
        t = Tensor(as_float_array(x, fn, "a number, an array or a Tensor"))
    if t.dtype.kind != "f":
        t = Tensor(t.data.astype(np.float64))
    return t


def _check_positive_domain(x: np.ndarray, fn: str) -> None:
    if np.any(~(x > 0)):
        bad = x[~(x > 0)].ravel()[0]
        raise ValueError(
            f"{fn} is implemented for x > 0 only (all the distributions need); got {bad!r}. "
            "Check the parameter passed in (a concentration or a count + 1)."
        )


def _lgamma_data(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x > 0 (reflection below 1/2, Lanczos above)."""
    small = x < 0.5
    z = np.where(small, 1.0 - x, x) - 1.0  # Lanczos is evaluated at z + 1 >= 1/2
    a = np.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], start=1):
        a += c / (z + i)
    t = z + _LANCZOS_G + 0.5
    big = _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(a)  # lgamma(z + 1)
    with np.errstate(divide="ignore"):
        refl = np.log(np.pi / np.abs(np.sin(np.pi * x))) - big  # lgamma(x) = log(pi / sin(pi x)) - lgamma(1 - x)
    return np.where(small, refl, big)


def _shift_up(x: np.ndarray, term) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``f(x) = f(x + 1) + term(x)`` until every ``x >= 10``; return ``(sum of the terms, shifted x)``."""
    x = np.array(x, dtype=np.float64)
    acc = np.zeros_like(x)
    while True:
        low = x < 10.0
        if not low.any():
            return acc, x
        acc += np.where(low, term(x), 0.0)
        x = np.where(low, x + 1.0, x)


def _digamma_data(x: np.ndarray) -> np.ndarray:
    """psi(x) for x > 0: recurrence up to x >= 10, then the asymptotic series."""
    acc, x = _shift_up(x, lambda x: -1.0 / x)  # psi(x) = psi(x + 1) - 1/x
    r = 1.0 / (x * x)
    series = r * (1 / 12 - r * (1 / 120 - r * (1 / 252 - r * (1 / 240 - r * (1 / 132 - r * (691 / 32760 - r / 12))))))
    return acc + np.log(x) - 0.5 / x - series


def _trigamma_data(x: np.ndarray) -> np.ndarray:
    """psi'(x) for x > 0: recurrence up to x >= 10, then the asymptotic series."""
    acc, x = _shift_up(x, lambda x: 1.0 / (x * x))  # psi'(x) = psi'(x + 1) + 1/x^2
    r = 1.0 / (x * x)
    series = (1 / 6 - r * (1 / 30 - r * (1 / 42 - r * (1 / 30 - r * (5 / 66 - r * (691 / 2730 - r * 7 / 6)))))) / (x * x * x)
    return acc + 1.0 / x + 0.5 * r + series


def lgamma(x: Any) -> Tensor:
    """Elementwise :math:`\\log\\Gamma(x)` for :math:`x > 0`, differentiable.

    Parameters
    ----------
    x : Tensor or array_like
        Positive values.

    Returns
    -------
    Tensor of the shape of ``x``.

    Notes
    -----
    Lanczos' approximation (:math:`g = 7`, nine terms) for :math:`x \\ge 1/2`,

    .. math::
        \\Gamma(z + 1) = \\sqrt{2\\pi}\\,(z + g + \\tfrac12)^{z + 1/2} e^{-(z + g + 1/2)}
        \\Big(c_0 + \\sum_{i=1}^{8} \\frac{c_i}{z + i}\\Big),

    and the reflection :math:`\\Gamma(x)\\Gamma(1-x) = \\pi / \\sin(\\pi x)` below.
    The derivative is the digamma function: :math:`\\frac{d}{dx}\\log\\Gamma(x) = \\psi(x)`.
    """
    x = _as_tensor(x, "lgamma: x")
    _check_positive_domain(x.data, "lgamma")
    out = _lgamma_data(x.data)
    return from_op(out, (x,), lambda g: (g * _digamma_data(x.data),), "lgamma")


def digamma(x: Any) -> Tensor:
    """Elementwise digamma :math:`\\psi(x) = \\frac{d}{dx}\\log\\Gamma(x)` for :math:`x > 0`, differentiable.

    Notes
    -----
    The recurrence :math:`\\psi(x) = \\psi(x+1) - 1/x` moves :math:`x` to at least
    10, where the asymptotic series

    .. math::
        \\psi(x) \\approx \\log x - \\frac{1}{2x} - \\frac{1}{12x^2} + \\frac{1}{120x^4} \\\\
        - \\frac{1}{252x^6} + \\frac{1}{240x^8} - \\frac{1}{132x^{10}} + \\frac{691}{32760x^{12}} \\\\
        - \\frac{1}{12x^{14}}

    is accurate to about 1e-16. The derivative is the trigamma function :math:`\\psi'(x)`.
    """
    x = _as_tensor(x, "digamma: x")
    _check_positive_domain(x.data, "digamma")
    out = _digamma_data(x.data)
    return from_op(out, (x,), lambda g: (g * _trigamma_data(x.data),), "digamma")


def trigamma(x: Any) -> np.ndarray:
    """Elementwise trigamma :math:`\\psi'(x)` for :math:`x > 0` (an ndarray; not differentiable).

    Notes
    -----
    :math:`\\psi'(x) = \\psi'(x+1) + 1/x^2` up to :math:`x \\ge 10`, then
    :math:`\\psi'(x) \\approx \\frac1x + \\frac1{2x^2} + \\frac1{6x^3} - \\frac1{30x^5}
    + \\frac1{42x^7} - \\frac1{30x^9} + \\frac5{66x^{11}} - \\frac{691}{2730x^{13}} + \\frac7{6x^{15}}`.
    """
    x = x.data.astype(np.float64) if isinstance(x, Tensor) else as_float_array(x, "trigamma: x", "a number or an array")
    _check_positive_domain(x, "trigamma")
    return _trigamma_data(x)


def softplus(x: Any) -> Tensor:
    """Elementwise :math:`\\log(1 + e^x)`, computed without overflow.

    Notes
    -----
    :math:`\\mathrm{softplus}(x) = \\max(x, 0) + \\log(1 + e^{-|x|})` and
    :math:`\\frac{d}{dx}\\mathrm{softplus}(x) = \\sigma(x)`, the logistic sigmoid.
    """
    x = _as_tensor(x, "softplus: x")
    xd = x.data
    out = np.maximum(xd, 0) + np.log1p(np.exp(-np.abs(xd)))

    def backward(g):
        e = np.exp(-np.abs(xd))  # sigmoid without overflow
        return (g * np.where(xd >= 0, 1 / (1 + e), e / (1 + e)),)

    return from_op(out, (x,), backward, "softplus")


def xlogy(x: Any, y: Any) -> Tensor:
    """Elementwise :math:`x \\log y`, defined as 0 where :math:`x = 0` (even if :math:`y = 0`).

    The convention :math:`0 \\log 0 = 0` of entropies and KL divergences, with
    gradients that stay finite (zero) where :math:`x = 0`.

    Notes
    -----
    :math:`\\partial/\\partial x = \\log y` (taken as 0 where :math:`x = y = 0`) and
    :math:`\\partial/\\partial y = x / y` (0 where :math:`x = 0`).
    """
    x, y = _as_tensor(x, "xlogy: x"), _as_tensor(y, "xlogy: y")
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(f"xlogy: x of shape {x.shape} and y of shape {y.shape} do not broadcast.") from None
    zero = np.broadcast_to(x.data == 0, np.broadcast_shapes(x.shape, y.shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        logy = np.log(y.data)
        out = np.where(zero, 0.0, x.data * logy)

    def backward(g):
        with np.errstate(divide="ignore", invalid="ignore"):
            both_zero = zero & (y.data == 0)  # 0 log 0: the convention's derivative in x is 0, not -inf
            gx = unbroadcast(np.where(both_zero, 0.0, g * logy), x.shape) if x.requires_grad else None
            gy = unbroadcast(np.where(zero, 0.0, g * x.data / y.data), y.shape) if y.requires_grad else None
        return gx, gy

    return from_op(out, (x, y), backward, "xlogy")


def safe_log(x: Any) -> Tensor:
    """Elementwise :math:`\\log x` for :math:`x \\ge 0`, with :math:`\\log 0 = -\\infty` and no NaN gradients.

    Where the incoming gradient is zero (an impossible outcome that was never
    selected) the gradient is zero, not :math:`0 / 0`.

    Notes
    -----
    :math:`\\partial/\\partial x = 1/x`, applied only where the incoming gradient is nonzero.
    """
    x = _as_tensor(x, "safe_log: x")
    if np.any(x.data < 0):
        raise ValueError(f"safe_log is defined for x >= 0 (probabilities); got {x.data[x.data < 0].ravel()[0]!r}.")
    with np.errstate(divide="ignore"):
        out = np.log(x.data)

    def backward(g):
        gx = np.zeros_like(x.data, dtype=np.result_type(g, x.data))
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(g, x.data, out=gx, where=g != 0)
        return (gx,)

    return from_op(out, (x,), backward, "safe_log")
