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
    x : Tensor of shape ``(N, C, *spatial)``
        ``C`` must be divisible by ``num_groups``; ``spatial`` may be empty.
    num_groups : int
    weight, bias : Tensor of shape (C,) or None
        Per-channel scale and shift.
    eps : float

    Returns
    -------
    Tensor of shape ``(N, C, *spatial)``

    Notes
    -----
    With the mean :math:`\\mu_{ng}` and biased variance :math:`\\sigma^2_{ng}` over
    the channels of group ``g`` and all positions of sample ``n``,
    :math:`\\hat x = (x - \\mu_{ng})/\\sqrt{\\sigma^2_{ng}+\\epsilon}` and
    :math:`y = \\gamma_c \\hat x + \\beta_c`. The backward pass is the layer-norm
    formula applied within each group, with :math:`\\hat g = g\\odot\\gamma`:
    :math:`\\partial L/\\partial x = (\\hat g - \\overline{\\hat g} - \\hat x\\,
    \\overline{\\hat g\\hat x})/\\sqrt{\\sigma^2+\\epsilon}`, bars averaging over a group.

    Only per-channel numbers touch the big arrays. With :math:`x_c = x - \\mu` and
    :math:`r = 1/\\sqrt{\\sigma^2+\\epsilon}` (per sample and group), the forward pass is
    :math:`y = x_c \\odot (r\\gamma) + \\beta`, and the backward pass is
    :math:`\\partial L/\\partial x = g \\odot (r\\gamma) + x_c \\odot (-r^3 m_2) - r m_1`
    with :math:`m_1 = \\overline{g\\gamma}` and :math:`m_2 = \\overline{g\\gamma\\, x_c}`; the
    group averages come from per-channel sums over positions (one matrix product each).
    Elementwise work is then a few passes with a (sample, channel) coefficient, instead of
    broadcasting (sample, group) statistics over groups of C/G channels, which numpy runs
    in inner loops of only C/G numbers (10x slower for 4 channels a group).

    Memory layout: :func:`scratch.nn.conv.conv2d` returns channels-last memory. Such an
    input is viewed as (N, S, C) without a copy, and the output keeps the input's layout,
    so the next SiLU and im2col run on contiguous channel vectors. Channels-first input
    is viewed as (N, C, S); both give the same numbers.
    """
    if x.ndim < 2:
        raise ValueError(f"group_norm expects input of shape (N, C, ...); got a tensor of shape {x.shape}.")
    n, c = x.shape[:2]
    if c % num_groups:
        raise ValueError(f"group_norm: {c} channels cannot be split into {num_groups} equal groups; "
                         "choose num_groups that divides the channel count.")
    shape, g_, cg = x.shape, num_groups, c // num_groups
    m = x.data.size // (n * c) if n * c else 1  # positions per sample
    ones = np.ones(m, dtype=x.dtype)
    if x.ndim > 2 and not x.data.flags.c_contiguous and np.moveaxis(x.data, 1, -1).flags.c_contiguous:
        # channels-last memory (what conv2d returns): (N, S, C) is a view, no copy
        def view(a):
            return np.moveaxis(a, 1, -1).reshape(n, m, c)  # (N, S, C)

        def unview(a):
            return np.moveaxis(a.reshape((n,) + shape[2:] + (c,)), -1, 1)  # (N, C, *spatial), channels-last

        def channel_sums(a):  # (N, S, C) -> (N, C)
            return ones @ a

        def per_channel(v):  # (N, C) -> broadcastable against (N, S, C)
            return v[:, None, :]
    else:  # channels-first memory: (N, C, S)
        def view(a):
            return a.reshape(n, c, m)

        def unview(a):
            return a.reshape(shape)

        def channel_sums(a):
            return a @ ones

        def per_channel(v):
            return v[:, :, None]

    count = cg * m  # numbers per (sample, group)

    def group_mean(v):  # (N, C) per-channel sums -> (N, C): the mean of each channel's group
        return np.repeat(v.reshape(n, g_, cg).sum(axis=-1) / count, cg, axis=1)

    x3 = view(x.data)
    mu = group_mean(channel_sums(x3))                         # (N, C)
    xc = x3 - per_channel(mu)                                 # x - mu, kept for backward
    r = 1.0 / np.sqrt(group_mean(channel_sums(xc * xc)) + eps)  # (N, C), biased variance
    w = weight.data if weight is not None else np.ones(c, dtype=x.dtype)
    out = xc * per_channel(r * w)                             # xhat * gamma
    if bias is not None:
        out += per_channel(bias.data[None])
    out = unview(out)  # (N, C, *spatial), the memory layout of x

    def backward(g):  # g: (N, C, *spatial)
        g3 = view(g)                                          # a view when g has the layout of x
        s_g = channel_sums(g3)                                # (N, C): sum of g over positions
        s_gx = channel_sums(g3 * xc)                          # (N, C): sum of g * (x - mu)
        m1, m2 = group_mean(s_g * w), group_mean(s_gx * w)    # means of g*gamma and g*gamma*(x - mu)
        gx = g3 * per_channel(r * w)
        gx += xc * per_channel(-(r * r * r) * m2)
        gx -= per_channel(r * m1)
        grads = [unview(gx)]
        if weight is not None:
            grads.append((r * s_gx).sum(axis=0) if weight.requires_grad else None)  # sum of g * xhat
        if bias is not None:
            grads.append(s_g.sum(axis=0) if bias.requires_grad else None)
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
        """``(N, C, *spatial)`` -> ``(N, C, *spatial)``."""
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm({self.num_groups}, {self.num_channels}) expects input of shape "
                             f"(N, {self.num_channels}, ...); got {x.shape}.")
        return group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}"
