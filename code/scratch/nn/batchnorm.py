"""Batch normalisation for vectors (``BatchNorm1d``) and images (``BatchNorm2d``).

Composed from :class:`~scratch.autograd.Tensor` primitives (mean, subtraction,
power), so its backward pass is derived by the engine. The chapter
``book/neural/initialization.md`` derives it (labels ``eq-init-bn-*``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import check_int, check_positive
from scratch.autograd.tensor import Tensor
from scratch.nn.module import Module, Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    _ndims: tuple[int, ...] = ()
    _shape_text = ""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True,
                 *, dtype: Any = np.float64):
        self.num_features = check_int(num_features, name="num_features", minimum=1)
        self.eps = check_positive(eps, name="eps")
        self.momentum = check_positive(momentum, name="momentum")
        if self.momentum > 1:
            raise ValueError(f"momentum must be in (0, 1]; got {momentum!r}.")
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None   # gamma
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None    # beta
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))

    def forward(self, x: Tensor) -> Tensor:
        """Normalise with batch statistics (training) or running statistics (eval)."""
        if x.ndim not in self._ndims or x.shape[1] != self.num_features:
            raise ValueError(
                f"{type(self).__name__}({self.num_features}) expects input of shape {self._shape_text} "
                f"with C={self.num_features}; got {x.shape}."
            )
        axes = (0,) + tuple(range(2, x.ndim))                 # all axes but the channel axis
        bshape = (1, -1) + (1,) * (x.ndim - 2)                 # broadcast (C,) over (N, C, ...)
        if self.training:
            count = x.size // self.num_features
            if count < 2:
                raise ValueError(
                    f"{type(self).__name__} in training mode needs more than one value per channel to "
                    f"estimate a variance; got input of shape {x.shape}. Use a batch of at least 2, "
                    "or call .eval() to use the running statistics."
                )
            mean = x.mean(axis=axes, keepdims=True)            # (1, C, 1, 1)
            centred = x - mean
            var = (centred * centred).mean(axis=axes, keepdims=True)  # biased, as in the paper
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mean.data.reshape(-1)
            self.running_var = (1 - m) * self.running_var + m * var.data.reshape(-1) * count / (count - 1)
            x_hat = centred * (var + self.eps) ** -0.5
        else:
            mean = self.running_mean.reshape(bshape).astype(x.dtype)
            x_hat = (x - mean) * (1.0 / np.sqrt(self.running_var + self.eps)).reshape(bshape).astype(x.dtype)
        if self.weight is None:
            return x_hat
        return x_hat * self.weight.reshape(bshape) + self.bias.reshape(bshape)

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation of features, input (N, C) or (N, C, L).

    Parameters
    ----------
    num_features : int
        C, the number of features (channels).
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float, default 0.1
        Weight of the current batch in the running averages (PyTorch's convention).
    affine : bool, default True
        Learn a scale ``weight`` (gamma) and shift ``bias`` (beta).
    dtype : numpy float dtype

    Attributes
    ----------
    running_mean, running_var : ndarray of shape (C,)
        Exponential moving averages used in eval mode (buffers in ``state_dict``);
        the running variance uses the unbiased batch variance, as PyTorch does.

    Notes
    -----
    Training mode (``eq-init-bn``):
    :math:`\hat x = (x - \mu_B)/\sqrt{\sigma_B^2 + \epsilon}`, :math:`y = \gamma \hat x + \beta`
    with batch mean and (biased) variance over every axis but C. Eval mode
    (``eq-init-bn-running``) uses ``running_mean`` and ``running_var`` instead, so
    the output of a sample no longer depends on the rest of its batch.
    """

    _ndims = (2, 3)
    _shape_text = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images, input (N, C, H, W): statistics per channel over N, H, W.

    Same parameters, attributes and equations as :class:`BatchNorm1d`.
    """

    _ndims = (4,)
    _shape_text = "(N, C, H, W)"
