"""The Gamma distribution and its normalised relatives, :class:`Beta` and :class:`Dirichlet`.

A Dirichlet draw is a vector of independent Gamma draws divided by their sum,
and a Beta is a two-category Dirichlet. These are the conjugate priors of the
Poisson rate, the Bernoulli probability and the Categorical probabilities.
``log_prob`` and ``entropy`` are differentiable in the parameters (through
:func:`~scratch.distributions.special.lgamma` and
:func:`~scratch.distributions.special.digamma`); sampling is not reparameterised.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch.autograd.tensor import Tensor
from scratch.distributions.distribution import (
    Distribution,
    as_param,
    broadcast_params,
    check_positive_param,
    expand,
)
from scratch.distributions.special import digamma, lgamma, xlogy

__all__ = ["Gamma", "Beta", "Dirichlet"]

_SIMPLEX_TOL = 1e-6


class Gamma(Distribution):
    """Gamma distribution with shape ``concentration`` and inverse scale ``rate`` (``torch.distributions.Gamma``).

    Parameters
    ----------
    concentration : float, array_like or Tensor
        Shape :math:`\\alpha > 0`.
    rate : float, array_like or Tensor
        Rate :math:`\\beta > 0` (numpy's ``scale`` is :math:`1/\\beta`).

    Notes
    -----
    .. math::
        \\log p(x) = \\alpha\\log\\beta + (\\alpha - 1)\\log x - \\beta x - \\log\\Gamma(\\alpha),

    .. math::
        H = \\alpha - \\log\\beta + \\log\\Gamma(\\alpha) + (1 - \\alpha)\\psi(\\alpha),

    mean :math:`\\alpha/\\beta`, variance :math:`\\alpha/\\beta^2`.
    """

    def __init__(self, concentration: Any, rate: Any):
        self.concentration = as_param(concentration, "concentration", family="Gamma")
        self.rate = as_param(rate, "rate", family="Gamma")
        check_positive_param(self.concentration, "concentration", "Gamma")
        check_positive_param(self.rate, "rate", "Gamma")
        self.batch_shape = broadcast_params("Gamma", concentration=self.concentration, rate=self.rate)
        self.event_shape = ()
        self._tensor_mode = isinstance(concentration, Tensor) or isinstance(rate, Tensor)

    def _log_prob(self, x):
        self._support_error("a non-negative real number", x.data < 0, x.data)
        a, b = self.concentration, self.rate
        return a * b.log() + xlogy(a - 1.0, x) - b * x - lgamma(a)

    def _sample(self, rng, shape):
        full = shape + self.batch_shape
        a = np.broadcast_to(self.concentration.data, full)
        return rng.gamma(a, 1.0 / np.broadcast_to(self.rate.data, full))

    def _entropy(self):
        a, b = self.concentration, self.rate
        return expand(a - b.log() + lgamma(a) + (1.0 - a) * digamma(a), self.batch_shape)

    def _mean(self):
        return expand(self.concentration / self.rate, self.batch_shape)

    def _variance(self):
        return expand(self.concentration / (self.rate * self.rate), self.batch_shape)


def _lbeta(a: Tensor, b: Tensor) -> Tensor:
    return lgamma(a) + lgamma(b) - lgamma(a + b)


class Beta(Distribution):
    """Beta distribution on [0, 1] (``torch.distributions.Beta``).

    Parameters
    ----------
    concentration1 : float, array_like or Tensor
        :math:`\\alpha > 0` (pseudo-count of ones).
    concentration0 : float, array_like or Tensor
        :math:`\\beta > 0` (pseudo-count of zeros).

    Notes
    -----
    With :math:`\\log B(\\alpha, \\beta) = \\log\\Gamma(\\alpha) + \\log\\Gamma(\\beta) - \\log\\Gamma(\\alpha + \\beta)`,

    .. math::
        \\log p(x) = (\\alpha - 1)\\log x + (\\beta - 1)\\log(1 - x) - \\log B(\\alpha, \\beta),

    .. math::
        H = \\log B(\\alpha, \\beta) - (\\alpha - 1)\\psi(\\alpha) - (\\beta - 1)\\psi(\\beta)
        + (\\alpha + \\beta - 2)\\psi(\\alpha + \\beta),

    mean :math:`\\alpha/(\\alpha+\\beta)`, variance
    :math:`\\alpha\\beta / ((\\alpha+\\beta)^2(\\alpha+\\beta+1))`.
    """

    def __init__(self, concentration1: Any, concentration0: Any):
        self.concentration1 = as_param(concentration1, "concentration1", family="Beta")
        self.concentration0 = as_param(concentration0, "concentration0", family="Beta")
        check_positive_param(self.concentration1, "concentration1", "Beta")
        check_positive_param(self.concentration0, "concentration0", "Beta")
        self.batch_shape = broadcast_params("Beta", concentration1=self.concentration1,
                                            concentration0=self.concentration0)
        self.event_shape = ()
        self._tensor_mode = isinstance(concentration1, Tensor) or isinstance(concentration0, Tensor)

    def _log_prob(self, x):
        self._support_error("in [0, 1]", (x.data < 0) | (x.data > 1), x.data)
        a, b = self.concentration1, self.concentration0
        return xlogy(a - 1.0, x) + xlogy(b - 1.0, 1.0 - x) - _lbeta(a, b)

    def _sample(self, rng, shape):
        full = shape + self.batch_shape
        return rng.beta(np.broadcast_to(self.concentration1.data, full),
                        np.broadcast_to(self.concentration0.data, full))

    def _entropy(self):
        a, b = self.concentration1, self.concentration0
        h = _lbeta(a, b) - (a - 1.0) * digamma(a) - (b - 1.0) * digamma(b) + (a + b - 2.0) * digamma(a + b)
        return expand(h, self.batch_shape)

    def _mean(self):
        a, b = self.concentration1, self.concentration0
        return expand(a / (a + b), self.batch_shape)

    def _variance(self):
        a, b = self.concentration1, self.concentration0
        s = a + b
        return expand(a * b / (s * s * (s + 1.0)), self.batch_shape)


class Dirichlet(Distribution):
    """Dirichlet distribution on the probability simplex (``torch.distributions.Dirichlet``).

    Parameters
    ----------
    concentration : array_like or Tensor of shape (..., K)
        :math:`\\alpha_k > 0`, with :math:`K \\ge 2` categories on the last axis.

    Notes
    -----
    With :math:`\\alpha_0 = \\sum_k \\alpha_k`,

    .. math::
        \\log p(x) = \\sum_k (\\alpha_k - 1)\\log x_k + \\log\\Gamma(\\alpha_0) - \\sum_k \\log\\Gamma(\\alpha_k),

    .. math::
        H = \\sum_k \\log\\Gamma(\\alpha_k) - \\log\\Gamma(\\alpha_0) + (\\alpha_0 - K)\\psi(\\alpha_0)
        - \\sum_k (\\alpha_k - 1)\\psi(\\alpha_k),

    mean :math:`\\alpha_k/\\alpha_0`, variance
    :math:`\\alpha_k(\\alpha_0 - \\alpha_k)/(\\alpha_0^2(\\alpha_0 + 1))`. Samples
    normalise independent :math:`\\mathrm{Gamma}(\\alpha_k, 1)` draws, computed in
    log space (:math:`\\log G_k = \\log G'_k + \\log U / \\alpha_k` with
    :math:`G'_k \\sim \\mathrm{Gamma}(\\alpha_k + 1, 1)`) so that tiny
    concentrations do not underflow to 0/0.
    """

    def __init__(self, concentration: Any):
        self.concentration = as_param(concentration, "concentration", family="Dirichlet")
        if self.concentration.ndim < 1 or self.concentration.shape[-1] < 2:
            raise ValueError(
                "Dirichlet: concentration must have shape (..., K) with K >= 2 categories on the last "
                f"axis; got shape {self.concentration.shape}. For K = 2 a Beta is equivalent."
            )
        check_positive_param(self.concentration, "concentration", "Dirichlet")
        self.batch_shape = self.concentration.shape[:-1]
        self.event_shape = self.concentration.shape[-1:]
        self._tensor_mode = isinstance(concentration, Tensor)

    def _log_prob(self, x):
        xd = x.data
        self._support_error("on the simplex (entries >= 0)", xd < 0, xd)
        total = xd.sum(axis=-1)
        if np.any(np.abs(total - 1.0) > _SIMPLEX_TOL):
            raise ValueError(
                f"Dirichlet.log_prob: the value must lie on the simplex (sum to 1 over the last axis); "
                f"a row sums to {total.ravel()[np.argmax(np.abs(total - 1.0).ravel())]!r}."
            )
        a = self.concentration
        return xlogy(a - 1.0, x).sum(axis=-1) + lgamma(a.sum(axis=-1)) - lgamma(a).sum(axis=-1)

    def _sample(self, rng, shape):
        a = np.broadcast_to(self.concentration.data, shape + self.batch_shape + self.event_shape)
        log_g = np.log(rng.gamma(a + 1.0)) + np.log1p(-rng.random(a.shape)) / a  # log Gamma(a, 1) draws
        log_g -= log_g.max(axis=-1, keepdims=True)
        g = np.exp(log_g)
        return g / g.sum(axis=-1, keepdims=True)

    def _entropy(self):
        a = self.concentration
        K = a.shape[-1]
        a0 = a.sum(axis=-1)
        return (lgamma(a).sum(axis=-1) - lgamma(a0) + (a0 - K) * digamma(a0)
                - ((a - 1.0) * digamma(a)).sum(axis=-1))

    def _mean(self):
        a = self.concentration
        return a / a.sum(axis=-1, keepdims=True)

    def _variance(self):
        a = self.concentration
        a0 = a.sum(axis=-1, keepdims=True)
        return a * (a0 - a) / (a0 * a0 * (a0 + 1.0))
