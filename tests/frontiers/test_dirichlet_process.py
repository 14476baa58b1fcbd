"""Tests for scratch.frontiers.dirichlet_process (page: book/frontiers/dirichlet_process.md)."""

import math

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.frontiers.dirichlet_process import (
    DPGaussianMixture,
    HDPTopicModel,
    bars_corpus,
    bars_topics,
    chinese_restaurant_process,
    expected_tables,
    stick_breaking,
)


def blobs(seed=0, n_per=60, centres=((0, 0), (6, 0), (0, 6)), sd=0.5):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, sd, size=(n_per, 2)) for c in centres])
    return X, np.repeat(np.arange(len(centres)), n_per)


# -- closed forms ----------------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.5, 2.0, 10.0])
def test_stick_breaking_first_weight_mean(alpha):
    w = np.array([stick_breaking(alpha, 5, rng=s) for s in range(4000)])
    assert np.all(w.sum(axis=1) < 1)
    # E[pi_1] = 1/(1+alpha), E[pi_2] = alpha/(1+alpha)^2 (independent Beta(1, alpha) sticks)
    se = w[:, 0].std() / math.sqrt(len(w))
    assert abs(w[:, 0].mean() - 1 / (1 + alpha)) < 4 * se
    assert abs(w[:, 1].mean() - alpha / (1 + alpha) ** 2) < 4 * w[:, 1].std() / math.sqrt(len(w))


@pytest.mark.parametrize("alpha", [0.3, 1.0, 5.0])
def test_crp_expected_tables_matches_closed_form(alpha):
    n = 50
    k = np.array([chinese_restaurant_process(n, alpha, rng=s).max() + 1 for s in range(800)])
    assert abs(k.mean() - expected_tables(n, alpha)) < 4 * k.std() / math.sqrt(len(k))


def test_expected_tables_small_cases_and_crp_numbering():
    assert expected_tables(1, 3.0) == 1.0
    assert expected_tables(2, 1.0) == pytest.approx(1.5)
    z = chinese_restaurant_process(30, 2.0, rng=0)
    assert z[0] == 0 and all(z[i] <= z[:i].max() + 1 for i in range(1, 30))


def test_bars_topics_are_distributions():
    T = bars_topics(4)
    assert T.shape == (8, 16)
    np.testing.assert_allclose(T.sum(axis=1), 1.0)
    docs, theta = bars_corpus(5, 7, size=4, rng=0)
    assert len(docs) == 5 and theta.shape == (5, 8) and all(d.max() < 16 for d in docs)


def test_predictive_density_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    m = DPGaussianMixture(sigma=0.7, prior_std=2.0)
    m.mu0_ = np.array([0.5, -0.2])
    x = np.array([1.0, 0.3])
    pts = np.array([[1.2, 0.1], [0.8, 0.5], [1.5, 0.0]])
    logp = m._log_pred(x, np.array([3.0]), pts.sum(0, keepdims=True), 2)
    # posterior of the mean: N(m_n, v_n I) with v_n = 1/(1/tau^2 + n/sigma^2)
    v = 1 / (1 / 4.0 + 3 / 0.49)
    mn = v * (m.mu0_ / 4.0 + pts.sum(0) / 0.49)
    assert logp[0] == pytest.approx(stats.multivariate_normal(mn, (0.49 + v) * np.eye(2)).logpdf(x), abs=1e-12)
    assert logp[1] == pytest.approx(stats.multivariate_normal(m.mu0_, (0.49 + 4.0) * np.eye(2)).logpdf(x), abs=1e-12)


# -- cross-checks -------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_dp_mixture_recovers_clusters_and_agrees_with_sklearn(seed):
    metrics = pytest.importorskip("sklearn.metrics")
    mixture = pytest.importorskip("sklearn.mixture")
    X, y = blobs(seed)
    ours = DPGaussianMixture(alpha=1.0, sigma=0.5, n_iter=20, rng=seed).fit(X)
    ref = mixture.BayesianGaussianMixture(n_components=10, weight_concentration_prior_type="dirichlet_process",
                                          weight_concentration_prior=1.0, covariance_type="spherical",
                                          max_iter=500, random_state=seed).fit(X)
    assert metrics.adjusted_rand_score(y, ours.labels_) > 0.95
    assert metrics.adjusted_rand_score(ours.labels_, ref.predict(X)) > 0.9
    assert np.sum(np.bincount(ours.labels_) >= 5) == 3          # transient singletons aside
    assert set(ours.predict(X)) <= set(range(ours.n_clusters_))


def test_hdp_recovers_bars_without_the_number_of_topics():
    docs, _ = bars_corpus(40, 50, size=4, doc_concentration=0.2, rng=1)
    m = HDPTopicModel(gamma=1.0, alpha=1.0, eta=0.1, n_iter=150, n_init_topics=3, rng=1).fit(docs, 16)
    T = bars_topics(4)
    cos = (m.topic_word_ / np.linalg.norm(m.topic_word_, axis=1, keepdims=True)) @ \
        (T / np.linalg.norm(T, axis=1, keepdims=True)).T
    assert cos.max(axis=0).min() > 0.85
    assert m.topic_sizes_.sum() == 40 * 50 and m.doc_topic_counts_.sum() == 40 * 50
    assert m.beta_.shape == (m.n_topics_ + 1,) and abs(m.beta_.sum() - 1) < 1e-12


# -- bad input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: stick_breaking(0.0, 3), "concentration parameter and must be finite and > 0"),
    (lambda: chinese_restaurant_process(5, -1.0), "concentration"),
    (lambda: expected_tables(5, float("inf")), "concentration"),
    (lambda: DPGaussianMixture(alpha=0).fit(np.ones((3, 2))), "alpha is a concentration"),
    (lambda: HDPTopicModel(gamma=-2).fit([np.array([0, 1])], 2), "gamma is a concentration"),
    (lambda: HDPTopicModel(eta=0).fit([np.array([0, 1])], 2), "eta is a concentration"),
    (lambda: bars_corpus(3, 3, doc_concentration=0.0), "doc_concentration"),
    (lambda: stick_breaking("1", 3), "real number"),
    (lambda: DPGaussianMixture(init="two").fit(np.ones((3, 2))), "init must be"),
    (lambda: HDPTopicModel().fit([np.array([0, 5])], 3), r"word ids must lie in \[0, 2\]"),
    (lambda: HDPTopicModel().fit([np.array([], dtype=int)], 3), "non-empty"),
    (lambda: DPGaussianMixture().predict(np.ones((2, 2))), "not fitted"),
    (lambda: DPGaussianMixture().fit(np.ones(4)), "shape"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError, NotFittedError), match=match):
        call()
