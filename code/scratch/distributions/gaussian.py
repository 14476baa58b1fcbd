"""Gaussian distributions: :class:`Normal` (elementwise) and :class:`MultivariateNormal` (Cholesky).

Both are reparameterisable: ``rsample`` returns ``loc + scale * eps`` (or
``loc + L eps``) with ``eps`` standard normal, a Tensor through which gradients
reach the parameters (the "reparameterisation trick" of variational inference
and VAEs).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch.autograd.linalg import cholesky, solve_triangular
from scratch.autograd.tensor import Tensor
from scratch.distributions.distribution import (
    Distribution,
    as_param,
    broadcast_params,
    check_positive_param,
    expand,
)

__all__ = ["Normal", "MultivariateNormal"]

_LOG_2PI = math.log(2 * math.pi)


class Normal(Distribution):
    """Independent normal distributions, one per element (``torch.distributions.Normal``).

    Parameters
    ----------
    loc : float, array_like or Tensor
        Means :math:`\\mu`.
    scale : float, array_like or Tensor
        Standard deviations :math:`\\sigma > 0`; broadcasts with ``loc``.

    Notes
    -----
    .. math::
        \\log p(x) = -\\frac{(x - \\mu)^2}{2\\sigma^2} - \\log\\sigma - \\tfrac12\\log 2\\pi,
        \\qquad H = \\tfrac12 + \\tfrac12\\log 2\\pi + \\log\\sigma,

    and the reparameterised sample :math:`x = \\mu + \\sigma\\varepsilon`,
    :math:`\\varepsilon \\sim \\mathcal N(0, 1)`.
    """

    has_rsample = True

    def __init__(self, loc: Any, scale: Any):
        self.loc = as_param(loc, "loc", family="Normal")
        self.scale = as_param(scale, "scale", family="Normal")
        check_positive_param(self.scale, "scale", "Normal")
        self.batch_shape = broadcast_params("Normal", loc=self.loc, scale=self.scale)
        self.event_shape = ()
        self._tensor_mode = isinstance(loc, Tensor) or isinstance(scale, Tensor)

    def _log_prob(self, x):
        z = (x - self.loc) / self.scale
        return -0.5 * (z * z) - self.scale.log() - 0.5 * _LOG_2PI

    def _rsample(self, rng, shape):
        eps = rng.standard_normal(shape + self.batch_shape)  # (*sample_shape, *batch_shape)
        return self.loc + self.scale * Tensor(eps)

    def _sample(self, rng, shape):
        return self._rsample(rng, shape).data

    def _entropy(self):
        return expand(0.5 + 0.5 * _LOG_2PI + self.scale.log(), self.batch_shape)

    def _mean(self):
        return expand(self.loc, self.batch_shape)

    def _variance(self):
        return expand(self.scale * self.scale, self.batch_shape)


def _diag(L: Tensor) -> Tensor:
    """Diagonal of (..., d, d) as (..., d), differentiable."""
    d = L.shape[-1]
    return (L * Tensor(np.eye(d, dtype=L.dtype))).sum(axis=-1)


def _tri_solve(L: Tensor, v: Tensor) -> Tensor:
    """``L^{-1} v`` for vectors ``v`` (..., d) against ``L`` (..., d, d), batch axes broadcast."""
    d = L.shape[-1]
    if L.ndim == 2:  # one factor: solve all vectors at once as the columns of a (d, n) matrix
        flat = v.reshape(-1, d)  # (n, d)
        return solve_triangular(L, flat.T).T.reshape(v.shape)
    if v.ndim < L.ndim - 1:  # give v the batch axes of L, so that (..., d, 1) reads as a matrix
        v = v.reshape((1,) * (L.ndim - 1 - v.ndim) + v.shape)
    return solve_triangular(L, v.expand_dims(-1))[..., 0]  # (..., d)


class MultivariateNormal(Distribution):
    """Multivariate normal distribution parameterised by its Cholesky factor.

    Give exactly one of ``scale_tril`` or ``covariance_matrix`` (as
    ``torch.distributions.MultivariateNormal``).

    Parameters
    ----------
    loc : array_like or Tensor of shape (..., d)
        Mean vector(s).
    covariance_matrix : array_like or Tensor of shape (..., d, d), optional
        Symmetric positive-definite covariance :math:`\\Sigma`; factorised with
        :func:`scratch.autograd.linalg.cholesky` (gradients flow through it).
    scale_tril : array_like or Tensor of shape (..., d, d), optional
        Lower-triangular :math:`L` with a positive diagonal, :math:`\\Sigma = LL^\\top`.

    Notes
    -----
    With :math:`z = L^{-1}(x - \\mu)` (one triangular solve, no inverse),

    .. math::
        \\log p(x) = -\\tfrac12 \\lVert z \\rVert^2 - \\sum_i \\log L_{ii} - \\tfrac d2 \\log 2\\pi,

        H = \\tfrac d2 (1 + \\log 2\\pi) + \\sum_i \\log L_{ii},

    and the reparameterised sample :math:`x = \\mu + L\\varepsilon`,
    :math:`\\varepsilon \\sim \\mathcal N(0, I_d)`.
    """

    has_rsample = True

    def __init__(self, loc: Any, covariance_matrix: Any = None, scale_tril: Any = None):
        family = "MultivariateNormal"
        if (covariance_matrix is None) == (scale_tril is None):
            raise ValueError(f"{family}: give exactly one of covariance_matrix= or scale_tril=.")
        self.loc = as_param(loc, "loc", family=family)
        if self.loc.ndim < 1:
            raise ValueError(f"{family}: loc must have shape (..., d); got a scalar. Use Normal for d = 1.")
        d = self.loc.shape[-1]
        name = "scale_tril" if scale_tril is not None else "covariance_matrix"
        M = as_param(scale_tril if scale_tril is not None else covariance_matrix, name, family=family)
        if M.ndim < 2 or M.shape[-1] != M.shape[-2] or M.shape[-1] != d:
            raise ValueError(
                f"{family}: {name} must have shape (..., {d}, {d}) to match loc of shape {self.loc.shape}; "
                f"got {M.shape}."
            )
        if scale_tril is not None:
            if np.any(np.triu(M.data, 1) != 0):
                raise ValueError(
                    f"{family}: scale_tril must be lower triangular; it has nonzero entries above the "
                    "diagonal. Pass np.tril(...) of your factor, or covariance_matrix= instead."
                )
            diag = np.diagonal(M.data, axis1=-2, axis2=-1)
            if np.any(diag <= 0):
                raise ValueError(
                    f"{family}: scale_tril must have a positive diagonal; its smallest diagonal entry is "
                    f"{diag.min():.3g}. Parameterise the diagonal as exp(.) of a free parameter."
                )
            self.scale_tril = M
        else:
            try:
                self.scale_tril = cholesky(M)
            except ValueError as exc:
                raise ValueError(f"{family}: covariance_matrix is invalid: {exc}") from None
        try:
            self.batch_shape = np.broadcast_shapes(self.loc.shape[:-1], self.scale_tril.shape[:-2])
        except ValueError:
            raise ValueError(
                f"{family}: the batch shapes of loc {self.loc.shape} and {name} {M.shape} do not broadcast."
            ) from None
        self.event_shape = (d,)
        self._tensor_mode = any(isinstance(v, Tensor) for v in (loc, covariance_matrix, scale_tril))

    @property
    def covariance_matrix(self) -> Any:
        """:math:`\\Sigma = LL^\\top`, of shape ``batch_shape + (d, d)``."""
        L = self.scale_tril
        return self._out(L @ L.swapaxes(-1, -2))

    def _half_logdet(self) -> Tensor:
        return _diag(self.scale_tril).log().sum(axis=-1)  # sum_i log L_ii = log det(Sigma) / 2

    def _log_prob(self, x):
        d = self.event_shape[0]
        z = _tri_solve(self.scale_tril, x - self.loc)  # (..., d)
        return -0.5 * (z * z).sum(axis=-1) - self._half_logdet() - 0.5 * d * _LOG_2PI

    def _rsample(self, rng, shape):
        d = self.event_shape[0]
        eps = Tensor(rng.standard_normal(shape + self.batch_shape + (d, 1)))  # (*S, *B, d, 1)
        return self.loc + (self.scale_tril @ eps)[..., 0]  # (*S, *B, d)

    def _sample(self, rng, shape):
        return self._rsample(rng, shape).data

    def _entropy(self):
        d = self.event_shape[0]
        return expand(0.5 * d * (1.0 + _LOG_2PI) + self._half_logdet(), self.batch_shape)

    def _mean(self):
        return expand(self.loc, self.batch_shape + self.event_shape)

    def _variance(self):
        L = self.scale_tril
        return expand((L * L).sum(axis=-1), self.batch_shape + self.event_shape)  # diag(L L^T)
