"""Weight initialisers. Each returns a new numpy array drawn from ``rng``.

Fan convention (how ``fan_in``/``fan_out`` are read from ``shape``):

* 2-D ``(in_features, out_features)``: the layout of :class:`scratch.nn.Linear`;
* n-D ``(out_channels, in_channels, *kernel)``: convolution kernels, as in PyTorch,
  with ``fan_in = in_channels * prod(kernel)``;
* pass ``fan_in=``/``fan_out=`` explicitly for anything else.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import as_rng, check_int, check_option, check_positive

__all__ = [
    "calculate_gain",
    "fans",
    "uniform",
    "normal",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
]

def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Recommended gain for a non-linearity (same values as ``torch.nn.init.calculate_gain``)."""
    check_option(nonlinearity, ("linear", "identity", "sigmoid", "tanh", "relu", "leaky_relu"), name="nonlinearity")
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope**2))
    return 1.0


def fans(shape: tuple[int, ...], fan_in: int | None = None, fan_out: int | None = None) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape`` (see the module docstring)."""
    shape = tuple(int(s) for s in shape)
    if len(shape) < 1:
        raise ValueError(f"Cannot compute fans of a weight with shape {shape}; give fan_in/fan_out.")
    if len(shape) == 1:
        f_in = f_out = shape[0]
    elif len(shape) == 2:
        f_in, f_out = shape  # (in_features, out_features)
    else:
        receptive = math.prod(shape[2:])
        f_in, f_out = shape[1] * receptive, shape[0] * receptive
    f_in = f_in if fan_in is None else fan_in
    f_out = f_out if fan_out is None else fan_out
    if f_in < 1 or f_out < 1:
        raise ValueError(f"fan_in and fan_out must be >= 1; got fan_in={f_in}, fan_out={f_out} for a weight of shape "
                         f"{shape}. A weight needs at least one input and one output.")
    return f_in, f_out


def _shape(shape: Any) -> tuple[int, ...]:
    """A weight's shape: an int or a tuple of non-negative ints."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return tuple(check_int(s, name=f"each size in shape {shape}", minimum=0) for s in shape)


def uniform(shape: tuple[int, ...], low: float, high: float, *, rng: Any = None, dtype: Any = np.float64) -> np.ndarray:
    """Samples from U(low, high)."""
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise ValueError(f"uniform needs finite bounds with low <= high; got low={low!r}, high={high!r}.")
    return as_rng(rng).uniform(low, high, size=_shape(shape)).astype(dtype, copy=False)


def normal(shape: tuple[int, ...], std: float, *, rng: Any = None, dtype: Any = np.float64) -> np.ndarray:
    """Samples from N(0, std^2)."""
    std = check_positive(std, name="std", strict=False)
    return (std * as_rng(rng).standard_normal(_shape(shape))).astype(dtype, copy=False)


def xavier_uniform(shape: tuple[int, ...], *, gain: float = 1.0, fan_in: int | None = None,
                   fan_out: int | None = None, rng: Any = None, dtype: Any = np.float64) -> np.ndarray:
    """Glorot/Xavier uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Keeps the variance of activations and gradients roughly constant for tanh/linear layers.
    """
    f_in, f_out = fans(shape, fan_in, fan_out)
    a = check_positive(gain, name="gain", strict=False) * math.sqrt(6.0 / (f_in + f_out))
    return uniform(shape, -a, a, rng=rng, dtype=dtype)


def xavier_normal(shape: tuple[int, ...], *, gain: float = 1.0, fan_in: int | None = None,
                  fan_out: int | None = None, rng: Any = None, dtype: Any = np.float64) -> np.ndarray:
    """Glorot/Xavier normal: N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    f_in, f_out = fans(shape, fan_in, fan_out)
    return normal(shape, check_positive(gain, name="gain", strict=False) * math.sqrt(2.0 / (f_in + f_out)), rng=rng, dtype=dtype)


def _kaiming_std(shape, a, mode, nonlinearity, fan_in, fan_out) -> float:
    check_option(mode, ("fan_in", "fan_out"), name="mode")
    f_in, f_out = fans(shape, fan_in, fan_out)
    fan = f_in if mode == "fan_in" else f_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform(shape: tuple[int, ...], *, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "relu",
                    fan_in: int | None = None, fan_out: int | None = None, rng: Any = None,
                    dtype: Any = np.float64) -> np.ndarray:
    """He/Kaiming uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)``, for ReLU networks."""
    b = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity, fan_in, fan_out)
    return uniform(shape, -b, b, rng=rng, dtype=dtype)


def kaiming_normal(shape: tuple[int, ...], *, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "relu",
                   fan_in: int | None = None, fan_out: int | None = None, rng: Any = None,
                   dtype: Any = np.float64) -> np.ndarray:
    """He/Kaiming normal: N(0, std^2) with ``std = gain / sqrt(fan)``, for ReLU networks."""
    return normal(shape, _kaiming_std(shape, a, mode, nonlinearity, fan_in, fan_out), rng=rng, dtype=dtype)
