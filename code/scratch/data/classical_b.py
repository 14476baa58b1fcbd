"""Synthetic data for the Part II chapters on boosting, PCA, GLMs and learning theory.

Provenance and license: every generator here is written for this book and draws
only from the ``rng`` it is given; the data are public domain (CC0). The recipes
follow published examples, cited in each docstring: the "nested spheres" problem of
Hastie, Tibshirani and Friedman (*The Elements of Statistical Learning*, 2nd ed.,
eq. 10.2), the Swiss roll of Tenenbaum, de Silva and Langford (Science, 2000), von
Mises tuning curves with a gamma-distributed gain (Goris, Movshon and Simoncelli,
Nature Neuroscience, 2014), and point-process GLM neurons (Pillow et al., Nature,
2008). Nothing touches the network and nothing is cached.

Used by ``book/classical/{adaboost,pca,poisson_glm,learning_theory}.md``.
"""

from __future__ import annotations

import math

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_positive

__all__ = [
    "chi2_median",
    "nested_spheres",
    "flip_labels",
    "swiss_roll",
    "von_mises_neuron",
    "glm_neuron_filters",
    "simulate_glm_neuron",
    "noisy_threshold",
    "noisy_threshold_risk",
]


# -- boosting ------------------------------------------------------------------------
def _regularized_lower_gamma(a: float, x: float) -> float:
    """P(a, x) = gamma(a, x) / Gamma(a) by its power series (converges for all x >= 0)."""
    if x <= 0:
        return 0.0
    term = total = 1.0 / a
    k = 0
    while abs(term) > 1e-17 * abs(total):
        k += 1
        term *= x / (a + k)
        total += term
        if k > 10_000:  # pragma: no cover - the series converges long before for x < 1e3
            break
    return math.exp(a * math.log(x) - x - math.lgamma(a)) * total


def chi2_median(n_features: int) -> float:
    """Median of the chi-squared distribution with ``n_features`` degrees of freedom.

    Found by bisection on the chi-squared CDF :math:`P(d/2, x/2)` (regularised lower
    incomplete gamma function), to about 1e-12.
    """
    d = check_int(n_features, name="n_features", minimum=1)
    lo, hi = 0.0, 10.0 * d + 10.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _regularized_lower_gamma(d / 2, mid / 2) < 0.5:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def nested_spheres(n_samples: int = 2000, n_features: int = 10, *,
                   rng: np.random.Generator | int | None = None):
    r"""The "nested spheres" problem of Hastie et al. (2009, eq. 10.2).

    Features are independent standard normals; the label is
    :math:`y = +1` if :math:`\sum_j x_j^2 > \chi^2_d(0.5)` (the median of the
    chi-squared distribution with :math:`d` degrees of freedom) and :math:`-1`
    otherwise, so the two classes are equally likely and the Bayes error is zero.
    A single decision stump is barely better than chance on it.

    Parameters
    ----------
    n_samples : int
        Number of points.
    n_features : int
        Dimension :math:`d` (10 in the book).
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Labels in {-1, +1}.
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    d = check_int(n_features, name="n_features", minimum=1)
    rng = as_rng(rng)
    X = rng.normal(size=(n, d))
    y = np.where(np.sum(X ** 2, axis=1) > chi2_median(d), 1.0, -1.0)
    return X, y


def flip_labels(y, fraction: float, *, rng: np.random.Generator | int | None = None):
    """Flip exactly ``round(fraction * n)`` randomly chosen labels of a binary ``y``.

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Labels taking exactly two distinct values.
    fraction : float
        Fraction of labels to flip, in [0, 1].
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    y_noisy : ndarray of shape (n_samples,)
        The labels with the chosen ones swapped to the other class.
    flipped : ndarray of bool, shape (n_samples,)
        Which labels were flipped.
    """
    y = check_array(y, name="y", ndim=1, dtype=None)
    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError(
            f"flip_labels needs binary labels with exactly two classes; got {classes.size} "
            f"({classes[:5]}). Pass a two-class label vector."
        )
    fraction = check_positive(fraction, name="fraction", strict=False)
    if fraction > 1:
        raise ValueError(f"fraction must be in [0, 1]; got {fraction}.")
    rng = as_rng(rng)
    n_flip = int(round(fraction * y.size))
    flipped = np.zeros(y.size, dtype=bool)
    flipped[rng.choice(y.size, size=n_flip, replace=False)] = True
    y_noisy = y.copy()
    y_noisy[flipped] = np.where(y[flipped] == classes[0], classes[1], classes[0])
    return y_noisy, flipped


# -- manifolds -----------------------------------------------------------------------
def swiss_roll(n_samples: int = 1500, *, noise: float = 0.0,
               rng: np.random.Generator | int | None = None):
    r"""Points on a Swiss roll, the rolled-up rectangle of Tenenbaum et al. (2000).

    The intrinsic coordinates are the angle :math:`t \sim U(1.5\pi, 4.5\pi)` and the
    height :math:`h \sim U(0, 21)`; the embedding in 3-D is
    :math:`(t\cos t,\; h,\; t\sin t)` plus isotropic Gaussian noise.

    Parameters
    ----------
    n_samples : int
        Number of points.
    noise : float
        Standard deviation of the Gaussian noise added in 3-D.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    X : ndarray of shape (n_samples, 3)
        The rolled-up points.
    coords : ndarray of shape (n_samples, 2)
        The unrolled coordinates :math:`(a, h)`, where
        :math:`a = \tfrac12\,(t\sqrt{1+t^2} + \operatorname{arsinh} t)` is the arc
        length along the spiral. Unrolling is an isometry, so distances along the
        roll equal Euclidean distances in these coordinates.
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    noise = check_positive(noise, name="noise", strict=False)
    rng = as_rng(rng)
    t = 1.5 * np.pi * (1 + 2 * rng.uniform(size=n))
    h = 21.0 * rng.uniform(size=n)
    X = np.column_stack([t * np.cos(t), h, t * np.sin(t)])  # (n, 3)
    X = X + noise * rng.normal(size=X.shape)
    arc = 0.5 * (t * np.sqrt(1 + t ** 2) + np.arcsinh(t))   # arc length of the spiral from t = 0
    return X, np.column_stack([arc, h])


# -- neurons -------------------------------------------------------------------------
def von_mises_neuron(n_trials: int = 200, *, preferred: float = np.pi / 3, peak_rate: float = 20.0,
                     concentration: float = 2.0, duration: float = 1.0,
                     gain_shape: float | None = None,
                     rng: np.random.Generator | int | None = None):
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
                        bias: float = -2.0, rng: np.random.Generator | int | None = None):
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


# -- learning theory -----------------------------------------------------------------
def noisy_threshold(n_samples: int = 100, *, threshold: float = 0.3, noise: float = 0.1,
                    rng: np.random.Generator | int | None = None):
    r"""One-dimensional threshold data with random label noise.

    :math:`x \sim U(0, 1)`, the clean label is :math:`+1` if :math:`x \ge \theta^*`
    and :math:`-1` otherwise, and each label is flipped independently with
    probability ``noise``. The Bayes error is ``noise``.

    Returns
    -------
    X : ndarray of shape (n_samples, 1)
    y : ndarray of shape (n_samples,)
        Labels in {-1, +1}.
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    _check_threshold_args(threshold, noise)
    rng = as_rng(rng)
    x = rng.uniform(size=n)
    y = np.where(x >= threshold, 1.0, -1.0)
    y = np.where(rng.uniform(size=n) < noise, -y, y)
    return x[:, None], y


def noisy_threshold_risk(thresholds, signs, *, threshold: float = 0.3, noise: float = 0.1):
    r"""Exact risk of threshold classifiers on :func:`noisy_threshold` data.

    The classifier :math:`h(x) = s` if :math:`x \ge \theta` else :math:`-s` disagrees
    with the clean label on an interval of length :math:`|\theta - \theta^*|` (for
    :math:`s = +1`), so its risk is
    :math:`\eta + (1 - 2\eta)\,|\theta - \theta^*|`, and one minus that for
    :math:`s = -1` (thresholds are clipped to [0, 1]).

    Parameters
    ----------
    thresholds : array_like
        Thresholds :math:`\theta`.
    signs : array_like
        Signs :math:`s \in \{-1, +1\}`, broadcastable against ``thresholds``.

    Returns
    -------
    ndarray
        The misclassification probabilities.
    """
    _check_threshold_args(threshold, noise)
    th = np.clip(check_array(thresholds, name="thresholds", ndim=(0, 1, 2), allow_empty=True), 0, 1)
    s = check_array(signs, name="signs", ndim=(0, 1, 2), allow_empty=True)
    if not np.all(np.isin(s, (-1.0, 1.0))):
        raise ValueError("signs must be -1 or +1.")
    r_plus = noise + (1 - 2 * noise) * np.abs(th - threshold)
    return np.where(s > 0, r_plus, 1 - r_plus)


def _check_threshold_args(threshold, noise):
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must lie in [0, 1]; got {threshold}.")
    if not 0 <= noise < 0.5:
        raise ValueError(f"noise must lie in [0, 0.5); got {noise}.")
