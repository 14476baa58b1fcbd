"""Probability for this book, each piece checkable with numpy: LLN, CLT, MLE, entropy, cross-entropy, KL.

Page: ``book/appendix/probability.md`` (equations ``eq-prob-lln``, ``eq-prob-clt``,
``eq-prob-mle``, ``eq-prob-entropy``, ``eq-prob-kl``).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int

__all__ = ["running_means", "standardized_means", "bernoulli_mle", "gaussian_mle", "entropy", "cross_entropy",
           "kl_divergence"]


def running_means(x: np.ndarray) -> np.ndarray:
    """Sample means of the first 1, 2, ..., n values of ``x`` (n,): the law of large numbers, ``eq-prob-lln``."""
    x = check_array(x, name="x", ndim=1)
    return np.cumsum(x) / np.arange(1, len(x) + 1)


def standardized_means(sampler: Callable[[np.random.Generator, tuple[int, int]], np.ndarray], n: int, reps: int,
                       mean: float, std: float, rng: RNG = None) -> np.ndarray:
    r"""``reps`` draws of :math:`\sqrt{n}(\bar X_n - \mu)/\sigma`, shape (reps,): the CLT, ``eq-prob-clt``.

    ``sampler(rng, shape)`` returns i.i.d. draws of the given shape with mean
    ``mean`` and standard deviation ``std``.
    """
    if not callable(sampler):
        raise TypeError(f"sampler must be a callable (rng, shape) -> array; got {type(sampler).__name__}.")
    n = check_int(n, name="n", minimum=1)
    reps = check_int(reps, name="reps", minimum=1)
    if not std > 0 or not np.isfinite(std):
        raise ValueError(f"std must be finite and > 0; got {std}.")
    if not np.isfinite(mean):
        raise ValueError(f"mean must be finite; got {mean}.")
    draws = np.asarray(sampler(as_rng(rng), (reps, n)), dtype=float)
    if draws.shape != (reps, n):
        raise ValueError(f"sampler must return an array of shape {(reps, n)}; got {draws.shape}.")
    return np.sqrt(n) * (draws.mean(axis=1) - mean) / std


def bernoulli_mle(x: np.ndarray) -> float:
    """Maximum-likelihood estimate of a Bernoulli probability from 0/1 data (n,): the sample mean."""
    x = check_array(x, name="x", ndim=1)
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("bernoulli_mle expects 0/1 outcomes; got other values.")
    return float(x.mean())


def gaussian_mle(x: np.ndarray) -> tuple[float, float]:
    r"""Maximum-likelihood mean and variance of a Gaussian from data (n,), ``eq-prob-mle``.

    The variance divides by :math:`n` (biased), not :math:`n-1`.
    """
    x = check_array(x, name="x", ndim=1)
    mu = float(x.mean())
    return mu, float(((x - mu) ** 2).mean())


def _check_pmf(p: np.ndarray, name: str) -> np.ndarray:
    p = check_array(p, name=name, ndim=1)
    if np.any(p < 0) or abs(p.sum() - 1) > 1e-9:
        raise ValueError(f"{name} must be a probability vector (non-negative, summing to 1); got sum {p.sum():.6g}.")
    return p


def _check_base(base: float) -> float:
    if isinstance(base, bool) or not isinstance(base, (int, float, np.number)) or not (
            np.isfinite(base) and base > 0 and base != 1):
        raise ValueError(f"base must be > 0 and != 1 (e.g. 2 for bits, np.e for nats); got {base!r}.")
    return float(base)


def entropy(p: np.ndarray, base: float = np.e) -> float:
    r"""Entropy :math:`H(p) = -\sum_i p_i \log p_i` (with :math:`0 \log 0 = 0`), ``eq-prob-entropy``."""
    base = _check_base(base)
    p = _check_pmf(p, "p")
    nz = p > 0
    return float(-(p[nz] * np.log(p[nz])).sum() / np.log(base))


def cross_entropy(p: np.ndarray, q: np.ndarray, base: float = np.e) -> float:
    r"""Cross-entropy :math:`H(p, q) = -\sum_i p_i \log q_i`; infinite where :math:`q_i = 0 < p_i`."""
    base = _check_base(base)
    p, q = _check_pmf(p, "p"), _check_pmf(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same length; got {len(p)} and {len(q)}.")
    nz = p > 0
    if np.any(q[nz] == 0):
        return float("inf")
    return float(-(p[nz] * np.log(q[nz])).sum() / np.log(base))


def kl_divergence(p: np.ndarray, q: np.ndarray, base: float = np.e) -> float:
    r"""Kullback-Leibler divergence :math:`D(p\|q) = H(p, q) - H(p) \ge 0`, ``eq-prob-kl``."""
    h_pq = cross_entropy(p, q, base)
    return h_pq if np.isinf(h_pq) else max(h_pq - entropy(p, base), 0.0)
