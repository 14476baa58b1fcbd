"""Poisson regression with a log link (a generalised linear model) fitted by Newton's method.

The chapter ``book/classical/poisson_glm.md`` derives every equation used here;
equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from scratch._validation import (
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
    check_positive,
    check_X_y,
)

__all__ = [
    "PoissonGLM",
    "ConvergenceWarning",
    "poisson_log_likelihood",
    "poisson_deviance",
    "spike_history_design",
]


class ConvergenceWarning(UserWarning):
    """Newton's method stopped (``max_iter`` reached, or no further decrease possible)
    before the largest gradient entry fell below ``tol``."""


def _log_factorial(y: np.ndarray) -> np.ndarray:
    """log(y!) = log Gamma(y + 1), elementwise (math.lgamma; no scipy)."""
    return np.array([math.lgamma(v + 1.0) for v in y.ravel()]).reshape(y.shape)


def _check_counts(y, name: str = "y") -> np.ndarray:
    y = check_array(y, name=name, ndim=1)
    if np.any(y < 0):
        raise ValueError(
            f"{name} must hold non-negative counts; got minimum {y.min():g}. A Poisson model "
            "describes counts (e.g. spikes per bin)."
        )
    return y


def _check_rates(rate, n: int) -> np.ndarray:
    rate = check_array(rate, name="rate", ndim=1)
    if rate.shape[0] != n:
        raise ValueError(f"y and rate have mismatched lengths {n} and {rate.shape[0]}.")
    if np.any(rate < 0):
        raise ValueError(
            f"rate must be >= 0 (an expected count); got {int(np.sum(rate < 0))} negative value(s), "
            f"minimum {rate.min():.3g}. A Poisson likelihood is undefined for negative rates: "
            "clip them (e.g. np.maximum(rate, 1e-3)) if they come from a model that allows them."
        )
    return rate


def poisson_log_likelihood(y, rate) -> float:
    r"""Total Poisson log-likelihood :math:`\sum_i y_i\log\mu_i - \mu_i - \log y_i!` in nats.

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Observed counts.
    rate : array_like of shape (n_samples,)
        Expected counts :math:`\mu_i \ge 0`. A zero rate with a positive count gives
        :math:`-\infty`.
    """
    y = _check_counts(y)
    rate = _check_rates(rate, y.shape[0])
    with np.errstate(divide="ignore"):
        log_rate = np.log(rate)                                     # -inf where rate == 0
    y_log_rate = y * np.where(y > 0, log_rate, 0.0)                  # 0 log 0 = 0; y log 0 = -inf
    return float(np.sum(y_log_rate - rate - _log_factorial(y)))


def poisson_deviance(y, rate) -> float:
    r"""Poisson deviance :math:`2\sum_i y_i\log(y_i/\mu_i) - y_i + \mu_i` (0 for a perfect fit)."""
    y = _check_counts(y)
    rate = _check_rates(rate, y.shape[0])
    positive = y > 0
    with np.errstate(divide="ignore"):                               # y > 0, rate = 0 gives +inf
        log_ratio = np.log(np.where(positive, y, 1.0) / np.where(positive, rate, 1.0))
    ratio_term = y * log_ratio                                       # 0 where y = 0
    return float(2 * np.sum(ratio_term - y + rate))


def spike_history_design(stimulus, spikes, n_stim_lags: int, n_hist_lags: int) -> np.ndarray:
    r"""Design matrix of a GLM neuron: lagged stimulus values and the neuron's own past spikes.

    Row :math:`t` is :math:`(s_t, s_{t-1}, \ldots, s_{t-K+1}, y_{t-1}, \ldots, y_{t-H})`,
    with values before the first bin taken as zero (``eq-glm-design``).

    Parameters
    ----------
    stimulus : array_like of shape (n_bins,)
    spikes : array_like of shape (n_bins,)
        Spike counts per bin.
    n_stim_lags : int
        Number :math:`K \ge 1` of stimulus lags (0 to K - 1).
    n_hist_lags : int
        Number :math:`H \ge 0` of spike-history lags (1 to H).

    Returns
    -------
    ndarray of shape (n_bins, n_stim_lags + n_hist_lags)
    """
    s = check_array(stimulus, name="stimulus", ndim=1)
    y = _check_counts(spikes, name="spikes")
    if s.shape != y.shape:
        raise ValueError(
            f"stimulus and spikes must cover the same bins; got lengths {s.size} and {y.size}."
        )
    K = check_int(n_stim_lags, name="n_stim_lags", minimum=1)
    H = check_int(n_hist_lags, name="n_hist_lags", minimum=0)
    n = s.size
    X = np.zeros((n, K + H))
    for j in range(K):                       # column j: stimulus j bins ago
        X[j:, j] = s[:n - j]
    for j in range(1, H + 1):                # column K + j - 1: spike count j bins ago
        X[j:, K + j - 1] = y[:n - j]
    return X


class PoissonGLM:
    r"""Poisson regression with a log link, optionally L2-penalised, fitted by Newton's method.

    Minimises the mean negative log-likelihood plus a ridge penalty,

    .. math:: L(w, b) = \frac1n\sum_{i=1}^n \left(e^{x_i^\top w + b} - y_i(x_i^\top w + b)\right)
              + \frac{\alpha}{2}\lVert w\rVert^2,

    which is exactly the objective of :class:`sklearn.linear_model.PoissonRegressor`
    with the same ``alpha`` (its half mean Poisson deviance differs from the first
    term by a constant). The intercept is not penalised.

    Parameters
    ----------
    alpha : float, default=0.0
        L2 penalty strength (0 gives the maximum-likelihood estimate).
    fit_intercept : bool, default=True
        Whether to fit the intercept :math:`b` (otherwise :math:`b = 0`).
    max_iter : int, default=100
        Maximum number of Newton steps.
    tol : float, default=1e-8
        Stop when the largest absolute entry of the gradient of :math:`L` is below ``tol``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Weights :math:`w`.
    intercept_ : float
        Intercept :math:`b`.
    covariance_ : ndarray of shape (n_features + 1, n_features + 1)
        Inverse Hessian of the total penalised negative log-likelihood at the optimum,
        parameters ordered ``(coef_..., intercept_)``; for ``alpha=0`` this is the
        asymptotic covariance of the maximum-likelihood estimate
        (``eq-glm-covariance``). Without an intercept the last row and column are zero.
    coef_se_ : ndarray of shape (n_features,)
        Standard errors of ``coef_`` (square roots of the diagonal of ``covariance_``).
    intercept_se_ : float
        Standard error of ``intercept_``.
    n_iter_ : int
        Number of Newton steps taken.
    loss_history_ : ndarray of shape (n_steps + 1,)
        :math:`L` at the start and after each of the ``n_iter_`` Newton steps.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    With :math:`\mu = \exp(Xw + b)`, the gradient and Hessian of :math:`L`
    (``eq-glm-gradient``, ``eq-glm-hessian``) are

    .. math:: g = \tfrac1n A^\top(\mu - y) + \alpha P\theta, \qquad
              H = \tfrac1n A^\top \operatorname{diag}(\mu) A + \alpha P,

    where :math:`A = [X, \mathbf 1]`, :math:`\theta = (w, b)` and :math:`P` is the
    identity with a zero for the intercept. Each Newton step solves
    :math:`H\delta = g` by a Cholesky factorisation and moves to
    :math:`\theta - t\delta`, halving :math:`t` from 1 until :math:`L` decreases enough
    (Armijo backtracking); unpenalised, this is iteratively reweighted least squares
    (``eq-glm-newton``).
    """

    def __init__(self, alpha: float = 0.0, fit_intercept: bool = True, max_iter: int = 100,
                 tol: float = 1e-8):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y) -> "PoissonGLM":
        """Fit to ``X`` of shape (n_samples, n_features) and counts ``y`` of shape (n_samples,)."""
        X, y = check_X_y(X, y)
        y = _check_counts(y)
        alpha = check_positive(self.alpha, name="alpha", strict=False)
        max_iter = check_int(self.max_iter, name="max_iter", minimum=1)
        tol = check_positive(self.tol, name="tol")
        if y.sum() == 0:
            raise ValueError(
                "y is all zeros: the maximum-likelihood rate is 0 and the log-rate diverges to "
                "-inf. Poisson regression needs at least one positive count."
            )
        n, d = X.shape
        A = np.column_stack([X, np.ones(n)])                # (n, d + 1), intercept last
        P = np.ones(d + 1)                                  # penalised parameters
        P[-1] = 0.0
        free = np.ones(d + 1, dtype=bool)                   # parameters that are fitted
        free[-1] = bool(self.fit_intercept)
        theta = np.zeros(d + 1)
        if self.fit_intercept:
            theta[-1] = np.log(y.mean())                    # the best constant model

        def loss(th):
            with np.errstate(over="ignore"):                 # a too-long step gives inf
                eta = A @ th
                return np.mean(np.exp(eta) - y * eta) + 0.5 * alpha * np.sum(P * th ** 2)

        history, n_iter, prev_gmax = [loss(theta)], 0, np.inf
        slack = 8 * np.finfo(float).eps * abs(history[0])  # rounding error in L
        while True:
            mu = np.exp(A @ theta)                                      # (n,)
            grad = (A.T @ (mu - y)) / n + alpha * P * theta            # eq-glm-gradient
            gmax = np.max(np.abs(grad[free]))
            if gmax < tol or n_iter == max_iter:
                break
            if gmax >= prev_gmax and history[-1] >= history[-2]:
                break              # neither L nor the gradient improves: at rounding error
            prev_gmax = gmax
            Hf = _hessian(A, mu, alpha * P)[np.ix_(free, free)]        # eq-glm-hessian
            step = np.zeros(d + 1)
            step[free] = _cholesky_solve(Hf, grad[free])                # eq-glm-newton
            t, decrease = 1.0, grad @ step
            while loss(theta - t * step) > history[-1] - 1e-4 * t * decrease + slack:
                t *= 0.5                                                # Armijo backtracking
                if t < 1e-10:
                    break
            if t < 1e-10:
                break
            theta = theta - t * step
            history.append(loss(theta))
            n_iter += 1
        if np.max(np.abs(grad[free])) >= tol:
            warnings.warn(
                f"PoissonGLM stopped after {n_iter} Newton steps with max |gradient| = "
                f"{np.max(np.abs(grad[free])):.2e} >= tol = {tol:g}. The maximum-likelihood "
                "estimate may not exist (e.g. a feature that is non-zero only where y = 0); "
                "use alpha > 0, raise max_iter, or loosen tol if it is below rounding error.",
                ConvergenceWarning, stacklevel=2,
            )

        mu = np.exp(A @ theta)
        cov = np.zeros((d + 1, d + 1))
        H_total = n * _hessian(A, mu, alpha * P)[np.ix_(free, free)]   # Hessian of the sum
        cov[np.ix_(free, free)] = _cholesky_inverse(H_total)           # eq-glm-covariance
        se = np.sqrt(np.diag(cov))

        self.coef_ = theta[:d]
        self.intercept_ = float(theta[-1])
        self.covariance_ = cov
        self.coef_se_ = se[:d]
        self.intercept_se_ = float(se[-1])
        self.n_iter_ = n_iter
        self.loss_history_ = np.array(history)
        self.n_features_in_ = d
        return self

    def predict(self, X) -> np.ndarray:
        r"""Expected counts :math:`\exp(Xw + b)` (eq-glm-model), shape (n_samples,)."""
        check_is_fitted(self, "coef_")
        X = check_array(X, name="X")
        check_n_features(self, X)
        return np.exp(X @ self.coef_ + self.intercept_)

    def log_likelihood(self, X, y) -> float:
        """Total Poisson log-likelihood of counts ``y`` under the fitted rates, in nats."""
        return poisson_log_likelihood(y, self.predict(X))

    def score(self, X, y) -> float:
        r"""Fraction of Poisson deviance explained, :math:`D^2 = 1 - D(y, \hat\mu)/D(y, \bar y)`.

        The same quantity as :meth:`sklearn.linear_model.PoissonRegressor.score`.
        """
        X, y = check_X_y(X, y)
        y = _check_counts(y)
        null = poisson_deviance(y, np.full_like(y, y.mean()))
        return 1.0 - poisson_deviance(y, self.predict(X)) / null


def _hessian(A: np.ndarray, mu: np.ndarray, ridge: np.ndarray) -> np.ndarray:
    """Mean Hessian ``A^T diag(mu) A / n + diag(ridge)``, shape (p, p)."""
    n = A.shape[0]
    return (A.T * mu) @ A / n + np.diag(ridge)


def _cholesky(H: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor ``L`` of ``H = L L^T``, with a clear error if ``H`` is not positive definite."""
    try:
        return np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        raise ValueError(
            "The Hessian is not positive definite: the features are collinear (or constant, "
            "like a second intercept column). Remove redundant features or use alpha > 0."
        ) from None


def _cholesky_solve(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Solve ``H x = g`` for a symmetric positive definite ``H`` via ``H = L L^T``."""
    L = _cholesky(H)
    return np.linalg.solve(L.T, np.linalg.solve(L, g))


def _cholesky_inverse(H: np.ndarray) -> np.ndarray:
    """Inverse of a symmetric positive definite matrix from its Cholesky factor."""
    L_inv = np.linalg.solve(_cholesky(H), np.eye(H.shape[0]))  # L^{-1}
    return L_inv.T @ L_inv                                      # H^{-1} = L^{-T} L^{-1}
