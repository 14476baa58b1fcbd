"""The :class:`Distribution` base class and the checks every family shares.

Names follow ``torch.distributions``: ``log_prob``, ``sample``, ``rsample``,
``entropy``, ``mean``, ``variance``, ``batch_shape`` and ``event_shape``. A draw
has shape ``sample_shape + batch_shape + event_shape``.

Parameters may be numbers, numpy arrays or :class:`~scratch.autograd.Tensor`.
When a parameter (or the value passed to ``log_prob``) is a Tensor, the results
are Tensors and gradients flow to it; otherwise they are plain ndarrays.
Randomness comes only from the ``rng`` argument (a ``np.random.Generator``, an
int seed or None).
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

from scratch._validation import RNG, as_float_array, as_rng
from scratch.autograd.tensor import Tensor, no_grad

__all__ = ["Distribution"]


def as_param(value: Any, name: str, *, family: str) -> Tensor:
    """A float64 (or float32) Tensor from a number, array or Tensor, checked finite."""
    if isinstance(value, Tensor):
        if value.dtype.kind != "f":
            raise TypeError(
                f"{family}: {name} must hold floating-point numbers; got a Tensor of dtype {value.dtype}."
            )
        t = value
    else:
        t = Tensor(as_float_array(value, f"{family}: {name}", "a number, an array or a Tensor"))
    if t.size == 0:
        raise ValueError(f"{family}: {name} is empty (shape {t.shape}).")
    if not np.all(np.isfinite(t.data)):
        raise ValueError(f"{family}: {name} contains NaN or infinite values.")
    return t


def check_positive_param(t: Tensor, name: str, family: str, *, strict: bool = True) -> None:
    bad = ~(t.data > 0) if strict else t.data < 0
    if np.any(bad):
        bound = "> 0" if strict else ">= 0"
        raise ValueError(
            f"{family}: {name} must be {bound} everywhere; got {t.data[bad].ravel()[0]!r} "
            f"({int(bad.sum())} bad value(s)). Parameterise it as exp(.) or softplus(.) of a free "
            "parameter if it is learned."
        )


def broadcast_params(family: str, **params: Tensor) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*(p.shape for p in params.values()))
    except ValueError:
        desc = ", ".join(f"{k} {v.shape}" for k, v in params.items())
        raise ValueError(f"{family}: the parameter shapes do not broadcast: {desc}.") from None


def expand(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Broadcast a Tensor to ``shape`` inside the graph (gradients are summed back)."""
    if t.shape == tuple(shape):
        return t
    try:
        np.broadcast_shapes(t.shape, tuple(shape))
    except ValueError:
        raise ValueError(f"expand: a Tensor of shape {t.shape} cannot be broadcast to shape {tuple(shape)}.") from None
    return t + Tensor(np.zeros(shape, dtype=t.dtype))


def as_sample_shape(sample_shape: Any) -> tuple[int, ...]:
    if isinstance(sample_shape, (Integral, np.integer)) and not isinstance(sample_shape, bool):
        sample_shape = (int(sample_shape),)
    try:
        shape = tuple(int(s) for s in sample_shape)
        ok = all(isinstance(s, (Integral, np.integer)) and not isinstance(s, bool) for s in sample_shape)
    except TypeError:
        ok = False
    if not ok or any(s < 0 for s in shape):
        raise TypeError(
            f"sample_shape must be a tuple of non-negative ints (or one int); got {sample_shape!r}."
        )
    return shape


class Distribution:
    """Base class of every distribution: shapes, output types and the sampling API.

    Subclasses set ``batch_shape``, ``event_shape`` and ``_tensor_mode`` in
    ``__init__`` and implement ``_log_prob(x)``, ``_sample(rng, shape)``,
    ``_entropy()``, ``_mean()`` and ``_variance()`` on Tensors; reparameterisable
    ones also ``_rsample(rng, shape)``.
    """

    has_rsample = False
    batch_shape: tuple[int, ...] = ()
    event_shape: tuple[int, ...] = ()
    _tensor_mode = False

    # ---- helpers for subclasses -------------------------------------------------
    def _out(self, t: Tensor, tensor: bool = False) -> Any:
        return t if (self._tensor_mode or tensor) else t.data

    def _value(self, x: Any) -> Tensor:
        """Check that ``x`` broadcasts with ``batch_shape + event_shape``; return it as a Tensor."""
        name = type(self).__name__
        if isinstance(x, Tensor):
            t = x if x.dtype.kind == "f" else Tensor(x.data.astype(np.float64))
        else:
            try:
                t = Tensor(np.asarray(x, dtype=np.float64))
            except (TypeError, ValueError):
                raise TypeError(
                    f"{name}.log_prob: the value must be numeric (an array or a Tensor); got "
                    f"{type(x).__name__}."
                ) from None
        ev = len(self.event_shape)
        if ev and tuple(t.shape[-ev:]) != self.event_shape:
            raise ValueError(
                f"{name}.log_prob: the value has shape {t.shape}, but its last {ev} axis/axes must be the "
                f"event shape {self.event_shape}."
            )
        try:
            np.broadcast_shapes(t.shape, self.batch_shape + self.event_shape)
        except ValueError:
            raise ValueError(
                f"{name}.log_prob: a value of shape {t.shape} does not broadcast with the distribution's "
                f"batch_shape + event_shape = {self.batch_shape + self.event_shape}."
            ) from None
        if np.any(np.isnan(t.data)):
            raise ValueError(f"{name}.log_prob: the value contains NaN.")
        return t

    def _support_error(self, what: str, bad: np.ndarray, x: np.ndarray) -> None:
        if np.any(bad):
            raise ValueError(
                f"{type(self).__name__}.log_prob: the value must be {what}; got {x[bad].ravel()[0]!r} "
                f"({int(np.sum(bad))} value(s) outside the support)."
            )

    # ---- the public API ----------------------------------------------------------
    def log_prob(self, x: Any) -> Any:
        """Log density (or log mass) of ``x``; shape ``broadcast(x.shape[:-ev], batch_shape)``."""
        t = self._value(x)
        out = self._log_prob(t)
        return self._out(out, tensor=isinstance(x, Tensor))

    def sample(self, rng: RNG, sample_shape: Any = ()) -> np.ndarray:
        """Draw samples (an ndarray, no gradient) of shape ``sample_shape + batch_shape + event_shape``."""
        shape = as_sample_shape(sample_shape)
        with no_grad():
            return np.asarray(self._sample(as_rng(rng), shape))

    def rsample(self, rng: RNG, sample_shape: Any = ()) -> Tensor:
        """Reparameterised samples: a Tensor through which gradients reach the parameters."""
        if not self.has_rsample:
            raise NotImplementedError(
                f"{type(self).__name__} has no reparameterised sampler (rsample) here; use sample() and a "
                "score-function (REINFORCE) estimator, or a reparameterisable family (Normal, "
                "MultivariateNormal)."
            )
        return self._rsample(as_rng(rng), as_sample_shape(sample_shape))

    def entropy(self) -> Any:
        """Differential entropy (discrete: Shannon entropy) in nats, of shape ``batch_shape``."""
        return self._out(self._entropy())

    @property
    def mean(self) -> Any:
        """Mean, of shape ``batch_shape + event_shape``."""
        return self._out(self._mean())

    @property
    def variance(self) -> Any:
        """Variance (per coordinate), of shape ``batch_shape + event_shape``."""
        return self._out(self._variance())

    @property
    def stddev(self) -> Any:
        """Standard deviation, the square root of :attr:`variance`."""
        return self._out(self._variance() ** 0.5)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(batch_shape={self.batch_shape}, event_shape={self.event_shape})"

    # ---- to be implemented -----------------------------------------------------------
    def _log_prob(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def _sample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def _rsample(self, rng: np.random.Generator, shape: tuple[int, ...]) -> Tensor:
        raise NotImplementedError

    def _entropy(self) -> Tensor:
        raise NotImplementedError

    def _mean(self) -> Tensor:
        raise NotImplementedError

    def _variance(self) -> Tensor:
        raise NotImplementedError
