"""Tests for scratch.classical.learning_theory (page: book/classical/learning_theory.md)."""

import math

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.learning_theory import (
    ThresholdClassifier,
    clone,
    cross_val_score,
    hoeffding_bound,
    kfold_indices,
    threshold_errors,
)
from scratch.classical.linear_regression import LinearRegression, mean_squared_error
from scratch.data.synthetic import noisy_threshold
from scratch.classical.learning_theory import noisy_threshold_risk


# -- threshold classifiers ------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_threshold_errors_against_brute_force(seed):
    X, y = noisy_threshold(57, noise=0.2, rng=seed)
    x = X[:, 0]
    grid = np.r_[np.linspace(-0.1, 1.1, 40), x[:5]]    # include thresholds equal to data points
    err_plus, err_minus = threshold_errors(x, y, grid)
    brute = np.array([np.mean(np.where(x >= t, 1.0, -1.0) != y) for t in grid])
    np.testing.assert_allclose(err_plus, brute, atol=1e-15)
    np.testing.assert_allclose(err_minus, 1 - brute, atol=1e-15)


def test_erm_picks_the_empirical_minimiser():
    X, y = noisy_threshold(200, threshold=0.62, noise=0.1, rng=3)
    grid = np.linspace(0, 1, 51)
    model = ThresholdClassifier(grid).fit(X, y)
    all_errors = [np.mean(np.where(X[:, 0] >= t, s, -s) != y) for s in (1.0, -1.0) for t in grid]
    assert model.training_error_ == pytest.approx(min(all_errors))
    assert model.n_hypotheses_ == 102
    assert 1 - model.score(X, y) == pytest.approx(model.training_error_)
    assert model.sign_ == 1.0 and abs(model.threshold_ - 0.62) < 0.1


def test_sign_minus_one_is_learned_for_reversed_labels():
    X, y = noisy_threshold(300, noise=0.0, rng=4)
    model = ThresholdClassifier(np.linspace(0, 1, 11)).fit(X, -y)
    assert model.sign_ == -1.0 and model.training_error_ == 0.0
    np.testing.assert_array_equal(model.predict(X), -y)


def test_closed_form_risk_matches_monte_carlo():
    X, y = noisy_threshold(400_000, threshold=0.3, noise=0.15, rng=5)
    for theta, s in [(0.3, 1.0), (0.55, 1.0), (0.1, -1.0), (1.2, 1.0)]:
        empirical = np.mean(np.where(X[:, 0] >= theta, s, -s) != y)
        exact = noisy_threshold_risk(theta, s, threshold=0.3, noise=0.15)
        assert empirical == pytest.approx(exact, abs=3e-3)


def test_hoeffding_bound_formula_and_coverage():
    assert hoeffding_bound(100, 0.05) == pytest.approx(math.sqrt(math.log(40) / 200))
    assert hoeffding_bound(100, 0.05, 10) == pytest.approx(math.sqrt(math.log(400) / 200))
    np.testing.assert_allclose(hoeffding_bound([50, 200], 0.1), np.sqrt(np.log(20) / np.array([100, 400])))
    # a fixed classifier's empirical error stays within the bound in >= 95 % of samples
    rng = np.random.default_rng(6)
    n, eps = 100, hoeffding_bound(100, 0.05)
    risk = noisy_threshold_risk(0.5, 1.0)
    deviations = []
    for _ in range(2000):
        X, y = noisy_threshold(n, rng=rng)
        deviations.append(abs(np.mean(np.where(X[:, 0] >= 0.5, 1.0, -1.0) != y) - risk))
    assert np.mean(np.array(deviations) > eps) <= 0.05


def test_uniform_bound_holds_for_erm():
    rng = np.random.default_rng(7)
    grid = np.linspace(0, 1, 21)
    n, delta = 60, 0.1
    eps = hoeffding_bound(n, delta, 2 * grid.size)
    gaps = []
    for _ in range(500):
        X, y = noisy_threshold(n, rng=rng)
        m = ThresholdClassifier(grid).fit(X, y)
        gaps.append(noisy_threshold_risk(m.threshold_, m.sign_) - m.training_error_)
    assert np.quantile(gaps, 1 - delta) < eps


# -- k-fold cross-validation ---------------------------------------------------------------
@pytest.mark.parametrize("n, k", [(10, 2), (23, 5), (100, 10), (7, 7)])
def test_kfold_matches_sklearn(n, k):
    sk_model_selection = pytest.importorskip("sklearn.model_selection")
    ours = kfold_indices(n, k)
    ref = list(sk_model_selection.KFold(n_splits=k).split(np.zeros((n, 1))))
    for (tr, te), (rtr, rte) in zip(ours, ref):
        np.testing.assert_array_equal(tr, rtr)
        np.testing.assert_array_equal(te, rte)


def test_shuffled_folds_partition_the_samples():
    folds = kfold_indices(53, 4, shuffle=True, rng=0)
    tests = np.concatenate([te for _, te in folds])
    np.testing.assert_array_equal(np.sort(tests), np.arange(53))
    for tr, te in folds:
        assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == 53
    assert not np.array_equal(tests, np.arange(53))
    again = kfold_indices(53, 4, shuffle=True, rng=0)
    np.testing.assert_array_equal(np.concatenate([te for _, te in again]), tests)


@pytest.mark.parametrize("seed", [0, 1])
def test_cross_val_score_matches_sklearn(seed):
    sk_model_selection = pytest.importorskip("sklearn.model_selection")
    sk_linear = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(47, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=47)
    ours = cross_val_score(LinearRegression(), X, y, n_splits=5)
    ref = sk_model_selection.cross_val_score(sk_linear.LinearRegression(), X, y,
                                             cv=sk_model_selection.KFold(5))
    np.testing.assert_allclose(ours, ref, atol=1e-12)
    # our function also runs scikit-learn estimators, and custom scoring
    np.testing.assert_allclose(cross_val_score(sk_linear.LinearRegression(), X, y), ref, atol=1e-12)
    mse = cross_val_score(LinearRegression(), X, y, scoring=mean_squared_error)
    ref_mse = -sk_model_selection.cross_val_score(sk_linear.LinearRegression(), X, y,
                                                  cv=sk_model_selection.KFold(5),
                                                  scoring="neg_mean_squared_error")
    np.testing.assert_allclose(mse, ref_mse, atol=1e-12)


def test_clone_copies_arguments_not_fitted_state():
    model = LinearRegression(alpha=0.3, solver="cholesky").fit(np.eye(3), np.arange(3.0))
    copy = clone(model)
    assert vars(copy) == {"alpha": 0.3, "solver": "cholesky", "learning_rate": 0.1,
                          "n_iter": 1000, "fit_intercept": True}
    assert copy is not model and not hasattr(copy, "coef_")


def test_init_only_stores_and_fit_returns_self():
    grid = np.linspace(0, 1, 5)
    model = ThresholdClassifier(grid)
    assert list(vars(model)) == ["grid"]
    X, y = noisy_threshold(20, rng=0)
    assert model.fit(X, y) is model


# -- bad input --------------------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        ThresholdClassifier([0.5]).predict(np.zeros((2, 1)))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(4), np.ones(4), r"shape \(n_samples, n_features\)"),
        (np.zeros((4, 2)), np.ones(4), "single feature"),
        (np.zeros((4, 1)), np.ones(3), "mismatched lengths"),
        (np.zeros((2, 1)), np.array([0.0, 1.0]), "labels -1 and \\+1 only"),
        (np.array([[np.nan], [0.0]]), np.ones(2), "NaN"),
    ],
)
def test_threshold_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        ThresholdClassifier([0.5]).fit(X, y)


def test_bound_bad_input():
    with pytest.raises(ValueError, match="delta must lie in \\(0, 1\\)"):
        hoeffding_bound(10, 1.5)
    with pytest.raises(ValueError, match="delta must be finite and > 0"):
        hoeffding_bound(10, 0.0)
    with pytest.raises(ValueError, match="n_hypotheses must be >= 1"):
        hoeffding_bound(10, 0.1, 0)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        hoeffding_bound(0, 0.1)


def test_kfold_and_cv_bad_input():
    with pytest.raises(ValueError, match="Cannot make n_splits=5 folds from n_samples=3"):
        kfold_indices(3, 5)
    with pytest.raises(ValueError, match="n_splits must be >= 2"):
        kfold_indices(10, 1)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        kfold_indices(10, 2, shuffle="yes")
    X, y = np.zeros((10, 1)), np.zeros(10)
    with pytest.raises(TypeError, match="must have a 'fit' method"):
        cross_val_score(object(), X, y)
    with pytest.raises(TypeError, match="scoring must be a callable"):
        cross_val_score(LinearRegression(), X, y, scoring="mse")
    with pytest.raises(ValueError, match="mismatched lengths"):
        cross_val_score(LinearRegression(), X, y[:-1])


def test_clone_refuses_estimators_that_hide_arguments():
    class Hidden:
        def __init__(self, a=1):
            self._a = a

    with pytest.raises(TypeError, match=r"argument\(s\) \['a'\] are not stored"):
        clone(Hidden())


def test_noisy_threshold_risk_closed_form():
    assert noisy_threshold_risk(0.4, 1.0, threshold=0.4, noise=0.1) == pytest.approx(0.1)
    assert noisy_threshold_risk(0.4, -1.0, threshold=0.4, noise=0.1) == pytest.approx(0.9)
    np.testing.assert_allclose(noisy_threshold_risk([0.0, 2.0], 1.0, threshold=0.4, noise=0.0), [0.4, 0.6])
    with pytest.raises(ValueError, match="signs must be -1 or \\+1"):
        noisy_threshold_risk(0.5, 0.0)


# --- shattering and Rademacher complexity -------------------------------------------------

from math import comb  # noqa: E402

from scratch.classical.learning_theory import empirical_rademacher, labelings  # noqa: E402


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_labelings_count_closed_forms_and_sauer(n):
    x = np.random.default_rng(n).uniform(size=n)
    thr, itv = labelings(x, "threshold"), labelings(x, "interval")
    assert len(thr) == 2 * n and len(itv) == n * (n + 1) // 2 + 1
    assert len(thr) <= sum(comb(n, i) for i in range(3)) and len(itv) <= sum(comb(n, i) for i in range(3))
    assert len(thr) == 2 ** n if n <= 2 else len(thr) < 2 ** n  # VC dimension 2
    assert len(itv) == 2 ** n if n <= 2 else len(itv) < 2 ** n


def test_labelings_by_brute_force_over_parameters():
    x = np.array([0.7, 0.1, 0.4, 0.9])
    grid = np.linspace(-0.05, 1.05, 111)
    brute_thr = {tuple(np.where(x >= t, s, -s)) for t in grid for s in (1, -1)}
    brute_itv = {tuple(np.where((x >= a) & (x <= b), 1, -1)) for a in grid for b in grid}
    assert {tuple(r) for r in labelings(x, "threshold")} == brute_thr
    assert {tuple(r) for r in labelings(x, "interval")} == brute_itv
    assert (1, 1, -1, 1) not in brute_itv  # + - + in sorted order: intervals cannot


@pytest.mark.parametrize("kind", ["threshold", "interval"])
def test_rademacher_fast_sup_equals_max_over_labelings(kind):
    x = np.random.default_rng(0).uniform(size=9)
    L = labelings(x, kind)
    rng = np.random.default_rng(1)
    sigma = rng.choice(np.array([-1.0, 1.0]), size=(4000, 9))
    brute = (sigma @ L.T).max(axis=1).mean() / 9
    assert empirical_rademacher(x, kind, n_draws=4000, rng=1) == pytest.approx(brute, abs=1e-12)


def test_rademacher_closed_forms():
    # one point: sup_h sigma h(x) = 1 for any class holding both labels
    assert empirical_rademacher([0.5], "threshold", n_draws=50, rng=0) == 1.0
    assert empirical_rademacher([0.5], "interval", n_draws=50, rng=0) == 1.0
    # many points: a class of two constant-like labelings would give E|mean sigma|; thresholds are larger and O(1/sqrt n)
    x = np.random.default_rng(2).uniform(size=400)
    r = empirical_rademacher(x, "threshold", n_draws=2000, rng=3)
    assert np.sqrt(2 / (np.pi * 400)) < r < 4 / np.sqrt(400)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: labelings([0.1, 0.1]), ValueError, "distinct"),
    (lambda: labelings([0.1, 0.2], "union"), ValueError, "kind"),
    (lambda: labelings([]), ValueError, "at least one"),
    (lambda: empirical_rademacher([0.1, 0.2], n_draws=0), ValueError, "n_draws"),
    (lambda: empirical_rademacher([[0.1, 0.2]]), ValueError, "x"),
])
def test_shattering_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
