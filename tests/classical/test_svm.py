"""Tests for scratch.classical.svm (page: book/classical/svm.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.svm import SVC, hinge_loss, kernel_matrix
from scratch.data.toy2d import gaussian_blobs, two_moons


def blobs(seed=0, n=80):
    return gaussian_blobs(n, centers=[[-1.0, -1.0], [1.0, 1.0]], std=0.9, rng=seed)


# -- kernels ---------------------------------------------------------------------------------
def test_kernels_match_sklearn():
    pairwise = pytest.importorskip("sklearn.metrics.pairwise")
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    np.testing.assert_allclose(kernel_matrix(A, B, kernel="linear"), pairwise.linear_kernel(A, B), rtol=1e-14)
    np.testing.assert_allclose(kernel_matrix(A, B, kernel="poly", gamma=0.5, degree=3, coef0=1.0),
                               pairwise.polynomial_kernel(A, B, degree=3, gamma=0.5, coef0=1.0), rtol=1e-13)
    np.testing.assert_allclose(kernel_matrix(A, B, kernel="rbf", gamma=2.0),
                               pairwise.rbf_kernel(A, B, gamma=2.0), rtol=1e-12)
    assert np.all(np.diag(kernel_matrix(A, A, kernel="rbf", gamma=3.0)) == 1.0)


def test_hinge_loss():
    np.testing.assert_array_equal(hinge_loss([1, -1, 1, -1], [2.0, 0.5, 0.0, -3.0]), [0.0, 1.5, 1.0, 0.0])


# -- closed-form fixtures ---------------------------------------------------------------------
def test_two_points_hard_margin():
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    model = SVC(C=100.0, kernel="linear", tol=1e-10).fit(X, ["left", "right"])
    np.testing.assert_allclose(model.coef_, [1.0, 0.0], atol=1e-12)
    assert model.intercept_ == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(model.alpha_, [0.5, 0.5], atol=1e-12)
    np.testing.assert_array_equal(model.predict([[-0.1, 5.0], [0.1, -5.0]]), ["left", "right"])


def test_four_points_only_the_closest_are_support_vectors():
    X = np.array([[-3.0, 0.0], [-1.0, 1.0], [2.0, -1.0], [4.0, 0.0]])
    y = np.array([0, 0, 1, 1])
    model = SVC(C=1e3, kernel="linear", tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(model.support_, [1, 2])
    # the max-margin line bisects (-1, 1) and (2, -1): w = 2 (x2 - x1) / |x2 - x1|^2
    diff = X[2] - X[1]
    np.testing.assert_allclose(model.coef_, 2 * diff / (diff @ diff), atol=1e-10)
    np.testing.assert_allclose(model.decision_function(X[[1, 2]]), [-1.0, 1.0], atol=1e-10)


# -- optimality -------------------------------------------------------------------------------
@pytest.mark.parametrize("kernel, kw", [("linear", {}), ("rbf", {"gamma": 1.0}),
                                        ("poly", {"gamma": 0.5, "degree": 2, "coef0": 1.0})])
@pytest.mark.parametrize("C", [0.1, 10.0])
def test_kkt_conditions_hold(kernel, kw, C):
    X, y = two_moons(120, noise=0.25, rng=1)
    tol = 1e-6
    model = SVC(C=C, kernel=kernel, tol=tol, **kw).fit(X, y)
    assert model.converged_
    s = np.where(y == 1, 1.0, -1.0)
    a, yf = model.alpha_, s * model.decision_function(X)
    assert np.all((a >= 0) & (a <= C))
    assert abs(a @ s) < 1e-10 * C * len(a)
    assert np.all(yf[a == 0] >= 1 - tol)
    assert np.all(np.abs(yf[(a > 0) & (a < C)] - 1) <= tol)
    assert np.all(yf[a == C] <= 1 + tol)


def test_duality_gap_closes_for_linear_kernel():
    X, y = blobs(seed=2)
    s = np.where(y == 1, 1.0, -1.0)
    model = SVC(C=1.0, kernel="linear", tol=1e-9).fit(X, y)
    primal = 0.5 * model.coef_ @ model.coef_ + hinge_loss(s, model.decision_function(X)).sum()
    assert primal - model.dual_objective() == pytest.approx(0.0, abs=1e-6)
    assert primal >= model.dual_objective() - 1e-9


# -- cross-checks against scikit-learn (LIBSVM) ------------------------------------------------
@pytest.mark.parametrize(
    "kernel, kw",
    [("linear", {}), ("rbf", {"gamma": 0.5}), ("rbf", {"gamma": 5.0}),
     ("poly", {"gamma": 1.0, "degree": 3, "coef0": 1.0}), ("rbf", {"gamma": "scale"})],
)
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_matches_sklearn_svc(kernel, kw, C):
    sklearn_svm = pytest.importorskip("sklearn.svm")
    X, y = two_moons(100, noise=0.2, rng=3)
    Q = np.random.default_rng(4).uniform(-1.5, 2.5, size=(200, 2))
    ours = SVC(C=C, kernel=kernel, tol=1e-8, **kw).fit(X, y)
    ref = sklearn_svm.SVC(C=C, kernel=kernel, tol=1e-8, shrinking=False, **kw).fit(X, y)
    np.testing.assert_array_equal(ours.support_, np.sort(ref.support_))
    f_ours, f_ref = ours.decision_function(Q), ref.decision_function(Q)
    # LIBSVM caches kernel values in single precision: agreement is relative to the scale of f
    assert np.max(np.abs(f_ours - f_ref)) <= 1e-5 * max(1.0, np.max(np.abs(f_ref)))
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


def test_gamma_scale_and_auto_follow_sklearn():
    X, y = blobs(seed=5)
    X = 3.0 * X
    assert SVC().fit(X, y).gamma_ == pytest.approx(1.0 / (2 * X.var()))
    assert SVC(gamma="auto").fit(X, y).gamma_ == pytest.approx(0.5)


def test_max_iter_reports_non_convergence():
    X, y = two_moons(100, noise=0.3, rng=6)
    model = SVC(C=10.0, tol=1e-8, max_iter=5).fit(X, y)
    assert not model.converged_ and model.n_iter_ == 5
    assert SVC(C=10.0, tol=1e-8).fit(X, y).converged_


def test_fit_returns_self_and_init_only_stores():
    model = SVC(C=2.0, kernel="linear")
    assert vars(model) == {"C": 2.0, "kernel": "linear", "gamma": "scale", "degree": 3,
                           "coef0": 0.0, "tol": 1e-3, "max_iter": 100_000}
    X, y = blobs()
    assert model.fit(X, y) is model
    assert not hasattr(SVC(kernel="rbf").fit(X, y), "coef_")


# -- bad input --------------------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        SVC().predict(np.zeros((2, 2)))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        SVC().dual_objective()


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(4), np.array([0, 1, 0, 1]), r"shape \(n_samples, n_features\)"),
        (np.zeros((4, 2)), np.array([0, 1, 0]), "mismatched lengths"),
        (np.array([[np.inf, 1.0], [0.0, 1.0]]), np.array([0, 1]), "NaN or infinite"),
        (np.ones((3, 2)), np.array([1, 1, 1]), "binary classifier; y has 1 class"),
        (np.ones((3, 2)), np.array([0, 1, 2]), "binary classifier; y has 3 class"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        SVC().fit(X, y)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"C": 0.0}, ValueError, "C must be finite and > 0"),
        ({"kernel": "sigmoid"}, ValueError, "Unknown kernel='sigmoid'"),
        ({"gamma": "wide"}, ValueError, "Unknown gamma='wide'"),
        ({"gamma": -1.0}, ValueError, "gamma must be finite and > 0"),
        ({"degree": 0}, ValueError, "degree must be >= 1"),
        ({"tol": 0.0}, ValueError, "tol must be finite and > 0"),
        ({"max_iter": 0}, ValueError, "max_iter must be >= 1"),
        ({"coef0": "1"}, TypeError, "coef0 must be a real number"),
    ],
)
def test_bad_parameters(params, error, match):
    X, y = blobs()
    with pytest.raises(error, match=match):
        SVC(**params).fit(X, y)


def test_bad_prediction_and_helper_input():
    X, y = blobs()
    model = SVC().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but SVC was fitted with 2"):
        model.decision_function(np.zeros((1, 3)))
    with pytest.raises(ValueError, match=r"labels in \{-1, \+1\}"):
        hinge_loss([0, 1], [0.5, 0.5])
    with pytest.raises(ValueError, match="same number of features"):
        kernel_matrix(np.zeros((2, 2)), np.zeros((2, 3)))
