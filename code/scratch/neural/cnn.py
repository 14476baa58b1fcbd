"""A small convolutional network for 8x8 digit images, and helpers to inspect it.

The chapter ``book/neural/cnn.md`` derives the layers it uses: cross-correlation
(``eq-cnn-conv``), im2col (``eq-cnn-im2col``), the gradients (``eq-cnn-grad``),
max-pooling (``eq-cnn-pool``) and translation equivariance (``eq-cnn-equivariance``).
The layers themselves live in :mod:`scratch.nn.conv`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int
from scratch.autograd.tensor import Tensor, no_grad
from scratch.nn.conv import Conv2d, MaxPool2d
from scratch.nn.layers import Linear
from scratch.nn.module import Module

__all__ = ["CNNConfig", "DigitCNN", "shift_image", "random_shifts", "equivariance_gap"]


@dataclass
class CNNConfig:
    """Hyper-parameters of :class:`DigitCNN`."""

    image_size: int = 8          # H = W of the (square, grey) input images
    in_channels: int = 1         # 1 for grey images
    channels: tuple = (16, 32)   # output channels of the two conv blocks
    kernel_size: int = 3         # square kernels, 'same' padding
    n_classes: int = 10


class DigitCNN(Module):
    """Two blocks ``conv 3x3 (same) -> ReLU -> max-pool 2x2``, then a linear classifier.

    Parameters
    ----------
    config : CNNConfig, optional
    rng : np.random.Generator, int or None
    dtype : numpy float dtype, default float32 (speed)

    Notes
    -----
    Shapes for 8x8 digits: (N, 1, 8, 8) -> conv (N, 16, 8, 8) -> pool (N, 16, 4, 4)
    -> conv (N, 32, 4, 4) -> pool (N, 32, 2, 2) -> flatten (N, 128) -> logits (N, 10).
    """

    def __init__(self, config: CNNConfig | None = None, *, rng: RNG = None,
                 dtype: Any = np.float32):
        self.config = cfg = config or CNNConfig()
        rng = as_rng(rng)
        c1, c2 = cfg.channels
        pad = cfg.kernel_size // 2
        self.conv1 = Conv2d(cfg.in_channels, c1, cfg.kernel_size, padding=pad, rng=rng, dtype=dtype)
        self.conv2 = Conv2d(c1, c2, cfg.kernel_size, padding=pad, rng=rng, dtype=dtype)
        self.pool = MaxPool2d(2)
        side = cfg.image_size // 4
        if side < 1:
            raise ValueError(f"DigitCNN pools twice by 2, so images must be at least 4x4; got {cfg.image_size}.")
        self.head = Linear(c2 * side * side, cfg.n_classes, rng=rng, dtype=dtype)

    def check_input(self, x: Tensor) -> None:
        cfg = self.config
        want = (cfg.in_channels, cfg.image_size, cfg.image_size)
        if x.ndim != 4 or x.shape[1:] != want:
            raise ValueError(
                f"DigitCNN expects images of shape (N, {want[0]}, {want[1]}, {want[2]}); got {x.shape}. "
                f"Reshape flat digits with X.reshape(-1, 1, {cfg.image_size}, {cfg.image_size})."
            )

    def features(self, x: Tensor) -> dict[str, Tensor]:
        """Every intermediate activation, keyed by layer name (for plots)."""
        self.check_input(x)
        out = {"conv1": self.conv1(x).relu()}                  # (N, 16, 8, 8)
        out["pool1"] = self.pool(out["conv1"])                 # (N, 16, 4, 4)
        out["conv2"] = self.conv2(out["pool1"]).relu()         # (N, 32, 4, 4)
        out["pool2"] = self.pool(out["conv2"])                 # (N, 32, 2, 2)
        out["logits"] = self.head(out["pool2"].flatten(1))     # (N, 10)
        return out

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) images -> (N, n_classes) logits."""
        return self.features(x)["logits"]


def shift_image(x: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """Translate images (..., H, W) by (dy, dx) pixels, filling with zeros (no wrap-around)."""
    x = check_array(x, name="x", ndim=(2, 3, 4), dtype=None)
    dy, dx = check_int(dy, name="dy"), check_int(dx, name="dx")
    out = np.zeros_like(x)
    H, W = x.shape[-2:]
    if abs(dy) >= H or abs(dx) >= W:  # shifted out of the frame: nothing is left
        return out
    src_y, dst_y = slice(max(-dy, 0), H - max(dy, 0)), slice(max(dy, 0), H - max(-dy, 0))
    src_x, dst_x = slice(max(-dx, 0), W - max(dx, 0)), slice(max(dx, 0), W - max(-dx, 0))
    out[..., dst_y, dst_x] = x[..., src_y, src_x]
    return out


def random_shifts(x: np.ndarray, rng: RNG, max_shift: int = 1) -> np.ndarray:
    """Data augmentation: shift each image (N, C, H, W) by a random offset in [-max_shift, max_shift]^2."""
    x = check_array(x, name="x", ndim=4, dtype=None)
    max_shift = check_int(max_shift, name="max_shift", minimum=0)
    rng = as_rng(rng)
    out = np.empty_like(x)
    offsets = rng.integers(-max_shift, max_shift + 1, size=(len(x), 2))
    for i, (dy, dx) in enumerate(offsets):
        out[i] = shift_image(x[i], int(dy), int(dx))
    return out


def equivariance_gap(conv: Conv2d, x: np.ndarray, dy: int, dx: int) -> float:
    r"""Largest difference between ``conv(shift(x))`` and ``shift(conv(x))`` away from the border.

    Notes
    -----
    ``eq-cnn-equivariance``: :math:`(W \star S_\tau x) = S_\tau (W \star x)` for a
    translation :math:`S_\tau`, exactly up to the ``|shift| + kernel//2`` border
    pixels where zero padding and zero filling differ; those are excluded.
    """
    with no_grad():
        a = conv(Tensor(shift_image(x, dy, dx))).data
        b = shift_image(conv(Tensor(x)).data, dy, dx)
    m = max(abs(dy), abs(dx)) + conv.kernel_size[0] // 2 + 1
    return float(np.max(np.abs(a - b)[..., m:-m, m:-m]))
