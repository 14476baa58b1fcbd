"""Dropout: randomly zero activations during training (inverted scaling)."""

from __future__ import annotations

import numpy as np

from scratch._validation import as_rng
from scratch.autograd.tensor import Tensor
from scratch.nn.module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    r"""Zero each element with probability ``p`` in training mode; identity in eval mode.

    Parameters
    ----------
    p : float, default 0.5
        Drop probability, in [0, 1).
    rng : np.random.Generator, int or None
        Source of the masks (the only randomness; a seed makes training reproducible).

    Notes
    -----
    Inverted dropout (``eq-mlp-dropout``): :math:`y = x \odot m / (1 - p)` with
    :math:`m_i \sim \mathrm{Bernoulli}(1 - p)`, so :math:`\mathbb{E}[y] = x` and eval
    mode needs no rescaling.
    """

    def __init__(self, p: float = 0.5, *, rng: np.random.Generator | int | None = None):
        if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0.0 <= p < 1.0:
            raise ValueError(f"Dropout probability p must be a number in [0, 1); got {p!r}.")
        self.p = float(p)
        self.rng = as_rng(rng)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            raise TypeError(f"Dropout expects a Tensor; got {type(x).__name__}. Wrap the data with Tensor(...).")
        if not self.training or self.p == 0.0:
            return x
        keep = self.rng.random(x.shape) >= self.p                 # Bernoulli(1 - p) mask
        return x * (keep * (1.0 / (1.0 - self.p))).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"
