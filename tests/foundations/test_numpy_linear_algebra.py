"""Tests for scratch.foundations.numpy_linear_algebra (page: book/foundations/numpy_linear_algebra.md)."""

import numpy as np
import pytest

from scratch.foundations.numpy_linear_algebra import (
    eckart_young_error,
    four_subspaces,
    least_squares,
    low_rank_approx,
    pairwise_sq_dists,
    pairwise_sq_dists_loop,
    project,
    to_grayscale,
)


def low_rank_matrix(m, n, r, seed):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, r)) @ rng.normal(size=(r, n))


# -- pairwise distances --------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_pairwise_sq_dists_match_scipy_and_loop(seed):
    scipy_distance = pytest.importorskip("scipy.spatial.distance")
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(30, 5)), rng.normal(size=(20, 5))
    ref = scipy_distance.cdist(X, Y, "sqeuclidean")
    np.testing.assert_allclose(pairwise_sq_dists(X, Y), ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pairwise_sq_dists_loop(X, Y), ref, rtol=0, atol=1e-12)


def test_pairwise_sq_dists_self_is_symmetric_with_zero_diagonal():
    X = np.random.default_rng(2).normal(size=(15, 3)) * 1e3
    D = pairwise_sq_dists(X)
    np.testing.assert_array_equal(D, D.T)
    assert np.all(D >= 0)
    np.testing.assert_allclose(np.diag(D), 0.0, atol=1e-6 * D.max())
    assert pairwise_sq_dists([[0.0, 0.0]], [[3.0, 4.0]])[0, 0] == pytest.approx(25.0)


def test_pairwise_bad_input():
    with pytest.raises(ValueError, match="same number of features"):
        pairwise_sq_dists(np.zeros((3, 2)), np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_features\)"):
        pairwise_sq_dists(np.zeros(3))
    with pytest.raises(ValueError, match="NaN"):
        pairwise_sq_dists_loop([[np.nan, 1.0]])


# -- grayscale -------------------------------------------------------------------------
def test_to_grayscale_weights_and_scaling():
    img = np.zeros((2, 2, 3), dtype=np.uint8)
    img[0, 0] = [255, 0, 0]
    img[0, 1] = [0, 255, 0]
    img[1, 0] = [0, 0, 255]
    img[1, 1] = [255, 255, 255]
    np.testing.assert_allclose(to_grayscale(img), [[0.299, 0.587], [0.114, 1.0]], atol=1e-12)
    np.testing.assert_allclose(to_grayscale(img / 255.0), to_grayscale(img), atol=1e-12)
    with pytest.raises(ValueError, match="RGB channels last"):
        to_grayscale(np.zeros((4, 4, 4)))
    with pytest.raises(ValueError, match=r"3-D"):
        to_grayscale(np.zeros((4, 4)))


# -- four subspaces --------------------------------------------------------------------
@pytest.mark.parametrize("m, n, r, seed", [(6, 4, 2, 0), (4, 7, 3, 1), (5, 5, 5, 2), (8, 3, 1, 3)])
def test_four_subspaces_match_scipy_and_theory(m, n, r, seed):
    scipy_linalg = pytest.importorskip("scipy.linalg")
    A = low_rank_matrix(m, n, r, seed)
    S = four_subspaces(A)
    assert S.rank == r == np.linalg.matrix_rank(A)
    assert S.column.shape == (m, r) and S.left_null.shape == (m, m - r)
    assert S.row.shape == (n, r) and S.null.shape == (n, n - r)
    # orthonormal bases that together span R^m and R^n
    for left, right, dim in [(S.column, S.left_null, m), (S.row, S.null, n)]:
        Q = np.hstack([left, right])
        np.testing.assert_allclose(Q.T @ Q, np.eye(dim), atol=1e-12)
    # A kills the null space; A^T kills the left null space
    np.testing.assert_allclose(A @ S.null, 0.0, atol=1e-12)
    np.testing.assert_allclose(A.T @ S.left_null, 0.0, atol=1e-12)
    # same subspaces as scipy (bases may differ by a rotation: compare projectors)
    proj = lambda B: B @ B.T  # noqa: E731
    for ours, ref in [(S.column, scipy_linalg.orth(A)), (S.null, scipy_linalg.null_space(A)),
                      (S.row, scipy_linalg.orth(A.T)), (S.left_null, scipy_linalg.null_space(A.T))]:
        assert ours.shape == ref.shape
        np.testing.assert_allclose(proj(ours), proj(ref), atol=1e-10)


def test_four_subspaces_tolerance_sets_the_rank():
    A = np.diag([1.0, 1e-3, 1e-9])
    assert four_subspaces(A).rank == 3
    assert four_subspaces(A, tol=1e-6).rank == 2
    assert four_subspaces(A, tol=1e-2).rank == 1
    with pytest.raises(ValueError, match="tol must be finite and >= 0"):
        four_subspaces(A, tol=-1.0)


# -- projection and least squares --------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_projection_residual_is_orthogonal_and_matches_lstsq(seed):
    rng = np.random.default_rng(seed)
    A, b = rng.normal(size=(20, 4)), rng.normal(size=20)
    p = project(b, A)
    np.testing.assert_allclose(A.T @ (b - p), 0.0, atol=1e-12)
    x_ref = np.linalg.lstsq(A, b, rcond=None)[0]
    np.testing.assert_allclose(p, A @ x_ref, atol=1e-12)
    np.testing.assert_allclose(project(p, A), p, atol=1e-12)  # P^2 = P
    P = A @ np.linalg.solve(A.T @ A, A.T)
    np.testing.assert_allclose(project(np.eye(20), A), P, atol=1e-12)


@pytest.mark.parametrize("method", ["svd", "qr", "normal"])
@pytest.mark.parametrize("seed", [0, 1])
def test_least_squares_matches_numpy(method, seed):
    rng = np.random.default_rng(seed)
    A, b = rng.normal(size=(30, 5)), rng.normal(size=30)
    x_ref = np.linalg.lstsq(A, b, rcond=None)[0]
    np.testing.assert_allclose(least_squares(A, b, method=method), x_ref, rtol=0, atol=1e-12)


def test_least_squares_minimum_norm_for_rank_deficient():
    A = low_rank_matrix(10, 6, 3, seed=4)
    b = np.random.default_rng(5).normal(size=10)
    x = least_squares(A, b)
    np.testing.assert_allclose(x, np.linalg.lstsq(A, b, rcond=None)[0], atol=1e-10)
    np.testing.assert_allclose(x, np.linalg.pinv(A) @ b, atol=1e-10)
    np.testing.assert_allclose(four_subspaces(A).null.T @ x, 0.0, atol=1e-10)  # x lies in the row space
    with pytest.raises(ValueError, match="rank-deficient"):
        least_squares(A, b, method="qr")
    with pytest.raises(ValueError, match="not numerically positive definite"):
        least_squares(A, b, method="normal")


def test_normal_equations_lose_accuracy_when_ill_conditioned():
    """Forward error ~ kappa^2 eps for the normal equations but ~ kappa eps for QR."""
    rng = np.random.default_rng(6)
    U, _ = np.linalg.qr(rng.normal(size=(50, 6)))
    V, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    A = U @ np.diag(np.logspace(0, -7, 6)) @ V.T  # kappa = 1e7
    x = rng.normal(size=6)
    b = A @ x
    err = lambda z: np.linalg.norm(z - x) / np.linalg.norm(x)  # noqa: E731
    assert err(least_squares(A, b, method="qr")) < 1e-6
    assert err(least_squares(A, b, method="normal")) > 100 * err(least_squares(A, b, method="qr"))


def test_least_squares_bad_input():
    with pytest.raises(ValueError, match="Unknown method='lu'"):
        least_squares(np.eye(3), np.ones(3), method="lu")
    with pytest.raises(ValueError, match="A has 3 rows but b has length 2"):
        least_squares(np.eye(3), np.ones(2))
    with pytest.raises(ValueError, match="at least as many rows as columns"):
        least_squares(np.ones((2, 3)), np.ones(2), method="qr")
    with pytest.raises(ValueError, match="b has 2 rows but A has 3"):
        project(np.ones(2), np.eye(3))


# -- low-rank approximation ------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 3, 7])
def test_low_rank_approx_eckart_young(k):
    A = np.random.default_rng(7).normal(size=(12, 9))
    Ak = low_rank_approx(A, k)
    s = np.linalg.svd(A, compute_uv=False)
    assert np.linalg.matrix_rank(Ak) == k
    assert np.linalg.norm(A - Ak) == pytest.approx(eckart_young_error(s, k), rel=1e-10)
    assert np.linalg.norm(A - Ak, 2) == pytest.approx(s[k] if k < len(s) else 0.0, rel=1e-10)
    # no random rank-k matrix does better
    rng = np.random.default_rng(8)
    for _ in range(20):
        B = rng.normal(size=(12, k)) @ rng.normal(size=(k, 9))
        assert np.linalg.norm(A - B) > np.linalg.norm(A - Ak)


def test_low_rank_approx_reuses_factors():
    A = np.random.default_rng(10).normal(size=(8, 6))
    factors = np.linalg.svd(A, full_matrices=False)
    for k in [1, 4, 6]:
        np.testing.assert_allclose(low_rank_approx(A, k, factors=factors), low_rank_approx(A, k), atol=1e-12)
    with pytest.raises(ValueError, match="thin SVD has shapes"):
        low_rank_approx(A, 2, factors=np.linalg.svd(A, full_matrices=True))
    with pytest.raises(ValueError, match=r"triple \(U, s, Vt\)"):
        low_rank_approx(A, 2, factors=factors[:2])


def test_low_rank_approx_is_exact_at_full_rank():
    A = low_rank_matrix(6, 5, 2, seed=9)
    np.testing.assert_allclose(low_rank_approx(A, 2), A, atol=1e-12)
    assert eckart_young_error([3.0, 2.0, 0.0], 0) == pytest.approx(np.sqrt(13.0))


def test_low_rank_bad_input():
    with pytest.raises(ValueError, match="k must be <= 5"):
        low_rank_approx(np.ones((5, 8)), 6)
    with pytest.raises(ValueError, match="k must be >= 1"):
        low_rank_approx(np.ones((5, 8)), 0)
    with pytest.raises(TypeError, match="k must be an integer"):
        low_rank_approx(np.ones((5, 8)), 2.0)
    with pytest.raises(ValueError, match="sorted in decreasing order"):
        eckart_young_error([1.0, 2.0], 1)
