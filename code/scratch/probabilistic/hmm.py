"""Hidden Markov models: forward-backward, Viterbi, Baum-Welch and sampling.

The chapter ``book/probabilistic/hmm.md`` derives every equation used here; the
equation labels named in the *Notes* sections are the page's labels.

Two layers:

* a functional core on arrays of log-probabilities, ``forward``, ``backward``,
  ``posteriors`` and ``viterbi``, reusable by other models (a switching linear
  dynamical system needs the forward messages);
* estimators with hmmlearn's names, ``CategoricalHMM`` and ``GaussianHMM``, with
  ``fit/score/predict/predict_proba/decode/sample`` and the attributes
  ``startprob_``, ``transmat_``, ``emissionprob_``, ``means_``, ``covars_``.
  As in hmmlearn, parameters may also be set by hand (with ``init_params=""``)
  and then scored, decoded or sampled without fitting.
"""

from __future__ import annotations

import numpy as np

from scratch._validation import (
    NotFittedError,
    as_rng,
    check_array,
    check_int,
    check_positive,
)

__all__ = [
    "forward",
    "backward",
    "posteriors",
    "viterbi",
    "BaseHMM",
    "CategoricalHMM",
    "GaussianHMM",
]

_ROW_TOL = 1e-6


# -- the functional core ---------------------------------------------------------------
def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """log(sum(exp(a))) along ``axis``, stable, with -inf for an all -inf slice."""
    m = np.max(a, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True)) + m
    return np.squeeze(out, axis=axis)


def _check_log_inputs(log_pi, log_A, log_B):
    """Validate log-probability arrays of an HMM; return them as float arrays."""
    log_pi = check_array(log_pi, name="log_pi", ndim=1, finite=False)
    log_A = check_array(log_A, name="log_A", ndim=2, finite=False)
    log_B = check_array(log_B, name="log_B", ndim=2, finite=False)
    K = log_pi.shape[0]
    for name, arr in [("log_pi", log_pi), ("log_A", log_A), ("log_B", log_B)]:
        if np.any(np.isnan(arr)) or np.any(arr == np.inf):
            raise ValueError(
                f"{name} contains NaN or +inf; log-probabilities must be finite or -inf "
                "(probability zero). Check the observations and parameters for NaN."
            )
    if log_A.shape != (K, K):
        raise ValueError(
            f"log_A must have shape (n_components, n_components) = ({K}, {K}) to match "
            f"log_pi of length {K}; got {log_A.shape}."
        )
    if log_B.shape[1] != K:
        raise ValueError(
            f"log_B must have shape (n_samples, n_components) with n_components = {K}; "
            f"got {log_B.shape}. Row t holds log p(x_t | z_t = k) for every state k."
        )
    if abs(_logsumexp(log_pi, 0)) > _ROW_TOL:
        raise ValueError(
            f"exp(log_pi) must sum to 1; it sums to {np.exp(_logsumexp(log_pi, 0)):.6g}. "
            "Normalise the initial distribution."
        )
    sums = np.exp(_logsumexp(log_A, 1))
    if np.any(np.abs(sums - 1) > _ROW_TOL):
        raise ValueError(
            f"every row of exp(log_A) must sum to 1 (a transition matrix); row sums are "
            f"{np.round(sums, 6)}. Normalise each row: A / A.sum(axis=1, keepdims=True)."
        )
    return log_pi, log_A, log_B


def _scaled_messages(log_pi, log_A, log_B):
    """Scaled forward-backward in probability space (Rabiner's scaling).

    Returns ``alpha_hat`` (T, K) = p(z_t | x_1..t), ``beta_hat`` (T, K), the scaled
    emissions ``B`` (T, K), the scale factors ``c`` (T,) and the log-likelihood.
    """
    T, K = log_B.shape
    shift = np.max(log_B, axis=1, keepdims=True)                     # (T, 1)
    if np.any(~np.isfinite(shift)):
        t = int(np.flatnonzero(~np.isfinite(shift[:, 0]))[0])
        raise ValueError(
            f"observation {t} has probability zero under every state; the sequence is "
            "impossible under this model (log-likelihood -inf)."
        )
    B = np.exp(log_B - shift)                                        # (T, K), max 1 per row
    pi, A = np.exp(log_pi), np.exp(log_A)
    alpha = np.empty((T, K))
    c = np.empty(T)
    a = pi * B[0]
    for t in range(T):
        if t > 0:
            a = (alpha[t - 1] @ A) * B[t]                            # (K,)
        c[t] = a.sum()
        if c[t] <= 0:
            raise ValueError(
                f"observation {t} has probability zero given the past; the sequence is "
                "impossible under this model (log-likelihood -inf)."
            )
        alpha[t] = a / c[t]
    beta = np.empty((T, K))
    beta[-1] = 1.0
    for t in range(T - 2, -1, -1):
        beta[t] = A @ (B[t + 1] * beta[t + 1]) / c[t + 1]
    log_likelihood = float(np.sum(np.log(c)) + np.sum(shift))
    return alpha, beta, B, c, log_likelihood


def forward(log_pi, log_A, log_B):
    r"""Forward messages :math:`\log\alpha_t(k) = \log p(x_{1:t}, z_t = k)` and log p(x).

    Parameters
    ----------
    log_pi : array_like of shape (n_components,)
        Log initial-state probabilities.
    log_A : array_like of shape (n_components, n_components)
        Log transition matrix, ``log_A[i, j] = log p(z_{t+1} = j | z_t = i)``.
    log_B : array_like of shape (n_samples, n_components)
        Log emission probabilities, ``log_B[t, k] = log p(x_t | z_t = k)``.

    Returns
    -------
    log_alpha : ndarray of shape (n_samples, n_components)
        Log forward messages. ``exp(log_alpha[t] - logsumexp(log_alpha[t]))`` is the
        filtered distribution :math:`p(z_t \mid x_{1:t})`.
    log_likelihood : float
        :math:`\log p(x_{1:T})`.

    Notes
    -----
    Implements eq-hmm-forward of the page,
    :math:`\alpha_t(j) = p(x_t\mid j)\sum_i \alpha_{t-1}(i) A_{ij}`, with the messages
    normalised at every step (scale factors :math:`c_t`, eq-hmm-scaling) so nothing
    underflows; :math:`\log p(x) = \sum_t \log c_t`.
    """
    log_pi, log_A, log_B = _check_log_inputs(log_pi, log_A, log_B)
    alpha, _, _, c, ll = _scaled_messages(log_pi, log_A, log_B)
    shift = np.max(log_B, axis=1)
    with np.errstate(divide="ignore"):
        log_alpha = np.log(alpha) + np.cumsum(np.log(c) + shift)[:, None]   # (T, K)
    return log_alpha, ll


def backward(log_A, log_B):
    r"""Backward messages :math:`\log\beta_t(k) = \log p(x_{t+1:T} \mid z_t = k)`.

    Parameters
    ----------
    log_A : array_like of shape (n_components, n_components)
        Log transition matrix.
    log_B : array_like of shape (n_samples, n_components)
        Log emission probabilities.

    Returns
    -------
    log_beta : ndarray of shape (n_samples, n_components)
        Log backward messages; the last row is 0.

    Notes
    -----
    Implements eq-hmm-backward of the page,
    :math:`\beta_t(i) = \sum_j A_{ij}\, p(x_{t+1}\mid j)\, \beta_{t+1}(j)`, computed in
    log space.
    """
    log_A = check_array(log_A, name="log_A", ndim=2, finite=False)
    K = log_A.shape[0]
    log_pi = np.full(K, -np.log(K))
    _, log_A, log_B = _check_log_inputs(log_pi, log_A, log_B)
    T = log_B.shape[0]
    log_beta = np.zeros((T, K))
    for t in range(T - 2, -1, -1):
        log_beta[t] = _logsumexp(log_A + (log_B[t + 1] + log_beta[t + 1])[None, :], axis=1)
    return log_beta


def posteriors(log_pi, log_A, log_B):
    r"""Posterior marginals :math:`\gamma`, summed pair marginals :math:`\xi` and log p(x).

    Parameters
    ----------
    log_pi, log_A, log_B : array_like
        As in :func:`forward`.

    Returns
    -------
    gamma : ndarray of shape (n_samples, n_components)
        :math:`\gamma_t(k) = p(z_t = k \mid x_{1:T})`.
    xi_sum : ndarray of shape (n_components, n_components)
        :math:`\sum_{t=1}^{T-1} \xi_t(i, j)` with
        :math:`\xi_t(i, j) = p(z_t = i, z_{t+1} = j \mid x_{1:T})`, the expected
        transition counts.
    log_likelihood : float
        :math:`\log p(x_{1:T})`.

    Notes
    -----
    Implements eq-hmm-gamma and eq-hmm-xi of the page:
    :math:`\gamma_t = \hat\alpha_t \hat\beta_t` and
    :math:`\xi_t(i,j) = \hat\alpha_t(i) A_{ij} p(x_{t+1}\mid j)\hat\beta_{t+1}(j) / c_{t+1}`
    with the scaled messages.
    """
    log_pi, log_A, log_B = _check_log_inputs(log_pi, log_A, log_B)
    alpha, beta, B, c, ll = _scaled_messages(log_pi, log_A, log_B)
    gamma = alpha * beta                                             # (T, K)
    gamma /= gamma.sum(axis=1, keepdims=True)
    A = np.exp(log_A)
    xi_sum = A * (alpha[:-1].T @ (B[1:] * beta[1:] / c[1:, None]))   # (K, K)
    return gamma, xi_sum, ll


def viterbi(log_pi, log_A, log_B):
    r"""The most probable state path :math:`\arg\max_z p(z \mid x)` and its log-probability.

    Parameters
    ----------
    log_pi, log_A, log_B : array_like
        As in :func:`forward`.

    Returns
    -------
    log_prob : float
        :math:`\log p(x, \hat z)`, the joint log-probability of the data and the path
        (hmmlearn's ``decode`` returns the same number).
    path : ndarray of shape (n_samples,)
        The most probable state sequence.

    Notes
    -----
    Implements eq-hmm-viterbi of the page,
    :math:`\delta_t(j) = \log p(x_t\mid j) + \max_i [\delta_{t-1}(i) + \log A_{ij}]`,
    with back-pointers :math:`\psi_t(j)` followed from the best final state.
    """
    log_pi, log_A, log_B = _check_log_inputs(log_pi, log_A, log_B)
    T, K = log_B.shape
    psi = np.zeros((T, K), dtype=int)
    delta = log_pi + log_B[0]                                        # (K,)
    for t in range(1, T):
        scores = delta[:, None] + log_A                              # (K, K): from i to j
        psi[t] = np.argmax(scores, axis=0)
        delta = scores[psi[t], np.arange(K)] + log_B[t]
    path = np.empty(T, dtype=int)
    path[-1] = int(np.argmax(delta))
    for t in range(T - 1, 0, -1):
        path[t - 1] = psi[t, path[t]]
    return float(delta[path[-1]]), path


# -- estimators ------------------------------------------------------------------------
def _check_stochastic(P, name: str, shape: tuple) -> np.ndarray:
    P = check_array(P, name=name, ndim=len(shape))
    if P.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {P.shape}.")
    if np.any(P < 0):
        raise ValueError(f"{name} must hold probabilities >= 0; got minimum {P.min():.3g}.")
    sums = P.sum(axis=-1)
    if np.any(np.abs(sums - 1) > _ROW_TOL):
        what = "every row of " + name if P.ndim == 2 else name
        raise ValueError(
            f"{what} must sum to 1; got sums {np.round(np.atleast_1d(sums), 6)}. "
            "Normalise it, e.g. P / P.sum(axis=-1, keepdims=True)."
        )
    return P


def _check_lengths(lengths, n_samples: int) -> np.ndarray:
    if lengths is None:
        return np.array([n_samples])
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or lengths.size == 0 or lengths.dtype.kind not in "iu":
        raise ValueError(
            f"lengths must be a 1-D sequence of positive integers (one per sequence); got {lengths!r}."
        )
    if np.any(lengths < 1) or lengths.sum() != n_samples:
        raise ValueError(
            f"lengths must be positive and sum to the number of samples {n_samples}; got "
            f"lengths summing to {int(lengths.sum())} with minimum {int(lengths.min())}."
        )
    return lengths


class BaseHMM:
    """Shared machinery of the HMM estimators (as ``hmmlearn.base.BaseHMM``).

    Baum-Welch fitting, scoring, decoding and sampling. Subclasses supply the
    emission model: :class:`CategoricalHMM` and :class:`GaussianHMM`. Not meant to be
    used directly.
    """

    _param_letters = "st"

    def __init__(self, n_components: int = 1, n_iter: int = 10, tol: float = 1e-2,
                 params: str | None = None, init_params: str | None = None, rng=None):
        self.n_components = n_components
        self.n_iter = n_iter
        self.tol = tol
        self.params = params
        self.init_params = init_params
        self.rng = rng

    # subclasses implement: _check_X, _init_emissions, _check_emissions,
    # _log_emissions, _accumulate, _m_step_emissions, _sample_emission
    def _check_X(self, X, fitting: bool = False):
        raise NotImplementedError(f"{type(self).__name__} has no emission model; use GaussianHMM (real-valued "
                                  "observations) or CategoricalHMM (integer symbols).")

    def _letters(self, value):
        return self._param_letters if value is None else value

    def _check_common(self):
        K = check_int(self.n_components, name="n_components", minimum=1)
        return K

    def _check_transition_params(self):
        K = self.n_components
        self.startprob_ = _check_stochastic(self.startprob_, "startprob_", (K,))
        self.transmat_ = _check_stochastic(self.transmat_, "transmat_", (K, K))

    def _check_fitted(self):
        needed = ["startprob_", "transmat_"] + list(self._emission_attrs)
        missing = [a for a in needed if not hasattr(self, a)]
        if missing:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet (missing "
                f"{', '.join(missing)}). Call 'fit' with training data first, or set "
                "these attributes by hand."
            )
        self._check_common()
        self._check_transition_params()
        self._check_emissions()

    def _log_params(self):
        with np.errstate(divide="ignore"):
            return np.log(self.startprob_), np.log(self.transmat_)

    def _sequences(self, X, lengths):
        """Check the model and ``X``; ``(log_pi, log_A, log_B)`` for each sequence of ``X``."""
        self._check_fitted()
        X = self._check_X(X)
        log_pi, log_A = self._log_params()
        return [(log_pi, log_A, self._log_emissions(x)) for x in self._split(X, lengths)]

    def _split(self, X, lengths):
        lengths = _check_lengths(lengths, X.shape[0])
        ends = np.cumsum(lengths)
        return [X[e - n:e] for n, e in zip(lengths, ends)]

    def fit(self, X, lengths=None):
        """Estimate the parameters with the Baum-Welch (EM) algorithm.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            Observations; several sequences are concatenated.
        lengths : array_like of int, optional
            Lengths of the concatenated sequences (sum to ``n_samples``).

        Returns
        -------
        self
            With ``startprob_``, ``transmat_``, the emission parameters,
            ``loglik_history_`` (log p(X) before each M-step, as hmmlearn's monitor),
            ``n_iter_`` and ``converged_``.

        Notes
        -----
        Implements eq-hmm-mstep of the page: each iteration computes gamma and xi
        (E-step) and re-estimates the parameters from them (M-step). With
        ``covars_prior=0`` (Gaussian) the log-likelihood never decreases; a positive
        prior makes EM maximise the log-likelihood plus the log-prior instead.
        """
        K = self._check_common()
        n_iter = check_int(self.n_iter, name="n_iter", minimum=1)
        tol = check_positive(self.tol, name="tol", strict=False)
        X = self._check_X(X, fitting=True)
        seqs = self._split(X, lengths)
        rng = as_rng(self.rng)
        init = self._letters(self.init_params)
        if "s" in init:
            self.startprob_ = np.full(K, 1.0 / K)
        if "t" in init:
            self.transmat_ = rng.dirichlet(np.ones(K), size=K)
        self._init_emissions(X, init, rng)
        self._check_fitted()
        params = self._letters(self.params)
        self.loglik_history_ = []
        self.converged_ = False
        for it in range(n_iter):
            log_pi, log_A = self._log_params()
            start, trans = np.zeros(K), np.zeros((K, K))
            stats = self._empty_stats()
            ll = 0.0
            for x in seqs:
                gamma, xi_sum, ll_seq = posteriors(log_pi, log_A, self._log_emissions(x))
                start += gamma[0]
                trans += xi_sum
                self._accumulate(stats, x, gamma)
                ll += ll_seq
            self.loglik_history_.append(ll)
            # M-step (eq-hmm-mstep)
            if "s" in params:
                self.startprob_ = start / start.sum()
            if "t" in params:
                rows = trans.sum(axis=1, keepdims=True)
                self.transmat_ = np.where(rows > 0, trans / np.where(rows > 0, rows, 1.0),
                                          self.transmat_)
            self._m_step_emissions(stats, params)
            self.n_iter_ = it + 1
            if it > 0 and self.loglik_history_[-1] - self.loglik_history_[-2] < tol:
                self.converged_ = True
                break
        return self

    def score(self, X, lengths=None) -> float:
        """Log-likelihood :math:`\\log p(X)` under the model (sum over sequences).

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        lengths : array_like of int, optional
            Lengths of the concatenated sequences.

        Returns
        -------
        float
            By the scaled forward pass (eq-hmm-scaling of the page).
        """
        return float(sum(forward(*logs)[1] for logs in self._sequences(X, lengths)))

    def predict_proba(self, X, lengths=None) -> np.ndarray:
        """Posterior state probabilities.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        lengths : array_like of int, optional

        Returns
        -------
        ndarray of shape (n_samples, n_components)
            gamma of eq-hmm-gamma of the page.
        """
        return np.concatenate([posteriors(*logs)[0] for logs in self._sequences(X, lengths)])

    def decode(self, X, lengths=None, algorithm: str = "viterbi"):
        """Most probable state sequence.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        lengths : array_like of int, optional
        algorithm : {"viterbi", "map"}
            Viterbi (eq-hmm-viterbi of the page) or the most probable state at each time.

        Returns
        -------
        log_prob : float
            For ``"viterbi"``, :math:`\\log p(X, \\hat z)`; for ``"map"``, the sum of
            the log posterior marginals of the chosen states (as hmmlearn).
        state_sequence : ndarray of shape (n_samples,)
        """
        self._check_fitted()
        if algorithm not in ("viterbi", "map"):
            raise ValueError(f"Unknown algorithm={algorithm!r}; expected 'viterbi' or 'map'.")
        total, paths = 0.0, []
        for logs in self._sequences(X, lengths):
            if algorithm == "viterbi":
                lp, path = viterbi(*logs)
            else:
                gamma = posteriors(*logs)[0]
                path = np.argmax(gamma, axis=1)
                with np.errstate(divide="ignore"):
                    lp = float(np.sum(np.log(gamma[np.arange(len(path)), path])))
            total += lp
            paths.append(path)
        return total, np.concatenate(paths)

    def predict(self, X, lengths=None) -> np.ndarray:
        """The Viterbi path.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
        lengths : array_like of int, optional

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.decode(X, lengths)[1]

    def sample(self, n_samples: int = 1, rng=None, currstate: int | None = None):
        """Draw a sequence from the model.

        Parameters
        ----------
        n_samples : int
            Length of the sequence.
        rng : numpy Generator, int or None
            Randomness (hmmlearn calls it ``random_state``); None uses the estimator's ``rng``.
        currstate : int, optional
            Start from this state instead of drawing it from ``startprob_``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
        Z : ndarray of shape (n_samples,)
            The hidden states.
        """
        self._check_fitted()
        n = check_int(n_samples, name="n_samples", minimum=1)
        rng = as_rng(self.rng if rng is None else rng)
        K = self.n_components
        Z = np.empty(n, dtype=int)
        if currstate is None:
            Z[0] = rng.choice(K, p=self.startprob_)
        else:
            Z[0] = check_int(currstate, name="currstate", minimum=0, maximum=K - 1)
        u = rng.random(n)
        cum = np.cumsum(self.transmat_, axis=1)                      # (K, K)
        for t in range(1, n):
            Z[t] = min(int(np.searchsorted(cum[Z[t - 1]], u[t], side="right")), K - 1)
        return self._sample_emissions(Z, rng), Z


class CategoricalHMM(BaseHMM):
    """HMM with categorical (discrete-symbol) emissions, as ``hmmlearn.hmm.CategoricalHMM``.

    Parameters
    ----------
    n_components : int
        Number of hidden states.
    n_features : int, optional
        Number of symbols; inferred from the data (max + 1) when None.
    n_iter : int
        Maximum number of EM iterations.
    tol : float
        Stop when the log-likelihood improves by less than this.
    params, init_params : str, optional
        Letters of the parameters to update / initialise: ``s`` start, ``t``
        transitions, ``e`` emissions (default ``"ste"``). Use ``init_params=""`` to
        start EM from parameters set by hand.
    rng : numpy Generator, int or None
        Randomness for the initialisation (hmmlearn's ``random_state``).

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    emissionprob_ : ndarray of shape (n_components, n_features)
    loglik_history_ : list of float
    """

    _param_letters = "ste"
    _emission_attrs = ("emissionprob_",)

    def __init__(self, n_components: int = 1, n_features: int | None = None, n_iter: int = 10,
                 tol: float = 1e-2, params: str | None = None, init_params: str | None = None,
                 rng=None):
        super().__init__(n_components, n_iter, tol, params, init_params, rng)
        self.n_features = n_features

    def _check_X(self, X, fitting: bool = False):
        X = check_array(X, name="X", ndim=2)
        if X.shape[1] != 1:
            raise ValueError(
                f"X must have shape (n_samples, 1) holding one symbol per time step; got {X.shape}."
            )
        if np.any(X < 0) or np.any(X != np.round(X)):
            raise ValueError("X must hold non-negative integer symbols 0, 1, ..., n_features - 1.")
        Xi = X.astype(int)
        if fitting and "e" in self._letters(self.init_params):
            nf = self.n_features if self.n_features is not None else int(Xi.max()) + 1
            self._n_symbols = check_int(nf, name="n_features", minimum=1)
        else:
            self._n_symbols = (self.emissionprob_.shape[1] if hasattr(self, "emissionprob_")
                               else self.n_features)
        if self._n_symbols is not None and Xi.max() >= self._n_symbols:
            raise ValueError(
                f"X holds symbol {int(Xi.max())} but the model has n_features = "
                f"{self._n_symbols} symbols (0 to {self._n_symbols - 1})."
            )
        return Xi

    def _init_emissions(self, X, init, rng):
        if "e" in init:
            self.emissionprob_ = rng.dirichlet(np.ones(self._n_symbols), size=self.n_components)

    def _check_emissions(self):
        E = np.asarray(self.emissionprob_, dtype=float)
        if E.ndim != 2:
            raise ValueError(f"emissionprob_ must have shape (n_components, n_features); got {E.shape}.")
        self.emissionprob_ = _check_stochastic(E, "emissionprob_", (self.n_components, E.shape[1]))

    def _log_emissions(self, x):
        with np.errstate(divide="ignore"):
            return np.log(self.emissionprob_[:, x[:, 0]].T)          # (T, K)

    def _empty_stats(self):
        return {"obs": np.zeros_like(self.emissionprob_)}

    def _accumulate(self, stats, x, gamma):
        onehot = np.zeros((x.shape[0], self.emissionprob_.shape[1]))
        onehot[np.arange(x.shape[0]), x[:, 0]] = 1.0
        stats["obs"] += gamma.T @ onehot                             # (K, n_features)

    def _m_step_emissions(self, stats, params):
        if "e" in params:
            rows = stats["obs"].sum(axis=1, keepdims=True)
            self.emissionprob_ = np.where(rows > 0, stats["obs"] / np.where(rows > 0, rows, 1.0),
                                          self.emissionprob_)

    def _sample_emissions(self, Z, rng):
        cum = np.cumsum(self.emissionprob_, axis=1)[Z]               # (n, n_features)
        u = rng.random((len(Z), 1))
        X = np.minimum((u >= cum).sum(axis=1), cum.shape[1] - 1)
        return X[:, None]


class GaussianHMM(BaseHMM):
    """HMM with diagonal-covariance Gaussian emissions, as ``hmmlearn.hmm.GaussianHMM``.

    Parameters
    ----------
    n_components : int
        Number of hidden states.
    covariance_type : {"diag"}
        Only diagonal covariances are implemented (hmmlearn's default).
    min_covar : float
        Floor added to the data variance in the initialisation.
    covars_prior : float
        As hmmlearn's ``covars_prior`` (with ``covars_weight=1``): the M-step
        variance is ``(covars_prior + sum_t gamma (x - mu)^2) / sum_t gamma``. It
        keeps a state that owns a single point from collapsing to zero variance.
    n_iter, tol, params, init_params, rng
        As in :class:`CategoricalHMM`; the letters are ``s``, ``t``, ``m`` (means)
        and ``c`` (covariances), default ``"stmc"``.

    Attributes
    ----------
    startprob_ : ndarray of shape (n_components,)
    transmat_ : ndarray of shape (n_components, n_components)
    means_ : ndarray of shape (n_components, n_features)
    covars_ : ndarray of shape (n_components, n_features)
        Diagonal variances (hmmlearn's ``covars_`` property returns them as full
        matrices; its internal ``_covars_`` has this shape).
    """

    _param_letters = "stmc"
    _emission_attrs = ("means_", "covars_")

    def __init__(self, n_components: int = 1, covariance_type: str = "diag", min_covar: float = 1e-3,
                 covars_prior: float = 1e-2, n_iter: int = 10, tol: float = 1e-2,
                 params: str | None = None, init_params: str | None = None, rng=None):
        super().__init__(n_components, n_iter, tol, params, init_params, rng)
        self.covariance_type = covariance_type
        self.min_covar = min_covar
        self.covars_prior = covars_prior

    def _check_common(self):
        K = super()._check_common()
        if self.covariance_type != "diag":
            raise ValueError(
                f"Unknown covariance_type={self.covariance_type!r}; only 'diag' is implemented."
            )
        check_positive(self.min_covar, name="min_covar", strict=False)
        check_positive(self.covars_prior, name="covars_prior", strict=False)
        return K

    def _check_X(self, X, fitting: bool = False):
        X = check_array(X, name="X", ndim=2)
        if hasattr(self, "means_") and not (fitting and "m" in self._letters(self.init_params)):
            d = np.shape(self.means_)[-1]
            if X.shape[1] != d:
                raise ValueError(
                    f"X has {X.shape[1]} features but the model's means_ have {d}. "
                    "Pass data with the same features as the model."
                )
        if fitting and X.shape[0] < self.n_components:
            raise ValueError(
                f"need at least n_components = {self.n_components} samples to fit; got {X.shape[0]}."
            )
        return X

    def _init_emissions(self, X, init, rng):
        if "m" in init:
            self.means_ = X[rng.choice(X.shape[0], size=self.n_components, replace=False)].copy()
        if "c" in init:
            self.covars_ = np.tile(X.var(axis=0) + self.min_covar, (self.n_components, 1))

    def _check_emissions(self):
        K = self.n_components
        self.means_ = check_array(self.means_, name="means_", ndim=2)
        if self.means_.shape[0] != K:
            raise ValueError(f"means_ must have shape (n_components={K}, n_features); got {self.means_.shape}.")
        self.covars_ = check_array(self.covars_, name="covars_", ndim=2)
        if self.covars_.shape != self.means_.shape:
            raise ValueError(
                f"covars_ (diagonal variances) must have the shape of means_ {self.means_.shape}; "
                f"got {self.covars_.shape}."
            )
        if np.any(self.covars_ <= 0):
            raise ValueError(
                "covars_ must be positive definite: every diagonal variance must be > 0; got "
                f"minimum {self.covars_.min():.3g}."
            )

    def _log_emissions(self, x):
        var = self.covars_                                           # (K, d)
        diff = x[:, None, :] - self.means_[None, :, :]               # (T, K, d)
        return -0.5 * (np.sum(diff ** 2 / var, axis=2)
                       + np.sum(np.log(2 * np.pi * var), axis=1))    # (T, K)

    def _empty_stats(self):
        K, d = self.means_.shape
        return {"post": np.zeros(K), "obs": np.zeros((K, d)), "obs2": np.zeros((K, d))}

    def _accumulate(self, stats, x, gamma):
        stats["post"] += gamma.sum(axis=0)
        stats["obs"] += gamma.T @ x
        stats["obs2"] += gamma.T @ x ** 2

    def _m_step_emissions(self, stats, params):
        denom = stats["post"][:, None]                               # (K, 1)
        if "m" in params:
            self.means_ = stats["obs"] / np.maximum(denom, 1e-300)
        if "c" in params:
            m = self.means_
            c_n = stats["obs2"] - 2 * m * stats["obs"] + m ** 2 * denom
            self.covars_ = (self.covars_prior + c_n) / np.maximum(denom, 1e-5)

    def _sample_emissions(self, Z, rng):
        noise = rng.standard_normal((len(Z), self.means_.shape[1]))
        return self.means_[Z] + np.sqrt(self.covars_[Z]) * noise
