"""Switching linear dynamical systems: the generative model and blocked Gibbs sampling.

The chapter ``book/frontiers/slds.md`` derives every equation used here; equation labels
in the *Notes* sections match the page. The discrete states are sampled with the HMM
forward messages of :mod:`scratch.probabilistic.hmm`, the continuous states with the
Kalman steps of :mod:`scratch.probabilistic.kalman`; nothing is copied here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from scratch._validation import as_rng, check_array, check_int
from scratch.probabilistic.hmm import forward
from scratch.probabilistic.kalman import predict_step, update_step

__all__ = ["SLDSParams", "rotation", "sample_slds", "discrete_log_likelihoods", "sample_discrete",
           "switching_kalman_filter", "sample_continuous", "gibbs_slds"]


@dataclass
class SLDSParams:
    """Parameters of an SLDS with K regimes, state dimension n and observation dimension p.

    A, Q : (K, n, n) dynamics and process-noise covariance per regime;
    C, R : (p, n), (p, p) observation model; trans : (K, K) regime transition matrix;
    pi : (K,) initial regime probabilities; m0, P0 : (n,), (n, n) initial state.
    """

    A: np.ndarray
    Q: np.ndarray
    C: np.ndarray
    R: np.ndarray
    trans: np.ndarray
    pi: np.ndarray
    m0: np.ndarray
    P0: np.ndarray

    def __post_init__(self):
        self.A = check_array(self.A, name="A", ndim=3)
        K, n, n2 = self.A.shape
        if n != n2:
            raise ValueError(f"A must have shape (K, n, n); got {self.A.shape}.")
        self.Q = check_array(self.Q, name="Q", ndim=3)
        self.C = check_array(self.C, name="C", ndim=2)
        self.R = check_array(self.R, name="R", ndim=2)
        self.trans = check_array(self.trans, name="trans", ndim=2)
        self.pi = check_array(self.pi, name="pi", ndim=1)
        self.m0 = check_array(self.m0, name="m0", ndim=1)
        self.P0 = check_array(self.P0, name="P0", ndim=2)
        if self.Q.shape != (K, n, n) or self.C.shape[1] != n or self.R.shape != (self.C.shape[0],) * 2:
            raise ValueError("shapes must be A, Q: (K, n, n), C: (p, n), R: (p, p).")
        if self.trans.shape != (K, K) or not np.allclose(self.trans.sum(axis=1), 1) or np.any(self.trans < 0):
            raise ValueError(f"trans must be a ({K}, {K}) matrix with non-negative rows summing to 1.")
        if self.pi.shape != (K,) or not np.isclose(self.pi.sum(), 1) or self.m0.shape != (n,) or self.P0.shape != (n, n):
            raise ValueError(f"pi must be a probability vector of length {K}; m0 (n,), P0 (n, n).")
        covariances = [(f"Q[{k}]", self.Q[k]) for k in range(K)] + [("R", self.R), ("P0", self.P0)]
        for name, S in covariances:
            if not np.allclose(S, S.T) or np.linalg.eigvalsh(0.5 * (S + S.T)).min() <= 0:
                raise ValueError(f"{name} is a covariance and must be symmetric positive definite; got "
                                 f"eigenvalues {np.round(np.linalg.eigvalsh(0.5 * (S + S.T)), 4).tolist()}.")

    @property
    def n_regimes(self) -> int:
        return self.A.shape[0]


def rotation(angle: float, decay: float = 1.0) -> np.ndarray:
    """The 2 x 2 matrix ``decay * [[cos, -sin], [sin, cos]]`` of a rotation by ``angle`` radians."""
    for name, v in (("angle", angle), ("decay", decay)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a real number; got {type(v).__name__}.")
        if not math.isfinite(v):
            raise ValueError(f"{name} must be finite; got {v!r}.")
    if decay < 0:
        raise ValueError(f"decay must be finite and >= 0 (a contraction factor); got {decay!r}.")
    c, s = math.cos(angle), math.sin(angle)
    return decay * np.array([[c, -s], [s, c]])


def _check_params(params) -> SLDSParams:
    if not isinstance(params, SLDSParams):
        raise TypeError(f"params must be an SLDSParams; got {type(params).__name__}. Build it with "
                        "SLDSParams(A=..., Q=..., C=..., R=..., trans=..., pi=..., m0=..., P0=...).")
    return params


def _check_series(params: SLDSParams, v, *, name: str, width: int, what: str) -> np.ndarray:
    v = check_array(v, name=name, ndim=2)
    if v.shape[1] != width:
        raise ValueError(f"{name} must have shape (T, {width}) ({what}); got {v.shape}.")
    return v


def _check_regimes(z, T: int, K: int, *, name: str = "z") -> np.ndarray:
    z = np.asarray(z)
    if z.size and z.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer regime ids 0 .. {K - 1}; got dtype {z.dtype}.")
    if z.shape != (T,):
        raise ValueError(f"{name} must have shape ({T},) to match y; got {z.shape}.")
    if z.min() < 0 or z.max() >= K:
        raise ValueError(f"{name} must hold regimes in 0 .. {K - 1}; got values from {z.min()} to {z.max()}.")
    return z.astype(int)


def sample_slds(params: SLDSParams, n_steps: int, *, rng=None):
    r"""Draw regimes ``z`` (T,), states ``x`` (T, n) and observations ``y`` (T, p).

    Notes
    -----
    Implements eq-slds-model of the page: :math:`z_t \sim \text{trans}[z_{t-1}]`,
    :math:`x_t = A_{z_t} x_{t-1} + w_t`, :math:`w_t \sim N(0, Q_{z_t})`, :math:`y_t = C x_t + v_t`.
    """
    rng = as_rng(rng)
    params = _check_params(params)
    T = check_int(n_steps, name="n_steps", minimum=1)
    K, n = params.n_regimes, params.A.shape[1]
    z = np.zeros(T, dtype=int)
    x = np.zeros((T, n))
    z[0] = rng.choice(K, p=params.pi)
    x[0] = rng.multivariate_normal(params.m0, params.P0)
    for t in range(1, T):
        z[t] = rng.choice(K, p=params.trans[z[t - 1]])
        x[t] = params.A[z[t]] @ x[t - 1] + rng.multivariate_normal(np.zeros(n), params.Q[z[t]])
    y = x @ params.C.T + rng.multivariate_normal(np.zeros(len(params.R)), params.R, size=T)
    return z, x, y


def discrete_log_likelihoods(params: SLDSParams, x) -> np.ndarray:
    r"""``log_B[t, k] = log N(x_t; A_k x_{t-1}, Q_k)`` (0 at t = 0), shape (T, K): the HMM emissions given x.

    Notes
    -----
    Implements eq-slds-emission of the page.
    """
    params = _check_params(params)
    x = _check_series(params, x, name="x", width=params.A.shape[1], what="the continuous states")
    T, n = x.shape
    log_B = np.zeros((T, params.n_regimes))
    for k in range(params.n_regimes):
        L = np.linalg.cholesky(params.Q[k])
        r = x[1:] - x[:-1] @ params.A[k].T                                    # (T-1, n)
        u = np.linalg.solve(L, r.T)                                          # (n, T-1)
        log_B[1:, k] = -0.5 * np.sum(u * u, axis=0) - np.sum(np.log(np.diag(L))) - 0.5 * n * math.log(2 * math.pi)
    return log_B


def sample_discrete(params: SLDSParams, x, *, rng=None) -> np.ndarray:
    r"""Forward-filter backward-sample the regimes given the continuous states, shape (T,).

    Notes
    -----
    Implements eq-slds-ffbs-z of the page with the HMM forward messages
    (:func:`scratch.probabilistic.hmm.forward`):
    :math:`p(z_t \mid z_{t+1}, x) \propto \alpha_t(z_t)\, \text{trans}[z_t, z_{t+1}]`.
    """
    rng = as_rng(rng)
    log_B = discrete_log_likelihoods(params, x)
    with np.errstate(divide="ignore"):
        log_pi, log_A = np.log(params.pi), np.log(params.trans)
    log_alpha, _ = forward(log_pi, log_A, log_B)                             # (T, K)
    T, K = log_alpha.shape
    z = np.zeros(T, dtype=int)

    def draw(logw):
        w = np.exp(logw - logw.max())
        return int(rng.choice(K, p=w / w.sum()))

    z[-1] = draw(log_alpha[-1])
    for t in range(T - 2, -1, -1):
        z[t] = draw(log_alpha[t] + log_A[:, z[t + 1]])
    return z


def switching_kalman_filter(params: SLDSParams, z, y):
    """Kalman filter with the regime-``z_t`` dynamics at every step.

    Returns filtered means (T, n), filtered covariances (T, n, n) and the log-likelihood.
    """
    params = _check_params(params)
    y = _check_series(params, y, name="y", width=params.C.shape[0], what="the observations")
    z = _check_regimes(z, len(y), params.n_regimes)
    n = params.A.shape[1]
    means, covs, ll = np.zeros((len(y), n)), np.zeros((len(y), n, n)), 0.0
    m, P = params.m0, params.P0
    for t in range(len(y)):
        if t > 0:
            m, P = predict_step(m, P, params.A[z[t]], params.Q[z[t]])
        m, P, l = update_step(m, P, y[t], params.C, params.R)
        means[t], covs[t], ll = m, P, ll + l
    return means, covs, ll


def sample_continuous(params: SLDSParams, z, y, *, rng=None) -> np.ndarray:
    r"""Forward-filter backward-sample the continuous states given the regimes, shape (T, n).

    Notes
    -----
    Implements eq-slds-ffbs-x of the page: :math:`x_T \sim N(m_T, P_T)`, then
    :math:`x_t \mid x_{t+1} \sim N(m_t + J_t(x_{t+1} - A m_t),\, P_t - J_t A P_t)` with
    :math:`J_t = P_t A^\top (A P_t A^\top + Q)^{-1}` and :math:`A, Q` of regime :math:`z_{t+1}`.
    """
    rng = as_rng(rng)
    means, covs, _ = switching_kalman_filter(params, z, y)
    T, n = means.shape
    x = np.zeros((T, n))
    x[-1] = rng.multivariate_normal(means[-1], covs[-1])
    for t in range(T - 2, -1, -1):
        A, Q = params.A[z[t + 1]], params.Q[z[t + 1]]
        m, P = means[t], covs[t]
        S = A @ P @ A.T + Q
        J = np.linalg.solve(S, A @ P).T                                      # P A^T S^-1
        cov = P - J @ A @ P
        x[t] = rng.multivariate_normal(m + J @ (x[t + 1] - A @ m), 0.5 * (cov + cov.T))
    return x


def gibbs_slds(params: SLDSParams, y, *, n_iter: int = 50, z_init=None, rng=None):
    r"""Blocked Gibbs sampler: alternate :func:`sample_continuous` and :func:`sample_discrete`.

    Parameters
    ----------
    params : SLDSParams
        Known model parameters.
    y : ndarray of shape (T, p)
    n_iter : int
    z_init : int array of shape (T,), optional
        Initial regimes (default: all 0).
    rng : Generator, int or None

    Returns
    -------
    z_samples : ndarray of shape (n_iter, T)
    x_last : ndarray of shape (T, n)

    Notes
    -----
    Implements eq-slds-gibbs of the page.
    """
    rng = as_rng(rng)
    params = _check_params(params)
    y = _check_series(params, y, name="y", width=params.C.shape[0], what="the observations")
    z = np.zeros(len(y), dtype=int) if z_init is None else \
        _check_regimes(z_init, len(y), params.n_regimes, name="z_init").copy()
    out = np.zeros((check_int(n_iter, name="n_iter", minimum=1), len(y)), dtype=int)
    for i in range(n_iter):
        x = sample_continuous(params, z, y, rng=rng)
        z = sample_discrete(params, x, rng=rng)
        out[i] = z
    return out, x
