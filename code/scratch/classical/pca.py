"""Principal component analysis by the singular value decomposition.

The chapter ``book/classical/pca.md`` derives every equation used here; equation
labels in the *Notes* sections match the page.
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np

from scratch._validation import (
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
)

__all__ = ["PCA", "knn_preservation"]


class PCA:
    r"""Principal component analysis of centred data via the thin SVD.

    Parameters
    ----------
    n_components : int, float or None, default=None
        Number of components :math:`k` to keep. An int in
        ``[1, min(n_samples, n_features)]``; a float in (0, 1) keeps the fewest
        components whose explained-variance ratio sums to more than it; None keeps
        ``min(n_samples, n_features)``.
    whiten : bool, default=False
        Whether :meth:`transform` divides each score by the standard deviation of its
        component, so that the scores have unit variance (``eq-pca-whiten``).

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Feature means :math:`\bar x`.
    components_ : ndarray of shape (n_components, n_features)
        Principal axes :math:`v_1, \ldots, v_k` (rows, orthonormal), sorted by
        decreasing variance. Signs are fixed so that the largest-magnitude entry of
        each axis is positive.
    singular_values_ : ndarray of shape (n_components,)
        Singular values :math:`\sigma_j` of the centred data.
    explained_variance_ : ndarray of shape (n_components,)
        Variance along each axis, :math:`\sigma_j^2 / (n - 1)`.
    explained_variance_ratio_ : ndarray of shape (n_components,)
        Fraction of the total variance along each axis.
    n_components_ : int
        Number of kept components :math:`k`.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    With the centred data :math:`\tilde X = X - \mathbf 1 \bar x^\top = U \Sigma V^\top`
    (``eq-pca-svd``), the principal axes are the first :math:`k` columns of :math:`V`
    and the variances are :math:`\sigma_j^2/(n-1)` (``eq-pca-variance``). Scores and
    reconstructions are (``eq-pca-project``, ``eq-pca-reconstruct``)

    .. math:: z = V_k^\top (x - \bar x), \qquad \hat x = \bar x + V_k z,

    and whitened scores divide :math:`z_j` by :math:`\sigma_j/\sqrt{n-1}`
    (``eq-pca-whiten``).
    """

    def __init__(self, n_components: int | float | None = None, whiten: bool = False):
        self.n_components = n_components
        self.whiten = whiten

    def fit(self, X) -> "PCA":
        """Fit the principal axes to ``X`` of shape (n_samples, n_features)."""
        X = check_array(X, name="X")
        n, d = X.shape
        if n < 2:
            raise ValueError(f"PCA needs at least 2 samples to estimate variances; got {n}.")
        if not isinstance(self.whiten, (bool, np.bool_)):
            raise TypeError(f"whiten must be True or False; got {self.whiten!r}.")
        mean = X.mean(axis=0)
        U, s, Vt = np.linalg.svd(X - mean, full_matrices=False)  # eq-pca-svd; (n, r), (r,), (r, d)
        signs = np.sign(Vt[np.arange(Vt.shape[0]), np.argmax(np.abs(Vt), axis=1)])
        Vt = Vt * signs[:, None]                                   # largest entry of each axis > 0
        variance = s ** 2 / (n - 1)                                # eq-pca-variance
        total = variance.sum()
        ratio = variance / total if total > 0 else np.zeros_like(variance)
        k = self._n_kept(ratio, min(n, d))
        if self.whiten:
            # Directions with (numerically) zero variance would be scaled up to unit variance:
            # rounding noise presented as signal, or a division by zero on constant data.
            tol = max(n, d) * np.finfo(float).eps * (variance[0] if variance.size else 0.0)
            flat = np.flatnonzero(variance[:k] <= tol)
            if flat.size:
                raise ValueError(
                    f"whiten=True would scale {flat.size} of the {k} kept direction(s) that have no variance "
                    f"(variance <= {tol:.1e}, rounding noise) up to unit variance. Keep fewer components: "
                    f"n_components={int(flat[0])} or less" + (" (X is constant)." if flat[0] == 0 else ".")
                )

        self.mean_ = mean
        self.components_ = Vt[:k]
        self.singular_values_ = s[:k]
        self.explained_variance_ = variance[:k]
        self.explained_variance_ratio_ = ratio[:k]
        self.n_components_ = k
        self.n_features_in_ = d
        return self

    def _n_kept(self, ratio: np.ndarray, r: int) -> int:
        """Number of components to keep, from ``n_components``."""
        nc = self.n_components
        if nc is None:
            return r
        if isinstance(nc, (bool, np.bool_)):
            raise TypeError(f"n_components must be an int, a float in (0, 1) or None; got {nc!r}.")
        if isinstance(nc, (Integral, np.integer)):
            return check_int(nc, name="n_components", minimum=1, maximum=r)
        if isinstance(nc, Real) and 0 < nc < 1:
            # fewest components whose cumulative ratio exceeds nc
            return int(min(np.searchsorted(np.cumsum(ratio), nc, side="right") + 1, r))
        raise ValueError(
            f"n_components must be an int in [1, {r}], a float in (0, 1) (a fraction of the "
            f"variance to keep) or None; got {nc!r}."
        )

    def transform(self, X) -> np.ndarray:
        """Scores (eq-pca-project) of ``X`` (n_samples, n_features), shape (n_samples, n_components)."""
        X = self._check_X(X)
        Z = (X - self.mean_) @ self.components_.T  # (n, k)
        if self.whiten:
            Z = Z / np.sqrt(self.explained_variance_)  # eq-pca-whiten
        return Z

    def fit_transform(self, X) -> np.ndarray:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, Z) -> np.ndarray:
        """Reconstructions (eq-pca-reconstruct) from scores ``Z`` of shape (n_samples, n_components).

        Returns an array of shape (n_samples, n_features).
        """
        check_is_fitted(self, "components_")
        Z = check_array(Z, name="Z")
        if Z.shape[1] != self.n_components_:
            raise ValueError(
                f"Z has {Z.shape[1]} columns, but this PCA keeps {self.n_components_} "
                "components. Pass the output of transform."
            )
        if self.whiten:
            Z = Z * np.sqrt(self.explained_variance_)
        return Z @ self.components_ + self.mean_  # (n, d)

    def reconstruction_error(self, X) -> float:
        r"""Mean squared reconstruction error :math:`\frac1n\sum_i\lVert x_i - \hat x_i\rVert^2`."""
        X = self._check_X(X)
        residual = X - self.inverse_transform(self.transform(X))
        return float(np.mean(np.sum(residual ** 2, axis=1)))

    def _check_X(self, X) -> np.ndarray:
        check_is_fitted(self, "components_")
        X = check_array(X, name="X")
        check_n_features(self, X)
        return X


def _knn_indices(X: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` nearest neighbours of every row of ``X`` (itself excluded), (n, k)."""
    sq = np.sum(X ** 2, axis=1)
    D = sq[:, None] + sq[None, :] - 2 * X @ X.T  # (n, n) squared distances
    np.fill_diagonal(D, np.inf)
    idx = np.argpartition(D, k - 1, axis=1)[:, :k]
    return idx


def knn_preservation(X_reference, X_embedded, n_neighbors: int = 10) -> float:
    r"""Average fraction of each point's nearest neighbours that an embedding keeps.

    For every point, take its ``n_neighbors`` nearest neighbours (Euclidean, itself
    excluded) in ``X_reference`` and in ``X_embedded`` and count the overlap:

    .. math:: P_k = \frac{1}{nk}\sum_{i=1}^n \lvert N_k^{\mathrm{ref}}(i) \cap N_k^{\mathrm{emb}}(i)\rvert
       \in [0, 1]

    (``eq-pca-knn-preservation``). 1 means every neighbourhood is kept; a random
    embedding scores about :math:`k/(n-1)`.

    Parameters
    ----------
    X_reference : array_like of shape (n_samples, n_ref_features)
        Coordinates that define the true neighbours (e.g. a manifold's intrinsic ones).
    X_embedded : array_like of shape (n_samples, n_emb_features)
        The embedding to judge.
    n_neighbors : int
        Neighbourhood size :math:`k`, in [1, n_samples - 1].
    """
    A = check_array(X_reference, name="X_reference")
    B = check_array(X_embedded, name="X_embedded")
    if A.shape[0] != B.shape[0]:
        raise ValueError(
            f"X_reference and X_embedded have mismatched lengths {A.shape[0]} and {B.shape[0]}; "
            "they must describe the same points in the same order."
        )
    k = check_int(n_neighbors, name="n_neighbors", minimum=1, maximum=A.shape[0] - 1)
    na, nb = _knn_indices(A, k), _knn_indices(B, k)
    n = A.shape[0]
    hits = np.zeros((n, n), dtype=bool)
    hits[np.arange(n)[:, None], na] = True
    return float(hits[np.arange(n)[:, None], nb].sum() / (n * k))
