"""Nearest-neighbour ``Upsample`` of channels-first images (``torch.nn.Upsample(mode="nearest")``).

The up path of the diffusion UNet (``book/generative/stable_diffusion.md``)
doubles the resolution with :class:`Upsample` followed by a ``Conv2d``, which
avoids the checkerboard artefacts of a transposed convolution.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import check_int
from scratch.autograd.tensor import Tensor, from_op
from scratch.nn.module import Module

__all__ = ["upsample_nearest", "Upsample"]


def upsample_nearest(x: Tensor, scale_factor: int = 2) -> Tensor:
    """Repeat every pixel ``scale_factor`` times along height and width.

    Parameters
    ----------
    x : Tensor of shape (N, C, H, W)
    scale_factor : int, default 2

    Returns
    -------
    Tensor of shape (N, C, s*H, s*W)

    Notes
    -----
    Forward: :math:`y_{n,c,i,j} = x_{n,c,\\lfloor i/s\\rfloor,\\lfloor j/s\\rfloor}`.
    Backward: each input pixel receives the sum of the gradients of its
    :math:`s\\times s` copies.
    """
    s = check_int(scale_factor, name="scale_factor", minimum=1)
    if x.ndim != 4:
        raise ValueError(f"upsample_nearest expects images of shape (N, C, H, W); got a tensor of shape {x.shape}. "
                         "Add a channel axis to grey images with x.reshape(N, 1, H, W).")
    n, c, h, w = x.shape
    out = np.repeat(np.repeat(x.data, s, axis=2), s, axis=3)  # (N, C, sH, sW)

    def backward(g):  # g: (N, C, sH, sW)
        return (g.reshape(n, c, h, s, w, s).sum(axis=(3, 5)),)

    return from_op(out, (x,), backward, "upsample_nearest")


class Upsample(Module):
    """Nearest-neighbour upsampling by an integer factor.

    Parameters
    ----------
    scale_factor : int, default 2
    mode : {"nearest"}
        The only mode implemented (what the UNet uses).
    """

    def __init__(self, scale_factor: int = 2, mode: str = "nearest"):
        self.scale_factor = check_int(scale_factor, name="scale_factor", minimum=1)
        if mode != "nearest":
            raise ValueError(f"Upsample: only mode='nearest' is implemented; got mode={mode!r}.")
        self.mode = mode

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, s*H, s*W)."""
        return upsample_nearest(x, self.scale_factor)

    def extra_repr(self) -> str:
        return f"scale_factor={self.scale_factor}, mode={self.mode!r}"
