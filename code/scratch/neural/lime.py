"""LIME: local interpretable model-agnostic explanations, from scratch.

The chapter ``book/neural/lime.md`` derives the method: perturb the instance
(``eq-lime-perturb``), weight perturbations by a locality kernel
(``eq-lime-kernel``), and fit a sparse weighted linear surrogate
(``eq-lime-objective``) by forward selection and weighted ridge
(``eq-lime-ridge``). Only numpy is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from scratch._validation import (RNG, as_rng, check_array, check_int, check_is_fitted, check_option,
                                  check_positive)

__all__ = ["Explanation", "LimeTabular", "sample_masks", "explain_masks", "rgb_to_lab", "slic",
           "deletion_insertion", "curve_auc", "word_features", "remove_words", "weighted_ridge", "select_features",
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

    def __post_init__(self):
        self.coef = check_array(self.coef, name="coef", ndim=1)
        selected = np.asarray(self.selected)
        if selected.size and (selected.dtype.kind not in "iu" or selected.min() < 0
                              or selected.max() >= len(self.coef)):
            raise ValueError(f"selected must hold integer feature indices in 0 .. {len(self.coef) - 1} (one per "
                             f"entry of coef); got {selected!r}.")

    def ranking(self) -> np.ndarray:
        """Feature indices by decreasing ``abs(coef)``."""
        return np.argsort(-np.abs(self.coef), kind="stable")


def kernel_weights(distances: np.ndarray, kernel_width: float) -> np.ndarray:
    r"""Locality kernel ``eq-lime-kernel``: :math:`\pi(d) = \exp(-d^2 / (2\sigma^2))`.

    Identical to the ``lime`` package's ``sqrt(exp(-d**2 / width**2))``.
    """
    kernel_width = check_positive(kernel_width, name="kernel_width")
    distances = check_array(distances, name="distances", ndim=(0, 1, 2), allow_empty=True)
    if np.any(distances < -1e-9):  # (a rounding error below 0, as in 1 - cosine similarity, is harmless)
        raise ValueError(f"distances must be >= 0; got a minimum of {distances.min():.3g}.")
    return np.exp(-distances ** 2 / (2 * kernel_width**2))


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
    Z = check_array(Z, name="Z", ndim=2)
    n_features = check_int(n_features, name="n_features", minimum=1)
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
        check_int(self.n_samples, name="n_samples", minimum=2)
        if self.n_features is not None:
            check_int(self.n_features, name="n_features", minimum=1, maximum=X.shape[1])
        check_positive(self.alpha, name="alpha", strict=False)
        if self.kernel_width is not None:
            check_positive(self.kernel_width, name="kernel_width")
        check_option(self.selection, ("forward", "highest_weights", "none"), name="selection")
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
        if probs.ndim == 2:
            label = check_int(label, name="label", minimum=0, maximum=probs.shape[1] - 1)
        if probs.shape[:1] != (n,) or probs.ndim > 2:
            raise ValueError(f"predict_fn must return shape ({n},) or ({n}, n_classes) for {n} samples; "
                             f"got {probs.shape}.")
        f = probs[:, label] if probs.ndim == 2 else probs
        return _fit_surrogate(Z, f, w, k, self.selection, alpha)


def cosine_distance_to_ones(masks: np.ndarray) -> np.ndarray:
    """Cosine distance of each binary mask (n, d) to the all-ones mask (the instance)."""
    masks = check_array(masks, name="masks", ndim=2)
    norms = np.linalg.norm(masks, axis=1) * np.sqrt(masks.shape[1])
    sims = np.divide(masks.sum(axis=1), norms, out=np.zeros(len(masks)), where=norms > 0)
    return 1.0 - sims


def sample_masks(n_samples: int, n_components: int, sampler: str = "count", rng: RNG = None) -> np.ndarray:
    """Binary perturbation masks (n_samples, n_components); row 0 is all ones (the instance).

    ``sampler="count"`` (``lime_text``'s scheme): each other row switches off a
    number of components drawn uniformly from 1..n_components, then that many
    components chosen uniformly without replacement. ``sampler="bernoulli"``
    (``lime_image``'s scheme): each component of each other row is on or off
    independently with probability 1/2.
    """
    d = check_int(n_components, name="n_components", minimum=1)
    n = check_int(n_samples, name="n_samples", minimum=2)
    check_option(sampler, ("count", "bernoulli"), name="sampler")
    rng = as_rng(rng)
    if sampler == "bernoulli":
        masks = rng.integers(0, 2, size=(n, d)).astype(float)
        masks[0] = 1.0
        return masks
    masks = np.ones((n, d))
    for i in range(1, n):
        off = rng.choice(d, size=rng.integers(1, d + 1), replace=False)
        masks[i, off] = 0.0
    return masks


def explain_masks(predict_masks: Callable[[np.ndarray], np.ndarray], n_components: int, *,
                  n_samples: int = 500, n_features: int | None = None, kernel_width: float = 0.25,
                  selection: str = "forward", alpha: float = 1.0, sampler: str = "count",
                  masks: np.ndarray | None = None,
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
        all-ones mask. The default width 0.25 is that of both ``lime_image`` and
        ``lime_text`` (which scales distances by 100 and uses width 25).
    sampler : {"count", "bernoulli"}, default "count"
        How perturbations are drawn (:func:`sample_masks`): ``"count"`` is
        ``lime_text``'s scheme (a uniform number of components switched off),
        ``"bernoulli"`` is ``lime_image``'s (each component off with probability 1/2).
    masks : ndarray of shape (n_samples, n_components), optional
        Use these 0/1 masks (row 0 all ones) instead of sampling, e.g. to
        reproduce another implementation's perturbations exactly.

    Notes
    -----
    ``eq-lime-perturb`` for binary features, with the sampler above; the
    surrogate is fit on the masks themselves (``eq-lime-objective``).
    """
    d = check_int(n_components, name="n_components", minimum=1)
    k = d if n_features is None else check_int(n_features, name="n_features", minimum=1, maximum=d)
    if masks is None:
        masks = sample_masks(n_samples, d, sampler, rng)
    else:
        masks = check_array(masks, name="masks", ndim=2)
        if masks.shape[1] != d or len(masks) < 2 or not np.all((masks == 0) | (masks == 1)) or not np.all(masks[0] == 1):
            raise ValueError(f"masks must be 0/1 of shape (n_samples >= 2, {d}) with row 0 all ones (the "
                             f"instance); got shape {masks.shape}.")
    n = len(masks)
    w = kernel_weights(cosine_distance_to_ones(masks), kernel_width)
    f = np.asarray(predict_masks(masks), dtype=float).reshape(-1)
    if f.shape != (n,):
        raise ValueError(f"predict_masks must return one probability per mask, shape ({n},); got {f.shape}.")
    return _fit_surrogate(masks, f, w, k, selection, alpha)


def patch_segments(height: int, width: int, patch: int) -> np.ndarray:
    """Label map (height, width) of square ``patch`` x ``patch`` superpixels, numbered row by row."""
    patch = check_int(patch, name="patch", minimum=1)
    height = check_int(height, name="height", minimum=1)
    width = check_int(width, name="width", minimum=1)
    rows, cols = np.arange(height) // patch, np.arange(width) // patch
    return rows[:, None] * (-(-width // patch)) + cols[None, :]


def apply_patch_mask(images: np.ndarray, segments: np.ndarray, masks: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """Copies of one image (..., H, W) per mask, with switched-off segments set to ``fill``.

    Returns ndarray of shape (n_masks, ..., H, W).
    """
    images = np.asarray(images)
    if images.shape[-2:] != segments.shape:
        raise ValueError(f"image of shape {images.shape} does not match segments of shape {segments.shape}.")
    masks = check_array(masks, name="masks", ndim=2)
    if masks.shape[1] != segments.max() + 1:
        raise ValueError(f"masks must have one column per segment, shape (n_masks, {segments.max() + 1}); "
                         f"got {masks.shape}.")
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
    a = check_array(a, name="a", ndim=1)
    b = check_array(b, name="b", ndim=1)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length (one coefficient per feature); got {a.shape} and "
                         f"{b.shape}.")
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


# --------------------------------------------------------------------------- images: SLIC superpixels
def rgb_to_lab(image: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of an sRGB image (H, W, 3) with values in [0, 1] or uint8 0..255."""
    img = np.asarray(image)
    if img.ndim != 3 or img.shape[2] != 3:
        raise ValueError(f"rgb_to_lab expects an RGB image of shape (H, W, 3); got shape {img.shape}.")
    rgb = img / 255.0 if img.dtype == np.uint8 else check_array(img.reshape(-1, 3), name="image").reshape(img.shape)
    if img.dtype != np.uint8 and (rgb.min() < 0 or rgb.max() > 1):
        raise ValueError(f"image must hold values in [0, 1] (floats) or 0..255 (uint8); got values from "
                         f"{rgb.min():.3g} to {rgb.max():.3g}. Divide by 255 or cast with image.astype(np.uint8).")
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)     # undo the sRGB gamma
    M = np.array([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]])
    xyz = lin @ M.T / np.array([0.950456, 1.0, 1.088754])                          # (H, W, 3), white = 1
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    L = np.where(xyz[..., 1] > 0.008856, 116 * np.cbrt(xyz[..., 1]) - 16, 903.3 * xyz[..., 1])
    return np.stack([L, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def _connected_components(labels: np.ndarray) -> np.ndarray:
    """4-connected components of equal labels (H, W), numbered 0..k-1 (iterative min-propagation)."""
    H, W = labels.shape
    comp = np.arange(H * W).reshape(H, W)
    while True:
        new = comp.copy()
        for a, b, la, lb in ((new[1:], comp[:-1], labels[1:], labels[:-1]), (new[:-1], comp[1:], labels[:-1], labels[1:]),
                             (new[:, 1:], comp[:, :-1], labels[:, 1:], labels[:, :-1]),
                             (new[:, :-1], comp[:, 1:], labels[:, :-1], labels[:, 1:])):
            np.minimum(a, np.where(la == lb, b, a), out=a)
        new = new.ravel()[new.ravel()].reshape(H, W)  # pointer jumping
        if np.array_equal(new, comp):
            break
        comp = new
    return np.unique(comp, return_inverse=True)[1].reshape(H, W)


def slic(image: np.ndarray, n_segments: int = 100, compactness: float = 10.0, n_iter: int = 10,
         min_size_factor: float = 0.25) -> np.ndarray:
    r"""SLIC superpixels (Achanta et al. 2012): k-means on colour and position, searched locally.

    Parameters
    ----------
    image : ndarray of shape (H, W, 3)
        sRGB image (uint8, or floats in [0, 1]); clustering is done in CIELAB.
    n_segments : int, default 100
        Approximate number of superpixels; centres start on a grid of step
        :math:`S = \sqrt{HW / n_{segments}}`.
    compactness : float, default 10
        :math:`m`: weight of position against colour. Larger gives squarer segments.
    n_iter : int, default 10
        Assignment/update rounds.
    min_size_factor : float, default 0.25
        Connected pieces smaller than this fraction of :math:`S^2` are merged into
        a neighbouring segment.

    Returns
    -------
    segments : ndarray of int, shape (H, W)
        Labels 0..k-1 of connected superpixels.

    Notes
    -----
    Each pixel joins the centre, among those within :math:`2S` in each
    direction, that minimises :math:`D = \sqrt{d_{lab}^2 + (m/S)^2 d_{xy}^2}`;
    each centre then moves to the mean of its pixels. Finally labels are made
    connected, as in scikit-image's ``slic(enforce_connectivity=True)``.
    """
    lab = rgb_to_lab(image)
    H, W = lab.shape[:2]
    n_segments = check_int(n_segments, name="n_segments", minimum=1, maximum=H * W)
    m = check_positive(compactness, name="compactness")
    n_iter = check_int(n_iter, name="n_iter", minimum=1)
    S = np.sqrt(H * W / n_segments)
    ys, xs = np.mgrid[S / 2:H:S, S / 2:W:S]
    centres = np.column_stack([ys.ravel(), xs.ravel()])                         # (k, 2)
    centres = np.column_stack([centres, lab[centres[:, 0].astype(int), centres[:, 1].astype(int)]])  # (k, 5)
    yy, xx = np.mgrid[0:H, 0:W]
    labels = np.zeros((H, W), dtype=int)
    for _ in range(n_iter):
        dist = np.full((H, W), np.inf)
        for k, (cy, cx, *c_lab) in enumerate(centres):
            y0, y1 = max(int(cy - 2 * S), 0), min(int(cy + 2 * S) + 1, H)
            x0, x1 = max(int(cx - 2 * S), 0), min(int(cx + 2 * S) + 1, W)
            d_lab = ((lab[y0:y1, x0:x1] - c_lab) ** 2).sum(-1)
            d_xy = (yy[y0:y1, x0:x1] - cy) ** 2 + (xx[y0:y1, x0:x1] - cx) ** 2
            D = d_lab + (m / S) ** 2 * d_xy
            better = D < dist[y0:y1, x0:x1]
            dist[y0:y1, x0:x1][better] = D[better]
            labels[y0:y1, x0:x1][better] = k
        feats = np.concatenate([yy[..., None], xx[..., None], lab], axis=-1).reshape(-1, 5)
        counts = np.bincount(labels.ravel(), minlength=len(centres))
        sums = np.stack([np.bincount(labels.ravel(), feats[:, j], minlength=len(centres)) for j in range(5)], 1)
        nonempty = counts > 0
        centres[nonempty] = sums[nonempty] / counts[nonempty, None]
    comp = _connected_components(labels)
    sizes = np.bincount(comp.ravel())
    min_size = min_size_factor * S * S
    for c in np.argsort(sizes, kind="stable"):  # smallest first: absorb into the most common neighbouring piece
        if sizes[c] == 0 or sizes[c] >= min_size:
            continue
        inside = comp == c
        ring = np.zeros_like(inside)
        ring[1:] |= inside[:-1]; ring[:-1] |= inside[1:]; ring[:, 1:] |= inside[:, :-1]; ring[:, :-1] |= inside[:, 1:]
        neighbours = comp[ring & ~inside]
        if neighbours.size:
            target = np.bincount(neighbours).argmax()
            comp[inside] = target
            sizes[target] += sizes[c]
            sizes[c] = 0
    return np.unique(comp, return_inverse=True)[1].reshape(H, W)


# --------------------------------------------------------------------------- faithfulness
def deletion_insertion(predict_masks: Callable[[np.ndarray], np.ndarray], order: np.ndarray,
                       n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """Deletion and insertion curves of a ranking of components (Petsiuk et al. 2018).

    Parameters
    ----------
    predict_masks : callable
        Masks (n, n_components) in {0, 1} -> the model's probability (n,).
    order : ndarray of int, shape (n_components,)
        Components from most to least important (e.g. ``Explanation.ranking()``).
    n_components : int

    Returns
    -------
    deletion : ndarray of shape (n_components + 1,)
        Probability after switching off the first ``k`` components of ``order``,
        ``k = 0..n_components``. A faithful ranking makes it fall fast.
    insertion : ndarray of shape (n_components + 1,)
        Probability with only the first ``k`` components on. A faithful ranking
        makes it rise fast.
    """
    d = check_int(n_components, name="n_components", minimum=1)
    order = np.asarray(order)
    if order.shape != (d,) or not np.array_equal(np.sort(order), np.arange(d)):
        raise ValueError(f"order must be a permutation of 0..{d - 1}; got {order!r}.")
    first_k = np.zeros((d + 1, d))
    for k in range(1, d + 1):
        first_k[k, order[:k]] = 1.0
    p = np.asarray(predict_masks(np.concatenate([1.0 - first_k, first_k])), dtype=float).reshape(-1)
    if p.shape != (2 * (d + 1),):
        raise ValueError(f"predict_masks must return one probability per mask; got shape {p.shape}.")
    return p[:d + 1], p[d + 1:]


def curve_auc(curve: np.ndarray) -> float:
    """Area under a deletion/insertion curve against the fraction of components (trapezoid rule, in [0, 1])."""
    c = check_array(curve, name="curve", ndim=1)
    if len(c) < 2:
        raise ValueError(f"curve needs at least 2 points; got {len(c)}.")
    return float(((c[1:] + c[:-1]) / 2).mean())


# --------------------------------------------------------------------------- text: word masks
def word_features(text: str) -> list[str]:
    r"""Distinct words (runs of ``\w``) of ``text`` in order of first occurrence: the interpretable features.

    The same features as ``lime_text.LimeTextExplainer(bow=True)`` with its default
    ``split_expression=r"\W+"`` (case-sensitive).
    """
    if not isinstance(text, str):
        raise TypeError(f"word_features expects a str; got {type(text).__name__}.")
    words = list(dict.fromkeys(re.findall(r"\w+", text)))
    if not words:
        raise ValueError("The text has no words to explain (no runs of letters, digits or '_').")
    return words


def remove_words(text: str, words: Sequence[str], mask: np.ndarray) -> str:
    """``text`` with every occurrence of ``words[j]`` deleted where ``mask[j] == 0`` (separators kept)."""
    if not isinstance(text, str):
        raise TypeError(f"remove_words expects text as a str; got {type(text).__name__}.")
    mask = np.asarray(mask)
    if mask.shape != (len(words),):
        raise ValueError(f"mask must have one entry per word, shape ({len(words)},); got {mask.shape}.")
    off = {w for w, m in zip(words, mask) if m == 0}
    return re.sub(r"\w+", lambda t: "" if t.group() in off else t.group(), text)
