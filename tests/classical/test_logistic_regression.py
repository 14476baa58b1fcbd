"""Tests for scratch.classical.logistic_regression (page: book/classical/logistic_regression.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.logistic_regression import (
    LogisticRegression,
    log_softmax,
    sigmoid,
    softmax,
)


def make_problem(n=120, d=4, n_classes=2, seed=0):
    """Overlapping Gaussian classes (not separable), so the unpenalised MLE exists."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, size=n)
    means = rng.normal(size=(n_classes, d))
    X = means[y] + 1.5 * rng.normal(size=(n, d))
    return X, y


# -- numerics -----------------------------------------------------------------------
def test_sigmoid_matches_scipy_and_never_overflows():
    special = pytest.importorskip("scipy.special")
    z = np.array([-1000.0, -30.0, -1.0, 0.0, 1.0, 30.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = sigmoid(z)
    np.testing.assert_allclose(p, special.expit(z), rtol=1e-14, atol=0)
    assert p[3] == 0.5 and p[0] == 0.0 and p[-1] == 1.0


def test_log_softmax_matches_scipy_and_is_stable():
    special = pytest.importorskip("scipy.special")
    Z = np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0], [-1e4, -1e4, -1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        L = log_softmax(Z)
    np.testing.assert_allclose(L, special.log_softmax(Z, axis=1), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(softmax(Z).sum(axis=1), 1.0, rtol=1e-15)


# -- closed forms and derivatives -------------------------------------------------------
def test_single_binary_feature_has_closed_form_mle():
    # With one 0/1 feature and no penalty, the MLE reproduces the two group log-odds.
    x = np.array([0] * 10 + [1] * 10, dtype=float)[:, None]
    y = np.array([1] * 3 + [0] * 7 + [1] * 8 + [0] * 2)
    model = LogisticRegression(tol=1e-12).fit(x, y)
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    assert model.intercept_[0] == pytest.approx(logit(0.3), abs=1e-10)
    assert model.coef_[0, 0] == pytest.approx(logit(0.8) - logit(0.3), abs=1e-10)
    assert model.converged_


@pytest.mark.parametrize("n_classes", [2, 3])
def test_gradient_and_hessian_match_finite_differences(n_classes):
    X, y = make_problem(n=40, d=3, n_classes=n_classes, seed=1)
    Xa = np.column_stack([X, np.ones(len(X))])
    Y = (y == 1).astype(float)[:, None] if n_classes == 2 else np.eye(n_classes)[y]
    penalty = np.array([0.7, 0.7, 0.7, 0.0])
    theta = np.random.default_rng(2).normal(size=(Y.shape[1], 4))
    _, grad, P = LogisticRegression._loss_grad(theta, Xa, Y, penalty)
    H = LogisticRegression._hessian(Xa, P, penalty)
    h = 1e-6
    num_grad = np.zeros(theta.size)
    num_hess = np.zeros((theta.size, theta.size))
    for k in range(theta.size):
        e = np.zeros(theta.size)
        e[k] = h
        e = e.reshape(theta.shape)
        lp, gp, _ = LogisticRegression._loss_grad(theta + e, Xa, Y, penalty)
        lm, gm, _ = LogisticRegression._loss_grad(theta - e, Xa, Y, penalty)
        num_grad[k] = (lp - lm) / (2 * h)
        num_hess[:, k] = (gp - gm).ravel() / (2 * h)
    np.testing.assert_allclose(grad.ravel(), num_grad, atol=1e-8)
    np.testing.assert_allclose(H, num_hess, atol=1e-7)


def test_first_newton_step_is_irls():
    X, y = make_problem(seed=3)
    Xa = np.column_stack([X, np.ones(len(X))])
    s = np.full(len(y), 0.25)                        # p = 1/2 at theta = 0
    z = (y - 0.5) / s                                # working response at theta = 0
    irls = np.linalg.lstsq(np.sqrt(s)[:, None] * Xa, np.sqrt(s) * z, rcond=None)[0]
    one = LogisticRegression(max_iter=1).fit(X, y)
    np.testing.assert_allclose(np.append(one.coef_[0], one.intercept_), irls, atol=1e-10)


# -- cross-checks against scikit-learn --------------------------------------------------
@pytest.mark.parametrize("alpha", [0.01, 1.0, 10.0])
@pytest.mark.parametrize("seed", [0, 1])
def test_binary_matches_sklearn(alpha, seed):
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y = make_problem(seed=seed)
    ours = LogisticRegression(alpha=alpha, tol=1e-11).fit(X, y)
    ref = sklearn_linear.LogisticRegression(C=1 / alpha, solver="newton-cholesky", tol=1e-11,
                                            max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-7)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)


def test_unpenalised_binary_matches_sklearn_with_infinite_C():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y = make_problem(seed=4)
    ours = LogisticRegression(alpha=0.0, tol=1e-11).fit(X, y)
    ref = sklearn_linear.LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-11,
                                            max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-7)


@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
@pytest.mark.parametrize("n_classes", [3, 5])
def test_softmax_matches_sklearn(alpha, n_classes):
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y = make_problem(n=200, d=3, n_classes=n_classes, seed=n_classes)
    ours = LogisticRegression(alpha=alpha, tol=1e-11).fit(X, y)
    ref = sklearn_linear.LogisticRegression(C=1 / alpha, solver="newton-cholesky", tol=1e-11,
                                            max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-7)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=0, atol=1e-7)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)
    assert abs(ours.intercept_.sum()) < 1e-12
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("n_classes", [2, 3])
def test_gradient_descent_reaches_newton_solution(n_classes):
    X, y = make_problem(n=80, d=2, n_classes=n_classes, seed=5)
    newton = LogisticRegression(alpha=1.0).fit(X, y)
    gd = LogisticRegression(alpha=1.0, solver="gd", learning_rate=0.5, max_iter=20000, tol=1e-10).fit(X, y)
    assert gd.converged_
    np.testing.assert_allclose(gd.coef_, newton.coef_, atol=1e-7)
    np.testing.assert_allclose(gd.intercept_, newton.intercept_, atol=1e-7)
    assert np.all(np.diff(gd.loss_history_) <= 1e-15)  # a small enough step never increases J


def test_newton_loss_decreases_and_history_lengths():
    X, y = make_problem(seed=6)
    model = LogisticRegression(alpha=0.5).fit(X, y)
    assert model.converged_
    assert len(model.loss_history_) == len(model.weight_norm_history_) == model.n_iter_ + 1
    assert np.all(np.diff(model.loss_history_) < 0)


# -- the limitation: separable data -------------------------------------------------------
def test_separable_data_weights_grow_without_penalty():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    norms = [LogisticRegression(tol=tol, max_iter=500).fit(X, y).weight_norm_history_[-1]
             for tol in [1e-3, 1e-6, 1e-9]]
    assert norms[0] < norms[1] < norms[2]
    gd = LogisticRegression(solver="gd", learning_rate=1.0, max_iter=5000, tol=0).fit(X, y)
    assert not gd.converged_ and gd.n_iter_ == 5000
    assert np.all(np.diff(gd.weight_norm_history_[1:]) > 0)
    ridge = LogisticRegression(alpha=1.0, solver="gd", learning_rate=1.0, max_iter=5000, tol=0).fit(X, y)
    assert ridge.weight_norm_history_[-1] == pytest.approx(ridge.weight_norm_history_[2500], rel=1e-8)


# -- interface ---------------------------------------------------------------------------
def test_labels_can_be_strings_and_probabilities_are_ordered():
    X, y = make_problem(n_classes=3, seed=7)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = LogisticRegression(alpha=1.0).fit(X, names)
    np.testing.assert_array_equal(model.classes_, ["setosa", "versicolor", "virginica"])
    P = model.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    np.testing.assert_array_equal(model.predict(X), model.classes_[P.argmax(axis=1)])
    assert model.score(X, names) == pytest.approx(np.mean(model.predict(X) == names))
    binary = LogisticRegression(alpha=1.0).fit(X[y < 2], names[y < 2])
    assert binary.coef_.shape == (1, 4) and binary.decision_function(X).shape == (len(X),)
    np.testing.assert_allclose(binary.predict_proba(X)[:, 1], sigmoid(binary.decision_function(X)))


def test_fit_returns_self_and_init_only_stores():
    model = LogisticRegression(alpha=2.0, solver="gd")
    assert vars(model) == {"alpha": 2.0, "solver": "gd", "learning_rate": 1.0, "max_iter": 100,
                           "tol": 1e-8, "fit_intercept": True}
    X, y = make_problem()
    assert model.fit(X, y) is model


def test_without_intercept():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    X, y = make_problem(seed=8)
    ours = LogisticRegression(alpha=1.0, fit_intercept=False, tol=1e-11).fit(X, y)
    ref = sklearn_linear.LogisticRegression(C=1.0, fit_intercept=False, solver="newton-cholesky",
                                            tol=1e-11).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    np.testing.assert_array_equal(ours.intercept_, [0.0])


# -- bad input -----------------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        LogisticRegression().predict(np.zeros((2, 2)))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(5), np.zeros(5), r"shape \(n_samples, n_features\)"),
        (np.zeros((5, 2)), np.array([0, 1, 0, 1]), "mismatched lengths"),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), np.array([0, 1]), "NaN"),
        (np.ones((4, 2)), np.array([1, 1, 1, 1]), "single class"),
        (np.ones((4, 2)), np.array([[0, 1], [0, 1], [1, 0], [1, 0]]), r"y must have shape"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, y)


def test_bad_parameters():
    X, y = make_problem()
    with pytest.raises(ValueError, match="Unknown solver='lbfgs'"):
        LogisticRegression(solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        LogisticRegression(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        LogisticRegression(max_iter=0).fit(X, y)
    with pytest.raises(TypeError, match="max_iter must be an integer"):
        LogisticRegression(max_iter=10.5).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        LogisticRegression(solver="gd", learning_rate=0.0).fit(X, y)
    with pytest.raises(ValueError, match="tol must be finite and >= 0"):
        LogisticRegression(tol=-1.0).fit(X, y)


def test_wrong_number_of_features_at_predict():
    X, y = make_problem()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression was fitted with 4"):
        model.predict_proba(X[:, :3])
