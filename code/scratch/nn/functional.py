"""Stateless functions on tensors: activations and losses.

The differentiable primitives live in :mod:`scratch.autograd.tensor`; this
module gives them the names networks use and adds losses composed from them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import check_option
from scratch.autograd.tensor import Tensor, _sigmoid, cross_entropy, from_op, linear, log_softmax, softmax

__all__ = ["as_tensor", "linear", "relu", "tanh", "sigmoid", "softmax", "log_softmax", "cross_entropy", "mse_loss", "gelu", "silu"]


def as_tensor(x: Any, name: str = "x") -> Tensor:
    """``x`` itself if it is a Tensor; a float array wrapped as a constant Tensor; else a clear error."""
    if isinstance(x, Tensor):
        return x
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a Tensor or a rectangular array of numbers; got {type(x).__name__} that "
                        "cannot be converted (ragged nested lists?).") from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name} must be a Tensor or an array of numbers; got {type(x).__name__} of dtype {arr.dtype}.")
    return Tensor(arr if arr.dtype.kind == "f" else arr.astype(np.float64))


def relu(x: Tensor) -> Tensor:
    """max(x, 0), elementwise."""
    return as_tensor(x).relu()


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return as_tensor(x).tanh()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), elementwise (exactly 0 where exp(-x) overflows, the correct limit)."""
    return as_tensor(x).sigmoid()


_GELU_C = math.sqrt(2.0 / math.pi)
_GELU_A = 0.044715


def gelu(x: Tensor) -> Tensor:
    """Fused GELU, tanh approximation (``torch.nn.functional.gelu(x, approximate="tanh")``).

    Parameters
    ----------
    x : Tensor of any shape

    Returns
    -------
    Tensor of the same shape and dtype.

    Notes
    -----
    ``eq-gpt-gelu`` of the GPT page: :math:`\\mathrm{GELU}(x) \\approx \\tfrac12 x\\,(1 + \\tanh u)`,
    :math:`u = \\sqrt{2/\\pi}\\,(x + 0.044715\\, x^3)`; derivative
    :math:`\\tfrac12(1+\\tanh u) + \\tfrac12 x\\,(1-\\tanh^2 u)\\,\\sqrt{2/\\pi}\\,(1 + 3\\cdot 0.044715\\, x^2)`.
    The cube is a product, not ``x**3``: numpy sends integer powers to the C
    library's ``pow``, element by element, which on some machines costs as much as the
    rest of a GPT step. With :math:`h = \\tfrac12(1+\\tanh u)` the derivative is
    :math:`h + 2h(1-h)\\, x\\, c\\,(1 + 3a x^2)` (:math:`c = \\sqrt{2/\\pi}`, :math:`a = 0.044715`), since
    :math:`1-\\tanh^2 u = 4h(1-h)`;
    temporaries are updated in place (each full pass over the array costs time).
    """
    x = as_tensor(x)
    xd = x.data
    x2 = xd * xd                                   # x^2, kept for backward
    h = x2 * (_GELU_C * _GELU_A)
    h += _GELU_C
    h *= xd                                        # u = c (x + a x^3)
    np.tanh(h, out=h)
    h *= 0.5
    h += 0.5                                       # h = (1 + tanh u) / 2, kept for backward
    out = h * xd                                   # GELU(x) = x h

    def backward(g):  # dGELU/dx = h + x (1 - tanh^2 u) c (1 + 3 a x^2) / 2 = h + 2 h (1 - h) x c (1 + 3 a x^2)
        d = x2 * (6.0 * _GELU_A * _GELU_C)
        d += 2.0 * _GELU_C                         # 2 c (1 + 3 a x^2)
        d *= xd
        d *= h
        d *= 1.0 - h
        d += h                                     # dGELU/dx
        d *= g
        return (d,)

    return from_op(out, (x,), backward, "gelu")


def mse_loss(prediction: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error.

    Parameters
    ----------
    prediction : Tensor of shape (n_samples, ...)
    target : Tensor or array_like, same shape as ``prediction``
    reduction : {"mean", "sum", "none"}

    Notes
    -----
    :math:`L = \\frac{1}{N}\\sum_i (\\hat y_i - y_i)^2` over all elements for ``"mean"``.
    """
    check_option(reduction, ("mean", "sum", "none"), name="reduction")
    prediction = as_tensor(prediction, "prediction")
    target_shape = target.shape if isinstance(target, Tensor) else getattr(target, "shape", None)
    if target_shape is not None and tuple(target_shape) != prediction.shape:
        raise ValueError(
            f"mse_loss: prediction has shape {prediction.shape} but target has shape {tuple(target_shape)}; "
            "they must match (reshape the target, e.g. y.reshape(-1, 1))."
        )
    diff = prediction - target
    squared = diff * diff
    if reduction == "none":
        return squared
    return squared.mean() if reduction == "mean" else squared.sum()


def silu(x: Tensor) -> Tensor:
    """Fused SiLU (swish), ``x * sigmoid(x)``, elementwise (``torch.nn.functional.silu``).

    Notes
    -----
    :math:`\\mathrm{silu}(x) = x\\,\\sigma(x)`, with derivative
    :math:`\\sigma(x)\\,(1 + x(1-\\sigma(x)))`. The same as ``x * x.sigmoid()``, which autograd
    would differentiate by itself, but one graph node: the sigmoid is kept for backward
    and the derivative is built in place (five passes over the array instead of about ten).
    """
    x = as_tensor(x)
    xd = x.data
    s = _sigmoid(xd)                               # sigma(x), kept for backward
    out = xd * s

    def backward(g):  # d silu / dx = s (1 + x (1 - s))
        d = 1.0 - s
        d *= xd
        d += 1.0
        d *= s
        d *= g
        return (d,)

    return from_op(out, (x,), backward, "silu")
