"""Basic layers: ``Linear``, activations as modules, and loss modules.

Later chapters add their layers (convolution, recurrent cells, normalisation,
embedding, attention) next to these, as :class:`~scratch.nn.Module` subclasses.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import as_rng, check_int, check_option
from scratch.autograd.tensor import Tensor, linear
from scratch.nn import functional as F
from scratch.nn import init
from scratch.nn.module import Module, Parameter

__all__ = ["Linear", "ReLU", "Tanh", "Sigmoid", "Identity", "Flatten", "MSELoss", "CrossEntropyLoss", "SiLU"]


class Linear(Module):
    """Affine layer ``y = x @ weight + bias``.

    Parameters
    ----------
    in_features, out_features : int
        Input and output widths.
    bias : bool, default True
        Whether to learn an additive bias.
    rng : np.random.Generator, int or None
        Source of the initial weights.
    dtype : numpy float dtype, default float64

    Attributes
    ----------
    weight : Parameter of shape (in_features, out_features)
        Stored **input-major**, so the forward pass reads like the maths,
        ``X W``. PyTorch stores the transpose, ``(out_features, in_features)``:
        copy a ``torch.nn.Linear`` with :meth:`load_torch_weights`.
    bias : Parameter of shape (out_features,) or None

    Notes
    -----
    Initialisation matches PyTorch's default: weight and bias drawn from
    :math:`U(-k, k)` with :math:`k = 1/\\sqrt{\\text{in\\_features}}`.

    Examples
    --------
    >>> layer = Linear(3, 2, rng=0)
    >>> layer(Tensor(np.ones((5, 3)))).shape   # (n_samples, out_features)
    (5, 2)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float64):
        self.in_features = check_int(in_features, name="in_features", minimum=1)
        self.out_features = check_int(out_features, name="out_features", minimum=1)
        rng = as_rng(rng)
        k = 1.0 / math.sqrt(in_features)
        self.weight = Parameter(init.uniform((in_features, out_features), -k, k, rng=rng, dtype=dtype))
        self.bias = Parameter(init.uniform((out_features,), -k, k, rng=rng, dtype=dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        """(..., in_features) -> (..., out_features)."""
        x = F.as_tensor(x)
        if x.shape[-1:] != (self.in_features,):
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects input of shape "
                f"(..., {self.in_features}); got {x.shape}."
            )
        return linear(x, self.weight, self.bias)  # (..., out_features)

    def load_torch_weights(self, weight: Any, bias: Any = None) -> "Linear":
        """Copy weights stored PyTorch-style: ``weight`` (out_features, in_features).

        Example: ``layer.load_torch_weights(tl.weight.detach().numpy(), tl.bias.detach().numpy())``.
        """
        weight = np.asarray(weight)
        if weight.shape != (self.out_features, self.in_features):
            raise ValueError(
                f"load_torch_weights: expected weight of shape (out_features, in_features) = "
                f"{(self.out_features, self.in_features)}; got {weight.shape}."
            )
        self.weight.data[...] = weight.T
        if bias is not None:
            if self.bias is None:
                raise ValueError("load_torch_weights: this Linear has no bias (bias=False).")
            self.bias.data[...] = np.asarray(bias).reshape(self.out_features)
        return self

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """max(x, 0), elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return F.as_tensor(x).relu()


class Tanh(Module):
    """Hyperbolic tangent, elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return F.as_tensor(x).tanh()


class Sigmoid(Module):
    """Logistic sigmoid, elementwise."""

    def forward(self, x: Tensor) -> Tensor:
        return F.as_tensor(x).sigmoid()


class Identity(Module):
    """Returns its input."""

    def forward(self, x: Tensor) -> Tensor:
        return x


class Flatten(Module):
    """(n_samples, d1, d2, ...) -> (n_samples, d1 * d2 * ...)."""

    def forward(self, x: Tensor) -> Tensor:
        x = F.as_tensor(x)
        if x.ndim < 1:
            raise ValueError(f"Flatten expects a batch (n_samples, ...); got a tensor of shape {x.shape}.")
        return x.flatten(1)


class MSELoss(Module):
    """Module form of :func:`scratch.nn.functional.mse_loss`."""

    def __init__(self, reduction: str = "mean"):
        self.reduction = check_option(reduction, ("mean", "sum", "none"), name="reduction")

    def forward(self, prediction: Tensor, target: Any) -> Tensor:
        return F.mse_loss(prediction, target, self.reduction)


class CrossEntropyLoss(Module):
    """Module form of :func:`scratch.nn.functional.cross_entropy` (logits, integer targets)."""

    def __init__(self, reduction: str = "mean"):
        self.reduction = check_option(reduction, ("mean", "sum", "none"), name="reduction")

    def forward(self, logits: Tensor, targets: Any) -> Tensor:
        return F.cross_entropy(logits, targets, self.reduction)


class SiLU(Module):
    """SiLU (swish), ``x * sigmoid(x)``, elementwise (``torch.nn.SiLU``)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.silu(x)
