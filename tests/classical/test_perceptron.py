"""Tests for scratch.classical.perceptron (page: book/classical/perceptron.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.perceptron import Perceptron, margin, mistake_bound
from scratch.data.toy2d import linearly_separable, xor


def sklearn_perceptron(epochs, fit_intercept=True):
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    return sklearn_linear.Perceptron(eta0=1.0, penalty=None, shuffle=False, tol=None,
                                     max_iter=epochs, fit_intercept=fit_intercept)


# -- hand-computed fixture -----------------------------------------------------------------
def test_updates_by_hand():
    X = np.array([[2.0, 1.0], [-1.0, -1.0]])
    y = np.array([1, 0])
    # sample 0 scores 0 (on the boundary): update w = +x0; sample 1 then scores -3: correct
    model = Perceptron(fit_intercept=False).fit(X, y)
    np.testing.assert_array_equal(model.coef_, [[2.0, 1.0]])
    np.testing.assert_array_equal(model.mistakes_per_epoch_, [1, 0])
    assert model.converged_ and model.n_epochs_ == 2
    with_b = Perceptron(learning_rate=0.5).fit(X, y)
    np.testing.assert_array_equal(with_b.coef_, [[1.0, 0.5]])
    np.testing.assert_array_equal(with_b.intercept_, [0.5])
    assert margin(X, y, [1.0, 0.0]) == pytest.approx(1.0)
    assert mistake_bound(X, 1.0) == pytest.approx(5.0)  # R^2 = |(2, 1)|^2


# -- cross-checks against scikit-learn: identical weights --------------------------------------
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_identical_to_sklearn_on_separable_data(fit_intercept, seed):
    X, y, _ = linearly_separable(150, 4, margin=0.05, rng=seed)
    ours = Perceptron(fit_intercept=fit_intercept, max_epochs=200).fit(X, y)
    ref = sklearn_perceptron(ours.n_epochs_, fit_intercept).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("epochs", [1, 5, 20])
def test_identical_to_sklearn_on_non_separable_and_multiclass_data(epochs):
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    X_bc, y_bc = sklearn_datasets.load_breast_cancer(return_X_y=True)
    X_bc = (X_bc - X_bc.mean(axis=0)) / X_bc.std(axis=0)
    X_ir, y_ir = sklearn_datasets.load_iris(return_X_y=True)
    for X, y in [(X_bc, y_bc), (X_ir, y_ir)]:
        ours = Perceptron(max_epochs=epochs).fit(X, y)
        ref = sklearn_perceptron(epochs).fit(X, y)
        assert ours.n_epochs_ == epochs and not ours.converged_
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-10)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-10)
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
        np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), atol=1e-10)


# -- the convergence theorem and its limits -------------------------------------------------------
@pytest.mark.parametrize("d, gap", [(2, 0.05), (5, 0.1), (20, 0.02), (50, 0.2)])
def test_mistakes_never_exceed_novikoff_bound(d, gap):
    X, y, u = linearly_separable(300, d, margin=gap, rng=d)
    gamma = margin(X, y, u)
    assert gamma >= gap
    for seed in range(3):
        model = Perceptron(fit_intercept=False, shuffle=True, rng=seed, max_epochs=1000).fit(X, y)
        assert model.converged_
        assert model.mistakes_per_epoch_.sum() <= mistake_bound(X, gamma)
        assert model.score(X, y) == 1.0 and margin(X, y, model.coef_[0]) > 0


def test_xor_never_converges():
    X, y = xor(100, noise=0.1, rng=0)
    model = Perceptron(max_epochs=50, shuffle=True, rng=0).fit(X, y)
    assert not model.converged_ and model.n_epochs_ == 50
    assert np.all(model.mistakes_per_epoch_ > 0)
    assert model.score(X, y) < 0.8


def test_learning_rate_only_rescales_weights():
    X, y, _ = linearly_separable(100, 3, margin=0.05, rng=4)
    a = Perceptron(learning_rate=1.0).fit(X, y)
    b = Perceptron(learning_rate=0.25).fit(X, y)
    np.testing.assert_allclose(b.coef_, 0.25 * a.coef_, rtol=1e-12)
    np.testing.assert_array_equal(a.mistakes_per_epoch_, b.mistakes_per_epoch_)


def test_shuffle_is_reproducible():
    X, y, _ = linearly_separable(100, 3, margin=0.02, rng=5)
    a = Perceptron(shuffle=True, rng=7).fit(X, y)
    b = Perceptron(shuffle=True, rng=7).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_labels_can_be_strings():
    X, y, _ = linearly_separable(60, 2, margin=0.1, rng=6)
    names = np.array(["no", "yes"])[y]
    model = Perceptron().fit(X, names)
    np.testing.assert_array_equal(model.predict(X), names)


def test_fit_returns_self_and_init_only_stores():
    model = Perceptron(max_epochs=3)
    assert vars(model) == {"learning_rate": 1.0, "max_epochs": 3, "fit_intercept": True,
                           "shuffle": False, "rng": None}
    X, y, _ = linearly_separable(20, 2, rng=0)
    assert model.fit(X, y) is model


# -- bad input --------------------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        Perceptron().predict(np.zeros((2, 2)))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(4), np.array([0, 1, 0, 1]), r"shape \(n_samples, n_features\)"),
        (np.zeros((4, 2)), np.array([0, 1, 0]), "mismatched lengths"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), np.array([0, 1]), "NaN"),
        (np.ones((3, 2)), np.array([2, 2, 2]), "single class"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        Perceptron().fit(X, y)


def test_bad_parameters():
    X, y, _ = linearly_separable(20, 2, rng=0)
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        Perceptron(learning_rate=0.0).fit(X, y)
    with pytest.raises(ValueError, match="max_epochs must be >= 1"):
        Perceptron(max_epochs=0).fit(X, y)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        Perceptron(shuffle=True, rng="seed").fit(X, y)
    model = Perceptron().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but Perceptron was fitted with 2"):
        model.predict(np.zeros((1, 3)))


def test_margin_and_bound_bad_input():
    X = np.array([[1.0, 0.0], [-1.0, 0.0]])
    with pytest.raises(ValueError, match="zero vector"):
        margin(X, [0, 1], [0.0, 0.0])
    with pytest.raises(ValueError, match="w has 3 entries but X has 2 features"):
        margin(X, [0, 1], [1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="labels 0/1 or -1/"):
        margin(X, [0, 2], [1.0, 0.0])
    with pytest.raises(ValueError, match="gamma must be finite and > 0"):
        mistake_bound(X, 0.0)
