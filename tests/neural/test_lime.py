"""Tests for scratch.neural.lime (page: book/neural/lime.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.neural.lime import (LimeTabular, apply_patch_mask, cosine_distance_to_ones, curve_auc,
                                 deletion_insertion, explain_masks, kernel_weights, patch_segments,
                                 rank_correlation, remove_words, rgb_to_lab, sample_masks, slic, top_k_overlap,
                                 weighted_ridge, word_features)


def data(seed=0, n=300, d=6):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)) * np.arange(1, d + 1) + 3.0


def test_weighted_ridge_matches_sklearn():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
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
    lime_tabular = pytest.importorskip("lime.lime_tabular")
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


def test_sample_masks_schemes():
    m = sample_masks(4000, 10, "bernoulli", rng=0)
    assert np.all(m[0] == 1) and set(np.unique(m)) == {0.0, 1.0}
    assert m[1:].mean() == pytest.approx(0.5, abs=0.01)  # each component on with p = 1/2
    c = sample_masks(4000, 10, "count", rng=0)
    n_off = 10 - c[1:].sum(1)
    assert n_off.min() == 1 and n_off.max() == 10  # a uniform number switched off, 1..d
    assert np.bincount(n_off.astype(int), minlength=11)[1:].min() > 300
    assert c[1:].mean() == pytest.approx(0.45, abs=0.02)  # E[on] = (d - (d+1)/2) / d


def _two_region_image():
    img = np.zeros((40, 60, 3), dtype=np.uint8)
    img[:, :25] = (200, 30, 30)
    img[:, 25:] = (30, 60, 200)
    return img


def test_slic_segments_are_connected_and_respect_colour_edges():
    img = _two_region_image()
    seg = slic(img, n_segments=12)
    assert seg.min() == 0 and len(np.unique(seg)) == seg.max() + 1
    for k in range(seg.max() + 1):  # every superpixel lies in one colour region
        assert len(np.unique(img[seg == k][:, 2])) == 1
    # each label is one 4-connected piece
    from scratch.neural.lime import _connected_components
    assert _connected_components(seg).max() == seg.max()


def test_rgb_to_lab_matches_skimage():
    color = pytest.importorskip("skimage.color")
    img = np.random.default_rng(0).integers(0, 256, size=(7, 9, 3)).astype(np.uint8)
    np.testing.assert_allclose(rgb_to_lab(img), color.rgb2lab(img), atol=0.02)


def test_slic_agrees_with_skimage_on_a_photo():
    seg_mod = pytest.importorskip("skimage.segmentation")
    from sklearn.datasets import load_sample_image
    from sklearn.metrics import adjusted_rand_score
    img = load_sample_image("flower.jpg")[::8, ::8]
    ours = slic(img, n_segments=30, compactness=10)
    theirs = seg_mod.slic(img, n_segments=30, compactness=10, start_label=0)
    assert adjusted_rand_score(theirs.ravel(), ours.ravel()) > 0.3


def test_deletion_insertion_curves():
    contrib = np.array([0.5, 0.0, 0.3, 0.2])
    f = lambda m: m @ contrib  # noqa: E731
    dele, ins = deletion_insertion(f, np.array([0, 2, 3, 1]), 4)
    np.testing.assert_allclose(dele, [1.0, 0.5, 0.2, 0.0, 0.0])
    np.testing.assert_allclose(ins, [0.0, 0.5, 0.8, 1.0, 1.0])
    assert curve_auc(dele) == pytest.approx((0.75 + 0.35 + 0.1 + 0) / 4)
    worse, _ = deletion_insertion(f, np.array([1, 3, 2, 0]), 4)
    assert curve_auc(worse) > curve_auc(dele)


def test_word_features_and_removal():
    text = "The cat, the cat; a dog."
    words = word_features(text)
    assert words == ["The", "cat", "the", "a", "dog"]
    assert remove_words(text, words, np.array([1, 0, 1, 1, 0])) == "The , the ; a ."


@pytest.mark.parametrize("seed", [0, 5])
def test_explain_masks_matches_lime_image_on_its_perturbations(seed):
    lime_image = pytest.importorskip("lime.lime_image")
    img = np.random.default_rng(seed).random((12, 12, 3))
    segments = patch_segments(12, 12, 4)  # 9 components
    w = np.random.default_rng(seed + 1).normal(size=3)

    def classifier(images):  # (n, H, W, 3) -> (n, 2)
        p = 1 / (1 + np.exp(-(images.mean(axis=(1, 2)) @ w * 4 + images[:, :6, :6, 0].mean(axis=(1, 2)))))
        return np.c_[1 - p, p]

    n = 200
    ref = lime_image.LimeImageExplainer(random_state=seed, feature_selection="none").explain_instance(
        img, classifier, labels=(1,), top_labels=None, hide_color=0, num_samples=n, batch_size=n,
        segmentation_fn=lambda im: segments, random_seed=0)
    theirs = np.zeros(9)
    for j, c in ref.local_exp[1]:
        theirs[j] = c
    masks = np.random.RandomState(seed).randint(0, 2, n * 9).reshape(n, 9).astype(float)
    masks[0] = 1
    predict = lambda m: classifier(np.where(m[:, segments][..., None] > 0, img[None], 0.0))[:, 1]  # noqa: E731
    ours = explain_masks(predict, 9, masks=masks, selection="none")
    np.testing.assert_allclose(ours.coef, theirs, atol=1e-10)
    assert ours.intercept == pytest.approx(ref.intercept[1], abs=1e-10)
    assert ours.score == pytest.approx(ref.score, abs=1e-10)


@pytest.mark.parametrize("seed", [0, 2])
def test_explain_masks_matches_lime_text_on_its_perturbations(seed):
    lime_text = pytest.importorskip("lime.lime_text")
    text = "the loop body runs while the condition is true and the else clause runs after the loop"
    words = word_features(text)
    d = len(words)
    weights = {"loop": 1.5, "while": 1.0, "else": -0.7, "true": 0.4}

    def classifier(texts):
        z = np.array([sum(weights.get(t, 0.0) for t in set(s.split())) - 1.0 for s in texts])
        p = 1 / (1 + np.exp(-z))
        return np.c_[1 - p, p]

    n = 300
    ref = lime_text.LimeTextExplainer(random_state=seed, feature_selection="none").explain_instance(
        text, classifier, labels=(1,), num_features=d, num_samples=n)
    theirs = dict(ref.as_list(label=1))
    rs = np.random.RandomState(seed)
    masks = np.ones((n, d))
    for i, size in enumerate(rs.randint(1, d + 1, n - 1), start=1):
        masks[i, rs.choice(range(d), size, replace=False)] = 0
    predict = lambda m: classifier([remove_words(text, words, row) for row in m])[:, 1]  # noqa: E731
    ours = explain_masks(predict, d, masks=masks, selection="none")
    np.testing.assert_allclose(ours.coef, [theirs[w] for w in words], atol=1e-10)
    assert ours.score == pytest.approx(ref.score, abs=1e-10)


@pytest.mark.parametrize("call, match", [
    (lambda: sample_masks(10, 3, "gaussian"), "Unknown sampler"),
    (lambda: explain_masks(lambda m: m[:, 0], 3, masks=np.zeros((5, 3))), "row 0 all ones"),
    (lambda: explain_masks(lambda m: m[:, 0], 3, masks=np.ones((5, 2))), "shape"),
    (lambda: deletion_insertion(lambda m: m[:, 0], np.array([0, 0, 1]), 3), "permutation"),
    (lambda: curve_auc(np.array([1.0])), "at least 2"),
    (lambda: word_features("... !"), "no words"),
    (lambda: remove_words("a b", ["a", "b"], np.ones(3)), "one entry per word"),
    (lambda: rgb_to_lab(np.zeros((4, 4))), "RGB"),
    (lambda: slic(np.zeros((4, 4, 3)), n_segments=0), "n_segments"),
])
def test_bad_input_new_api(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
