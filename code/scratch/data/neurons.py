"""Simulated neurons: tuning curves with trial-to-trial gain, and point-process GLM
spike trains (numpy only).

Provenance and license: generated here from ``rng`` (public domain, CC0), following von
Mises tuning curves with a gamma-distributed gain (Goris, Movshon and Simoncelli,
Nature Neuroscience, 2014) and point-process GLM neurons (Pillow et al., Nature, 2008).
Used by ``book/classical/poisson_glm.md``.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive

__all__ = ['von_mises_neuron', 'glm_neuron_filters', 'simulate_glm_neuron']


def von_mises_neuron(n_trials: int = 200, *, preferred: float = np.pi / 3, peak_rate: float = 20.0,
                     concentration: float = 2.0, duration: float = 1.0,
                     gain_shape: float | None = None,
                     rng: RNG = None):
    r"""Spike counts of a neuron with a von Mises (circular Gaussian) tuning curve.

    On each trial a stimulus direction :math:`\theta \sim U(0, 2\pi)` is shown and the
    neuron fires :math:`y \sim \mathrm{Poisson}(g\,\lambda(\theta)\,T)` spikes, with

    .. math:: \lambda(\theta) = r_{\max} \exp\{\kappa(\cos(\theta - \theta_0) - 1)\}.

    The log-rate is linear in :math:`(\cos\theta, \sin\theta)`, so this is exactly a
    Poisson GLM with coefficients :math:`\kappa(\cos\theta_0, \sin\theta_0)` and
    intercept :math:`\log(r_{\max}T) - \kappa`. With ``gain_shape=None`` the gain is
    :math:`g = 1`; otherwise :math:`g \sim \mathrm{Gamma}(s, 1/s)` (mean 1, variance
    :math:`1/s`) varies from trial to trial, which makes the counts overdispersed
    (the "modulated Poisson" model of Goris et al., 2014).

    Parameters
    ----------
    n_trials : int
        Number of trials.
    preferred : float
        Preferred direction :math:`\theta_0` in radians.
    peak_rate : float
        Rate :math:`r_{\max}` at the preferred direction, in spikes per second.
    concentration : float
        Tuning sharpness :math:`\kappa \ge 0`.
    duration : float
        Counting window :math:`T` in seconds.
    gain_shape : float or None
        Shape :math:`s` of the gamma-distributed gain, or None for pure Poisson counts.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    theta : ndarray of shape (n_trials,)
        Stimulus directions in radians.
    counts : ndarray of shape (n_trials,)
        Spike counts (as floats).
    """
    n = check_int(n_trials, name="n_trials", minimum=1)
    peak_rate = check_positive(peak_rate, name="peak_rate")
    kappa = check_positive(concentration, name="concentration", strict=False)
    duration = check_positive(duration, name="duration")
    if isinstance(preferred, bool) or not isinstance(preferred, (Real, np.integer, np.floating)):
        raise TypeError(f"preferred must be a real angle in radians; got {type(preferred).__name__}.")
    if not np.isfinite(preferred):
        raise ValueError(f"preferred must be a finite angle in radians; got {preferred!r}.")
    rng = as_rng(rng)
    theta = rng.uniform(0, 2 * np.pi, size=n)
    mean = peak_rate * duration * np.exp(kappa * (np.cos(theta - preferred) - 1))
    if gain_shape is not None:
        s = check_positive(gain_shape, name="gain_shape")
        mean = mean * rng.gamma(shape=s, scale=1 / s, size=n)
    return theta, rng.poisson(mean).astype(float)



def glm_neuron_filters(n_stim_lags: int = 15, n_hist_lags: int = 10):
    """The stimulus and spike-history filters of the book's simulated GLM neuron.

    The stimulus filter is biphasic (a fast positive lobe peaking two bins after the
    stimulus, then a slower negative one), like the temporal receptive field of a
    retinal ganglion cell; the history filter is strongly negative at lag 1
    (refractoriness) and recovers with a small positive rebound, the shapes fitted by
    Pillow et al. (2008).

    Parameters
    ----------
    n_stim_lags : int
        Length :math:`K` of the stimulus filter.
    n_hist_lags : int
        Length :math:`H` of the history filter.

    Returns
    -------
    stim_filter : ndarray of shape (n_stim_lags,)
        Weight of the stimulus ``lag`` bins ago, lags 0, 1, ..., n_stim_lags - 1.
    hist_filter : ndarray of shape (n_hist_lags,)
        Weight of the neuron's own spike count ``lag`` bins ago, lags 1, ..., n_hist_lags.
    """
    k = check_int(n_stim_lags, name="n_stim_lags", minimum=1)
    m = check_int(n_hist_lags, name="n_hist_lags", minimum=1)
    lag = np.arange(k)

    def gamma_bump(tau):                      # a smooth bump peaking at lag 2 tau
        return (lag / tau) ** 2 * np.exp(-lag / tau)

    stim = 1.5 * (gamma_bump(1.0) - 0.7 * gamma_bump(2.0))
    hlag = np.arange(1, m + 1)
    hist = -3.0 * np.exp(-(hlag - 1) / 1.2) + 0.4 * np.exp(-0.5 * ((hlag - 4) / 1.5) ** 2)
    return stim, hist



def simulate_glm_neuron(n_bins: int = 20_000, *, stim_filter=None, hist_filter=None,
                        bias: float = -2.0, rng: RNG = None):
    r"""Simulate a Poisson GLM neuron driven by a white-noise stimulus and its own spikes.

    The count in bin :math:`t` is :math:`y_t \sim \mathrm{Poisson}(\lambda_t)` with

    .. math:: \log\lambda_t = b + \sum_{j=0}^{K-1} k_j s_{t-j} + \sum_{j=1}^{H} h_j y_{t-j},

    where :math:`s_t \sim N(0, 1)` is the stimulus; samples before the start of the
    recording count as zero. The simulation runs bin by bin because each count feeds
    back into the next rates (Pillow et al., 2008; Truccolo et al., 2005).

    Parameters
    ----------
    n_bins : int
        Number of time bins.
    stim_filter : array_like of shape (K,), optional
        Stimulus filter :math:`k` (default: :func:`glm_neuron_filters`).
    hist_filter : array_like of shape (H,), optional
        Spike-history filter :math:`h` (default: :func:`glm_neuron_filters`).
    bias : float
        Baseline log-rate :math:`b` per bin.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    stimulus : ndarray of shape (n_bins,)
    spikes : ndarray of shape (n_bins,)
        Spike counts per bin (as floats).
    """
    n = check_int(n_bins, name="n_bins", minimum=1)
    k_def, h_def = glm_neuron_filters()
    k = k_def if stim_filter is None else check_array(stim_filter, name="stim_filter", ndim=1)
    h = h_def if hist_filter is None else check_array(hist_filter, name="hist_filter", ndim=1)
    if not np.isfinite(bias):
        raise ValueError(f"bias must be finite; got {bias!r}.")
    rng = as_rng(rng)
    stimulus = rng.normal(size=n)
    drive = bias + np.convolve(stimulus, k)[:n]  # (n,) stimulus part of the log-rate
    spikes = np.zeros(n)
    hist_rev = h[::-1]                              # so that hist_rev @ y[t-H:t] = sum_j h_j y_{t-j}
    H = h.size
    padded = np.zeros(n + H)                        # padded[H + t] = spikes[t]
    for t in range(n):
        eta = drive[t] + hist_rev @ padded[t:t + H]
        count = rng.poisson(np.exp(min(eta, 20.0)))  # cap guards against runaway excitation
        spikes[t] = count
        padded[H + t] = count
    return stimulus, spikes
