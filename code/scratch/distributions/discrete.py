"""Discrete distributions: :class:`Bernoulli`, :class:`Categorical` and :class:`Poisson`.

None is reparameterisable (a discrete draw has no gradient with respect to its
parameters), so none has ``rsample``; ``log_prob`` and ``entropy`` are
differentiable in the parameters, which is what score-function estimators and
maximum likelihood need.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch.autograd.tensor import Tensor, log_softmax, softmax, where
from scratch.distributions.distribution import (
    Distribution,
    as_param,
    check_positive_param,
    expand,
)
from scratch.distributions.special import lgamma, safe_log, softplus, xlogy

__all__ = ["Bernoulli", "Categorical", "Poisson"]

_SIMPLEX_TOL = 1e-6  # |sum(p) - 1| allowed before probabilities are renormalised (torch uses the same)


def _one_of(probs: Any, logits: Any, family: str) -> None:
    if (probs is None) == (logits is None):
        raise ValueError(f"{family}: give exactly one of probs= or logits=.")


def _check_integer_values(x: np.ndarray, family: str, what: str, high: int | None = None) -> None:
    bad = (x != np.round(x)) | (x < 0)
    if high is not None:
        bad |= x >= high
    if np.any(bad):
        raise ValueError(
            f"{family}.log_prob: the value must be {what}; got {x[bad].ravel()[0]!r} "
            f"({int(bad.sum())} value(s) outside the support)."
        )


class Bernoulli(Distribution):
    """Bernoulli distribution over {0, 1} (``torch.distributions.Bernoulli``).

    Parameters
    ----------
    probs : float, array_like or Tensor, optional
        :math:`p = P(x = 1)` in [0, 1].
    logits : float, array_like or Tensor, optional
        :math:`\\ell = \\log\\frac{p}{1-p}`, any real number. Give exactly one of
        ``probs`` and ``logits``; logits are numerically safer for learning.

    Notes
    -----
    .. math::
        \\log p(x) = x \\log p + (1 - x)\\log(1 - p) = x\\ell - \\mathrm{softplus}(\\ell),

    .. math::
        H = -p\\log p - (1-p)\\log(1-p) = \\mathrm{softplus}(\\ell) - p\\,\\ell,

    with :math:`0 \\log 0 = 0`; mean :math:`p`, variance :math:`p(1-p)`.
    """

    def __init__(self, probs: Any = None, logits: Any = None):
        _one_of(probs, logits, "Bernoulli")
        if probs is not None:
            self._p = as_param(probs, "probs", family="Bernoulli")
            if np.any((self._p.data < 0) | (self._p.data > 1)):
                bad = self._p.data[(self._p.data < 0) | (self._p.data > 1)].ravel()[0]
                raise ValueError(
                    f"Bernoulli: probs must lie in [0, 1]; got {bad!r}. Pass logits= for unconstrained values."
                )
            self._l = None
            self.batch_shape = self._p.shape
        else:
            self._l = as_param(logits, "logits", family="Bernoulli")
            self._p = None
            self.batch_shape = self._l.shape
        self.event_shape = ()
        self._tensor_mode = isinstance(probs, Tensor) or isinstance(logits, Tensor)

    def _probs(self) -> Tensor:
        return self._p if self._p is not None else self._l.sigmoid()

    @property
    def probs(self) -> Any:
        """:math:`P(x = 1)`, of shape ``batch_shape``."""
        return self._out(self._probs())

    @property
    def logits(self) -> Any:
        """:math:`\\log p - \\log(1 - p)` (infinite where p is 0 or 1)."""
        if self._l is not None:
            return self._out(self._l)
        return self._out(safe_log(self._p) - safe_log(1.0 - self._p))

    def _log_prob(self, x):
        xd = x.data
        bad = (xd != 0) & (xd != 1)
        if np.any(bad):
            raise ValueError(
                f"Bernoulli.log_prob: the value must be 0 or 1; got {xd[bad].ravel()[0]!r} "
                f"({int(bad.sum())} value(s) outside the support)."
            )
        if self._l is not None:
            return Tensor(xd) * self._l - softplus(self._l)
        return where(xd == 1, safe_log(self._p), safe_log(1.0 - self._p))

    def _sample(self, rng, shape):
        p = np.broadcast_to(self._probs().data, shape + self.batch_shape)
        return (rng.random(p.shape) < p).astype(np.float64)

    def _entropy(self):
        if self._l is not None:
            return softplus(self._l) - self._l.sigmoid() * self._l
        q = 1.0 - self._p
        return -(xlogy(self._p, self._p) + xlogy(q, q))

    def _mean(self):
        return self._probs()

    def _variance(self):
        p = self._probs()
        return p * (1.0 - p)


class Categorical(Distribution):
    """Categorical distribution over {0, ..., K-1} (``torch.distributions.Categorical``).

    Parameters
    ----------
    probs : array_like or Tensor of shape (..., K), optional
        Non-negative probabilities summing to 1 over the last axis (within 1e-6;
        they are then renormalised exactly).
    logits : array_like or Tensor of shape (..., K), optional
        Unnormalised log-probabilities. Give exactly one of ``probs`` and ``logits``.

    Notes
    -----
    With :math:`\\log p_k = \\ell_k - \\log\\sum_j e^{\\ell_j}` (a stable log-softmax),

    .. math::
        \\log p(x = k) = \\log p_k, \\qquad H = -\\sum_k p_k \\log p_k \\quad (0\\log 0 = 0).

    ``mean`` and ``variance`` are those of the class index,
    :math:`\\sum_k k p_k` and :math:`\\sum_k k^2 p_k - (\\sum_k k p_k)^2`
    (``torch`` returns NaN for both). Samples are int64 class indices.
    """

    def __init__(self, probs: Any = None, logits: Any = None):
        _one_of(probs, logits, "Categorical")
        name = "probs" if probs is not None else "logits"
        t = as_param(probs if probs is not None else logits, name, family="Categorical")
        if t.ndim < 1:
            raise ValueError(
                f"Categorical: {name} must have shape (..., K) with the K categories on the last axis; "
                "got a scalar. For two outcomes use Bernoulli."
            )
        if probs is not None:
            if np.any(t.data < 0):
                raise ValueError(f"Categorical: probs must be >= 0; got {t.data.min()!r}.")
            total = t.data.sum(axis=-1)
            if np.any(np.abs(total - 1.0) > _SIMPLEX_TOL):
                worst = total.ravel()[np.argmax(np.abs(total - 1.0).ravel())]
                raise ValueError(
                    f"Categorical: probs must sum to 1 over the last axis; a row sums to {worst!r}. "
                    "Normalise them (p / p.sum(-1, keepdims=True)) or pass logits=."
                )
            self._p = t / t.sum(axis=-1, keepdims=True)
            self._logp = safe_log(self._p)
        else:
            self._logp = log_softmax(t, axis=-1)
            self._p = softmax(t, axis=-1)
        self._from_logits = probs is None
        self.num_categories = t.shape[-1]
        self.batch_shape = t.shape[:-1]
        self.event_shape = ()
        self._tensor_mode = isinstance(probs, Tensor) or isinstance(logits, Tensor)

    @property
    def probs(self) -> Any:
        """Normalised probabilities, shape ``batch_shape + (K,)``."""
        return self._out(self._p)

    @property
    def logits(self) -> Any:
        """Normalised log-probabilities :math:`\\log p_k` (``-inf`` where :math:`p_k = 0`)."""
        return self._out(self._logp)

    def _log_prob(self, x):
        K = self.num_categories
        xd = x.data
        _check_integer_values(xd, "Categorical", f"a class index in {{0, ..., {K - 1}}}", high=K)
        shape = np.broadcast_shapes(xd.shape, self.batch_shape)
        idx = np.broadcast_to(xd, shape).astype(np.int64).ravel()
        logp = expand(self._logp, shape + (K,)).reshape(-1, K)  # (N, K)
        return logp[np.arange(idx.size), idx].reshape(shape)  # gather log p_x

    def _sample(self, rng, shape):
        cdf = np.cumsum(self._p.data, axis=-1)  # (*B, K)
        u = rng.random(shape + self.batch_shape)[..., None]  # (*S, *B, 1)
        return np.minimum((u >= cdf).sum(axis=-1), self.num_categories - 1).astype(np.int64)

    def _entropy(self):
        if self._from_logits:
            return -(self._p * self._logp).sum(axis=-1)
        return -xlogy(self._p, self._p).sum(axis=-1)

    def _k(self) -> Tensor:
        return Tensor(np.arange(self.num_categories, dtype=self._p.dtype))

    def _mean(self):
        return (self._p * self._k()).sum(axis=-1)

    def _variance(self):
        k = self._k()
        m = (self._p * k).sum(axis=-1)
        return (self._p * k * k).sum(axis=-1) - m * m


class Poisson(Distribution):
    """Poisson distribution over the counts {0, 1, 2, ...} (``torch.distributions.Poisson``).

    Parameters
    ----------
    rate : float, array_like or Tensor
        :math:`\\lambda \\ge 0`, the mean count.

    Notes
    -----
    .. math::
        \\log p(x) = x\\log\\lambda - \\lambda - \\log\\Gamma(x + 1),

    mean and variance :math:`\\lambda`. The entropy has no closed form; it is the
    series :math:`H = -\\sum_k p(k)\\log p(k)` summed over every count whose
    probability is not negligible (from :math:`\\lambda - 12\\sqrt\\lambda - 10`
    to :math:`\\lambda + 12\\sqrt\\lambda + 30`).
    """

    def __init__(self, rate: Any):
        self.rate = as_param(rate, "rate", family="Poisson")
        check_positive_param(self.rate, "rate", "Poisson", strict=False)
        self.batch_shape = self.rate.shape
        self.event_shape = ()
        self._tensor_mode = isinstance(rate, Tensor)

    def _log_prob(self, x):
        xd = x.data
        _check_integer_values(xd, "Poisson", "a non-negative integer count")
        k = Tensor(xd)
        return xlogy(k, self.rate) - self.rate - lgamma(xd + 1.0)

    def _sample(self, rng, shape):
        lam = np.broadcast_to(self.rate.data, shape + self.batch_shape)
        return rng.poisson(lam).astype(np.float64)

    def _entropy(self):
        lam = self.rate.data
        sd = np.sqrt(lam)
        lo = max(0, math.floor(float(np.min(lam - 12 * sd))) - 10)
        hi = math.ceil(float(np.max(lam + 12 * sd))) + 30
        k = np.arange(lo, hi + 1, dtype=np.float64).reshape((-1,) + (1,) * self.rate.ndim)  # (n_k, 1, ...)
        logp = xlogy(Tensor(k), self.rate) - self.rate - lgamma(k + 1.0)  # (n_k, *batch)
        return -xlogy(logp.exp(), logp.exp()).sum(axis=0)

    def _mean(self):
        return self.rate

    def _variance(self):
        return self.rate
