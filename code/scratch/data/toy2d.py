"""Small two-class toy problems in two dimensions (and a few more), for the classifiers.

Used by the derivatives, logistic regression, k-nearest-neighbour, perceptron and SVM
chapters. Every generator is numpy only, draws its randomness from an ``rng`` argument
and returns ``X`` of shape (n_samples, n_features) with integer labels ``y`` in
``{0, ..., n_classes - 1}``.

Provenance and license: the data are generated here from simple geometric recipes
(Gaussian clusters, interleaved half circles, the XOR pattern, a hyperplane with an
empty band around it); they are synthetic and in the public domain. Nothing is
downloaded or cached.
"""

from __future__ import annotations

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive

__all__ = ['gaussian_blobs', 'two_moons', 'xor', 'linearly_separable']


def _class_sizes(n_samples: int, n_classes: int) -> np.ndarray:
    """Split ``n_samples`` into ``n_classes`` sizes that differ by at most one."""
    sizes = np.full(n_classes, n_samples // n_classes)
    sizes[: n_samples % n_classes] += 1
    return sizes



def gaussian_blobs(n_samples: int = 200, *, centers=((-1.0, 0.0), (1.0, 0.0)), std: float = 0.5,
                   rng: RNG = None):
    """Isotropic Gaussian clusters, one class per centre.

    Parameters
    ----------
    n_samples : int
        Total number of points, split as evenly as possible between the classes.
    centers : array_like of shape (n_classes, n_features)
        The cluster means; class ``k`` is drawn around ``centers[k]``.
    std : float
        Standard deviation of every coordinate around its centre.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Integer class labels, sorted (class 0 first).
    """
    centers = check_array(centers, name="centers", ndim=2)
    n_classes = centers.shape[0]
    n_samples = check_int(n_samples, name="n_samples", minimum=n_classes)
    std = check_positive(std, name="std", strict=False)
    rng = as_rng(rng)
    sizes = _class_sizes(n_samples, n_classes)
    y = np.repeat(np.arange(n_classes), sizes)                       # (n_samples,)
    X = centers[y] + std * rng.normal(size=(n_samples, centers.shape[1]))
    return X, y



def two_moons(n_samples: int = 200, *, noise: float = 0.1,
              rng: RNG = None):
    r"""Two interleaved half circles, a classic problem that no line separates.

    Class 0 lies on the upper half circle :math:`(\cos t, \sin t)`, class 1 on the
    lower one :math:`(1 - \cos t, 0.5 - \sin t)`, with :math:`t \sim U(0, \pi)` and
    Gaussian noise of standard deviation ``noise`` added to both coordinates.

    Parameters
    ----------
    n_samples : int
        Total number of points (at least 2), split as evenly as possible.
    noise : float
        Standard deviation of the Gaussian noise.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Labels 0 (upper moon) and 1 (lower moon).
    """
    n_samples = check_int(n_samples, name="n_samples", minimum=2)
    noise = check_positive(noise, name="noise", strict=False)
    rng = as_rng(rng)
    sizes = _class_sizes(n_samples, 2)
    y = np.repeat([0, 1], sizes)                                     # (n_samples,)
    t = rng.uniform(0.0, np.pi, size=n_samples)
    X = np.column_stack([np.cos(t), np.sin(t)])                      # (n_samples, 2)
    X[y == 1] = np.array([1.0, 0.5]) - X[y == 1]
    return X + noise * rng.normal(size=X.shape), y



def xor(n_samples: int = 200, *, noise: float = 0.2, rng: RNG = None):
    """The XOR pattern: four Gaussian clusters at the corners of a square.

    Points around ``(1, 1)`` and ``(-1, -1)`` have label 0, points around
    ``(1, -1)`` and ``(-1, 1)`` label 1, so the label is the exclusive or of the
    signs of the coordinates. No single line separates the classes.

    Parameters
    ----------
    n_samples : int
        Total number of points (at least 4), split as evenly as possible between
        the four corners.
    noise : float
        Standard deviation of each cluster.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
    """
    n_samples = check_int(n_samples, name="n_samples", minimum=4)
    noise = check_positive(noise, name="noise", strict=False)
    rng = as_rng(rng)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    corner = np.repeat(np.arange(4), _class_sizes(n_samples, 4))   # (n_samples,)
    X = corners[corner] + noise * rng.normal(size=(n_samples, 2))
    y = (corner >= 2).astype(int)
    return X, y



def linearly_separable(n_samples: int = 100, n_features: int = 2, *, margin: float = 0.1,
                       radius: float = 1.0, rng: RNG = None):
    r"""Points in a ball, labelled by a random hyperplane through the origin, with an empty band.

    A unit vector :math:`u` is drawn uniformly on the sphere. Points are drawn
    uniformly from the ball of the given radius, and those with
    :math:`|u^\top x| < \text{margin}` are rejected, so the data are separable by
    :math:`u` with geometric margin at least ``margin``; the label is
    :math:`[u^\top x > 0]`.

    Parameters
    ----------
    n_samples : int
        Number of points (at least 2).
    n_features : int
        Dimension of the space (at least 1).
    margin : float
        Half-width of the empty band around the hyperplane, in ``[0, radius)``.
    radius : float
        Radius of the ball the points are drawn from.
    rng : Generator, int or None
        Source of randomness.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Labels 0 and 1.
    u : ndarray of shape (n_features,)
        The unit normal of the separating hyperplane.
    """
    n_samples = check_int(n_samples, name="n_samples", minimum=2)
    n_features = check_int(n_features, name="n_features", minimum=1)
    radius = check_positive(radius, name="radius")
    margin = check_positive(margin, name="margin", strict=False)
    if margin >= 0.9 * radius:
        raise ValueError(
            f"margin must be below 0.9 * radius so that points can be drawn outside the band; "
            f"got margin={margin} with radius={radius}. Lower the margin or raise the radius."
        )
    rng = as_rng(rng)
    u = rng.normal(size=n_features)
    u /= np.linalg.norm(u)
    kept = []
    n_kept = 0
    while n_kept < n_samples:
        direction = rng.normal(size=(2 * n_samples, n_features))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        r = radius * rng.uniform(size=(2 * n_samples, 1)) ** (1.0 / n_features)
        batch = r * direction                                  # uniform in the ball
        batch = batch[np.abs(batch @ u) >= margin]
        kept.append(batch)
        n_kept += batch.shape[0]
    X = np.concatenate(kept)[:n_samples]                       # (n_samples, n_features)
    y = (X @ u > 0).astype(int)
    return X, y, u
