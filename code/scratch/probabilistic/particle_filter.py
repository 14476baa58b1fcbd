"""Importance sampling, resampling and the bootstrap particle filter.

The chapter ``book/probabilistic/particle_filter.md`` derives every equation used
here; the equation labels named in the *Notes* sections are the page's labels. The
module also holds the page's data generator: simulated place cells on a 1-D track.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from scratch._validation import as_float_array, as_rng, check_array, check_int, check_option, check_positive

__all__ = [
    "normalize_log_weights",
    "effective_sample_size",
    "importance_sampling",
    "multinomial_resample",
    "systematic_resample",
    "ParticleFilterResult",
    "bootstrap_filter",
    "simulate_place_cells",
    "place_cell_log_likelihood",
    "reflect",
]


def _check_log_weights(log_w) -> np.ndarray:
    log_w = check_array(log_w, name="log_weights", ndim=1, finite=False)
    if np.any(np.isnan(log_w)) or np.any(log_w == np.inf):
        raise ValueError("log_weights contain NaN or +inf; check the log-densities that produced them.")
    if not np.any(np.isfinite(log_w)):
        raise ValueError(
            "every weight is zero (all log-weights are -inf): no particle is compatible with the "
            "observation. Use more particles or a broader proposal."
        )
    return log_w


def normalize_log_weights(log_w):
    r"""Normalised weights and the log of the mean unnormalised weight.

    Parameters
    ----------
    log_w : array_like of shape (n_particles,)
        Unnormalised log-weights.

    Returns
    -------
    weights : ndarray of shape (n_particles,)
        :math:`w_i / \sum_j w_j`, computed stably (log-sum-exp).
    log_mean_weight : float
        :math:`\log \frac1N \sum_i w_i`, the importance-sampling estimate of the log
        normalising constant (eq-is-evidence of the page).
    """
    log_w = _check_log_weights(log_w)
    m = np.max(log_w)
    w = np.exp(log_w - m)
    s = w.sum()
    return w / s, float(m + np.log(s) - np.log(len(w)))


def effective_sample_size(weights) -> float:
    r"""Kish's effective sample size :math:`1 / \sum_i \bar w_i^2` of normalised weights.

    Parameters
    ----------
    weights : array_like of shape (n_particles,)
        Non-negative weights; they are normalised first.

    Notes
    -----
    Implements eq-is-ess of the page. Equal weights give N; one non-zero weight gives 1.
    """
    w = _check_weights(weights)
    return float(1.0 / np.sum(w ** 2))


def _check_weights(weights) -> np.ndarray:
    w = check_array(weights, name="weights", ndim=1)
    if np.any(w < 0):
        raise ValueError(f"weights must be >= 0; got minimum {w.min():.3g}.")
    s = w.sum()
    if s <= 0:
        raise ValueError("weights sum to zero; at least one weight must be positive.")
    return w / s


def importance_sampling(log_target: Callable, sample_proposal: Callable, log_proposal: Callable,
                        n_samples: int, rng=None):
    r"""Self-normalised importance sampling.

    Parameters
    ----------
    log_target : callable
        ``log_target(x) -> (n_samples,)``, an unnormalised log-density :math:`\log\tilde p`.
    sample_proposal : callable
        ``sample_proposal(rng, n) -> (n, n_dim)``, draws from :math:`q`.
    log_proposal : callable
        ``log_proposal(x) -> (n_samples,)``, the normalised log-density of :math:`q`.
    n_samples : int
        Number of draws, >= 1.
    rng : numpy Generator, int or None

    Returns
    -------
    samples : ndarray of shape (n_samples, n_dim)
    weights : ndarray of shape (n_samples,)
        Normalised importance weights.
    log_evidence : float
        Estimate of :math:`\log \int \tilde p(x)\,dx`.
    ess : float
        Effective sample size.

    Notes
    -----
    Implements eq-is-weights, eq-is-evidence and eq-is-ess of the page.
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    rng = as_rng(rng)
    x = np.asarray(sample_proposal(rng, n), dtype=float)
    lp, lq = np.asarray(log_target(x), dtype=float), np.asarray(log_proposal(x), dtype=float)
    if lp.shape != (n,) or lq.shape != (n,):
        raise ValueError(
            f"log_target and log_proposal must return one value per sample, shape ({n},); got "
            f"{lp.shape} and {lq.shape}."
        )
    log_w = lp - lq
    w, log_z = normalize_log_weights(log_w)
    return x, w, log_z, effective_sample_size(w)


def multinomial_resample(weights, rng=None, n: int | None = None) -> np.ndarray:
    """Indices of ``n`` draws with replacement, each particle chosen with its weight.

    Parameters
    ----------
    weights : array_like of shape (n_particles,)
    rng : numpy Generator, int or None
    n : int, optional
        Number of draws (default: n_particles).

    Returns
    -------
    ndarray of shape (n,)
        Particle indices.
    """
    w = _check_weights(weights)
    n = len(w) if n is None else check_int(n, name="n", minimum=1)
    cum = np.cumsum(w)
    cum[-1] = 1.0
    return np.searchsorted(cum, as_rng(rng).random(n), side="right")


def systematic_resample(weights, rng=None) -> np.ndarray:
    r"""Systematic resampling: one uniform :math:`u`, points :math:`(i + u)/N`.

    Parameters
    ----------
    weights : array_like of shape (n_particles,)
    rng : numpy Generator, int or None

    Returns
    -------
    ndarray of shape (n_particles,)
        Sorted particle indices; particle i appears :math:`\lfloor N w_i \rfloor` or
        :math:`\lceil N w_i \rceil` times.

    Notes
    -----
    Implements eq-pf-systematic of the page. Unbiased like multinomial resampling,
    with less added variance.
    """
    w = _check_weights(weights)
    N = len(w)
    positions = (as_rng(rng).random() + np.arange(N)) / N            # (N,)
    cum = np.cumsum(w)
    cum[-1] = 1.0
    return np.searchsorted(cum, positions, side="right")


@dataclass
class ParticleFilterResult:
    """Output of :func:`bootstrap_filter`.

    Attributes
    ----------
    means : ndarray of shape (n_timesteps, n_dim_state)
        Weighted particle means, estimates of E[x_t | y_1..t].
    variances : ndarray of shape (n_timesteps, n_dim_state)
        Weighted particle variances.
    ess : ndarray of shape (n_timesteps,)
        Effective sample size after each weighting step.
    log_evidence : float
        Estimate of log p(y_1..T).
    n_resampled : int
        Number of resampling steps taken.
    particles : ndarray of shape (n_particles, n_dim_state)
        The final particles.
    weights : ndarray of shape (n_particles,)
        Their normalised weights.
    """

    means: np.ndarray
    variances: np.ndarray
    ess: np.ndarray
    log_evidence: float
    n_resampled: int
    particles: np.ndarray
    weights: np.ndarray

    def __post_init__(self) -> None:
        T = len(self.means)
        if len(self.variances) != T or len(self.ess) != T:
            raise ValueError(f"means, variances and ess need one entry per time step; got lengths {T}, "
                             f"{len(self.variances)} and {len(self.ess)}.")
        if len(self.weights) != len(self.particles):
            raise ValueError(f"weights need one weight per particle; got {len(self.weights)} weights for "
                             f"{len(self.particles)} particles.")


def bootstrap_filter(Y, sample_initial: Callable, sample_transition: Callable, log_likelihood: Callable,
                     n_particles: int, rng=None, resample: str = "systematic",
                     ess_threshold: float = 0.5) -> ParticleFilterResult:
    r"""The bootstrap particle filter of Gordon, Salmond and Smith.

    Parameters
    ----------
    Y : array_like of shape (n_timesteps, n_dim_obs)
        Observations (1-D input is treated as one column).
    sample_initial : callable
        ``sample_initial(rng, n) -> (n, n_dim_state)``, draws of the first state.
    sample_transition : callable
        ``sample_transition(rng, particles) -> (n, n_dim_state)``, draws from
        :math:`p(x_{t+1} \mid x_t)` for every particle.
    log_likelihood : callable
        ``log_likelihood(y_t, particles) -> (n,)``, :math:`\log p(y_t \mid x_t)`.
    n_particles : int
        Number of particles N >= 1.
    rng : numpy Generator, int or None
    resample : {"systematic", "multinomial"}
    ess_threshold : float in (0, 1]
        Resample when the ESS falls below ``ess_threshold * N`` (1.0: every step).

    Returns
    -------
    ParticleFilterResult

    Notes
    -----
    Implements eq-pf-weights and eq-pf-evidence of the page: propagate with the
    dynamics, weight by the likelihood, accumulate
    :math:`\log \hat p(y_t\mid y_{1:t-1}) = \log\sum_i \bar w_{t-1,i}\, p(y_t\mid x_{t,i})`,
    and resample when the ESS is low.
    """
    N = check_int(n_particles, name="n_particles", minimum=1)
    Y = check_array(Y, name="Y", ndim=(1, 2))
    if Y.ndim == 1:
        Y = Y[:, None]
    check_option(resample, ("systematic", "multinomial"), name="resample")
    thr = check_positive(ess_threshold, name="ess_threshold")
    if thr > 1:
        raise ValueError(f"ess_threshold must be in (0, 1]; got {ess_threshold}.")
    rng = as_rng(rng)
    resampler = systematic_resample if resample == "systematic" else multinomial_resample
    x = np.asarray(sample_initial(rng, N), dtype=float)
    if x.ndim != 2 or x.shape[0] != N:
        raise ValueError(
            f"sample_initial must return shape (n_particles={N}, n_dim_state); got {x.shape}."
        )
    T, d = Y.shape[0], x.shape[1]
    means, variances, ess = np.empty((T, d)), np.empty((T, d)), np.empty(T)
    log_w_prev = np.full(N, -np.log(N))                              # normalised log-weights
    log_z, n_res = 0.0, 0
    for t in range(T):
        if t > 0:
            x = np.asarray(sample_transition(rng, x), dtype=float)
            if x.shape != (N, d):
                raise ValueError(
                    f"sample_transition must return shape ({N}, {d}) like its input; got {x.shape}."
                )
        ll = np.asarray(log_likelihood(Y[t], x), dtype=float)
        if ll.shape != (N,):
            raise ValueError(f"log_likelihood must return shape (n_particles={N},); got {ll.shape}.")
        w, log_inc = normalize_log_weights(log_w_prev + ll)         # log_inc = log mean(...) - log N
        log_z += log_inc + np.log(N)                                 # log sum_i wbar_i p(y|x_i)
        means[t] = w @ x
        variances[t] = w @ (x - means[t]) ** 2
        ess[t] = 1.0 / np.sum(w ** 2)
        if ess[t] < thr * N:
            x = x[resampler(w, rng)]
            log_w_prev = np.full(N, -np.log(N))
            n_res += 1
        else:
            with np.errstate(divide="ignore"):
                log_w_prev = np.log(w)
    return ParticleFilterResult(means, variances, ess, float(log_z), n_res, x, np.exp(log_w_prev))


# -- data: place cells on a linear track -------------------------------------------------
def simulate_place_cells(n_timesteps: int, n_cells: int = 20, *, dt: float = 0.05,
                         speed_sd: float = 0.05, peak_rate: float = 15.0, width: float = 0.08,
                         rng=None):
    """Simulate a rat on a 1-D track of length 1 and Poisson spike counts of place cells.

    The position follows a reflected Gaussian random walk; cell i fires at rate
    ``peak_rate * exp(-(x - c_i)^2 / (2 width^2))`` spikes/s with centres ``c_i``
    evenly spaced on [0, 1]; counts per bin of ``dt`` seconds are Poisson.

    Returns
    -------
    positions : ndarray of shape (n_timesteps,)
    counts : ndarray of shape (n_timesteps, n_cells)
    centers : ndarray of shape (n_cells,)
    """
    T = check_int(n_timesteps, name="n_timesteps", minimum=1)
    K = check_int(n_cells, name="n_cells", minimum=1)
    for v, name in [(dt, "dt"), (speed_sd, "speed_sd"), (peak_rate, "peak_rate"), (width, "width")]:
        check_positive(v, name=name)
    rng = as_rng(rng)
    x = np.empty(T)
    x[0] = rng.random()
    steps = speed_sd * rng.standard_normal(T)
    for t in range(1, T):
        x[t] = reflect(x[t - 1] + steps[t])
    centers = np.linspace(0, 1, K)
    rates = peak_rate * np.exp(-0.5 * (x[:, None] - centers[None, :]) ** 2 / width ** 2)  # (T, K)
    return x, rng.poisson(rates * dt).astype(float), centers


def reflect(x):
    """Reflect positions into [0, 1] (a walker bouncing off both ends of the track).

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the same shape, with values in [0, 1].
    """
    x = as_float_array(x, "x", "a number or an array of positions")
    if np.isnan(x).any():
        raise ValueError("x contains NaN; reflect needs positions (numbers).")
    x = np.mod(x, 2.0)
    return np.where(x > 1.0, 2.0 - x, x)


def place_cell_log_likelihood(counts_t, positions, centers, *, dt: float = 0.05,
                              peak_rate: float = 15.0, width: float = 0.08) -> np.ndarray:
    r"""Poisson log-likelihood of one bin of counts at each candidate position.

    Parameters
    ----------
    counts_t : array_like of shape (n_cells,)
    positions : array_like of shape (n_particles,) or (n_particles, 1)
    centers : array_like of shape (n_cells,)

    Returns
    -------
    ndarray of shape (n_particles,)
        :math:`\sum_i y_i \log\lambda_i(x) - \lambda_i(x)` (dropping :math:`\log y_i!`).
    """
    y = check_array(counts_t, name="counts_t", ndim=1)
    if np.any(y < 0):
        raise ValueError(f"counts_t must hold non-negative spike counts; got minimum {y.min():g}.")
    c = check_array(centers, name="centers", ndim=1)
    if y.shape != c.shape:
        raise ValueError(f"counts_t has {y.shape[0]} cells but centers has {c.shape[0]}.")
    x = check_array(positions, name="positions", ndim=(1, 2)).reshape(-1)
    log_rate = np.log(peak_rate * dt) - 0.5 * (x[:, None] - c[None, :]) ** 2 / width ** 2   # (N, K)
    return log_rate @ y - np.exp(log_rate).sum(axis=1)
