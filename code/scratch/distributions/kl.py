"""Closed-form Kullback-Leibler divergences :math:`\\mathrm{KL}(p \\,\\|\\, q)` between distributions.

:func:`kl_divergence` looks the pair of types up in a small registry (as
``torch.distributions.kl_divergence`` does); :func:`register_kl` adds a pair.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from scratch.autograd.tensor import Tensor
from scratch.distributions.discrete import Bernoulli, Categorical
from scratch.distributions.distribution import Distribution, expand
from scratch.distributions.gaussian import MultivariateNormal, Normal, _diag
from scratch.autograd.linalg import solve_triangular
from scratch.distributions.special import xlogy

__all__ = ["kl_divergence", "register_kl"]

_KL: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {}


def register_kl(type_p: type, type_q: type) -> Callable:
    """Decorator registering ``fn(p, q)`` as the KL divergence of the pair ``(type_p, type_q)``."""

    for name, t in (("type_p", type_p), ("type_q", type_q)):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise TypeError(f"register_kl: {name} must be a Distribution subclass (e.g. Normal); got {t!r}.")

    def decorator(fn):
        if not callable(fn):
            raise TypeError(f"register_kl must decorate a callable fn(p, q); got {type(fn).__name__}.")
        _KL[(type_p, type_q)] = fn
        return fn

    return decorator


def kl_divergence(p: Distribution, q: Distribution) -> Any:
    """:math:`\\mathrm{KL}(p\\,\\|\\,q) = \\mathbb E_p[\\log p(x) - \\log q(x)]` in closed form.

    Parameters
    ----------
    p, q : Distribution
        Supported pairs: Normal-Normal, MultivariateNormal-MultivariateNormal,
        Bernoulli-Bernoulli, Categorical-Categorical.

    Returns
    -------
    ndarray or Tensor of the broadcast batch shape
        A Tensor (gradients flow) when either distribution has Tensor parameters.

    Raises
    ------
    NotImplementedError
        For a pair without a closed form here (estimate it by Monte Carlo:
        ``(p.log_prob(x) - q.log_prob(x)).mean()`` with ``x = p.sample(rng, n)``).
    ValueError
        When the batch or event shapes do not match.

    Notes
    -----
    Normal: :math:`\\log\\frac{\\sigma_q}{\\sigma_p} + \\frac{\\sigma_p^2 + (\\mu_p - \\mu_q)^2}{2\\sigma_q^2} - \\frac12`.

    Multivariate normal, with :math:`M = L_q^{-1}L_p` and :math:`z = L_q^{-1}(\\mu_q - \\mu_p)`:

    .. math::
        \\tfrac12\\big(\\lVert M\\rVert_F^2 + \\lVert z\\rVert^2 - d\\big)
        + \\sum_i \\log (L_q)_{ii} - \\sum_i \\log (L_p)_{ii}.

    Bernoulli and Categorical: :math:`\\sum_k p_k(\\log p_k - \\log q_k)`, with
    :math:`0\\log 0 = 0` (and :math:`+\\infty` where :math:`q_k = 0 < p_k`).
    """
    for name, d in (("p", p), ("q", q)):
        if not isinstance(d, Distribution):
            raise TypeError(f"kl_divergence: {name} must be Distribution objects (e.g. Normal(0, 1)); "
                            f"got {type(d).__name__}.")
    fn = _KL.get((type(p), type(q)))
    if fn is None:
        pairs = ", ".join(f"{a.__name__}-{b.__name__}" for a, b in _KL)
        raise NotImplementedError(
            f"No closed-form KL divergence for {type(p).__name__} || {type(q).__name__}; supported pairs: "
            f"{pairs}. Estimate it by Monte Carlo: x = p.sample(rng, n); (p.log_prob(x) - q.log_prob(x)).mean()."
        )
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"kl_divergence: p and q have different event shapes {p.event_shape} and {q.event_shape}."
        )
    try:
        np.broadcast_shapes(p.batch_shape, q.batch_shape)
    except ValueError:
        raise ValueError(
            f"kl_divergence: the batch shapes {p.batch_shape} and {q.batch_shape} do not broadcast."
        ) from None
    out = fn(p, q)
    return out if (p._tensor_mode or q._tensor_mode) else out.data


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1.0 - var_ratio.log())


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    d = p.event_shape[0]
    Lp, Lq = p.scale_tril, q.scale_tril
    M = solve_triangular(Lq, Lp)  # (..., d, d) = Lq^{-1} Lp
    diff = (q.loc - p.loc).expand_dims(-1)  # (..., d, 1)
    if diff.ndim < Lq.ndim:
        diff = diff.reshape((1,) * (Lq.ndim - diff.ndim) + diff.shape)
    z = solve_triangular(Lq, diff)  # (..., d, 1)
    half_logdet_q = _diag(Lq).log().sum(axis=-1)
    half_logdet_p = _diag(Lp).log().sum(axis=-1)
    trace = (M * M).sum(axis=(-2, -1))  # tr(Sigma_q^{-1} Sigma_p)
    maha = (z * z).sum(axis=(-2, -1))
    batch = np.broadcast_shapes(p.batch_shape, q.batch_shape)
    return expand(0.5 * (trace + maha - d) + half_logdet_q - half_logdet_p, batch)


def _sum_plogratio(p_probs: Tensor, p_logp: Tensor | None, q_probs: Tensor, q_logp: Tensor | None,
                   axis: int | None) -> Tensor:
    """sum_k p_k (log p_k - log q_k); through log-probabilities when all are finite, else xlogy."""
    if p_logp is not None and q_logp is not None and np.all(np.isfinite(p_logp.data)) and np.all(
            np.isfinite(q_logp.data)):
        t = p_probs * (p_logp - q_logp)
    else:
        t = xlogy(p_probs, p_probs) - xlogy(p_probs, q_probs)
    return t if axis is None else t.sum(axis=axis)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    pp, qp = p._probs(), q._probs()
    return xlogy(pp, pp) - xlogy(pp, qp) + xlogy(1.0 - pp, 1.0 - pp) - xlogy(1.0 - pp, 1.0 - qp)


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    if p.num_categories != q.num_categories:
        raise ValueError(
            f"kl_divergence: p has {p.num_categories} categories and q has {q.num_categories}."
        )
    return _sum_plogratio(p._p, p._logp, q._p, q._logp, axis=-1)
