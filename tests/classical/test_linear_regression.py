"""Tests for scratch.classical.linear_regression (page: book/classical/linear_regression.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.linear_regression import (
    LinearRegression,
    mean_squared_error,
    polynomial_features,
)


def make_problem(n=60, d=4, noise=0.3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d)
    y = X @ w + 1.5 + noise * rng.normal(size=n)
    return X, y, w


# -- closed form and cross-checks -------------------------------------------------
def test_exact_recovery_without_noise():
    X, y, w = make_problem(noise=0.0)
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.coef_, w, atol=1e-12)
    assert model.intercept_ == pytest.approx(1.5, abs=1e-12)


@pytest.mark.parametrize("solver", ["qr", "cholesky"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ols_matches_sklearn(solver, seed):
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y, _ = make_problem(seed=seed)
    ours = LinearRegression(solver=solver).fit(X, y)
    ref = sklearn_linear.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-8)
    assert abs(ours.intercept_ - ref.intercept_) < 1e-8


@pytest.mark.parametrize("solver", ["qr", "cholesky"])
@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
def test_ridge_matches_sklearn(solver, alpha):
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y, _ = make_problem(seed=3)
    ours = LinearRegression(alpha=alpha, solver=solver).fit(X, y)
    ref = sklearn_linear.Ridge(alpha=alpha, solver="cholesky").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-8)
    assert abs(ours.intercept_ - ref.intercept_) < 1e-8


def test_gradient_descent_converges_to_closed_form():
    X, y, _ = make_problem(seed=4)
    exact = LinearRegression().fit(X, y)
    gd = LinearRegression(solver="gd", learning_rate=0.2, n_iter=2000).fit(X, y)
    np.testing.assert_allclose(gd.coef_, exact.coef_, atol=1e-8)
    # the loss decreases monotonically for a step size below 2 / L
    assert np.all(np.diff(gd.loss_history_) <= 1e-15)


def test_gd_divergence_is_reported():
    X, y, _ = make_problem(seed=5)
    with pytest.raises(ValueError, match="diverged"):
        LinearRegression(solver="gd", learning_rate=50.0, n_iter=500).fit(X * 10, y)


def test_score_and_predict():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y, _ = make_problem(seed=6, noise=0.0)
    model = LinearRegression().fit(X, y)
    assert model.score(X, y) == pytest.approx(1.0)
    ref = sklearn_linear.LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.predict(X), ref.predict(X), atol=1e-10)


def test_polynomial_features_and_mse():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(polynomial_features(x, 3), [[1, 1, 1], [2, 4, 8], [3, 9, 27]])
    assert mean_squared_error([0.0, 2.0], [1.0, 0.0]) == pytest.approx(2.5)


def test_fit_returns_self_and_init_only_stores():
    model = LinearRegression(alpha=2.0, solver="cholesky")
    assert vars(model) == {"alpha": 2.0, "solver": "cholesky", "learning_rate": 0.1,
                           "n_iter": 1000, "fit_intercept": True}
    X, y, _ = make_problem()
    assert model.fit(X, y) is model


# -- bad input --------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LinearRegression().predict(np.zeros((2, 2)))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(5), np.zeros(5), r"shape \(n_samples, n_features\).*reshape"),
        (np.zeros((5, 2)), np.zeros(4), "mismatched lengths"),
        (np.zeros((0, 2)), np.zeros(0), "empty"),
        (np.array([[1.0, np.nan]]), np.zeros(1), "NaN"),
        (np.array([[1.0, np.inf]]), np.zeros(1), "NaN or infinite"),
        (np.ones((5, 2)), np.zeros((5, 2)), r"y must have shape \(n_samples,\)"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        LinearRegression().fit(X, y)


def test_non_numeric_input():
    with pytest.raises(TypeError, match="must hold numbers"):
        LinearRegression().fit([["a", "b"]], [1.0])


def test_unknown_solver_and_bad_alpha():
    X, y, _ = make_problem()
    with pytest.raises(ValueError, match="Unknown solver='svd'"):
        LinearRegression(solver="svd").fit(X, y)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        LinearRegression(alpha=-1.0).fit(X, y)


def test_collinear_features_need_ridge():
    X, y, _ = make_problem()
    X = np.column_stack([X, X[:, 0]])
    with pytest.raises(ValueError, match="rank-deficient"):
        LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="not positive definite"):
        LinearRegression(solver="cholesky").fit(X, y)
    LinearRegression(alpha=1e-3).fit(X, y)  # ridge resolves it


def test_wrong_number_of_features_at_predict():
    X, y, _ = make_problem()
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LinearRegression was fitted with 4"):
        model.predict(X[:, :3])


def test_polynomial_features_bad_input():
    with pytest.raises(ValueError, match="degree must be >= 1"):
        polynomial_features([1.0], 0)
    with pytest.raises(ValueError, match="single feature"):
        polynomial_features(np.zeros((3, 2)), 2)


# -- bias-variance ----------------------------------------------------------------
def test_bias_variance_closed_form():
    from scratch.classical.linear_regression import bias_variance

    f = np.array([0.0, 1.0, 2.0])
    preds = np.array([[1.0, 1.0, 2.0], [-1.0, 3.0, 2.0]])   # mean = [0, 2, 2]
    bias2, var = bias_variance(preds, f)
    assert bias2 == pytest.approx((0 + 1 + 0) / 3)
    assert var == pytest.approx((1 + 1 + 0) / 3)


def test_bias_variance_adds_up_to_expected_error():
    """bias² + variance + noise ≈ the test MSE averaged over training sets."""
    from scratch.classical.linear_regression import bias_variance
    from scratch.data.synthetic import noisy_sine

    rng = np.random.default_rng(0)
    x_te = np.linspace(0, 1, 50)
    f_te = np.sin(2 * np.pi * x_te)
    preds = []
    for _ in range(400):
        x, y = noisy_sine(20, noise=0.3, rng=rng)
        m = LinearRegression().fit(polynomial_features(x, 3), y)
        preds.append(m.predict(polynomial_features(x_te, 3)))
    preds = np.array(preds)
    bias2, var = bias_variance(preds, f_te)
    y_noisy = f_te + 0.3 * rng.normal(size=preds.shape)
    expected = np.mean((preds - y_noisy) ** 2)
    assert bias2 + var + 0.09 == pytest.approx(expected, rel=0.05)


def test_bias_variance_bad_input():
    from scratch.classical.linear_regression import bias_variance

    with pytest.raises(ValueError, match="same test inputs"):
        bias_variance(np.zeros((3, 4)), np.zeros(5))
    with pytest.raises(ValueError, match="at least 2"):
        bias_variance(np.zeros((1, 4)), np.zeros(4))
