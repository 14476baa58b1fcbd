"""Tests for scratch.classical.adaboost (page: book/classical/adaboost.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.adaboost import AdaBoostClassifier, Stump, exponential_loss, fit_stump
from scratch.data.synthetic import flip_labels, nested_spheres


def float32_data(n, seed, d=10):
    """Nested spheres rounded to float32, the precision scikit-learn's trees work in."""
    X, y = nested_spheres(n, d, rng=seed)
    return X.astype(np.float32).astype(np.float64), y


def brute_force_stump(X, y, w):
    """Minimum weighted error over every feature, midpoint threshold and leaf labelling."""
    best = np.inf
    for j in range(X.shape[1]):
        values = np.unique(X[:, j])
        for t in (values[:-1] + values[1:]) / 2:
            left = X[:, j] <= t
            for a in (-1.0, 1.0):
                for b in (-1.0, 1.0):
                    pred = np.where(left, a, b)
                    best = min(best, w[pred != y].sum())
    return best


# -- the weak learner -----------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_error_stump_is_optimal(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    y = np.where(rng.uniform(size=40) < 0.5, 1.0, -1.0)
    w = rng.uniform(size=40)
    w /= w.sum()
    stump = fit_stump(X, y, w)
    assert w[stump.predict(X) != y].sum() == pytest.approx(brute_force_stump(X, y, w), abs=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gini_stump_matches_sklearn_tree(seed):
    sk_tree = pytest.importorskip("sklearn.tree")
    X, y = float32_data(300, seed, d=5)
    w = np.random.default_rng(seed).uniform(size=300)
    ours = fit_stump(X, y, w, criterion="gini")
    tree = sk_tree.DecisionTreeClassifier(max_depth=1, random_state=0).fit(X, y, sample_weight=w)
    assert ours.feature == tree.tree_.feature[0]
    assert ours.threshold == pytest.approx(tree.tree_.threshold[0], abs=1e-12)
    np.testing.assert_array_equal(ours.predict(X), tree.predict(X))


def test_stump_separates_a_separable_problem():
    X = np.array([[0.0, 5.0], [1.0, 3.0], [2.0, 9.0], [3.0, 1.0]])
    y = np.array([-1.0, -1.0, 1.0, 1.0])
    assert fit_stump(X, y) == Stump(0, 1.5, -1.0, 1.0)


def test_constant_features_give_a_majority_vote():
    stump = fit_stump(np.ones((4, 2)), [1.0, 1.0, 1.0, -1.0])
    np.testing.assert_array_equal(stump.predict(np.zeros((3, 2))), [1.0, 1.0, 1.0])


# -- boosting -------------------------------------------------------------------------
@pytest.mark.parametrize("learning_rate", [1.0, 0.5])
def test_matches_sklearn_samme_stump_for_stump(learning_rate):
    sk_ensemble = pytest.importorskip("sklearn.ensemble")
    sk_tree = pytest.importorskip("sklearn.tree")
    X, y = float32_data(600, seed=0)
    Xt, yt = float32_data(2000, seed=1)
    M = 60
    ours = AdaBoostClassifier(M, learning_rate=learning_rate, criterion="gini").fit(X, y)
    ref = sk_ensemble.AdaBoostClassifier(
        sk_tree.DecisionTreeClassifier(max_depth=1), n_estimators=M,
        learning_rate=learning_rate, random_state=0).fit(X, y)
    assert [s.feature for s in ours.stumps_] == [int(e.tree_.feature[0]) for e in ref.estimators_]
    np.testing.assert_allclose([s.threshold for s in ours.stumps_],
                               [e.tree_.threshold[0] for e in ref.estimators_], atol=1e-12)
    # SAMME's weight for two classes is twice the exponential-loss weight
    np.testing.assert_allclose(ref.estimator_weights_, 2 * ours.alphas_, rtol=1e-10)
    np.testing.assert_allclose(ref.estimator_errors_, ours.errors_, rtol=1e-10)
    np.testing.assert_array_equal(ours.staged_predict(Xt), np.array(list(ref.staged_predict(Xt))))
    sk_err = 1 - np.array(list(ref.staged_score(Xt, yt)))
    np.testing.assert_allclose(ours.staged_error(Xt, yt), sk_err, rtol=0, atol=1e-12)


def test_error_criterion_is_close_to_sklearn():
    sk_ensemble = pytest.importorskip("sklearn.ensemble")
    sk_tree = pytest.importorskip("sklearn.tree")
    X, y = float32_data(1000, seed=2)
    Xt, yt = float32_data(3000, seed=3)
    ours = AdaBoostClassifier(100).fit(X, y).staged_error(Xt, yt)
    ref = sk_ensemble.AdaBoostClassifier(sk_tree.DecisionTreeClassifier(max_depth=1),
                                         n_estimators=100, random_state=0).fit(X, y)
    sk_err = 1 - np.array(list(ref.staged_score(Xt, yt)))
    # different split criteria, so different stumps, but the same learning curve
    assert abs(ours[-1] - sk_err[-1]) < 0.02
    assert np.mean(np.abs(ours[50:] - sk_err[50:])) < 0.015


def test_training_error_bound_and_weights():
    X, y = nested_spheres(500, rng=4)
    model = AdaBoostClassifier(50).fit(X, y)
    F = model.decision_function(X)
    # the exponential loss equals the product of the normalisers Z_m = 2 sqrt(err (1 - err))
    Z = 2 * np.sqrt(model.errors_ * (1 - model.errors_))
    assert exponential_loss(y, F) == pytest.approx(np.prod(Z), rel=1e-10)
    assert np.mean(np.sign(F) != y) <= np.prod(Z)
    # every weight vector is a distribution, and the last stump has error 1/2 on the next one
    np.testing.assert_allclose(model.sample_weights_.sum(axis=1), 1.0)
    w_next = model.sample_weights_[1]
    h0 = model.stumps_[0].predict(X)
    assert w_next[h0 != y].sum() == pytest.approx(0.5)


def test_weights_follow_the_update_rule():
    X, y = nested_spheres(200, rng=5)
    model = AdaBoostClassifier(5, learning_rate=0.7).fit(X, y)
    for m in range(4):
        h = model.stumps_[m].predict(X)
        w = model.sample_weights_[m] * np.exp(-model.alphas_[m] * y * h)
        np.testing.assert_allclose(model.sample_weights_[m + 1], w / w.sum(), rtol=1e-12)
        err = model.errors_[m]
        assert model.alphas_[m] == pytest.approx(0.35 * np.log((1 - err) / err))


def test_arbitrary_labels_and_ties():
    X, y = nested_spheres(300, rng=6)
    labels = np.where(y > 0, "outer", "inner")
    a = AdaBoostClassifier(20).fit(X, y)
    b = AdaBoostClassifier(20).fit(X, labels)
    np.testing.assert_array_equal(b.classes_, ["inner", "outer"])
    np.testing.assert_array_equal(b.predict(X), np.where(a.predict(X) > 0, "outer", "inner"))
    assert b.score(X, labels) == pytest.approx(a.score(X, y))


def test_perfect_stump_stops_boosting():
    X = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([-1.0, -1.0, 1.0, 1.0])
    model = AdaBoostClassifier(10).fit(X, y)
    assert len(model.stumps_) == 1 and model.errors_[0] == 0
    np.testing.assert_array_equal(model.predict(X), y)


def test_label_noise_concentrates_weight():
    X, y = nested_spheres(600, rng=7)
    y_noisy, flipped = flip_labels(y, 0.2, rng=8)
    model = AdaBoostClassifier(200).fit(X, y_noisy)
    final = model.sample_weights_[-1]
    assert final[flipped].sum() > 0.25   # 20 % of the points, more than 25 % of the weight
    heaviest = np.argsort(final)[-30:]
    assert flipped[heaviest].mean() > 0.5


def test_init_only_stores_and_fit_returns_self():
    model = AdaBoostClassifier(7, learning_rate=0.3, criterion="gini")
    assert vars(model) == {"n_estimators": 7, "learning_rate": 0.3, "criterion": "gini"}
    X, y = nested_spheres(50, rng=0)
    assert model.fit(X, y) is model


# -- bad input --------------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        AdaBoostClassifier().predict(np.zeros((2, 2)))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(4), np.array([1, -1, 1, -1]), r"shape \(n_samples, n_features\)"),
        (np.zeros((4, 2)), np.array([1, -1, 1]), "mismatched lengths"),
        (np.array([[np.nan, 1.0], [0.0, 1.0]]), np.array([1, -1]), "NaN"),
        (np.zeros((4, 2)), np.ones(4), "exactly two classes; got 1"),
        (np.zeros((6, 2)), np.array([0, 1, 2, 0, 1, 2]), "exactly two classes; got 3"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        AdaBoostClassifier().fit(X, y)


def test_bad_options():
    X, y = nested_spheres(30, rng=0)
    with pytest.raises(ValueError, match="Unknown criterion='entropy'"):
        AdaBoostClassifier(criterion="entropy").fit(X, y)
    with pytest.raises(ValueError, match="n_estimators must be >= 1"):
        AdaBoostClassifier(0).fit(X, y)
    with pytest.raises(TypeError, match="n_estimators must be an integer"):
        AdaBoostClassifier(2.5).fit(X, y)
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        AdaBoostClassifier(learning_rate=0.0).fit(X, y)


def test_chance_level_first_stump_is_refused():
    X = np.zeros((4, 1))  # nothing to split on, and the classes are balanced
    with pytest.raises(ValueError, match="no better than chance"):
        AdaBoostClassifier().fit(X, [1, -1, 1, -1])


def test_wrong_feature_count_and_stump_inputs():
    X, y = nested_spheres(40, rng=0)
    model = AdaBoostClassifier(3).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but AdaBoostClassifier was fitted with 10"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="mismatched lengths"):
        model.staged_error(X, y[:-1])
    with pytest.raises(ValueError, match="labels -1 and \\+1 only"):
        fit_stump(X, (y > 0).astype(float))
    with pytest.raises(ValueError, match="sample_weight has 3 entries"):
        fit_stump(X, y, np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        fit_stump(X, y, -np.ones(40))
    with pytest.raises(ValueError, match="mismatched shapes"):
        exponential_loss(y, y[:-1])
