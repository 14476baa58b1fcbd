"""Stateless functions on tensors: activations and losses.

The differentiable primitives live in :mod:`scratch.autograd.tensor`; this
module gives them the names networks use and adds losses composed from them.
"""

from __future__ import annotations

from typing import Any

from scratch._validation import check_option
from scratch.autograd.tensor import Tensor, cross_entropy, linear, log_softmax, softmax

__all__ = ["linear", "relu", "tanh", "sigmoid", "softmax", "log_softmax", "cross_entropy", "mse_loss", "silu"]


def relu(x: Tensor) -> Tensor:
    """max(x, 0), elementwise."""
    return x.relu()


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent, elementwise."""
    return x.tanh()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + exp(-x)), elementwise (computed without overflow)."""
    return x.sigmoid()


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
    """SiLU (swish), ``x * sigmoid(x)``, elementwise (``torch.nn.functional.silu``).

    Notes
    -----
    :math:`\\mathrm{silu}(x) = x\\,\\sigma(x)`, with derivative
    :math:`\\sigma(x)\\,(1 + x(1-\\sigma(x)))`; composed from the engine's
    stable sigmoid and a product, so autograd derives the backward pass.
    """
    return x * x.sigmoid()
