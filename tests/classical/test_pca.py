"""Tests for scratch.classical.pca (page: book/classical/pca.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.pca import PCA, knn_preservation
from scratch.data.synthetic import swiss_roll


def correlated_data(n=200, d=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d)


def align_signs(A, B):
    """Flip rows of A to agree in sign with B (components are defined up to sign)."""
    return A * np.sign(np.sum(A * B, axis=1))[:, None]


# -- cross-checks ---------------------------------------------------------------------
@pytest.mark.parametrize("whiten", [False, True])
@pytest.mark.parametrize("n_components", [1, 3, 6, None, 0.9])
@pytest.mark.parametrize("seed", [0, 1])
def test_matches_sklearn(whiten, n_components, seed):
    sk_decomposition = pytest.importorskip("sklearn.decomposition")
    X = correlated_data(seed=seed)
    ours = PCA(n_components, whiten=whiten).fit(X)
    ref = sk_decomposition.PCA(n_components, whiten=whiten, svd_solver="full").fit(X)
    assert ours.n_components_ == ref.n_components_
    np.testing.assert_allclose(align_signs(ours.components_, ref.components_), ref.components_, atol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(ours.singular_values_, ref.singular_values_, rtol=1e-10)
    flip = np.sign(np.sum(ours.components_ * ref.components_, axis=1))
    Z = ours.transform(X)
    np.testing.assert_allclose(Z * flip, ref.transform(X), atol=1e-9)
    np.testing.assert_allclose(ours.inverse_transform(Z), ref.inverse_transform(ref.transform(X)), atol=1e-9)


def test_digits_against_sklearn():
    sk_datasets = pytest.importorskip("sklearn.datasets")
    sk_decomposition = pytest.importorskip("sklearn.decomposition")
    X = sk_datasets.load_digits().data
    ours = PCA(20).fit(X)
    ref = sk_decomposition.PCA(20, svd_solver="full").fit(X)
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(np.abs(ours.components_ @ ref.components_.T), np.eye(20), atol=1e-8)


# -- closed-form properties -------------------------------------------------------------
def test_components_orthonormal_and_sign_convention():
    pca = PCA().fit(correlated_data(seed=2))
    np.testing.assert_allclose(pca.components_ @ pca.components_.T, np.eye(6), atol=1e-12)
    largest = pca.components_[np.arange(6), np.argmax(np.abs(pca.components_), axis=1)]
    assert np.all(largest > 0)
    assert np.all(np.diff(pca.explained_variance_) <= 0)


def test_variance_matches_covariance_eigenvalues():
    X = correlated_data(seed=3)
    pca = PCA().fit(X)
    eig = np.linalg.eigvalsh(np.cov(X.T))[::-1]
    np.testing.assert_allclose(pca.explained_variance_, eig, rtol=1e-10)
    assert pca.explained_variance_ratio_.sum() == pytest.approx(1.0)


def test_full_rank_reconstruction_is_exact_and_error_is_tail_variance():
    X = correlated_data(seed=4)
    full = PCA().fit(X)
    np.testing.assert_allclose(full.inverse_transform(full.transform(X)), X, atol=1e-10)
    k = 2
    pca = PCA(k).fit(X)
    # Eckart-Young: the mean squared error is the sum of the discarded variances
    tail = full.explained_variance_[k:].sum() * (X.shape[0] - 1) / X.shape[0]
    assert pca.reconstruction_error(X) == pytest.approx(tail, rel=1e-10)


def test_whitened_scores_have_identity_covariance():
    X = correlated_data(seed=5)
    Z = PCA(4, whiten=True).fit_transform(X)
    np.testing.assert_allclose(np.cov(Z.T), np.eye(4), atol=1e-10)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)


def test_fraction_of_variance_selects_fewest_components():
    X = correlated_data(seed=6)
    full = PCA().fit(X)
    cum = np.cumsum(full.explained_variance_ratio_)
    k = PCA(0.95).fit(X).n_components_
    assert cum[k - 1] > 0.95 and (k == 1 or cum[k - 2] <= 0.95)


def test_init_only_stores_and_fit_returns_self():
    model = PCA(3, whiten=True)
    assert vars(model) == {"n_components": 3, "whiten": True}
    assert model.fit(correlated_data()) is model


# -- neighbourhood preservation ---------------------------------------------------------------
def sklearn_preservation(A, B, k):
    sk_neighbors = pytest.importorskip("sklearn.neighbors")
    na = sk_neighbors.NearestNeighbors(n_neighbors=k + 1).fit(A).kneighbors(A)[1][:, 1:]
    nb = sk_neighbors.NearestNeighbors(n_neighbors=k + 1).fit(B).kneighbors(B)[1][:, 1:]
    return np.mean([len(set(a) & set(b)) for a, b in zip(na, nb)]) / k


@pytest.mark.parametrize("k", [1, 5, 12])
def test_knn_preservation_matches_sklearn_neighbours(k):
    X, coords = swiss_roll(300, rng=0)
    Z = PCA(2).fit_transform(X)
    assert knn_preservation(coords, Z, k) == pytest.approx(sklearn_preservation(coords, Z, k), abs=1e-12)


def test_knn_preservation_extremes():
    X, coords = swiss_roll(400, rng=1)
    assert knn_preservation(coords, coords, 10) == 1.0
    assert knn_preservation(coords, 3.0 * coords + 1.0, 10) == 1.0   # similarity keeps neighbours
    rng = np.random.default_rng(0)
    assert knn_preservation(coords, rng.normal(size=(400, 2)), 10) < 0.05
    # the roll in 3-D keeps local neighbourhoods; the 2-D PCA projection does not
    assert knn_preservation(coords, X, 10) > 0.95
    assert knn_preservation(coords, PCA(2).fit_transform(X), 10) < 0.7


# -- bad input ----------------------------------------------------------------------------
def test_transform_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        PCA().transform(np.zeros((2, 2)))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        PCA().inverse_transform(np.zeros((2, 2)))


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros(5), r"shape \(n_samples, n_features\).*reshape"),
        (np.zeros((0, 3)), "empty"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), "NaN"),
        (np.ones((1, 3)), "at least 2 samples"),
    ],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        PCA().fit(X)


@pytest.mark.parametrize(
    "n_components, error, match",
    [
        (0, ValueError, "n_components must be >= 1"),
        (7, ValueError, "n_components must be <= 6"),
        (1.5, ValueError, r"a float in \(0, 1\)"),
        ("all", ValueError, "n_components must be an int"),
        (True, TypeError, "n_components must be an int"),
    ],
)
def test_bad_n_components(n_components, error, match):
    with pytest.raises(error, match=match):
        PCA(n_components).fit(correlated_data())


def test_bad_whiten_and_shapes():
    X = correlated_data()
    with pytest.raises(TypeError, match="whiten must be True or False"):
        PCA(whiten="yes").fit(X)
    pca = PCA(2).fit(X)
    with pytest.raises(ValueError, match="X has 5 features, but PCA was fitted with 6"):
        pca.transform(X[:, :5])
    with pytest.raises(ValueError, match="Z has 3 columns, but this PCA keeps 2"):
        pca.inverse_transform(np.zeros((4, 3)))


def test_knn_preservation_bad_input():
    A = np.zeros((5, 2))
    with pytest.raises(ValueError, match="mismatched lengths 5 and 4"):
        knn_preservation(A, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="n_neighbors must be <= 4"):
        knn_preservation(A, A, 5)
