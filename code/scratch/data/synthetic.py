"""Synthetic data generators: regression curves, boosting, manifolds, label noise,
learning theory and long-delay sequences (numpy only).

Provenance and license: every generator here is written for this book and draws only
from the ``rng`` it is given; the data are public domain (CC0). The recipes follow
published examples, cited in each docstring: the "nested spheres" problem of Hastie,
Tibshirani and Friedman (*The Elements of Statistical Learning*, 2nd ed., eq. 10.2),
the Swiss roll of Tenenbaum, de Silva and Langford (Science, 2000), and the adding
problem of Hochreiter and Schmidhuber (1997). Nothing touches the network and nothing
is cached.
"""

from __future__ import annotations

import math

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive

__all__ = ['noisy_sine', 'chi2_median', 'nested_spheres', 'flip_labels', 'swiss_roll', 'noisy_threshold', 'adding_problem']


def noisy_sine(n_samples: int = 20, *, noise: float = 0.2, low: float = 0.0, high: float = 1.0,
               rng: RNG = None):
    r"""Samples of :math:`y = \sin(2\pi x) + \varepsilon` with :math:`x \sim U(low, high)`.

    Parameters
    ----------
    n_samples : int
        Number of points.
    noise : float
        Standard deviation of the Gaussian noise :math:`\varepsilon`.
    low, high : float
        Range of the inputs.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    x : ndarray of shape (n_samples,)
    y : ndarray of shape (n_samples,)
    """
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    noise = check_positive(noise, name="noise", strict=False)
    if not high > low:
        raise ValueError(f"noisy_sine needs high > low; got low={low}, high={high}.")
    rng = as_rng(rng)
    x = rng.uniform(low, high, size=n_samples)
    y = np.sin(2 * np.pi * x) + noise * rng.normal(size=n_samples)
    return x, y



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



def _chi2_median(n_features: int) -> float:
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
                   rng: RNG = None):
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
    y = np.where(np.sum(X ** 2, axis=1) > _chi2_median(d), 1.0, -1.0)
    return X, y



def flip_labels(y, fraction: float, *, rng: RNG = None):
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



def swiss_roll(n_samples: int = 1500, *, noise: float = 0.0,
               rng: RNG = None):
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



def noisy_threshold(n_samples: int = 100, *, threshold: float = 0.3, noise: float = 0.1,
                    rng: RNG = None):
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



def _check_threshold_args(threshold, noise):
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must lie in [0, 1]; got {threshold}.")
    if not 0 <= noise < 0.5:
        raise ValueError(f"noise must lie in [0, 0.5); got {noise}.")



def adding_problem(n_samples: int, length: int, *, rng: RNG = None,
                   dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem of Hochreiter & Schmidhuber (1997), a long-delay regression task.

    Each sequence has two channels: values drawn from U(0, 1), and a marker that is
    1 at exactly two positions, one in the first half and one in the second half.
    The target is the sum of the two marked values; predicting the constant 1 gives
    a mean squared error of about 1/6 = 0.167.

    Parameters
    ----------
    n_samples : int
    length : int
        Sequence length T (at least 2). The first marker lies in the first half, so
        the network must remember it for about T/2 steps or more.
    rng : np.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_samples, length, 2)
    y : ndarray of shape (n_samples,)
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    T = check_int(length, name="length", minimum=2)
    try:
        floating = np.issubdtype(np.dtype(dtype), np.floating)
    except TypeError:
        floating = False
    if not floating:
        raise ValueError(f"dtype must be a floating-point dtype (np.float64 or np.float32); got {dtype!r}: "
                         "the values are fractions in (0, 1).")
    rng = as_rng(rng)
    values = rng.uniform(size=(n, T))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    marks = np.zeros((n, T))
    rows = np.arange(n)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    X = np.stack([values, marks], axis=-1).astype(dtype)
    y = (values[rows, first] + values[rows, second]).astype(dtype)
    return X, y
