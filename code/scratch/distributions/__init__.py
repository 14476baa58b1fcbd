"""Probability distributions with ``torch.distributions``' names, on numpy and Tensors.

* :mod:`scratch.distributions.distribution`: the :class:`Distribution` base class
  (``log_prob``, ``sample``, ``rsample``, ``entropy``, ``mean``, ``variance``)
* :mod:`scratch.distributions.gaussian`: :class:`Normal`, :class:`MultivariateNormal`
* :mod:`scratch.distributions.discrete`: :class:`Bernoulli`, :class:`Categorical`, :class:`Poisson`
* :mod:`scratch.distributions.gamma`: :class:`Gamma`, :class:`Beta`, :class:`Dirichlet`
* :mod:`scratch.distributions.kl`: :func:`kl_divergence`, :func:`register_kl`
* :mod:`scratch.distributions.special`: differentiable :func:`lgamma`, :func:`digamma`,
  :func:`softplus`, :func:`xlogy`, :func:`safe_log`
"""

from scratch.distributions.discrete import Bernoulli, Categorical, Poisson
from scratch.distributions.distribution import Distribution
from scratch.distributions.gamma import Beta, Dirichlet, Gamma
from scratch.distributions.gaussian import MultivariateNormal, Normal
from scratch.distributions.kl import kl_divergence, register_kl
from scratch.distributions.special import digamma, lgamma, safe_log, softplus, trigamma, xlogy

__all__ = [
    "Distribution",
    "Normal",
    "MultivariateNormal",
    "Bernoulli",
    "Categorical",
    "Poisson",
    "Gamma",
    "Beta",
    "Dirichlet",
    "kl_divergence",
    "register_kl",
    "lgamma",
    "digamma",
    "trigamma",
    "softplus",
    "xlogy",
    "safe_log",
]
