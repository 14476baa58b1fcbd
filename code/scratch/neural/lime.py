"""LIME: local interpretable model-agnostic explanations, from scratch.

The chapter ``book/neural/lime.md`` derives the method: perturb the instance
(``eq-lime-perturb``), weight perturbations by a locality kernel
(``eq-lime-kernel``), and fit a sparse weighted linear surrogate
(``eq-lime-objective``) by forward selection and weighted ridge
(``eq-lime-ridge``). Only numpy is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from scratch._validation import (as_rng, check_array, check_int, check_is_fitted, check_option,
                                  check_positive)

__all__ = ["Explanation", "LimeTabular", "explain_masks", "weighted_ridge", "select_features",
           "kernel_weights", "cosine_distance_to_ones", "patch_segments", "apply_patch_mask",
           "rank_correlation", "top_k_overlap"]


@dataclass
class Explanation:
    """A local linear explanation.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        Surrogate coefficients (0 for features not selected).
    intercept : float
    score : float
        Weighted :math:`R^2` of the surrogate on the perturbations.
    selected : ndarray of int
        Indices of the selected features, in selection order.
    local_pred : float
        Surrogate prediction at the instance itself.
    """

    coef: np.ndarray
    intercept: float
    score: float
    selected: np.ndarray
    local_pred: float

    def ranking(self) -> np.ndarray:
        """Feature indices by decreasing ``abs(coef)``."""
        return np.argsort(-np.abs(self.coef), kind="stable")


def kernel_weights(distances: np.ndarray, kernel_width: float) -> np.ndarray:
    r"""Locality kernel ``eq-lime-kernel``: :math:`\pi(d) = \exp(-d^2 / (2\sigma^2))`.

    Identical to the ``lime`` package's ``sqrt(exp(-d**2 / width**2))``.
    """
    kernel_width = check_positive(kernel_width, name="kernel_width")
    return np.exp(-np.asarray(distances, dtype=float) ** 2 / (2 * kernel_width**2))


def weighted_ridge(Z: np.ndarray, f: np.ndarray, w: np.ndarray, alpha: float = 1.0) -> tuple[np.ndarray, float]:
    r"""Weighted ridge regression with an unpenalised intercept (``eq-lime-ridge``).

    Minimises :math:`\sum_i w_i (f_i - b - z_i^\top \beta)^2 + \alpha\lVert\beta\rVert^2`,
    the objective of ``sklearn.linear_model.Ridge(alpha).fit(Z, f, sample_weight=w)``.

    Returns
    -------
    coef : ndarray of shape (n_features,)
    intercept : float
    """
    Z = check_array(Z, name="Z", ndim=2)
    f = check_array(f, name="f (the model's outputs)", ndim=1)
    w = check_array(w, name="w (the sample weights)", ndim=1)
    if not len(Z) == len(f) == len(w):
        raise ValueError(f"Z, f and w must have one row per sample; got {len(Z)}, {len(f)} and {len(w)}.")
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("w must be non-negative weights with a positive sum; got "
                         f"min {w.min():.3g} and sum {w.sum():.3g}. Check the kernel width.")
    alpha = check_positive(alpha, name="alpha", strict=False)
    zbar = w @ Z / w.sum()                                    # weighted means
    fbar = w @ f / w.sum()
    Zc, fc = Z - zbar, f - fbar
    A = Zc.T @ (w[:, None] * Zc) + alpha * np.eye(Z.shape[1])  # (d, d)
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        raise ValueError("the weighted least-squares problem is singular (a feature never varies among the "
                         "weighted samples); use alpha > 0.") from None
    coef = np.linalg.solve(L.T, np.linalg.solve(L, Zc.T @ (w * fc)))
    return coef, float(fbar - zbar @ coef)


def _weighted_r2(Z, f, w, coef, intercept) -> float:
    resid = f - Z @ coef - intercept
    fbar = w @ f / w.sum()
    total = w @ (f - fbar) ** 2
    return float(1 - (w @ resid**2) / total) if total > 0 else 1.0


def select_features(Z: np.ndarray, f: np.ndarray, w: np.ndarray, n_features: int, method: str = "forward",
                    alpha: float = 1.0) -> np.ndarray:
    """Choose ``n_features`` columns of ``Z`` for the sparse surrogate.

    ``"forward"``: greedy forward selection, adding the feature that most raises
    the weighted :math:`R^2` of the weighted ridge fit; ``"highest_weights"``:
    the largest ``abs(coefficients)`` of a ridge fit on all features; ``"none"``: all.
    """
    check_option(method, ("forward", "highest_weights", "none"), name="selection")
    d = Z.shape[1]
    if method == "none" or n_features >= d:
        return np.arange(d)
    if method == "highest_weights":
        coef, _ = weighted_ridge(Z, f, w, alpha)
        return np.argsort(-np.abs(coef), kind="stable")[:n_features]
    chosen: list[int] = []
    for _ in range(n_features):
        best, best_score = -1, -np.inf
        for j in range(d):
            if j in chosen:
                continue
            cols = chosen + [j]
            coef, b = weighted_ridge(Z[:, cols], f, w, alpha)
            score = _weighted_r2(Z[:, cols], f, w, coef, b)
            if score > best_score:
                best, best_score = j, score
        chosen.append(best)
    return np.array(chosen)


def _fit_surrogate(Z, f, w, n_features, selection, alpha) -> Explanation:
    d = Z.shape[1]
    sel = select_features(Z, f, w, n_features, selection, alpha)
    coef_sel, b = weighted_ridge(Z[:, sel], f, w, alpha)
    coef = np.zeros(d)
    coef[sel] = coef_sel
    score = _weighted_r2(Z[:, sel], f, w, coef_sel, b)
    return Explanation(coef, b, score, sel, float(Z[0] @ coef + b))


class LimeTabular:
    r"""LIME for tabular data with continuous features (the ``lime`` package's
    ``LimeTabularExplainer(discretize_continuous=False)``).

    Parameters
    ----------
    kernel_width : float, optional
        :math:`\sigma` of the kernel in standardised units; default
        :math:`0.75\sqrt{d}` (the ``lime`` default).
    n_samples : int, default 1000
        Number of perturbations.
    n_features : int, optional
        Number of features in the explanation (default: all).
    selection : {"forward", "highest_weights", "none"}, default "forward"
    alpha : float, default 1.0
        Ridge penalty of the surrogate (``lime`` uses ``Ridge(alpha=1)``).
    sample_around_instance : bool, default False
        Draw perturbations around the instance (True) or around the training
        mean (False, the ``lime`` default).
    rng : np.random.Generator, int or None

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_features,)
        Training mean and standard deviation (``fit``).
    n_features_in_ : int

    Notes
    -----
    Perturbations ``eq-lime-perturb``: :math:`z = \mu + s \odot \varepsilon`,
    :math:`\varepsilon \sim N(0, I)` (or around the instance), with row 0 the
    instance itself; distances are Euclidean in standardised units; the surrogate
    ``eq-lime-objective`` is fit on the standardised perturbations, so coefficients
    are per training standard deviation.
    """

    def __init__(self, kernel_width: float | None = None, n_samples: int = 1000, n_features: int | None = None,
                 selection: str = "forward", alpha: float = 1.0, sample_around_instance: bool = False,
                 rng: np.random.Generator | int | None = None):
        self.kernel_width = kernel_width
        self.n_samples = n_samples
        self.n_features = n_features
        self.selection = selection
        self.alpha = alpha
        self.sample_around_instance = sample_around_instance
        self.rng = rng

    def fit(self, X) -> "LimeTabular":
        """Store the training mean and scale of ``X`` (n_samples, n_features)."""
        X = check_array(X, name="X")
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.n_features_in_ = X.shape[1]
        self.rng_ = as_rng(self.rng)
        return self

    def explain(self, x, predict_fn: Callable[[np.ndarray], np.ndarray], label: int = 1,
                noise: np.ndarray | None = None) -> Explanation:
        """Explain ``predict_fn(X)[:, label]`` around ``x`` (n_features,).

        ``noise`` (n_samples, n_features) replaces the standard-normal draws, e.g.
        to reproduce another implementation's perturbations exactly.
        """
        check_is_fitted(self, "mean_")
        x = check_array(x, name="x", ndim=1)
        d = self.n_features_in_
        if x.shape[0] != d:
            raise ValueError(f"x has {x.shape[0]} features, but the explainer was fitted with {d}.")
        n = check_int(self.n_samples, name="n_samples", minimum=2)
        k = d if self.n_features is None else check_int(self.n_features, name="n_features", minimum=1, maximum=d)
        alpha = check_positive(self.alpha, name="alpha", strict=False)
        width = 0.75 * np.sqrt(d) if self.kernel_width is None else check_positive(self.kernel_width, name="kernel_width")
        check_option(self.selection, ("forward", "highest_weights", "none"), name="selection")
        eps = self.rng_.standard_normal((n, d)) if noise is None else check_array(noise, name="noise")
        if eps.shape != (n, d):
            raise ValueError(f"noise must have shape (n_samples, n_features) = {(n, d)}; got {eps.shape}.")
        centre = x if self.sample_around_instance else self.mean_
        samples = eps * self.scale_ + centre                    # eq-lime-perturb, (n, d)
        samples[0] = x
        Z = (samples - self.mean_) / self.scale_                # standardised
        dist = np.linalg.norm(Z - Z[0], axis=1)
        w = kernel_weights(dist, width)                         # eq-lime-kernel
        probs = np.asarray(predict_fn(samples))
        f = probs[:, label] if probs.ndim == 2 else probs
        return _fit_surrogate(Z, f, w, k, self.selection, alpha)


def cosine_distance_to_ones(masks: np.ndarray) -> np.ndarray:
    """Cosine distance of each binary mask (n, d) to the all-ones mask (the instance)."""
    norms = np.linalg.norm(masks, axis=1) * np.sqrt(masks.shape[1])
    sims = np.divide(masks.sum(axis=1), norms, out=np.zeros(len(masks)), where=norms > 0)
    return 1.0 - sims


def explain_masks(predict_masks: Callable[[np.ndarray], np.ndarray], n_components: int, *,
                  n_samples: int = 500, n_features: int | None = None, kernel_width: float = 0.25,
                  selection: str = "forward", alpha: float = 1.0,
                  rng: np.random.Generator | int | None = None) -> Explanation:
    r"""LIME with interpretable binary features: each component (a letter, an image patch) on or off.

    Parameters
    ----------
    predict_masks : callable
        Maps masks (n, n_components) in {0, 1} to the model's probability of the
        explained class, shape (n,). Row 0 is the all-ones mask (the instance).
    n_components : int
    n_samples, n_features, kernel_width, selection, alpha, rng
        As in :class:`LimeTabular`; the distance is the cosine distance to the
        all-ones mask and the default width 0.25 is ``lime_image``'s.

    Notes
    -----
    ``eq-lime-perturb`` for binary features: each perturbation switches off a
    uniformly random number of components, chosen uniformly (as ``lime`` does).
    """
    d = check_int(n_components, name="n_components", minimum=1)
    n = check_int(n_samples, name="n_samples", minimum=2)
    k = d if n_features is None else check_int(n_features, name="n_features", minimum=1, maximum=d)
    rng = as_rng(rng)
    masks = np.ones((n, d))
    for i in range(1, n):
        off = rng.choice(d, size=rng.integers(1, d + 1), replace=False)
        masks[i, off] = 0.0
    w = kernel_weights(cosine_distance_to_ones(masks), kernel_width)
    f = np.asarray(predict_masks(masks), dtype=float).reshape(-1)
    if f.shape != (n,):
        raise ValueError(f"predict_masks must return one probability per mask, shape ({n},); got {f.shape}.")
    return _fit_surrogate(masks, f, w, k, selection, alpha)


def patch_segments(height: int, width: int, patch: int) -> np.ndarray:
    """Label map (height, width) of square ``patch`` x ``patch`` superpixels, numbered row by row."""
    patch = check_int(patch, name="patch", minimum=1)
    rows, cols = np.arange(height) // patch, np.arange(width) // patch
    return rows[:, None] * (-(-width // patch)) + cols[None, :]


def apply_patch_mask(images: np.ndarray, segments: np.ndarray, masks: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Copies of one image (..., H, W) per mask, with switched-off segments set to ``fill``.

    Returns ndarray of shape (n_masks, ..., H, W).
    """
    images = np.asarray(images)
    if images.shape[-2:] != segments.shape:
        raise ValueError(f"image of shape {images.shape} does not match segments of shape {segments.shape}.")
    keep = masks[:, segments] > 0                               # (n, H, W)
    keep = keep.reshape((len(masks),) + (1,) * (images.ndim - 2) + segments.shape)
    return np.where(keep, images[None], fill)


def rank_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation of two coefficient vectors (ranks of ``abs(coef)``, average ties)."""
    def ranks(v):
        v = np.abs(np.asarray(v, dtype=float))
        order = np.argsort(v, kind="stable")
        r = np.empty(len(v))
        r[order] = np.arange(len(v))
        for value in np.unique(v):  # average the ranks of ties
            r[v == value] = r[v == value].mean()
        return r
    ra, rb = ranks(a), ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denom = np.sqrt((ra @ ra) * (rb @ rb))
    return float(ra @ rb / denom) if denom > 0 else 1.0


def top_k_overlap(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Fraction of shared features among the ``k`` largest ``abs(coef)`` of ``a`` and of ``b``."""
    k = check_int(k, name="k", minimum=1, maximum=len(a))
    ta = set(np.argsort(-np.abs(a), kind="stable")[:k])
    tb = set(np.argsort(-np.abs(b), kind="stable")[:k])
    return len(ta & tb) / k
