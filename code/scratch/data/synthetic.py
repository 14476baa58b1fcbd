"""Synthetic data generators (numpy only; provenance: generated here, public domain)."""

from __future__ import annotations

import numpy as np

from scratch._validation import as_rng, check_int, check_positive

__all__ = ["noisy_sine"]


def noisy_sine(n_samples: int = 20, *, noise: float = 0.2, low: float = 0.0, high: float = 1.0,
               rng: np.random.Generator | int | None = None):
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
