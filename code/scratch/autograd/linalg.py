"""Linear algebra on :class:`~scratch.autograd.tensor.Tensor` with backward formulas.

Gaussian processes, full-rank variational inference and Kalman smoothing with
learned parameters need the Cholesky factor of a covariance, triangular solves
and log-determinants *inside* the graph. Each function here is one fused
primitive (forward in numpy, backward side by side), batched over leading axes
``(..., n, n)`` like ``torch.linalg``:

* :func:`cholesky`: ``A = L L^T`` for symmetric positive-definite ``A``;
* :func:`solve_triangular`: ``L X = B`` by forward (or back) substitution;
* :func:`cho_solve`: ``A X = B`` given the Cholesky factor of ``A``;
* :func:`solve`: ``A X = B`` for a general square ``A`` (LU, via numpy);
* :func:`logdet`: ``log det A = 2 sum_i log L_ii`` for symmetric positive-definite ``A``.

Right-hand sides ``B`` are matrices ``(..., n, k)``; a ``B`` with one axis fewer
than ``A`` (shape ``(..., n)``) is a batch of vectors, the rule of
``torch.linalg.solve``. Plain arrays are accepted and treated as constants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch.autograd.tensor import Tensor, from_op, unbroadcast

__all__ = ["cholesky", "solve_triangular", "cho_solve", "solve", "logdet"]


# =============================================================================
# Checks and numpy helpers
# =============================================================================


def _as_tensor(x: Any, name: str) -> Tensor:
    t = x if isinstance(x, Tensor) else Tensor(x)
    if t.dtype.kind != "f":
        t = Tensor(t.data.astype(np.float64))
    if not np.all(np.isfinite(t.data)):
        raise ValueError(f"{name} contains NaN or infinite values; linear algebra needs finite entries.")
    return t


def _check_square(A: Tensor, name: str, fn: str) -> int:
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(
            f"{fn}: {name} must be a square matrix or a batch of them, shape (..., n, n); got shape "
            f"{A.shape}."
        )
    if A.shape[-1] == 0:
        raise ValueError(f"{fn}: {name} is an empty (0 x 0) matrix.")
    return A.shape[-1]


def _check_rhs(A: Tensor, B: Tensor, fn: str) -> bool:
    """Check B against A (..., n, n); return True when B is a batch of vectors (..., n)."""
    n = A.shape[-1]
    vector = B.ndim == A.ndim - 1 and B.ndim >= 1
    if B.ndim == 0 or (vector and B.shape[-1] != n) or (not vector and (B.ndim < 2 or B.shape[-2] != n)):
        raise ValueError(
            f"{fn}: the right-hand side of shape {B.shape} does not fit a matrix of shape {A.shape}; "
            f"expected (..., {n}, k), or (..., {n}) for vectors (one axis fewer than the matrix)."
        )
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-1] if vector else B.shape[:-2])
    except ValueError:
        raise ValueError(
            f"{fn}: the batch axes of the matrix {A.shape[:-2]} and of the right-hand side "
            f"{B.shape[:-1] if vector else B.shape[:-2]} do not broadcast."
        ) from None
    return vector


def _system(A: Any, B: Any, name: str, fn: str) -> tuple[Tensor, Tensor, bool, np.ndarray]:
    """Check a system ``A X = B``: tensors ``A``, ``B``, whether ``B`` is a batch of vectors, and
    ``B``'s data as matrices (..., n, k)."""
    A, B = _as_tensor(A, name), _as_tensor(B, "B")
    _check_square(A, name, fn)
    vector = _check_rhs(A, B, fn)
    return A, B, vector, (B.data[..., None] if vector else B.data)  # (..., n, k)


def _mT(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def _substitute(L: np.ndarray, B: np.ndarray, lower: bool) -> np.ndarray:
    """Solve ``L X = B`` for triangular ``L`` (..., n, n) and ``B`` (..., n, k) by substitution.

    Batch axes must already agree. Row ``i`` of ``X`` is
    ``(B_i - sum_{j<i} L_ij X_j) / L_ii`` (forward; backward runs ``i`` downwards).
    """
    n = L.shape[-1]
    X = np.empty(np.broadcast_shapes(L.shape[:-2], B.shape[:-2]) + B.shape[-2:], dtype=np.result_type(L, B))
    rows = range(n) if lower else range(n - 1, -1, -1)
    for i in rows:
        done = slice(0, i) if lower else slice(i + 1, n)  # rows of X already computed
        acc = B[..., i, :] - np.einsum("...j,...jk->...k", L[..., i, done], X[..., done, :])  # (..., k)
        X[..., i, :] = acc / L[..., i, i][..., None]
    return X


def _check_nonsingular_triangular(L: np.ndarray, fn: str) -> None:
    diag = np.diagonal(L, axis1=-2, axis2=-1)
    if np.any(diag == 0):
        raise ValueError(
            f"{fn}: the triangular matrix has a zero on its diagonal, so it is singular and the system "
            "has no unique solution."
        )


# =============================================================================
# Cholesky
# =============================================================================


def _cholesky_data(A: np.ndarray, fn: str) -> np.ndarray:
    scale = np.max(np.abs(A), axis=(-2, -1), keepdims=True)
    if np.any(np.abs(A - _mT(A)) > 1e-8 * scale + 1e-300):
        raise ValueError(
            f"{fn}: the matrix is not symmetric (largest |A - A^T| = {np.max(np.abs(A - _mT(A))):.3g}); "
            "a Cholesky factor exists only for symmetric positive-definite matrices. Symmetrise it, "
            "e.g. (A + A^T) / 2, if the asymmetry is rounding."
        )
    try:
        return np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        eig = np.linalg.eigvalsh(A).min()
        raise ValueError(
            f"{fn}: the matrix is not positive definite (smallest eigenvalue {eig:.3g}). A covariance "
            "must be symmetric positive definite: add jitter to the diagonal (A + 1e-6 I) or check how "
            "it was built."
        ) from None


def _phi(X: np.ndarray) -> np.ndarray:
    """Lower triangle of ``X`` with the diagonal halved."""
    out = np.tril(X)
    d = np.einsum("...ii->...i", out)
    d *= 0.5  # a writable view of the diagonal
    return out


def cholesky(A: Any) -> Tensor:
    """Lower-triangular Cholesky factor ``L`` with ``A = L L^T``.

    Parameters
    ----------
    A : Tensor or array_like of shape (..., n, n)
        Symmetric positive-definite matrices.

    Returns
    -------
    Tensor of shape (..., n, n)
        Lower triangular with a positive diagonal.

    Raises
    ------
    ValueError
        If ``A`` is not square, not symmetric, or not positive definite.

    Notes
    -----
    Differentiating :math:`A = LL^\\top` gives
    :math:`L^{-1}\\,dA\\,L^{-\\top} = L^{-1}dL + (L^{-1}dL)^\\top` with
    :math:`L^{-1}dL` lower triangular, so :math:`dL = L\\,\\Phi(L^{-1}dA\\,L^{-\\top})`
    where :math:`\\Phi` keeps the lower triangle and halves the diagonal. Its
    adjoint is the backward pass (Murray 2016):

    .. math::
        \\bar A = \\tfrac12 (S + S^\\top), \\qquad
        S = L^{-\\top}\\, \\Phi(L^\\top \\bar L)\\, L^{-1}.

    The gradient is symmetrised, as in ``torch.linalg.cholesky``: it is the
    gradient with respect to a symmetric ``A`` (build ``A`` symmetrically, e.g.
    ``B @ B.T + c I``, when checking it by finite differences).
    """
    A = _as_tensor(A, "A")
    _check_square(A, "A", "cholesky")
    L = _cholesky_data(A.data, "cholesky")

    def backward(g):
        P = _phi(_mT(L) @ g)  # Phi(L^T Lbar)
        Y = _substitute(_mT(L), P, lower=False)  # L^{-T} P
        S = _mT(_substitute(_mT(L), _mT(Y), lower=False))  # (L^{-T} Y^T)^T = L^{-T} P L^{-1}
        return (0.5 * (S + _mT(S)),)

    return from_op(L, (A,), backward, "cholesky")


# =============================================================================
# Triangular and general solves
# =============================================================================


def solve_triangular(L: Any, B: Any, lower: bool = True) -> Tensor:
    """Solve ``L X = B`` for a triangular ``L``, by forward or back substitution.

    Parameters
    ----------
    L : Tensor or array_like of shape (..., n, n)
        Lower triangular (``lower=True``) or upper triangular. Only that
        triangle is read; the other is ignored (treated as zero).
    B : Tensor or array_like of shape (..., n, k) or (..., n)
        Right-hand sides; batch axes broadcast with those of ``L``.
    lower : bool, default True
        Which triangle of ``L`` holds the matrix. To solve with ``L^T`` pass
        ``L.swapaxes(-1, -2)`` and ``lower=False``.

    Returns
    -------
    Tensor of the broadcast shape of ``B``.

    Raises
    ------
    ValueError
        Non-square ``L``, a zero on its diagonal, or a ``B`` that does not fit.

    Notes
    -----
    Forward substitution :math:`X_i = (B_i - \\sum_{j<i} L_{ij} X_j) / L_{ii}`
    (back substitution runs from the last row). For :math:`X = L^{-1}B`,

    .. math::
        \\bar B = L^{-\\top} \\bar X, \\qquad
        \\bar L = -\\operatorname{tril}(\\bar B X^\\top)

    (``triu`` for an upper-triangular ``L``): only the used triangle gets a gradient.
    """
    L, B, vector, Bm = _system(L, B, "L", "solve_triangular")  # Bm: (..., n, k)
    lower = bool(lower)
    Ld = np.tril(L.data) if lower else np.triu(L.data)
    _check_nonsingular_triangular(Ld, "solve_triangular")
    X = _substitute(Ld, Bm, lower)  # (..., n, k)

    def backward(g):
        gm = g[..., None] if vector else g  # (..., n, k)
        gB = _substitute(_mT(Ld), gm, not lower)  # L^{-T} Xbar
        gL = gB_out = None
        if L.requires_grad:
            full = -(gB @ _mT(X))  # (..., n, n)
            gL = unbroadcast(np.tril(full) if lower else np.triu(full), L.shape)
        if B.requires_grad:
            gB_out = unbroadcast(gB[..., 0] if vector else gB, B.shape)
        return gL, gB_out

    return from_op(X[..., 0] if vector else X, (L, B), backward, "solve_triangular")


def cho_solve(L: Any, B: Any) -> Tensor:
    """Solve ``A X = B`` given the lower Cholesky factor ``L`` of ``A = L L^T``.

    Parameters
    ----------
    L : Tensor or array_like of shape (..., n, n)
        Lower-triangular Cholesky factor, e.g. from :func:`cholesky`.
    B : Tensor or array_like of shape (..., n, k) or (..., n)

    Returns
    -------
    Tensor of the broadcast shape of ``B``.

    Notes
    -----
    Two triangular solves, :math:`X = L^{-\\top}(L^{-1}B)`: the way to apply
    :math:`A^{-1}` without forming an inverse. Composite of
    :func:`solve_triangular`, so it needs no backward of its own.
    """
    L = _as_tensor(L, "L")
    Y = solve_triangular(L, B, lower=True)
    return solve_triangular(L.swapaxes(-1, -2), Y, lower=False)


def solve(A: Any, B: Any) -> Tensor:
    """Solve ``A X = B`` for a general square, non-singular ``A`` (LU with partial pivoting).

    Parameters
    ----------
    A : Tensor or array_like of shape (..., n, n)
    B : Tensor or array_like of shape (..., n, k) or (..., n)
        Batch axes broadcast with those of ``A``.

    Returns
    -------
    Tensor of the broadcast shape of ``B``.

    Raises
    ------
    ValueError
        Non-square or singular ``A``, or a ``B`` that does not fit.

    Notes
    -----
    The forward pass calls ``np.linalg.solve``. For :math:`X = A^{-1}B`,

    .. math::
        \\bar B = A^{-\\top}\\bar X, \\qquad \\bar A = -\\bar B X^\\top.

    For a symmetric positive-definite ``A`` prefer :func:`cholesky` + :func:`cho_solve`.
    """
    A, B, vector, Bm = _system(A, B, "A", "solve")  # Bm: (..., n, k)
    batch = np.broadcast_shapes(A.shape[:-2], Bm.shape[:-2])
    Ab = np.broadcast_to(A.data, batch + A.shape[-2:])
    Bb = np.broadcast_to(Bm, batch + Bm.shape[-2:])
    cond = np.linalg.cond(Ab)
    if np.any(~np.isfinite(cond)) or np.any(cond > 1 / np.finfo(A.dtype).eps):
        raise ValueError(
            f"solve: the matrix is singular or numerically singular (condition number {np.max(cond):.3g}); "
            "the system has no unique solution. Regularise it (A + lambda I) or use least squares."
        )
    X = np.linalg.solve(Ab, Bb)  # (..., n, k)

    def backward(g):
        gm = g[..., None] if vector else g
        gB = np.linalg.solve(_mT(Ab), gm)  # A^{-T} Xbar
        gA = unbroadcast(-(gB @ _mT(X)), A.shape) if A.requires_grad else None
        gB_out = unbroadcast(gB[..., 0] if vector else gB, B.shape) if B.requires_grad else None
        return gA, gB_out

    return from_op(X[..., 0] if vector else X, (A, B), backward, "solve")


def logdet(A: Any) -> Tensor:
    """Log-determinant of symmetric positive-definite matrices, through the Cholesky factor.

    Parameters
    ----------
    A : Tensor or array_like of shape (..., n, n)
        Symmetric positive definite (a covariance or a kernel matrix).

    Returns
    -------
    Tensor of shape (...)

    Raises
    ------
    ValueError
        If ``A`` is not square, not symmetric or not positive definite (for a
        general matrix use ``np.linalg.slogdet``).

    Notes
    -----
    With :math:`A = LL^\\top`,

    .. math::
        \\log\\det A = 2 \\sum_{i=1}^{n} \\log L_{ii}, \\qquad
        \\bar A = \\bar g\\, A^{-1} = \\bar g\\, L^{-\\top} L^{-1},

    which never overflows the way :math:`\\det A` does for large ``n``.
    """
    A = _as_tensor(A, "A")
    n = _check_square(A, "A", "logdet")
    L = _cholesky_data(A.data, "logdet")
    out = 2.0 * np.log(np.diagonal(L, axis1=-2, axis2=-1)).sum(axis=-1)  # (...)

    def backward(g):
        eye = np.broadcast_to(np.eye(n), L.shape)
        Linv = _substitute(L, eye, lower=True)  # L^{-1}
        Ainv = _mT(Linv) @ Linv  # (..., n, n)
        return (np.asarray(g)[..., None, None] * Ainv,)

    return from_op(np.asarray(out), (A,), backward, "logdet")
