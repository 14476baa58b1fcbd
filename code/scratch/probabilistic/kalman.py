"""Kalman filter and Rauch-Tung-Striebel smoother for linear-Gaussian state-space models.

The chapter ``book/probabilistic/kalman.md`` derives every equation used here;
the equation labels named in the *Notes* sections are the page's labels.

The model (time-invariant matrices, pykalman's conventions)::

    x_0 ~ N(m_0, P_0)                       initial_state_mean, initial_state_covariance
    x_{t+1} = A x_t + w_t,  w_t ~ N(0, Q)     transition_matrices, transition_covariance
    y_t     = C x_t + v_t,  v_t ~ N(0, R)     observation_matrices, observation_covariance

Two layers: functional cores on arrays (``predict_step``, ``update_step``,
``kalman_filter``, ``rts_smoother``, ``steady_state_covariance``), reusable by a
switching linear dynamical system, and the estimator-style class ``KalmanFilter``
with pykalman's ``filter``, ``smooth``, ``loglikelihood`` and ``sample``.
"""

from __future__ import annotations

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_option

__all__ = [
    "predict_step",
    "update_step",
    "kalman_filter",
    "rts_smoother",
    "steady_state_covariance",
    "em_step",
    "nees",
    "KalmanFilter",
]


# -- validation helpers ----------------------------------------------------------------
def _check_cov(S, name: str, n: int, *, strict: bool) -> np.ndarray:
    """A symmetric (n, n) covariance, positive definite (strict) or semidefinite."""
    S = check_array(S, name=name, ndim=2)
    if S.shape != (n, n):
        raise ValueError(f"{name} must have shape ({n}, {n}); got {S.shape}.")
    if not np.allclose(S, S.T, rtol=1e-10, atol=1e-12):
        raise ValueError(f"{name} must be symmetric; got max |S - S^T| = {np.max(np.abs(S - S.T)):.3g}.")
    eig_min = float(np.min(np.linalg.eigvalsh(S)))
    scale = max(1.0, float(np.max(np.abs(S))))
    if (strict and eig_min <= 0) or eig_min < -1e-10 * scale:
        kind = "positive definite" if strict else "positive semidefinite"
        raise ValueError(
            f"{name} must be {kind}; its smallest eigenvalue is {eig_min:.3g}. "
            "Use a valid covariance matrix (e.g. L @ L.T + eps * I)."
        )
    return S


def _check_model(A, C, Q, R, m0, P0):
    A = check_array(A, name="transition_matrices", ndim=2)
    n = A.shape[0]
    if A.shape != (n, n):
        raise ValueError(f"transition_matrices must be square (n_dim_state, n_dim_state); got {A.shape}.")
    C = check_array(C, name="observation_matrices", ndim=2)
    if C.shape[1] != n:
        raise ValueError(
            f"observation_matrices must have shape (n_dim_obs, n_dim_state={n}); got {C.shape}. "
            "Its number of columns must equal the state dimension of transition_matrices."
        )
    p = C.shape[0]
    Q = _check_cov(Q, "transition_covariance", n, strict=False)
    R = _check_cov(R, "observation_covariance", p, strict=True)
    m0 = check_array(m0, name="initial_state_mean", ndim=1)
    if m0.shape != (n,):
        raise ValueError(f"initial_state_mean must have shape ({n},); got {m0.shape}.")
    P0 = _check_cov(P0, "initial_state_covariance", n, strict=False)
    return A, C, Q, R, m0, P0


def _check_obs(Y, p: int) -> np.ndarray:
    Y = check_array(Y, name="X", ndim=(1, 2))
    if Y.ndim == 1:
        if p != 1:
            raise ValueError(
                f"X must have shape (n_timesteps, n_dim_obs={p}); got a 1-D array of shape {Y.shape}."
            )
        Y = Y[:, None]
    if Y.shape[1] != p:
        raise ValueError(
            f"X has {Y.shape[1]} columns but the observation matrix expects n_dim_obs = {p}. "
            "Pass observations of shape (n_timesteps, n_dim_obs)."
        )
    return Y


# -- the functional core ---------------------------------------------------------------
def predict_step(m, P, A, Q):
    r"""Time update: :math:`m^- = A m`, :math:`P^- = A P A^\top + Q`.

    Parameters
    ----------
    m : ndarray of shape (n_dim_state,)
    P : ndarray of shape (n_dim_state, n_dim_state)
    A, Q : ndarray of shape (n_dim_state, n_dim_state)

    Returns
    -------
    m_pred, P_pred : ndarray
        Predicted mean and covariance.

    Notes
    -----
    Implements eq-kf-predict of the page.
    """
    m, P, A, Q = _step_arrays("predict_step", m=(m, 1), P=(P, 2), A=(A, 2), Q=(Q, 2))
    n = m.shape[0]
    if not P.shape == A.shape == Q.shape == (n, n):
        raise ValueError(f"predict_step: P, A and Q must have shape ({n}, {n}) to match m of shape ({n},); got "
                         f"P {P.shape}, A {A.shape}, Q {Q.shape}.")
    if np.any(np.diagonal(Q) < 0):
        raise ValueError(f"predict_step: Q is a covariance, its diagonal must be >= 0; got {np.diagonal(Q)}.")
    return A @ m, A @ P @ A.T + Q


def _step_arrays(fn: str, **arrays):
    """Float arrays of the given numbers of dimensions, finite (a cheap check per filter step)."""
    out = []
    for name, (value, ndim) in arrays.items():
        a = np.asarray(value, dtype=float)
        if a.ndim != ndim:
            raise ValueError(f"{fn}: {name} must be {ndim}-D; got shape {a.shape}.")
        if not np.isfinite(a).all():
            raise ValueError(f"{fn}: {name} contains NaN or infinite values.")
        out.append(a)
    return out


def update_step(m_pred, P_pred, y, C, R):
    r"""Measurement update with the Kalman gain; returns the log-likelihood term too.

    Parameters
    ----------
    m_pred : ndarray of shape (n_dim_state,)
    P_pred : ndarray of shape (n_dim_state, n_dim_state)
    y : ndarray of shape (n_dim_obs,)
    C : ndarray of shape (n_dim_obs, n_dim_state)
    R : ndarray of shape (n_dim_obs, n_dim_obs)

    Returns
    -------
    m, P : ndarray
        Filtered mean and covariance.
    log_lik : float
        :math:`\log \mathcal N(y; C m^-, S)`, the innovation log-density.

    Notes
    -----
    Implements eq-kf-update and eq-kf-loglik of the page: innovation
    :math:`r = y - C m^-`, :math:`S = C P^- C^\top + R`,
    :math:`K = P^- C^\top S^{-1}` (by Cholesky solves, no inverse),
    :math:`m = m^- + K r`, and the Joseph form
    :math:`P = (I - KC) P^- (I - KC)^\top + K R K^\top`, which stays symmetric and
    positive semidefinite in floating point.
    """
    m_pred, P_pred, y, C, R = _step_arrays("update_step", m_pred=(m_pred, 1), P_pred=(P_pred, 2), y=(y, 1),
                                           C=(C, 2), R=(R, 2))
    n, p = m_pred.shape[0], y.shape[0]
    if P_pred.shape != (n, n) or C.shape != (p, n) or R.shape != (p, p):
        raise ValueError(f"update_step: with m_pred of shape ({n},) and y of shape ({p},), P_pred must have shape "
                         f"({n}, {n}), C ({p}, {n}) and R ({p}, {p}); got {P_pred.shape}, {C.shape}, {R.shape}.")
    r = y - C @ m_pred                                               # (p,)
    S = C @ P_pred @ C.T + R                                         # (p, p)
    try:
        L = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:
        raise ValueError("update_step: the innovation covariance C P_pred C^T + R is not positive definite; "
                         "R must be positive definite and P_pred positive semi-definite.") from None
    PCt = P_pred @ C.T                                               # (n, p)
    K = np.linalg.solve(L.T, np.linalg.solve(L, PCt.T)).T            # (n, p) = P C^T S^-1
    m = m_pred + K @ r
    IKC = np.eye(len(m)) - K @ C
    P = IKC @ P_pred @ IKC.T + K @ R @ K.T
    z = np.linalg.solve(L, r)                                        # whitened innovation
    log_lik = -0.5 * (z @ z + 2 * np.sum(np.log(np.diag(L))) + len(r) * np.log(2 * np.pi))
    return m, P, float(log_lik)


def kalman_filter(Y, A, C, Q, R, m0, P0):
    r"""Run the Kalman filter over a sequence.

    Parameters
    ----------
    Y : array_like of shape (n_timesteps, n_dim_obs)
        Observations.
    A, C, Q, R, m0, P0 : array_like
        Transition matrix (n, n), observation matrix (p, n), process noise (n, n),
        observation noise (p, p), initial mean (n,) and covariance (n, n). As in
        pykalman, ``m0, P0`` describe the state at the *first* time step, before
        its observation.

    Returns
    -------
    filtered_means : ndarray of shape (n_timesteps, n_dim_state)
    filtered_covs : ndarray of shape (n_timesteps, n_dim_state, n_dim_state)
    predicted_means : ndarray of shape (n_timesteps, n_dim_state)
    predicted_covs : ndarray of shape (n_timesteps, n_dim_state, n_dim_state)
    log_likelihood : float
        :math:`\log p(y_{1:T})` from the innovations.

    Notes
    -----
    Implements eq-kf-predict, eq-kf-update and eq-kf-loglik of the page.
    """
    A, C, Q, R, m0, P0 = _check_model(A, C, Q, R, m0, P0)
    Y = _check_obs(Y, C.shape[0])
    T, n = Y.shape[0], A.shape[0]
    fm, fP = np.empty((T, n)), np.empty((T, n, n))
    pm, pP = np.empty((T, n)), np.empty((T, n, n))
    m, P, ll = m0, P0, 0.0
    for t in range(T):
        if t > 0:
            m, P = predict_step(m, P, A, Q)
        pm[t], pP[t] = m, P
        m, P, ll_t = update_step(m, P, Y[t], C, R)
        fm[t], fP[t] = m, P
        ll += ll_t
    return fm, fP, pm, pP, ll


def rts_smoother(filtered_means, filtered_covs, predicted_means, predicted_covs, A):
    r"""Rauch-Tung-Striebel smoother on the output of :func:`kalman_filter`.

    Parameters
    ----------
    filtered_means : array_like of shape (n_timesteps, n_dim_state)
    filtered_covs : array_like of shape (n_timesteps, n_dim_state, n_dim_state)
    predicted_means : array_like of shape (n_timesteps, n_dim_state)
    predicted_covs : array_like of shape (n_timesteps, n_dim_state, n_dim_state)
    A : array_like of shape (n_dim_state, n_dim_state)

    Returns
    -------
    smoothed_means : ndarray of shape (n_timesteps, n_dim_state)
    smoothed_covs : ndarray of shape (n_timesteps, n_dim_state, n_dim_state)
    gains : ndarray of shape (n_timesteps - 1, n_dim_state, n_dim_state)
        Smoother gains :math:`G_t`.

    Notes
    -----
    Implements eq-rts of the page:
    :math:`G_t = P_t A^\top (P^-_{t+1})^{-1}`,
    :math:`m^s_t = m_t + G_t (m^s_{t+1} - m^-_{t+1})`,
    :math:`P^s_t = P_t + G_t (P^s_{t+1} - P^-_{t+1}) G_t^\top`.
    """
    fm = check_array(filtered_means, name="filtered_means", ndim=2)
    fP = check_array(filtered_covs, name="filtered_covs", ndim=3)
    pm = check_array(predicted_means, name="predicted_means", ndim=2)
    pP = check_array(predicted_covs, name="predicted_covs", ndim=3)
    A = check_array(A, name="A", ndim=2)
    T, n = fm.shape
    if fP.shape != (T, n, n) or pm.shape != (T, n) or pP.shape != (T, n, n) or A.shape != (n, n):
        raise ValueError(
            f"mismatched shapes: filtered_means {fm.shape}, filtered_covs {fP.shape}, predicted_means "
            f"{pm.shape}, predicted_covs {pP.shape}, A {A.shape}; expected (T, n), (T, n, n), (T, n), "
            "(T, n, n), (n, n) as returned by kalman_filter."
        )
    sm, sP = fm.copy(), fP.copy()
    G = np.empty((max(T - 1, 0), n, n))
    for t in range(T - 2, -1, -1):
        L = np.linalg.cholesky(pP[t + 1])
        G[t] = np.linalg.solve(L.T, np.linalg.solve(L, A @ fP[t])).T   # P_t A^T (P^-_{t+1})^-1
        sm[t] = fm[t] + G[t] @ (sm[t + 1] - pm[t + 1])
        sP[t] = fP[t] + G[t] @ (sP[t + 1] - pP[t + 1]) @ G[t].T
    return sm, sP, G


def steady_state_covariance(A, C, Q, R, *, tol: float = 1e-12, max_iter: int = 10_000):
    r"""Fixed point of the Riccati recursion: the steady-state *predicted* covariance.

    Parameters
    ----------
    A, C, Q, R : array_like
        Model matrices, as in :func:`kalman_filter`.
    tol : float
        Stop when the largest change of an entry falls below ``tol``.
    max_iter : int
        At most this many iterations.

    Returns
    -------
    P_pred : ndarray of shape (n_dim_state, n_dim_state)
        Solution of eq-kf-riccati; the filtered covariance follows from one update.

    Notes
    -----
    Implements eq-kf-riccati of the page by iterating
    :math:`P \leftarrow A P A^\top - A P C^\top (C P C^\top + R)^{-1} C P A^\top + Q`
    from :math:`P = Q`. It converges when (A, C) is detectable and (A, Q^{1/2})
    stabilisable; otherwise a ``ValueError`` is raised.
    """
    n = np.shape(A)[0] if np.ndim(A) == 2 else 0
    A, C, Q, R, _, _ = _check_model(A, C, Q, R, np.zeros(n), np.eye(n))
    max_iter = check_int(max_iter, name="max_iter", minimum=1)
    P = Q.copy()
    for _ in range(max_iter):
        S = C @ P @ C.T + R
        APC = A @ P @ C.T                                            # (n, p)
        P_new = A @ P @ A.T - APC @ np.linalg.solve(S, APC.T) + Q
        P_new = 0.5 * (P_new + P_new.T)
        if np.max(np.abs(P_new - P)) < tol:
            return P_new
        P = P_new
    raise ValueError(
        f"the Riccati recursion did not converge in {max_iter} iterations; the model may not be "
        "detectable/stabilisable (e.g. an unstable state that is neither observed nor driven by noise)."
    )


def nees(states, means, covs) -> np.ndarray:
    r"""Normalised estimation error squared :math:`(x_t - m_t)^\top P_t^{-1} (x_t - m_t)`.

    Parameters
    ----------
    states : array_like of shape (n_timesteps, n_dim_state)
        True states.
    means : array_like of shape (n_timesteps, n_dim_state)
        Estimated means.
    covs : array_like of shape (n_timesteps, n_dim_state, n_dim_state)
        Estimated covariances.

    Returns
    -------
    ndarray of shape (n_timesteps,)
        For a calibrated filter each value is :math:`\chi^2_n`-distributed, mean n.

    Notes
    -----
    Implements eq-kf-nees of the page (Cholesky solves).
    """
    x = check_array(states, name="states", ndim=2)
    m = check_array(means, name="means", ndim=2)
    P = check_array(covs, name="covs", ndim=3)
    T, n = x.shape
    if m.shape != (T, n) or P.shape != (T, n, n):
        raise ValueError(f"mismatched shapes: states {x.shape}, means {m.shape}, covs {P.shape}.")
    try:
        L = np.linalg.cholesky(P)                                    # (T, n, n)
    except np.linalg.LinAlgError:
        raise ValueError("nees: every covariance in covs must be symmetric positive definite; at least one is "
                         "singular or indefinite.") from None
    z = np.linalg.solve(L, (x - m)[..., None])[..., 0]               # (T, n)
    return np.sum(z ** 2, axis=1)


def _clip_psd(S: np.ndarray) -> np.ndarray:
    """Symmetrise and clip negative eigenvalues to zero (they arise only from rounding:
    every M-step covariance is positive semidefinite in exact arithmetic)."""
    w, V = np.linalg.eigh(0.5 * (S + S.T))
    return (V * np.clip(w, 0.0, None)) @ V.T


_EM_VARS = ("transition_matrices", "observation_matrices", "transition_covariance",
            "observation_covariance", "initial_state_mean", "initial_state_covariance")


def em_step(Y, A, C, Q, R, m0, P0, em_vars=("transition_covariance", "observation_covariance",
                                             "initial_state_mean", "initial_state_covariance")):
    r"""One EM iteration for the linear-Gaussian state-space model (pykalman's ``em``).

    Parameters
    ----------
    Y : array_like of shape (n_timesteps, n_dim_obs)
        Observations; at least two time steps.
    A, C, Q, R, m0, P0 : array_like
        Current parameters, as in :func:`kalman_filter`.
    em_vars : iterable of str
        Names of the parameters to re-estimate (pykalman's names); the others are
        returned unchanged. pykalman's default is the four covariances and means listed.

    Returns
    -------
    params : dict
        The six parameters under pykalman's names, and ``"loglikelihood"``:
        :math:`\log p(Y)` under the parameters *before* the step.

    Notes
    -----
    Implements eq-kf-em of the page (the M-step of Shumway and Stoffer, in
    pykalman's order: C, R, A, Q, m0, P0). The E-step is the RTS smoother;
    :math:`\operatorname{Cov}(x_{t+1}, x_t \mid Y) = P^s_{t+1} G_t^\top`.
    """
    em_vars = tuple(em_vars)
    for v in em_vars:
        check_option(v, _EM_VARS, name="em_vars entry")
    A, C, Q, R, m0, P0 = _check_model(A, C, Q, R, m0, P0)
    Y = _check_obs(Y, C.shape[0])
    T = Y.shape[0]
    if T < 2:
        raise ValueError(f"EM needs at least 2 time steps; got {T}.")
    fm, fP, pm, pP, ll = kalman_filter(Y, A, C, Q, R, m0, P0)
    mu, V, G = rts_smoother(fm, fP, pm, pP, A)                        # (T, n), (T, n, n), (T-1, n, n)
    V_pair = V[1:] @ np.transpose(G, (0, 2, 1))                       # (T-1, n, n) Cov(x_{t+1}, x_t)
    Exx = V + mu[:, :, None] * mu[:, None, :]                         # (T, n, n) E[x_t x_t^T]
    Exx_pair = V_pair + mu[1:, :, None] * mu[:-1, None, :]            # (T-1, n, n) E[x_{t+1} x_t^T]
    if "observation_matrices" in em_vars:
        C = np.linalg.solve(Exx.sum(0).T, (Y.T @ mu).T).T             # (sum y mu^T)(sum E[xx^T])^-1
    if "observation_covariance" in em_vars:
        r = Y - mu @ C.T                                              # (T, p)
        R = _clip_psd((r.T @ r + np.einsum("ij,tjk,lk->il", C, V, C)) / T)
    if "transition_matrices" in em_vars:
        A = np.linalg.solve(Exx[:-1].sum(0).T, Exx_pair.sum(0).T).T
    if "transition_covariance" in em_vars:
        S11, S10, S00 = Exx[1:].sum(0), Exx_pair.sum(0), Exx[:-1].sum(0)
        Q = _clip_psd((S11 - S10 @ A.T - A @ S10.T + A @ S00 @ A.T) / (T - 1))
    if "initial_state_mean" in em_vars:
        m0 = mu[0].copy()
    if "initial_state_covariance" in em_vars:
        d0 = mu[0] - m0
        P0 = _clip_psd(V[0] + np.outer(d0, d0))
    return {"transition_matrices": A, "observation_matrices": C, "transition_covariance": Q,
            "observation_covariance": R, "initial_state_mean": m0, "initial_state_covariance": P0,
            "loglikelihood": ll}


# -- the pykalman-style class ----------------------------------------------------------
class KalmanFilter:
    """Linear-Gaussian state-space model with pykalman's constructor and methods.

    Parameters
    ----------
    transition_matrices : array_like of shape (n_dim_state, n_dim_state)
    observation_matrices : array_like of shape (n_dim_obs, n_dim_state)
    transition_covariance : array_like of shape (n_dim_state, n_dim_state)
        Positive semidefinite.
    observation_covariance : array_like of shape (n_dim_obs, n_dim_obs)
        Positive definite.
    initial_state_mean : array_like of shape (n_dim_state,), optional
        Zeros when None.
    initial_state_covariance : array_like of shape (n_dim_state, n_dim_state), optional
        Identity when None.

    Notes
    -----
    Unlike pykalman, every matrix is required except the initial state (pykalman
    fills defaults); time-varying matrices, offsets and masked observations are not
    implemented. ``em`` learns parameters as pykalman's does.
    """

    def __init__(self, transition_matrices=None, observation_matrices=None, transition_covariance=None,
                 observation_covariance=None, initial_state_mean=None, initial_state_covariance=None):
        self.transition_matrices = transition_matrices
        self.observation_matrices = observation_matrices
        self.transition_covariance = transition_covariance
        self.observation_covariance = observation_covariance
        self.initial_state_mean = initial_state_mean
        self.initial_state_covariance = initial_state_covariance

    def _model(self):
        names = ["transition_matrices", "observation_matrices", "transition_covariance",
                 "observation_covariance"]
        missing = [k for k in names if getattr(self, k) is None]
        if missing:
            raise ValueError(
                f"KalmanFilter needs {', '.join(missing)}; pass them to the constructor "
                "(this implementation does not learn them)."
            )
        A = check_array(self.transition_matrices, name="transition_matrices", ndim=2)
        n = A.shape[0]
        m0 = np.zeros(n) if self.initial_state_mean is None else self.initial_state_mean
        P0 = np.eye(n) if self.initial_state_covariance is None else self.initial_state_covariance
        return _check_model(A, self.observation_matrices, self.transition_covariance,
                            self.observation_covariance, m0, P0)

    def filter(self, X):
        """Kalman filter (eq-kf-predict and eq-kf-update of the page).

        Parameters
        ----------
        X : array_like of shape (n_timesteps, n_dim_obs)

        Returns
        -------
        filtered_state_means : ndarray of shape (n_timesteps, n_dim_state)
        filtered_state_covariances : ndarray of shape (n_timesteps, n_dim_state, n_dim_state)
        """
        fm, fP, _, _, _ = kalman_filter(X, *self._model())
        return fm, fP

    def smooth(self, X):
        """Rauch-Tung-Striebel smoother (eq-rts of the page).

        Parameters
        ----------
        X : array_like of shape (n_timesteps, n_dim_obs)

        Returns
        -------
        smoothed_state_means : ndarray of shape (n_timesteps, n_dim_state)
        smoothed_state_covariances : ndarray of shape (n_timesteps, n_dim_state, n_dim_state)
        """
        A, C, Q, R, m0, P0 = self._model()
        fm, fP, pm, pP, _ = kalman_filter(X, A, C, Q, R, m0, P0)
        sm, sP, _ = rts_smoother(fm, fP, pm, pP, A)
        return sm, sP

    def loglikelihood(self, X) -> float:
        """Log-likelihood from the innovations (eq-kf-loglik of the page).

        Parameters
        ----------
        X : array_like of shape (n_timesteps, n_dim_obs)

        Returns
        -------
        float
            :math:`\\log p(X)`.
        """
        return kalman_filter(X, *self._model())[4]

    def em(self, X, n_iter: int = 10, em_vars=None):
        """Re-estimate parameters by expectation-maximisation, as pykalman's ``em``.

        Parameters
        ----------
        X : array_like of shape (n_timesteps, n_dim_obs)
        n_iter : int
            Number of EM iterations.
        em_vars : iterable of str or "all", optional
            Parameters to learn (pykalman's names). Default, as pykalman:
            the two noise covariances and the initial mean and covariance. "all"
            means all six parameters (pykalman's "all" also learns the offsets,
            which this model does not have).

        Returns
        -------
        self
            With the learned parameters written back into the constructor's
            attributes (as pykalman does) and ``loglikelihoods_`` (log p(X) before
            each iteration, non-decreasing).
        """
        n_iter = check_int(n_iter, name="n_iter", minimum=1)
        if em_vars is None:
            em_vars = ("transition_covariance", "observation_covariance", "initial_state_mean",
                       "initial_state_covariance")
        elif isinstance(em_vars, str):
            if em_vars != "all":
                raise ValueError(f"em_vars must be 'all' or a list of parameter names; got {em_vars!r}.")
            em_vars = _EM_VARS
        params = dict(zip(_EM_VARS, self._model()))
        self.loglikelihoods_ = []
        for _ in range(n_iter):
            params = em_step(X, *(params[k] for k in _EM_VARS), em_vars=em_vars)
            self.loglikelihoods_.append(params.pop("loglikelihood"))
        for k in _EM_VARS:
            setattr(self, k, params[k])
        return self

    def sample(self, n_timesteps: int, initial_state=None, rng=None):
        """Simulate the model.

        Parameters
        ----------
        n_timesteps : int
        initial_state : array_like of shape (n_dim_state,), optional
            Fixes the first state instead of drawing it from
            ``N(initial_state_mean, initial_state_covariance)``.
        rng : numpy Generator, int or None
            pykalman's ``random_state``.

        Returns
        -------
        states : ndarray of shape (n_timesteps, n_dim_state)
        observations : ndarray of shape (n_timesteps, n_dim_obs)
        """
        A, C, Q, R, m0, P0 = self._model()
        T = check_int(n_timesteps, name="n_timesteps", minimum=1)
        rng = as_rng(rng)
        n, p = A.shape[0], C.shape[0]
        FQ, FR, F0 = _sqrt_psd(Q), _sqrt_psd(R), _sqrt_psd(P0)        # S = F F^T
        W = rng.standard_normal((T, n)) @ FQ.T                        # (T, n) process noise
        V = rng.standard_normal((T, p)) @ FR.T                        # (T, p) observation noise
        z0 = rng.standard_normal(n)
        if initial_state is None:
            x = m0 + F0 @ z0
        else:
            x = check_array(initial_state, name="initial_state", ndim=1)
            if x.shape != (n,):
                raise ValueError(f"initial_state must have shape ({n},); got {x.shape}.")
        states = np.empty((T, n))
        for t in range(T):
            if t > 0:
                x = A @ x + W[t]
            states[t] = x
        return states, states @ C.T + V


def _sqrt_psd(S: np.ndarray) -> np.ndarray:
    """A factor F with F F^T = S for a symmetric positive semidefinite S (eigh)."""
    w, V = np.linalg.eigh(S)
    return V * np.sqrt(np.clip(w, 0.0, None))
