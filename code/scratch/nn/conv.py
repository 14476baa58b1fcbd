"""Convolution (``Conv2d``, via im2col) and max-pooling (``MaxPool2d``) layers.

Images are stored channels-first, ``(N, C, H, W)``, as in PyTorch. Both layers
are fused primitives written with :func:`scratch.autograd.from_op`: one numpy
forward and one numpy backward each, side by side. The chapter
``book/neural/cnn.md`` derives the equations (labels ``eq-cnn-*``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from scratch._validation import as_rng, check_int
from scratch.autograd.tensor import Tensor, from_op
from scratch.nn import init
from scratch.nn.module import Module, Parameter

__all__ = ["conv2d", "max_pool2d", "im2col", "col2im", "pad_channels_last", "Conv2d", "MaxPool2d"]


def _pair(value: Any, name: str, minimum: int) -> tuple[int, int]:
    if type(value) is tuple and len(value) == 2 and type(value[0]) is int and type(value[1]) is int \
            and min(value) >= minimum:  # already checked (a layer's own attribute): the fast path
        return value
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints; got {value!r}.")
        return check_int(value[0], name=name, minimum=minimum), check_int(value[1], name=name, minimum=minimum)
    v = check_int(value, name=name, minimum=minimum)
    return v, v


def _check_image(x: Tensor, channels: int, who: str) -> None:
    if x.ndim != 4:
        raise ValueError(
            f"{who} expects images of shape (N, C, H, W); got a tensor of shape {x.shape}. "
            "Add a channel axis to grey images with x.reshape(N, 1, H, W)."
        )
    if channels and x.shape[1] != channels:
        raise ValueError(
            f"{who} expects {channels} input channel(s) (shape (N, {channels}, H, W)); got "
            f"{x.shape[1]} channel(s) in a tensor of shape {x.shape}."
        )


def _out_size(size: int, k: int, s: int, p: int, who: str) -> int:
    out = (size + 2 * p - k) // s + 1
    if out < 1:
        raise ValueError(
            f"{who}: an input of size {size} with padding {p} is smaller than the kernel ({k}); "
            "use a smaller kernel, more padding, or larger images."
        )
    return out


def pad_channels_last(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    """Zero-pad a batch (N, C, H, W) and store it channels-last, (N, H + 2 ph, W + 2 pw, C), in one copy."""
    if np.ndim(x) != 4:
        raise ValueError(f"pad_channels_last expects images of shape (N, C, H, W); got shape {np.shape(x)}.")
    (ph, pw), (n, c, h, w) = _pair(padding, "padding", 0), x.shape
    xp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
    xp[:, ph:ph + h, pw:pw + w, :] = x.transpose(0, 2, 3, 1)
    return xp


def im2col(xp: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """Unfold every receptive field of a padded, channels-last batch into a row.

    Parameters
    ----------
    xp : ndarray of shape (N, Hp, Wp, C)
        Padded images, channels last (see :func:`pad_channels_last`).
    kernel, stride : pair of int

    Returns
    -------
    ndarray of shape (N * H_out * W_out, kh * kw * C)
        Row ``(n, i, j)`` holds the patch whose top-left corner is
        ``(i * sh, j * sw)``, in the order (kh, kw, C): channels last, so that each
        kernel row is one contiguous run of ``kw * C`` numbers in memory and the copy
        is fast. (Channels-first rows copy runs of ``kw`` numbers: 3-7x slower.)
    """
    if np.ndim(xp) != 4:
        raise ValueError(f"im2col expects padded images of shape (N, Hp, Wp, C), channels last; got shape "
                         f"{np.shape(xp)}. Pad and transpose them with pad_channels_last first.")
    (kh, kw), (sh, sw) = _pair(kernel, "kernel", 1), _pair(stride, "stride", 1)
    n, hp, wp, c = xp.shape
    ho, wo = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    if ho < 1 or wo < 1:
        raise ValueError(f"im2col: images of size {hp}x{wp} are smaller than the kernel {kh}x{kw}.")
    s_n, s_h, s_w, s_c = xp.strides
    win = as_strided(xp, shape=(n, ho, wo, kh, kw, c), strides=(s_n, sh * s_h, sw * s_w, s_h, s_w, s_c),
                     writeable=False)  # (N, Ho, Wo, kh, kw, C): every window, a read-only view
    return win.reshape(n * ho * wo, kh * kw * c)  # the one copy


def col2im(cols: np.ndarray, shape: tuple[int, ...], kernel: tuple[int, int], stride: tuple[int, int],
           out_hw: tuple[int, int]) -> np.ndarray:
    """Adjoint of :func:`im2col`: add every row back onto the patch it came from.

    Parameters
    ----------
    cols : ndarray of shape (N * H_out * W_out, kh * kw * C)
    shape : tuple
        Shape (N, Hp, Wp, C) of the padded, channels-last images.

    Returns
    -------
    ndarray of shape ``shape``; overlapping patches add up.
    """
    (kh, kw), (sh, sw), (ho, wo) = kernel, stride, out_hw
    n, c = shape[0], shape[3]
    if cols.shape != (n * ho * wo, kh * kw * c):
        raise ValueError(f"col2im: cols must have shape (N * H_out * W_out, kh * kw * C) = "
                         f"({n * ho * wo}, {kh * kw * c}) for images {tuple(shape)}, kernel {kh}x{kw} and "
                         f"output {ho}x{wo}; got {cols.shape}.")
    patches = cols.reshape(n, ho, wo, kh, kw, c)
    out = np.zeros(shape, dtype=cols.dtype)
    for i in range(kh):  # one strided slice per kernel offset: no overlap within a slice
        for j in range(kw):
            out[:, i:i + sh * ho:sh, j:j + sw * wo:sw, :] += patches[:, :, :, i, j, :]
    return out


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0) -> Tensor:
    r"""2-D cross-correlation of a batch of images with a bank of filters (fused primitive).

    Parameters
    ----------
    x : Tensor of shape (N, C_in, H, W)
    weight : Tensor of shape (C_out, C_in, kh, kw)
    bias : Tensor of shape (C_out,), optional
    stride, padding : int or pair of int
        Step between receptive fields; zeros added on each border.

    Returns
    -------
    Tensor of shape (N, C_out, H_out, W_out), with
    ``H_out = (H + 2 * padding - kh) // stride + 1``.

    Notes
    -----
    ``eq-cnn-conv``: :math:`Y_{n,o,i,j} = b_o + \sum_{c,u,v} W_{o,c,u,v}\, X_{n,c,s i+u, s j+v}`.
    With im2col (``eq-cnn-im2col``) this is one matrix product
    :math:`Y = \mathrm{cols}(X)\, W_{\mathrm{mat}}^\top + b`, so the gradients
    (``eq-cnn-grad``) are :math:`\partial L/\partial W_{\mathrm{mat}} = G^\top \mathrm{cols}(X)` and
    :math:`\partial L/\partial X = \mathrm{col2im}(G\, W_{\mathrm{mat}})`: the
    gradient of a cross-correlation is a (full) convolution with the same kernel.
    With stride 1 (and :math:`C_{out} \le 4 C_{in}`) that is how the input gradient is
    computed: im2col of the output gradient (padded by :math:`k - 1 - p`) times the
    flipped kernel, one product and no scatter; otherwise col2im.
    The patches are unfolded channels-last, so the filters are flattened in the
    same (kh, kw, C_in) order, and the output keeps the product's memory layout:
    shape (N, C_out, H_out, W_out) but channels-last strides (what PyTorch calls
    ``channels_last``). Elementwise numpy, pooling and the next im2col then run
    over contiguous channel vectors instead of copying the layout back and forth.
    """
    _check_image(x, weight.shape[1], "conv2d")
    sh, sw = _pair(stride, "stride", 1)
    ph, pw = _pair(padding, "padding", 0)
    c_out, c_in, kh, kw = weight.shape
    n, _, h, w = x.shape
    ho, wo = _out_size(h, kh, sh, ph, "conv2d"), _out_size(w, kw, sw, pw, "conv2d")
    xp = pad_channels_last(x.data, (ph, pw))                        # (N, Hp, Wp, C_in)
    cols = im2col(xp, (kh, kw), (sh, sw))                           # (N*Ho*Wo, kh*kw*C_in)
    w_mat = weight.data.transpose(0, 2, 3, 1).reshape(c_out, -1)    # (C_out, kh*kw*C_in)
    out = cols @ w_mat.T                                            # (N*Ho*Wo, C_out)
    if bias is not None:
        out += bias.data
    out = out.reshape(n, ho, wo, c_out).transpose(0, 3, 1, 2)       # (N, C_out, Ho, Wo), channels-last memory

    def backward(g):                                                # g: (N, C_out, Ho, Wo)
        g2 = g.transpose(0, 2, 3, 1).reshape(-1, c_out)             # G, (N*Ho*Wo, C_out); free if channels-last
        gx = gw = gb = None
        if x.requires_grad and (sh, sw) == (1, 1) and ph < kh and pw < kw and c_out <= 4 * c_in:
            # stride 1: dL/dX is the full convolution of G with the flipped kernel: an im2col of G
            # and one product, no scatter-add. col2im adds into every pixel kh*kw times through
            # strided slices, 3-5x slower per number than im2col's copy, so this path wins unless
            # G has many more channels than X (measured: 16 -> 32 channels on 4x4 maps, 0.22 ms
            # against 0.32 ms for the product and col2im).
            g_cols = im2col(pad_channels_last(g, (kh - 1 - ph, kw - 1 - pw)), (kh, kw), (1, 1))  # (N*H*W, kh*kw*C_out)
            w_flip = weight.data[:, :, ::-1, ::-1].transpose(1, 2, 3, 0).reshape(c_in, -1)  # (C_in, kh*kw*C_out)
            gx = (g_cols @ w_flip.T).reshape(n, h, w, c_in).transpose(0, 3, 1, 2)         # (N, C_in, H, W)
        elif x.requires_grad:
            gxp = col2im(g2 @ w_mat, xp.shape, (kh, kw), (sh, sw), (ho, wo))  # (N, Hp, Wp, C_in)
            gx = gxp[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2)        # (N, C_in, H, W), a view
        if weight.requires_grad:
            gw = (g2.T @ cols).reshape(c_out, kh, kw, c_in).transpose(0, 3, 1, 2)  # (C_out, C_in, kh, kw)
        if bias is not None and bias.requires_grad:
            gb = g2.T @ np.ones(len(g2), dtype=g2.dtype)           # (C_out,): column sums
        return gx, gw, gb

    parents = (x, weight) if bias is None else (x, weight, bias)
    return from_op(out, parents, backward, "conv2d")


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None) -> Tensor:
    r"""Max over each ``kernel_size`` window (no padding; windows that do not fit are dropped).

    Parameters
    ----------
    x : Tensor of shape (N, C, H, W)
    kernel_size : int or pair
    stride : int or pair, default ``kernel_size``

    Returns
    -------
    Tensor of shape (N, C, H_out, W_out), ``H_out = (H - kh) // stride + 1``.

    Notes
    -----
    ``eq-cnn-pool``: :math:`Y_{n,c,i,j} = \max_{u,v} X_{n,c,s i+u,s j+v}`, computed as
    a running maximum over the :math:`k_h k_w` kernel offsets, each a strided view of
    the whole batch. (Copying the windows out first, ``(N, C, H', W', k_h, k_w)``,
    costs 5x more: numpy copies such arrays in runs of only :math:`k_w` numbers.)
    The gradient flows only to the position of the maximum (the first one on ties,
    as in PyTorch), found again in backward.
    """
    _check_image(x, 0, "max_pool2d")
    kh, kw = _pair(kernel_size, "kernel_size", 1)
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride", 1)
    ho, wo = _out_size(x.shape[2], kh, sh, 0, "max_pool2d"), _out_size(x.shape[3], kw, sw, 0, "max_pool2d")
    offsets = [(i, j) for i in range(kh) for j in range(kw)]        # row-major: the tie order

    def window(a, i, j):                                            # element (i, j) of every window
        return a[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]  # (N, C, Ho, Wo), a view

    out = window(x.data, 0, 0).copy(order="K")                      # keeps a channels-last layout
    for i, j in offsets[1:]:
        np.maximum(out, window(x.data, i, j), out=out)

    def backward(g):
        gx = np.zeros_like(x.data)
        g_like_out = np.empty_like(out)                             # g in out's memory layout, so that
        g_like_out[...] = g                                         # the ops below run on aligned arrays
        taken = np.zeros_like(out, dtype=bool)                      # window already routed its gradient
        for i, j in offsets:
            first = window(x.data, i, j) == out
            first &= ~taken                                         # only the first maximum
            taken |= first
            if sh >= kh and sw >= kw:                               # windows do not overlap: write
                window(gx, i, j)[...] = g_like_out * first
            else:                                                   # overlapping windows add up
                window(gx, i, j)[...] += g_like_out * first
        return (gx,)

    return from_op(out, (x,), backward, "max_pool2d")


class Conv2d(Module):
    """2-D convolution layer (cross-correlation, as in every deep-learning library).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or pair
    stride, padding : int or pair, default 1 and 0
    bias : bool, default True
    rng : np.random.Generator, int or None
    dtype : numpy float dtype, default float64

    Attributes
    ----------
    weight : Parameter of shape (out_channels, in_channels, kh, kw)
        Same layout as ``torch.nn.Conv2d.weight`` (copy it directly).
    bias : Parameter of shape (out_channels,) or None

    Notes
    -----
    Initialised like PyTorch: :math:`U(-k, k)` with
    :math:`k = 1/\\sqrt{C_{in} k_h k_w}` for weight and bias. Forward pass:
    :func:`conv2d` (``eq-cnn-conv``).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, bias: bool = True, *, rng: np.random.Generator | int | None = None,
                 dtype: Any = np.float64):
        self.in_channels = check_int(in_channels, name="in_channels", minimum=1)
        self.out_channels = check_int(out_channels, name="out_channels", minimum=1)
        self.kernel_size = _pair(kernel_size, "kernel_size", 1)
        self.stride = _pair(stride, "stride", 1)
        self.padding = _pair(padding, "padding", 0)
        rng = as_rng(rng)
        k = 1.0 / math.sqrt(in_channels * self.kernel_size[0] * self.kernel_size[1])
        shape = (out_channels, in_channels) + self.kernel_size
        self.weight = Parameter(init.uniform(shape, -k, k, rng=rng, dtype=dtype))
        self.bias = Parameter(init.uniform((out_channels,), -k, k, rng=rng, dtype=dtype)) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        """(N, C_in, H, W) -> (N, C_out, H_out, W_out)."""
        return conv2d(x, self.weight, self.bias, self.stride, self.padding)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")


class MaxPool2d(Module):
    """Max-pooling layer; see :func:`max_pool2d` (``eq-cnn-pool``)."""

    def __init__(self, kernel_size: Any, stride: Any = None):
        self.kernel_size = _pair(kernel_size, "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride", 1)

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H_out, W_out)."""
        return max_pool2d(x, self.kernel_size, self.stride)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}"
