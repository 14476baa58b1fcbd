"""Black-box variational inference with Gaussian families.

The chapter ``book/probabilistic/variational_inference.md`` derives every equation
used here; equation labels in the *Notes* sections match the page. A target is given
as a function ``log_joint(z) -> log p(x, z)`` that maps a Tensor of latent samples of
shape (n_samples, dim) to a Tensor of shape (n_samples,). The variational families are
:class:`scratch.nn.Module` subclasses whose parameters any ``scratch.optim`` optimiser
can train; their distributions come from :mod:`scratch.distributions`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_option, check_positive, check_X_y
from scratch.autograd.tensor import Tensor, no_grad
from scratch.distributions import MultivariateNormal, Normal
from scratch.distributions.special import softplus
from scratch.nn.module import Module, Parameter
from scratch.optim.optimizers import Adam

__all__ = [
    "MeanFieldGaussian",
    "FullRankGaussian",
    "elbo",
    "reparam_grad",
    "score_function_grad",
    "fit_vi",
    "logsumexp",
    "gaussian_log_density",
    "mixture_log_density",
    "linear_regression_log_joint",
    "linear_regression_posterior",
    "logistic_regression_log_joint",
    "logistic_predictive",
]

LogJoint = Callable[[Tensor], Tensor]


# ---------------------------------------------------------------------------------------
# Variational families
# ---------------------------------------------------------------------------------------
def _init_loc(dim: int, loc) -> np.ndarray:
    if loc is None:
        return np.zeros(dim)
    loc = check_array(loc, name="init_loc", ndim=1)
    if loc.shape[0] != dim:
        raise ValueError(f"init_loc must have shape ({dim},) to match dim; got {loc.shape}.")
    return loc.copy()


class MeanFieldGaussian(Module):
    """Fully factorised Gaussian ``q(z) = prod_i N(z_i | mu_i, sigma_i^2)``.

    Parameters
    ----------
    dim : int
        Number of latent variables.
    init_loc : array_like, shape (dim,), optional
        Initial means (default 0).
    init_scale : float
        Initial standard deviation of every factor.

    Notes
    -----
    Implements eq-vi-meanfield of the page, with ``sigma = exp(log_scale)`` so that the
    parameters are unconstrained.
    """

    def __init__(self, dim: int, *, init_loc=None, init_scale: float = 1.0):
        self.dim = check_int(dim, name="dim", minimum=1)
        check_positive(init_scale, name="init_scale")
        self.loc = Parameter(_init_loc(self.dim, init_loc))  # (dim,)
        self.log_scale = Parameter(np.full(self.dim, math.log(init_scale)))  # (dim,)

    def distribution(self) -> Normal:
        """The current ``q`` as a :class:`scratch.distributions.Normal` over ``dim`` independent axes."""
        return Normal(self.loc, self.log_scale.exp())

    def rsample(self, rng, n_samples: int) -> Tensor:
        """Reparameterised samples ``mu + sigma * eps``, shape (n_samples, dim)."""
        n_samples = check_int(n_samples, name="n_samples", minimum=1)
        return self.distribution().rsample(rng, (n_samples,))

    def log_prob(self, z) -> Tensor:
        """``log q(z)`` for ``z`` of shape (n_samples, dim); returns shape (n_samples,)."""
        return self.distribution().log_prob(_as_tensor(z)).sum(axis=-1)

    def entropy(self) -> Tensor:
        """Entropy of ``q`` in nats (a scalar Tensor)."""
        return self.distribution().entropy().sum()

    @property
    def mean(self) -> np.ndarray:
        """Mean of ``q``, shape (dim,)."""
        return self.loc.data.copy()

    @property
    def covariance(self) -> np.ndarray:
        """Covariance of ``q``, shape (dim, dim) (diagonal)."""
        return np.diag(np.exp(2 * self.log_scale.data))


class FullRankGaussian(Module):
    """Gaussian ``q(z) = N(z | mu, L L^T)`` with a full lower-triangular Cholesky factor ``L``.

    Parameters
    ----------
    dim : int
    init_loc : array_like, shape (dim,), optional
    init_scale : float
        Initial ``L = init_scale * I``.

    Notes
    -----
    Implements eq-vi-fullrank of the page. ``L`` is built from an unconstrained strictly
    lower triangle and the logs of its diagonal, so every parameter value gives a valid
    factor.
    """

    def __init__(self, dim: int, *, init_loc=None, init_scale: float = 1.0):
        self.dim = check_int(dim, name="dim", minimum=1)
        check_positive(init_scale, name="init_scale")
        self.loc = Parameter(_init_loc(self.dim, init_loc))  # (dim,)
        self.log_diag = Parameter(np.full(self.dim, math.log(init_scale)))  # (dim,)
        self.off_diag = Parameter(np.zeros((self.dim, self.dim)))  # only the strict lower triangle is used
        self._lower = Tensor(np.tril(np.ones((self.dim, self.dim)), -1))
        self._eye = Tensor(np.eye(self.dim))

    def scale_tril(self) -> Tensor:
        """The Cholesky factor ``L``, shape (dim, dim)."""
        return self.off_diag * self._lower + self.log_diag.exp().reshape(1, self.dim) * self._eye

    def distribution(self) -> MultivariateNormal:
        """The current ``q`` as a :class:`scratch.distributions.MultivariateNormal`."""
        return MultivariateNormal(self.loc, scale_tril=self.scale_tril())

    def rsample(self, rng, n_samples: int) -> Tensor:
        """Reparameterised samples ``mu + L eps``, shape (n_samples, dim)."""
        n_samples = check_int(n_samples, name="n_samples", minimum=1)
        return self.distribution().rsample(rng, (n_samples,))

    def log_prob(self, z) -> Tensor:
        """``log q(z)`` for ``z`` of shape (n_samples, dim); returns shape (n_samples,)."""
        return self.distribution().log_prob(_as_tensor(z))

    def entropy(self) -> Tensor:
        """Entropy of ``q`` in nats (a scalar Tensor)."""
        return self.distribution().entropy()

    @property
    def mean(self) -> np.ndarray:
        """Mean of ``q``, shape (dim,)."""
        return self.loc.data.copy()

    @property
    def covariance(self) -> np.ndarray:
        """Covariance ``L L^T`` of ``q``, shape (dim, dim)."""
        with no_grad():
            L = self.scale_tril().data
        return L @ L.T


def _as_tensor(z) -> Tensor:
    return z if isinstance(z, Tensor) else Tensor(np.asarray(z, dtype=float))


# ---------------------------------------------------------------------------------------
# The ELBO and its gradient estimators
# ---------------------------------------------------------------------------------------
def _check_family(q) -> None:
    if not isinstance(q, (MeanFieldGaussian, FullRankGaussian)):
        raise TypeError(f"q must be a MeanFieldGaussian or FullRankGaussian; got {type(q).__name__}.")


def _call_log_joint(log_joint: LogJoint, z: Tensor) -> Tensor:
    if not callable(log_joint):
        raise TypeError(f"log_joint must be a function z -> log p(x, z); got {type(log_joint).__name__}.")
    out = log_joint(z)
    if not isinstance(out, Tensor):
        out = Tensor(np.asarray(out, dtype=float))
    if out.shape != (z.shape[0],):
        raise ValueError(
            f"log_joint must map z of shape (n_samples, dim) = {z.shape} to shape ({z.shape[0]},); "
            f"it returned shape {out.shape}. Sum the log density over the latent dimensions."
        )
    if not np.all(np.isfinite(out.data)):
        raise ValueError("log_joint returned NaN or infinite values; check the target's support and scales.")
    return out


def elbo(log_joint: LogJoint, q, n_samples: int = 1, rng=None) -> Tensor:
    """Reparameterised Monte Carlo estimate of the evidence lower bound.

    Parameters
    ----------
    log_joint : callable
        ``z`` (Tensor, shape (n_samples, dim)) -> ``log p(x, z)`` (Tensor, shape (n_samples,)).
    q : MeanFieldGaussian or FullRankGaussian
    n_samples : int
    rng : Generator, int or None

    Returns
    -------
    Tensor
        Scalar; its ``backward()`` gives the reparameterisation gradient.

    Notes
    -----
    Implements eq-vi-elbo with the entropy in closed form:
    ``(1/S) sum_s log p(x, mu + L eps_s) + H[q]``.
    """
    _check_family(q)
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    z = q.rsample(as_rng(rng), n_samples)  # (S, dim)
    return _call_log_joint(log_joint, z).mean() + q.entropy()


def _flat_grad(q) -> np.ndarray:
    return np.concatenate([np.zeros(p.size) if p.grad is None else p.grad.ravel() for p in q.parameters()])


def reparam_grad(log_joint: LogJoint, q, n_samples: int = 1, rng=None) -> np.ndarray:
    """Reparameterisation estimate of the ELBO gradient, flattened over ``q.parameters()``.

    Notes
    -----
    Implements eq-vi-reparam of the page.
    """
    for p in q.parameters() if isinstance(q, Module) else ():
        p.grad = None
    elbo(log_joint, q, n_samples, rng).backward()
    return _flat_grad(q)


def _score_surrogate(log_joint: LogJoint, q, n_samples: int, rng) -> tuple[Tensor, float]:
    """A scalar whose gradient is the score-function estimate, and the ELBO estimate."""
    _check_family(q)
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    with no_grad():
        z = q.distribution().sample(as_rng(rng), (n_samples,))  # (S, dim), no gradient path
        weight = _call_log_joint(log_joint, Tensor(z)).data - q.log_prob(z).data  # (S,)
    surrogate = (q.log_prob(z) * Tensor(weight)).mean()  # grad = mean(grad log q * weight)
    return surrogate, float(weight.mean())


def score_function_grad(log_joint: LogJoint, q, n_samples: int = 1, rng=None) -> np.ndarray:
    """Score-function (REINFORCE) estimate of the ELBO gradient, flattened over ``q.parameters()``.

    Notes
    -----
    Implements eq-vi-score of the page:
    ``(1/S) sum_s grad log q(z_s) (log p(x, z_s) - log q(z_s))`` with ``z_s ~ q``;
    only ``log p`` values are needed, not its gradient.
    """
    for p in q.parameters() if isinstance(q, Module) else ():
        p.grad = None
    surrogate, _ = _score_surrogate(log_joint, q, n_samples, rng)
    surrogate.backward()
    return _flat_grad(q)


def fit_vi(log_joint: LogJoint, q, *, n_iter: int = 1000, n_samples: int = 8, lr: float = 0.05,
           lr_final: float | None = None, estimator: str = "reparam", rng=None) -> np.ndarray:
    """Maximise the ELBO over the parameters of ``q`` with Adam (in place).

    Parameters
    ----------
    log_joint : callable
    q : MeanFieldGaussian or FullRankGaussian
        Trained in place.
    n_iter, n_samples : int
    lr : float
        Initial learning rate.
    lr_final : float, optional
        If given, the learning rate decays geometrically to it over ``n_iter`` steps.
    estimator : {"reparam", "score"}
    rng : Generator, int or None

    Returns
    -------
    ndarray, shape (n_iter,)
        The ELBO estimate at every step.
    """
    _check_family(q)
    n_iter = check_int(n_iter, name="n_iter", minimum=1)
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    check_option(estimator, ("reparam", "score"), name="estimator")
    lr = check_positive(lr, name="lr")
    decay = 1.0 if lr_final is None else (check_positive(lr_final, name="lr_final") / lr) ** (1.0 / n_iter)
    rng = as_rng(rng)
    opt = Adam(q.parameters(), lr=lr)
    history = np.empty(n_iter)
    for it in range(n_iter):
        opt.zero_grad()
        if estimator == "reparam":
            objective = elbo(log_joint, q, n_samples, rng)
            history[it] = objective.item()
        else:
            objective, history[it] = _score_surrogate(log_joint, q, n_samples, rng)
        (-objective).backward()  # Adam minimises
        opt.step()
        opt.lr *= decay
    return history


# ---------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------
def logsumexp(a: Tensor, axis: int = -1) -> Tensor:
    """``log sum exp(a)`` along ``axis``, stable (the maximum is subtracted first)."""
    if not isinstance(a, Tensor):
        raise TypeError(f"logsumexp takes a Tensor (it is differentiable); got {type(a).__name__}. "
                        "Wrap arrays with Tensor(...).")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -a.ndim <= axis < a.ndim:
        raise ValueError(f"axis {axis!r} does not exist for a Tensor of shape {a.shape}.")
    m = np.max(a.data, axis=axis, keepdims=True)  # a constant shift: no gradient needed
    return (a - m).exp().sum(axis=axis).log() + np.squeeze(m, axis=axis)


def gaussian_log_density(mean, cov) -> LogJoint:
    """Target ``z -> log N(z | mean, cov)`` for testing VI against a known answer.

    Parameters
    ----------
    mean : array_like, shape (dim,)
    cov : array_like, shape (dim, dim)
        Symmetric positive definite.
    """
    mean = check_array(mean, name="mean", ndim=1)
    cov = check_array(cov, name="cov", ndim=2)
    if cov.shape != (mean.shape[0], mean.shape[0]):
        raise ValueError(f"cov must have shape {(mean.shape[0],) * 2} to match mean; got {cov.shape}.")
    if not np.allclose(cov, cov.T) or np.any(np.linalg.eigvalsh(cov) <= 0):
        raise ValueError("cov must be symmetric positive definite; check its eigenvalues.")
    target = MultivariateNormal(mean, covariance_matrix=cov)
    return lambda z: target.log_prob(z)


def mixture_log_density(means, stds, weights=None) -> LogJoint:
    """Target ``z -> log sum_k w_k N(z | m_k, s_k^2)`` for one-dimensional ``z`` of shape (n_samples, 1).

    Parameters
    ----------
    means, stds : array_like, shape (n_components,)
    weights : array_like, shape (n_components,), optional
        Non-negative, summing to 1 (default: equal).
    """
    means = check_array(means, name="means", ndim=1)
    stds = check_array(stds, name="stds", ndim=1)
    if stds.shape != means.shape or np.any(stds <= 0):
        raise ValueError("stds must be positive and have one entry per component, like means.")
    weights = np.full(means.shape, 1 / means.size) if weights is None else check_array(weights, name="weights", ndim=1)
    if weights.shape != means.shape or np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
        raise ValueError(f"weights must be non-negative, one per component, and sum to 1; got {weights}.")
    comps = Normal(means, stds)
    logw = np.log(weights)

    def log_density(z: Tensor) -> Tensor:
        if z.ndim != 2 or z.shape[1] != 1:
            raise ValueError(f"mixture_log_density is one-dimensional: z must have shape (n_samples, 1); got {z.shape}.")
        return logsumexp(comps.log_prob(z) + logw, axis=-1)  # (S, K) -> (S,)

    return log_density


def linear_regression_log_joint(X, y, *, noise_var: float, prior_var: float) -> LogJoint:
    """``w -> log N(y | X w, noise_var I) + log N(w | 0, prior_var I)``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
    y : array_like, shape (n_samples,)
    noise_var, prior_var : float > 0
    """
    X, y = check_X_y(X, y)
    noise_var = check_positive(noise_var, name="noise_var")
    prior_var = check_positive(prior_var, name="prior_var")
    n, d = X.shape
    const = -0.5 * n * math.log(2 * math.pi * noise_var) - 0.5 * d * math.log(2 * math.pi * prior_var)

    def log_joint(w: Tensor) -> Tensor:
        _check_latent(w, d)
        resid = Tensor(y) - w @ Tensor(X.T)  # (S, n)
        return -0.5 * (resid * resid).sum(axis=-1) / noise_var - 0.5 * (w * w).sum(axis=-1) / prior_var + const

    return log_joint


def linear_regression_posterior(X, y, *, noise_var: float, prior_var: float) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form posterior ``N(m, S)`` of Bayesian linear regression.

    Returns
    -------
    mean : ndarray, shape (n_features,)
    cov : ndarray, shape (n_features, n_features)

    Notes
    -----
    Implements eq-vi-blr-posterior of the page: ``S^{-1} = X^T X / noise_var + I / prior_var``
    and ``m = S X^T y / noise_var``, with one Cholesky factorisation of ``S^{-1}``.
    """
    X, y = check_X_y(X, y)
    noise_var = check_positive(noise_var, name="noise_var")
    prior_var = check_positive(prior_var, name="prior_var")
    precision = X.T @ X / noise_var + np.eye(X.shape[1]) / prior_var  # (d, d)
    L = np.linalg.cholesky(precision)
    L_inv = np.linalg.solve(L, np.eye(X.shape[1]))  # triangular, (d, d)
    cov = L_inv.T @ L_inv
    return cov @ X.T @ y / noise_var, cov


def logistic_regression_log_joint(X, y, *, prior_var: float = 1.0) -> LogJoint:
    """``w -> sum_i log Bernoulli(y_i | sigmoid(x_i^T w)) + log N(w | 0, prior_var I)``.

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Include a column of ones for an intercept.
    y : array_like, shape (n_samples,)
        Labels in {0, 1}.
    prior_var : float > 0

    Notes
    -----
    Implements eq-vi-logistic of the page with ``log sigmoid(a) = a - softplus(a)``.
    """
    X, y = check_X_y(X, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold binary labels 0 and 1 for logistic regression.")
    prior_var = check_positive(prior_var, name="prior_var")
    d = X.shape[1]
    const = -0.5 * d * math.log(2 * math.pi * prior_var)

    def log_joint(w: Tensor) -> Tensor:
        _check_latent(w, d)
        logits = w @ Tensor(X.T)  # (S, n)
        loglik = (logits * Tensor(y) - softplus(logits)).sum(axis=-1)  # (S,)
        return loglik - 0.5 * (w * w).sum(axis=-1) / prior_var + const

    return log_joint


def logistic_predictive(weights, X) -> np.ndarray:
    """Posterior predictive ``p(y = 1 | x) ~ (1/S) sum_s sigmoid(x^T w_s)``.

    Parameters
    ----------
    weights : array_like, shape (n_draws, n_features)
        Draws from the (approximate) posterior; one row gives the plug-in prediction.
    X : array_like, shape (n_points, n_features)

    Returns
    -------
    ndarray, shape (n_points,)
    """
    W = check_array(weights, name="weights", ndim=2)
    X = check_array(X, name="X", ndim=2)
    if W.shape[1] != X.shape[1]:
        raise ValueError(f"weights have {W.shape[1]} features but X has {X.shape[1]}.")
    a = X @ W.T  # (n_points, n_draws)
    return np.mean(0.5 * (1 + np.tanh(0.5 * a)), axis=1)  # sigmoid without overflow


def _check_latent(w: Tensor, d: int) -> None:
    if w.ndim != 2 or w.shape[1] != d:
        raise ValueError(f"the latent samples must have shape (n_samples, {d}); got {w.shape}.")
