"""``GroupNorm``: normalise groups of channels per sample (``torch.nn.GroupNorm``).

Used by the diffusion UNet of ``book/generative/stable_diffusion.md``: unlike
batch normalisation its statistics are per sample, so training and sampling
behave the same and the batch size does not matter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import check_int, check_positive
from scratch.autograd.tensor import Tensor, from_op
from scratch.nn.module import Module, Parameter

__all__ = ["GroupNorm", "group_norm"]


def group_norm(x: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Fused group normalisation of channels-first data.

    Parameters
    ----------
    x : Tensor of shape (N, C, *spatial)
        ``C`` must be divisible by ``num_groups``; ``spatial`` may be empty.
    num_groups : int
    weight, bias : Tensor of shape (C,) or None
        Per-channel scale and shift.
    eps : float

    Returns
    -------
    Tensor of shape (N, C, *spatial)

    Notes
    -----
    With the mean :math:`\\mu_{ng}` and biased variance :math:`\\sigma^2_{ng}` over
    the channels of group ``g`` and all positions of sample ``n``,
    :math:`\\hat x = (x - \\mu_{ng})/\\sqrt{\\sigma^2_{ng}+\\epsilon}` and
    :math:`y = \\gamma_c \\hat x + \\beta_c`. The backward pass is the layer-norm
    formula applied within each group, with :math:`\\hat g = g\\odot\\gamma`:
    :math:`\\partial L/\\partial x = (\\hat g - \\overline{\\hat g} - \\hat x\\,
    \\overline{\\hat g\\hat x})/\\sqrt{\\sigma^2+\\epsilon}`, bars averaging over a group.
    """
    if x.ndim < 2:
        raise ValueError(f"group_norm expects input of shape (N, C, ...); got a tensor of shape {x.shape}.")
    n, c = x.shape[:2]
    if c % num_groups:
        raise ValueError(f"group_norm: {c} channels cannot be split into {num_groups} equal groups; "
                         "choose num_groups that divides the channel count.")
    shape = x.shape
    cshape = (1, c) + (1,) * (x.ndim - 2)  # broadcast a per-channel vector
    xg = x.data.reshape(n, num_groups, -1)  # (N, G, C/G * spatial)
    mu = xg.mean(axis=-1, keepdims=True)  # (N, G, 1)
    xc = xg - mu
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=-1, keepdims=True) + eps)  # (N, G, 1)
    xhat = (xc * rstd).reshape(shape)  # (N, C, *spatial)
    out = xhat * weight.data.reshape(cshape) if weight is not None else xhat.copy()
    if bias is not None:
        out += bias.data.reshape(cshape)
    red = (0,) + tuple(range(2, x.ndim))  # axes summed for per-channel gradients

    def backward(g):  # g: (N, C, *spatial)
        gh = g * weight.data.reshape(cshape) if weight is not None else g
        ghg = gh.reshape(n, num_groups, -1)  # (N, G, m)
        xhg = xhat.reshape(n, num_groups, -1)
        gx = rstd * (ghg - ghg.mean(axis=-1, keepdims=True) - xhg * (ghg * xhg).mean(axis=-1, keepdims=True))
        grads = [gx.reshape(shape)]
        if weight is not None:
            grads.append((g * xhat).sum(axis=red) if weight.requires_grad else None)
        if bias is not None:
            grads.append(g.sum(axis=red) if bias.requires_grad else None)
        return tuple(grads)

    parents = tuple(p for p in (x, weight, bias) if p is not None)
    return from_op(out, parents, backward, "group_norm")


class GroupNorm(Module):
    """Group normalisation (``torch.nn.GroupNorm(num_groups, num_channels)``).

    Parameters
    ----------
    num_groups : int
        Number of channel groups; must divide ``num_channels``. ``num_groups=1``
        is layer normalisation over (C, H, W); ``num_groups=num_channels`` is
        instance normalisation.
    num_channels : int
    eps : float, default 1e-5
    affine : bool, default True
        Learn a per-channel ``weight`` (ones) and ``bias`` (zeros), same layout as torch.
    dtype : numpy float dtype

    Notes
    -----
    Forward pass: :func:`group_norm`.
    """

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, *,
                 dtype: Any = np.float64):
        self.num_groups = check_int(num_groups, name="num_groups", minimum=1)
        self.num_channels = check_int(num_channels, name="num_channels", minimum=1)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} is not divisible by num_groups={num_groups}; "
                             "choose num_groups that divides the channel count.")
        self.eps = check_positive(eps, name="eps")
        self.weight = Parameter(np.ones(num_channels, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_channels, dtype=dtype)) if affine else None

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, *spatial) -> (N, C, *spatial)."""
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}) expects input of shape "
                             f"(N, {self.num_channels}, ...); got {x.shape}.")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}"
