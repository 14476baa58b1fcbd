"""Tests for scratch.classical.knn (page: book/classical/knn.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.knn import KNeighborsClassifier


def make_problem(n=150, n_queries=300, n_classes=3, d=2, seed=0):
    """Continuous data: no two distances tie, so every neighbourhood is unambiguous."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n)
    X = rng.normal(size=(n_classes, d))[y] + rng.normal(size=(n, d))
    Q = 1.5 * rng.normal(size=(n_queries, d))
    return X, y, Q


# -- cross-checks against scikit-learn ---------------------------------------------------
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 10, 25, 150])
@pytest.mark.parametrize("seed", [0, 1])
def test_predictions_identical_to_sklearn(k, seed):
    sklearn_neighbors = pytest.importorskip("sklearn.neighbors")
    X, y, Q = make_problem(seed=seed)
    ours = KNeighborsClassifier(k).fit(X, y)
    ref = sklearn_neighbors.KNeighborsClassifier(k, algorithm="brute").fit(X, y)
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))
    np.testing.assert_array_equal(ours.predict_proba(Q), ref.predict_proba(Q))


@pytest.mark.parametrize("k", [1, 7])
def test_kneighbors_match_sklearn(k):
    sklearn_neighbors = pytest.importorskip("sklearn.neighbors")
    X, y, Q = make_problem(d=4, seed=2)
    d_ours, i_ours = KNeighborsClassifier(k).fit(X, y).kneighbors(Q)
    d_ref, i_ref = sklearn_neighbors.KNeighborsClassifier(k, algorithm="brute").fit(X, y).kneighbors(Q)
    np.testing.assert_array_equal(i_ours, i_ref)
    np.testing.assert_allclose(d_ours, d_ref, rtol=1e-10, atol=1e-12)


def test_vote_tie_goes_to_first_class_as_in_sklearn():
    sklearn_neighbors = pytest.importorskip("sklearn.neighbors")
    X = np.array([[-1.0], [1.0], [-3.0], [3.5]])
    y = np.array(["b", "a", "b", "a"])
    Q = np.array([[0.0], [0.2], [-0.2]])          # the two nearest points are one "a", one "b"
    ours = KNeighborsClassifier(2).fit(X, y)
    ref = sklearn_neighbors.KNeighborsClassifier(2, algorithm="brute").fit(X, y)
    np.testing.assert_array_equal(ours.predict(Q), ["a", "a", "a"])
    np.testing.assert_array_equal(ours.predict(Q), ref.predict(Q))


# -- tie rules and closed forms ----------------------------------------------------------
def test_distance_tie_prefers_lower_training_index():
    X = np.array([[1.0], [-1.0], [5.0]])
    q = np.array([[0.0]])                           # points 0 and 1 are equally far
    _, idx = KNeighborsClassifier(1).fit(X, [1, 0, 0]).kneighbors(q)
    assert idx[0, 0] == 0
    assert KNeighborsClassifier(1).fit(X, [1, 0, 0]).predict(q)[0] == 1
    assert KNeighborsClassifier(1).fit(X[[1, 0, 2]], [0, 1, 0]).predict(q)[0] == 0


def test_k_equal_n_predicts_majority_and_k1_reproduces_training_labels():
    X, y, Q = make_problem(seed=3)
    majority = np.bincount(y).argmax()
    np.testing.assert_array_equal(KNeighborsClassifier(len(y)).fit(X, y).predict(Q), majority)
    model = KNeighborsClassifier(1).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), y)
    assert model.score(X, y) == 1.0
    d, idx = model.kneighbors(X)
    np.testing.assert_array_equal(idx[:, 0], np.arange(len(y)))
    assert np.all(d == 0.0)


def test_probabilities_are_vote_fractions():
    X = np.array([[0.0], [1.0], [2.0], [10.0]])
    y = np.array([0, 1, 1, 2])
    P = KNeighborsClassifier(3).fit(X, y).predict_proba([[0.9]])
    np.testing.assert_allclose(P, [[1 / 3, 2 / 3, 0.0]])


def test_fit_returns_self_and_init_only_stores():
    model = KNeighborsClassifier(3)
    assert vars(model) == {"n_neighbors": 3}
    X, y, _ = make_problem()
    assert model.fit(X, y) is model


# -- bad input ---------------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        KNeighborsClassifier().predict(np.zeros((2, 2)))


def test_k_larger_than_n_samples():
    with pytest.raises(ValueError, match=r"n_neighbors=6 is larger than the number of training samples \(5\)"):
        KNeighborsClassifier(6).fit(np.zeros((5, 2)), np.arange(5))
    model = KNeighborsClassifier(2).fit(np.zeros((5, 2)), np.arange(5))
    with pytest.raises(ValueError, match="n_neighbors must be <= 5"):
        model.kneighbors(np.zeros((1, 2)), n_neighbors=6)


@pytest.mark.parametrize("k, error, match", [(0, ValueError, "n_neighbors must be >= 1"),
                                             (2.5, TypeError, "n_neighbors must be an integer"),
                                             (True, TypeError, "n_neighbors must be an integer")])
def test_bad_k(k, error, match):
    with pytest.raises(error, match=match):
        KNeighborsClassifier(k).fit(np.zeros((5, 2)), np.arange(5))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(5), np.zeros(5), r"shape \(n_samples, n_features\)"),
        (np.zeros((5, 2)), np.zeros(4), "mismatched lengths"),
        (np.zeros((0, 2)), np.zeros(0), "empty"),
        (np.array([[1.0, np.inf]]), np.zeros(1), "NaN or infinite"),
    ],
)
def test_bad_training_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        KNeighborsClassifier(1).fit(X, y)


def test_bad_query_input():
    X, y, _ = make_problem()
    model = KNeighborsClassifier(3).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but KNeighborsClassifier was fitted with 2"):
        model.predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="NaN"):
        model.predict(np.array([[np.nan, 0.0]]))
