"""NumPy for machine learning: vectorised distances and a linear-algebra refresher.

The chapter ``book/foundations/numpy_linear_algebra.md`` derives every equation
used here; the equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scratch._validation import check_array, check_int, check_option, check_positive

__all__ = [
    "pairwise_sq_dists",
    "pairwise_sq_dists_loop",
    "to_grayscale",
    "Subspaces",
    "four_subspaces",
    "project",
    "least_squares",
    "low_rank_approx",
    "eckart_young_error",
]


def _check_pair(X, Y):
    """Validate ``X`` (n, d) and ``Y`` (m, d) (``Y=None`` means ``Y = X``)."""
    X = check_array(X, name="X", ndim=2)
    Y = X if Y is None else check_array(Y, name="Y", ndim=2)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"X and Y must have the same number of features; got X with shape {X.shape} and "
            f"Y with shape {Y.shape}. Pass points as rows of equal length."
        )
    return X, Y


def pairwise_sq_dists(X, Y=None) -> np.ndarray:
    r"""Squared Euclidean distances between every row of ``X`` and every row of ``Y``, vectorised.

    Parameters
    ----------
    X : array_like of shape (n_samples_x, n_features)
    Y : array_like of shape (n_samples_y, n_features), optional
        Defaults to ``X``.

    Returns
    -------
    ndarray of shape (n_samples_x, n_samples_y)
        ``D[i, j] = ||X[i] - Y[j]||^2``, clipped at 0 (rounding can make the
        expansion slightly negative).

    Notes
    -----
    Expands the square (``eq-np-sqdist``) so that the only O(n m d) work is one
    matrix product:

    .. math:: \lVert x_i - y_j\rVert^2 = \lVert x_i\rVert^2 + \lVert y_j\rVert^2 - 2\, x_i^\top y_j .
    """
    X, Y = _check_pair(X, Y)
    x_sq = np.einsum("ij,ij->i", X, X)            # (n,)
    y_sq = np.einsum("ij,ij->i", Y, Y)            # (m,)
    D = x_sq[:, None] + y_sq[None, :] - 2.0 * (X @ Y.T)  # (n, 1) + (1, m) - (n, m) -> (n, m)
    return np.maximum(D, 0.0)


def pairwise_sq_dists_loop(X, Y=None) -> np.ndarray:
    """The same distances as :func:`pairwise_sq_dists`, with explicit Python loops (for timing).

    Parameters
    ----------
    X : array_like of shape (n_samples_x, n_features)
    Y : array_like of shape (n_samples_y, n_features), optional

    Returns
    -------
    ndarray of shape (n_samples_x, n_samples_y)
    """
    X, Y = _check_pair(X, Y)
    Xl, Yl = X.tolist(), Y.tolist()
    D = np.empty((len(Xl), len(Yl)))
    for i, x in enumerate(Xl):
        for j, y in enumerate(Yl):
            s = 0.0
            for a, b in zip(x, y):
                s += (a - b) * (a - b)
            D[i, j] = s
    return D


def to_grayscale(image) -> np.ndarray:
    """Convert an RGB image to grey levels in [0, 1] with the ITU-R BT.601 luma weights.

    Parameters
    ----------
    image : array_like of shape (height, width, 3)
        Integer values in [0, 255] (e.g. ``uint8``) or floats in [0, 1].

    Returns
    -------
    ndarray of shape (height, width)
        ``0.299 R + 0.587 G + 0.114 B``: a matrix-vector product over the
        channel axis, broadcast over every pixel.
    """
    raw = np.asarray(image)
    img = check_array(image, name="image", ndim=3)
    if img.shape[2] != 3:
        raise ValueError(
            f"image must have shape (height, width, 3) with RGB channels last; got {img.shape}."
        )
    if raw.dtype.kind in "ui" or img.max() > 1.0:
        img = img / 255.0
    return img @ np.array([0.299, 0.587, 0.114])  # (h, w, 3) @ (3,) -> (h, w)


class Subspaces(NamedTuple):
    """Orthonormal bases of the four fundamental subspaces of an (m, n) matrix of rank r."""

    column: np.ndarray      #: (m, r) basis of the column space C(A)
    left_null: np.ndarray   #: (m, m - r) basis of the left null space N(A^T)
    row: np.ndarray         #: (n, r) basis of the row space C(A^T)
    null: np.ndarray        #: (n, n - r) basis of the null space N(A)
    rank: int               #: r, the number of singular values above the tolerance


def _rank_tol(s: np.ndarray, shape: tuple[int, int], tol) -> float:
    """Default rank tolerance ``max(m, n) * eps * sigma_max`` (as ``np.linalg.matrix_rank``)."""
    if tol is None:
        return max(shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
    return check_positive(tol, name="tol", strict=False)


def four_subspaces(A, tol: float | None = None) -> Subspaces:
    r"""Orthonormal bases of the four fundamental subspaces of ``A``, from its SVD.

    Parameters
    ----------
    A : array_like of shape (m, n)
    tol : float, optional
        Singular values ``<= tol`` count as zero. Default
        ``max(m, n) * eps * sigma_max``, the rule of ``np.linalg.matrix_rank``.

    Returns
    -------
    Subspaces
        ``column`` (m, r), ``left_null`` (m, m - r), ``row`` (n, r), ``null`` (n, n - r)
        with orthonormal columns, and the numerical ``rank`` r.

    Notes
    -----
    With the full SVD :math:`A = U\Sigma V^\top` and :math:`r` nonzero singular
    values (``eq-np-svd``, ``eq-np-subspaces``):
    :math:`C(A) = \operatorname{span} U_{:, :r}`,
    :math:`N(A^\top) = \operatorname{span} U_{:, r:}`,
    :math:`C(A^\top) = \operatorname{span} V_{:, :r}`,
    :math:`N(A) = \operatorname{span} V_{:, r:}`.
    """
    A = check_array(A, name="A", ndim=2)
    U, s, Vt = np.linalg.svd(A, full_matrices=True)  # (m, m), (min(m, n),), (n, n)
    r = int(np.sum(s > _rank_tol(s, A.shape, tol)))
    V = Vt.T
    return Subspaces(column=U[:, :r], left_null=U[:, r:], row=V[:, :r], null=V[:, r:], rank=r)


def project(b, A, tol: float | None = None) -> np.ndarray:
    r"""Orthogonal projection of ``b`` onto the column space of ``A``.

    Parameters
    ----------
    b : array_like of shape (m,) or (m, k)
        One vector, or ``k`` vectors as columns.
    A : array_like of shape (m, n)
        Any matrix, also rank-deficient.
    tol : float, optional
        Rank tolerance passed to :func:`four_subspaces`.

    Returns
    -------
    ndarray of the same shape as ``b``
        :math:`p = U_r U_r^\top b`; the residual ``b - p`` is orthogonal to every column of ``A``.

    Notes
    -----
    ``eq-np-projection``: with an orthonormal basis :math:`U_r` of :math:`C(A)`, the
    projector is :math:`P = U_r U_r^\top`, equal to :math:`A(A^\top A)^{-1}A^\top`
    when :math:`A` has full column rank.
    """
    A = check_array(A, name="A", ndim=2)
    b = check_array(b, name="b", ndim=(1, 2))
    if b.shape[0] != A.shape[0]:
        raise ValueError(
            f"b has {b.shape[0]} rows but A has {A.shape[0]}; b must live in the space of A's "
            "columns (same length m)."
        )
    Ur = four_subspaces(A, tol).column  # (m, r)
    return Ur @ (Ur.T @ b)


def least_squares(A, b, method: str = "svd") -> np.ndarray:
    r"""Solve :math:`\min_x \lVert Ax - b\rVert_2` by the SVD, QR, or the normal equations.

    Parameters
    ----------
    A : array_like of shape (m, n)
    b : array_like of shape (m,)
    method : {"svd", "qr", "normal"}, default "svd"
        ``"svd"``: pseudo-inverse, the minimum-norm solution (works for any rank).
        ``"qr"``: :math:`R x = Q^\top b` (needs full column rank).
        ``"normal"``: Cholesky on :math:`A^\top A x = A^\top b` (squares the condition
        number; shown on the page as the method to avoid).

    Returns
    -------
    ndarray of shape (n,)

    Notes
    -----
    ``eq-np-normal-equations``: the residual is orthogonal to :math:`C(A)`, so
    :math:`A^\top(b - Ax) = 0`. ``eq-np-pinv``: :math:`x^+ = V_r \Sigma_r^{-1} U_r^\top b`.
    """
    A = check_array(A, name="A", ndim=2)
    b = check_array(b, name="b", ndim=1)
    method = check_option(method, ("svd", "qr", "normal"), name="method")
    m, n = A.shape
    if b.shape[0] != m:
        raise ValueError(f"A has {m} rows but b has length {b.shape[0]}; they must match.")
    if method == "svd":
        U, s, Vt = np.linalg.svd(A, full_matrices=False)  # (m, k), (k,), (k, n)
        r = int(np.sum(s > _rank_tol(s, A.shape, None)))
        return Vt[:r].T @ ((U[:, :r].T @ b) / s[:r])
    if m < n:
        raise ValueError(
            f"method={method!r} needs at least as many rows as columns; got A with shape {A.shape}. "
            "Use method='svd' for the minimum-norm solution."
        )
    if method == "qr":
        Q, R = np.linalg.qr(A)  # (m, n), (n, n)
        d = np.abs(np.diag(R))
        if d.min() <= max(m, n) * np.finfo(float).eps * d.max():
            raise ValueError("A is rank-deficient, so QR cannot solve it; use method='svd'.")
        return np.linalg.solve(R, Q.T @ b)  # R is triangular; solve is fine for teaching sizes
    G = A.T @ A  # (n, n): condition number kappa(A)^2
    try:
        L = np.linalg.cholesky(G)
    except np.linalg.LinAlgError:
        raise ValueError(
            "A^T A is not numerically positive definite (A is rank-deficient or too "
            "ill-conditioned for the normal equations); use method='qr' or 'svd'."
        ) from None
    return np.linalg.solve(L.T, np.linalg.solve(L, A.T @ b))


def low_rank_approx(A, k: int, *, factors: tuple | None = None) -> np.ndarray:
    r"""Best rank-``k`` approximation of ``A`` in the Frobenius and spectral norms.

    Parameters
    ----------
    A : array_like of shape (m, n)
    k : int
        Target rank, ``1 <= k <= min(m, n)``.
    factors : tuple (U, s, Vt), optional
        The thin SVD of ``A`` as returned by ``np.linalg.svd(A, full_matrices=False)``,
        with shapes (m, p), (p,), (p, n) and ``p = min(m, n)``. Pass it to reuse one
        factorisation for several ``k``; by default the SVD is computed here.

    Returns
    -------
    ndarray of shape (m, n)
        :math:`A_k = U_{:, :k}\,\Sigma_{:k}\,V_{:, :k}^\top`.

    Notes
    -----
    ``eq-np-eckart-young``: truncating the SVD is optimal, and
    :math:`\lVert A - A_k\rVert_F = \sqrt{\sum_{i>k}\sigma_i^2}`.
    """
    A = check_array(A, name="A", ndim=2)
    k = check_int(k, name="k", minimum=1, maximum=min(A.shape))
    if factors is None:
        U, s, Vt = np.linalg.svd(A, full_matrices=False)
    else:
        if len(factors) != 3:
            raise ValueError("factors must be the triple (U, s, Vt) from np.linalg.svd(A, full_matrices=False).")
        U, s, Vt = (check_array(f, name=n, ndim=d) for f, n, d in zip(factors, ("U", "s", "Vt"), (2, 1, 2)))
        p = min(A.shape)
        if U.shape != (A.shape[0], p) or s.shape != (p,) or Vt.shape != (p, A.shape[1]):
            raise ValueError(
                f"factors have shapes {U.shape}, {s.shape}, {Vt.shape}; for A of shape {A.shape} the thin "
                f"SVD has shapes {(A.shape[0], p)}, {(p,)}, {(p, A.shape[1])}. Use "
                "np.linalg.svd(A, full_matrices=False)."
            )
    return (U[:, :k] * s[:k]) @ Vt[:k]  # (m, k) * (k,) broadcasts over rows, then @ (k, n)


def eckart_young_error(singular_values, k: int) -> float:
    r"""Frobenius error of the best rank-``k`` approximation: :math:`\sqrt{\sum_{i>k}\sigma_i^2}`.

    Parameters
    ----------
    singular_values : array_like of shape (p,)
        All singular values of the matrix, in decreasing order.
    k : int
        Kept rank, ``0 <= k <= p``.
    """
    s = check_array(singular_values, name="singular_values", ndim=1)
    if np.any(s < 0) or np.any(np.diff(s) > 0):
        raise ValueError("singular_values must be nonnegative and sorted in decreasing order, as "
                         "np.linalg.svd returns them.")
    k = check_int(k, name="k", minimum=0, maximum=s.size)
    return float(np.sqrt(np.sum(s[k:] ** 2)))
