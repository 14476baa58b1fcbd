"""Tests for scratch.neural.lime (page: book/neural/lime.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.neural.lime import (LimeTabular, apply_patch_mask, cosine_distance_to_ones, explain_masks,
                                 kernel_weights, patch_segments, rank_correlation, top_k_overlap,
                                 weighted_ridge)


def data(seed=0, n=300, d=6):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) * np.arange(1, d + 1) + 3.0


def test_weighted_ridge_matches_sklearn():
    sklearn_linear = pytest.importorskip('sklearn.linear_model')
    rng = np.random.default_rng(1)
    Z, f, w = rng.normal(size=(50, 4)), rng.normal(size=50), rng.random(50)
    coef, b = weighted_ridge(Z, f, w, alpha=0.7)
    ref = sklearn_linear.Ridge(alpha=0.7).fit(Z, f, sample_weight=w)
    np.testing.assert_allclose(coef, ref.coef_, atol=1e-12)
    assert b == pytest.approx(ref.intercept_, abs=1e-12)


@pytest.mark.parametrize("around", [False, True])
def test_recovers_true_local_coefficients_of_a_linear_model(around):
    X = data()
    beta = np.array([2.0, -1.0, 0.0, 0.5, 0.0, -3.0])
    predict = lambda Z: Z @ beta + 1.0  # noqa: E731 -- a linear "model"
    lime = LimeTabular(n_samples=400, alpha=1e-10, selection="none", sample_around_instance=around, rng=0).fit(X)
    exp = lime.explain(X[0], predict)
    np.testing.assert_allclose(exp.coef / lime.scale_, beta, atol=1e-7)  # per-unit coefficients
    assert exp.score == pytest.approx(1.0)
    assert exp.local_pred == pytest.approx(predict(X[:1])[0], abs=1e-6)


def test_forward_selection_finds_the_relevant_features():
    X = data(2)
    beta = np.array([0.0, 3.0, 0.0, 0.0, -2.0, 0.0])
    lime = LimeTabular(n_samples=300, n_features=2, alpha=1e-6, rng=0).fit(X)
    exp = lime.explain(X[3], lambda Z: Z @ beta)
    assert set(exp.selected) == {1, 4}
    assert np.count_nonzero(exp.coef) == 2


@pytest.mark.parametrize("seed", [0, 3])
def test_agrees_with_the_lime_package_on_identical_perturbations(seed):
    """lime draws RandomState(seed).normal(0, 1, n*d) first: feed the same draws to ours."""
    lime_tabular = pytest.importorskip('lime.lime_tabular')
    X = data(seed, d=8)
    w = np.random.default_rng(seed).normal(size=8)
    mu, sd = X.mean(0), X.std(0)

    def predict(Z):
        p = 1 / (1 + np.exp(-((Z - mu) / sd) @ w))
        return np.c_[1 - p, p]

    ref = lime_tabular.LimeTabularExplainer(X, discretize_continuous=False, random_state=seed,
                                            feature_selection="none")
    exp = ref.explain_instance(X[7], predict, num_features=8, num_samples=400)
    theirs = np.zeros(8)
    for j, c in exp.local_exp[1]:
        theirs[j] = c
    noise = np.random.RandomState(seed).normal(0, 1, 400 * 8).reshape(400, 8)
    ours = LimeTabular(n_samples=400, selection="none").fit(X).explain(X[7], predict, noise=noise)
    np.testing.assert_allclose(ours.coef, theirs, atol=1e-10)
    assert ours.intercept == pytest.approx(exp.intercept[1], abs=1e-10)
    assert ours.score == pytest.approx(exp.score, abs=1e-10)
    np.testing.assert_array_equal(ours.ranking(), [j for j, _ in exp.local_exp[1]])


def test_kernel_matches_lime_formula():
    d = np.linspace(0, 3, 7)
    np.testing.assert_allclose(kernel_weights(d, 0.75), np.sqrt(np.exp(-d**2 / 0.75**2)), atol=1e-15)


def test_masks_recover_additive_model():
    """If the probability is a sum of per-component contributions, LIME returns them."""
    contrib = np.array([0.3, -0.1, 0.0, 0.25, 0.05])
    exp = explain_masks(lambda m: 0.1 + m @ contrib, 5, n_samples=300, alpha=1e-10, rng=0)
    np.testing.assert_allclose(exp.coef, contrib, atol=1e-8)


def test_patches_and_masks():
    seg = patch_segments(4, 4, 2)
    np.testing.assert_array_equal(seg, [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])
    img = np.ones((1, 4, 4))
    out = apply_patch_mask(img, seg, np.array([[1, 0, 1, 1.0]]))
    assert out.shape == (1, 1, 4, 4) and out[0, 0, :2, 2:].sum() == 0 and out.sum() == 12
    assert cosine_distance_to_ones(np.ones((1, 5)))[0] == pytest.approx(0)


def test_stability_metrics():
    a = np.array([3.0, -2.0, 1.0, 0.1])
    assert rank_correlation(a, a * 2) == pytest.approx(1.0)
    assert rank_correlation(a, a[::-1]) == pytest.approx(-1.0)
    assert top_k_overlap(a, np.array([0.0, 5.0, 0.0, 4.0]), 2) == 0.5


def test_bad_input():
    X = data()
    with pytest.raises(NotFittedError, match="not fitted"):
        LimeTabular().explain(X[0], lambda Z: Z[:, 0])
    lime = LimeTabular(n_samples=50).fit(X)
    with pytest.raises(ValueError, match="fitted with 6"):
        lime.explain(X[0, :3], lambda Z: Z[:, 0])
    with pytest.raises(ValueError, match="Unknown selection"):
        LimeTabular(selection="lasso").fit(X).explain(X[0], lambda Z: Z[:, 0])
    with pytest.raises(ValueError, match="kernel_width must be finite and > 0"):
        LimeTabular(kernel_width=-1.0).fit(X).explain(X[0], lambda Z: Z[:, 0])
    with pytest.raises(ValueError, match="n_features must be <= 6"):
        LimeTabular(n_features=9).fit(X).explain(X[0], lambda Z: Z[:, 0])
    with pytest.raises(ValueError, match="one probability per mask"):
        explain_masks(lambda m: np.ones((len(m), 2)), 4, n_samples=10)
    with pytest.raises(ValueError, match="does not match segments"):
        apply_patch_mask(np.ones((1, 8, 8)), patch_segments(4, 4, 2), np.ones((1, 4)))
