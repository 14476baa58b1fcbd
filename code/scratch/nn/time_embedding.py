"""Sinusoidal embedding of a scalar time (diffusion step), as in the Transformer and DDPM.

Pages: ``book/generative/ddpm.md`` and ``book/generative/stable_diffusion.md``.
Same convention as ``diffusers.models.embeddings.get_timestep_embedding`` with
its defaults (sines first, ``downscale_freq_shift=1``, ``max_period=10000``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import check_int, check_positive
from scratch.autograd.tensor import Tensor
from scratch.nn.module import Module

__all__ = ["sinusoidal_embedding", "SinusoidalEmbedding"]


def sinusoidal_embedding(t: Any, dim: int, *, max_period: float = 10000.0, downscale_freq_shift: float = 1.0,
                         flip_sin_to_cos: bool = False) -> np.ndarray:
    """Embed each time ``t_i`` as sines and cosines at geometrically spaced frequencies.

    Parameters
    ----------
    t : array_like of shape (n_samples,)
        Times (integer steps or real numbers); a scalar is treated as one sample.
    dim : int
        Embedding width; an odd ``dim`` is padded with a zero column (as diffusers does).
    max_period : float, default 10000
        Period of the slowest frequency (approximately).
    downscale_freq_shift : float, default 1
        diffusers' parameter: frequencies are
        ``exp(-log(max_period) * k / (dim // 2 - downscale_freq_shift))``.
    flip_sin_to_cos : bool, default False
        Put the cosines first.

    Returns
    -------
    ndarray of shape (n_samples, dim)

    Notes
    -----
    With :math:`h = \\lfloor d/2 \\rfloor` and
    :math:`\\omega_k = P^{-k/(h-s)}`, :math:`k = 0..h-1`:
    :math:`e(t) = [\\sin(\\omega_0 t), \\ldots, \\sin(\\omega_{h-1}t), \\cos(\\omega_0 t), \\ldots, \\cos(\\omega_{h-1}t)]`
    (equation eq-ddpm-time-embedding of the DDPM page). Nearby times get nearby
    embeddings, and a linear layer can read off both coarse and fine time.
    It has no learned parameters, so no gradient is needed.
    """
    dim = check_int(dim, name="dim", minimum=2)
    check_positive(max_period, name="max_period")
    t = np.asarray(t, dtype=np.float64)
    if t.ndim == 0:
        t = t.reshape(1)
    if t.ndim != 1:
        raise ValueError(f"sinusoidal_embedding expects times of shape (n_samples,); got shape {t.shape}. "
                         "Flatten them with t.reshape(-1).")
    if not np.all(np.isfinite(t)):
        raise ValueError("sinusoidal_embedding: times contain NaN or inf; pass finite times.")
    half = dim // 2
    if half - downscale_freq_shift <= 0:
        raise ValueError(f"sinusoidal_embedding: dim={dim} is too small for downscale_freq_shift="
                         f"{downscale_freq_shift}; use dim >= {2 * int(math.ceil(downscale_freq_shift)) + 2}.")
    freqs = np.exp(-math.log(max_period) * np.arange(half) / (half - downscale_freq_shift))  # (h,)
    angles = t[:, None] * freqs[None, :]  # (n_samples, h)
    emb = np.concatenate([np.sin(angles), np.cos(angles)], axis=1)  # (n_samples, 2h)
    if flip_sin_to_cos:
        emb = np.concatenate([emb[:, half:], emb[:, :half]], axis=1)
    if dim % 2:
        emb = np.concatenate([emb, np.zeros((len(t), 1))], axis=1)  # (n_samples, dim)
    return emb


class SinusoidalEmbedding(Module):
    """Module form of :func:`sinusoidal_embedding`: times (n_samples,) -> Tensor (n_samples, dim).

    Parameters
    ----------
    dim : int
    max_period : float, default 10000
    downscale_freq_shift : float, default 1
    flip_sin_to_cos : bool, default False
    dtype : numpy float dtype, default float64
    """

    def __init__(self, dim: int, *, max_period: float = 10000.0, downscale_freq_shift: float = 1.0,
                 flip_sin_to_cos: bool = False, dtype: Any = np.float64):
        self.dim = check_int(dim, name="dim", minimum=2)
        self.max_period = check_positive(max_period, name="max_period")
        self.downscale_freq_shift = downscale_freq_shift
        self.flip_sin_to_cos = flip_sin_to_cos
        self.dtype = dtype

    def forward(self, t: Any) -> Tensor:
        """(n_samples,) -> (n_samples, dim)."""
        if isinstance(t, Tensor):
            t = t.data
        emb = sinusoidal_embedding(t, self.dim, max_period=self.max_period,
                                   downscale_freq_shift=self.downscale_freq_shift,
                                   flip_sin_to_cos=self.flip_sin_to_cos)
        return Tensor(emb.astype(self.dtype))

    def extra_repr(self) -> str:
        return f"{self.dim}, max_period={self.max_period}"
