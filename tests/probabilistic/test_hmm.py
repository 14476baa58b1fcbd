"""Tests for scratch.probabilistic.hmm (page: book/probabilistic/hmm.md)."""

import itertools

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.probabilistic.hmm import (
    CategoricalHMM,
    GaussianHMM,
    backward,
    forward,
    posteriors,
    viterbi,
)

PI = np.array([0.6, 0.4])
A = np.array([[0.7, 0.3], [0.2, 0.8]])
E = np.array([[0.5, 0.4, 0.1], [0.1, 0.3, 0.6]])
X_SMALL = np.array([0, 2, 1, 2, 0])


def _enumerate(pi, A, E, x):
    """Brute force over all K^T paths: p(x), gamma, summed xi and the best path."""
    K, T = len(pi), len(x)
    px, gamma, xi, best = 0.0, np.zeros((T, K)), np.zeros((K, K)), (-1.0, None)
    for z in itertools.product(range(K), repeat=T):
        p = pi[z[0]] * E[z[0], x[0]]
        for t in range(1, T):
            p *= A[z[t - 1], z[t]] * E[z[t], x[t]]
        px += p
        gamma[np.arange(T), z] += p
        for t in range(T - 1):
            xi[z[t], z[t + 1]] += p
        if p > best[0]:
            best = (p, np.array(z))
    return px, gamma / px, xi / px, best


def _logs(pi=PI, A=A, E=E, x=X_SMALL):
    return np.log(pi), np.log(A), np.log(E[:, x].T)


# -- closed-form fixture: a 2-state HMM small enough to enumerate ---------------------
def test_forward_backward_match_enumeration():
    px, gamma_bf, xi_bf, (p_best, z_best) = _enumerate(PI, A, E, X_SMALL)
    log_alpha, ll = forward(*_logs())
    assert ll == pytest.approx(np.log(px), abs=1e-12)
    log_beta = backward(np.log(A), _logs()[2])
    # alpha_t beta_t sums to p(x) at every t
    np.testing.assert_allclose(np.exp(log_alpha + log_beta).sum(axis=1), px, rtol=1e-12)
    gamma, xi_sum, ll2 = posteriors(*_logs())
    np.testing.assert_allclose(gamma, gamma_bf, atol=1e-12)
    np.testing.assert_allclose(xi_sum, xi_bf, atol=1e-12)
    lp, path = viterbi(*_logs())
    np.testing.assert_array_equal(path, z_best)
    assert lp == pytest.approx(np.log(p_best), abs=1e-12)


def test_long_sequence_does_not_underflow():
    rng = np.random.default_rng(0)
    model = GaussianHMM(2, init_params="")
    model.startprob_, model.transmat_ = PI, A
    model.means_, model.covars_ = np.array([[0.0], [3.0]]), np.array([[1.0], [1.0]])
    X, _ = model.sample(5000, rng=rng)
    ll = model.score(X)                    # unscaled products would underflow to 0 here
    assert np.isfinite(ll) and -3 * 5000 < ll < -5000


def test_multiple_sequences_add_up():
    model = CategoricalHMM(2, init_params="")
    model.startprob_, model.transmat_, model.emissionprob_ = PI, A, E
    X = np.array([[0], [2], [1], [2], [0], [1], [1]])
    total = model.score(X, lengths=[5, 2])
    assert total == pytest.approx(model.score(X[:5]) + model.score(X[5:]), abs=1e-12)


# -- Baum-Welch --------------------------------------------------------------------------
def test_em_increases_log_likelihood_and_recovers_gaussian_chain():
    truth = GaussianHMM(2, init_params="")
    truth.startprob_ = np.array([0.5, 0.5])
    truth.transmat_ = np.array([[0.95, 0.05], [0.1, 0.9]])
    truth.means_, truth.covars_ = np.array([[-1.0], [2.0]]), np.array([[0.5], [1.5]])
    X, Z = truth.sample(2500, rng=1)
    model = GaussianHMM(2, n_iter=100, tol=1e-4, covars_prior=0.0, init_params="st", rng=0)
    model.means_, model.covars_ = np.quantile(X, [0.2, 0.8])[:, None], np.full((2, 1), X.var())
    model.fit(X)
    hist = np.array(model.loglik_history_)
    assert np.all(np.diff(hist) > -1e-8)
    order = np.argsort(model.means_[:, 0])
    np.testing.assert_allclose(model.means_[order, 0], [-1, 2], atol=0.1)
    np.testing.assert_allclose(model.covars_[order, 0], [0.5, 1.5], rtol=0.15)
    np.testing.assert_allclose(model.transmat_[np.ix_(order, order)], truth.transmat_, atol=0.03)


def test_categorical_em_step_matches_hand_computation():
    model = CategoricalHMM(2, n_iter=1, init_params="")
    model.startprob_, model.transmat_, model.emissionprob_ = PI, A, E
    x = X_SMALL
    model.fit(x[:, None])
    px, gamma, xi, _ = _enumerate(PI, A, E, x)
    np.testing.assert_allclose(model.startprob_, gamma[0], atol=1e-12)
    np.testing.assert_allclose(model.transmat_, xi / xi.sum(axis=1, keepdims=True), atol=1e-12)
    onehot = np.eye(3)[x]
    np.testing.assert_allclose(model.emissionprob_, gamma.T @ onehot / gamma.sum(0)[:, None], atol=1e-12)
    assert model.loglik_history_[0] == pytest.approx(np.log(px), abs=1e-12)


# -- sampling: seeded moment tests ---------------------------------------------------------
def test_sample_moments():
    model = CategoricalHMM(2, init_params="")
    model.startprob_, model.transmat_, model.emissionprob_ = PI, A, E
    n = 40_000
    X, Z = model.sample(n, rng=3)
    stationary = np.array([0.4, 0.6])                    # solves s A = s for this A
    # Z is correlated; the effective sample size is ~n (1 - lambda)/(1 + lambda), lambda = 0.5
    se = np.sqrt(0.24 / (n / 3))
    assert abs(np.mean(Z == 1) - 0.6) < 5 * se
    # empirical transitions: each row has >= 0.4 n / 1 entries; binomial se
    for i in range(2):
        nxt = Z[1:][Z[:-1] == i]
        assert abs(np.mean(nxt == 1) - A[i, 1]) < 5 * np.sqrt(A[i, 1] * (1 - A[i, 1]) / len(nxt))
    for k in range(2):
        freq = np.bincount(X[Z == k, 0], minlength=3) / np.sum(Z == k)
        assert np.all(np.abs(freq - E[k]) < 5 * np.sqrt(E[k] * (1 - E[k]) / np.sum(Z == k)))
    g = GaussianHMM(2, init_params="")
    g.startprob_, g.transmat_ = PI, A
    g.means_, g.covars_ = np.array([[0.0, 1.0], [3.0, -1.0]]), np.array([[1.0, 0.25], [4.0, 1.0]])
    Xg, Zg = g.sample(n, rng=4)
    for k in range(2):
        xs = Xg[Zg == k]
        assert np.all(np.abs(xs.mean(0) - g.means_[k]) < 5 * np.sqrt(g.covars_[k] / len(xs)))
        assert np.all(np.abs(xs.var(0) - g.covars_[k]) < 5 * g.covars_[k] * np.sqrt(2 / len(xs)))


# -- cross-checks against hmmlearn ---------------------------------------------------------
def _gaussian_pair(hmm, seed):
    rng = np.random.default_rng(seed)
    K, d = 3, 2
    pi = rng.dirichlet(np.ones(K))
    Atr = rng.dirichlet(np.ones(K) * 2, size=K) + np.eye(K) * 2
    Atr /= Atr.sum(1, keepdims=True)
    means = rng.normal(scale=2, size=(K, d))
    covs = rng.uniform(0.3, 2, size=(K, d))
    ours = GaussianHMM(K, n_iter=1, init_params="")
    ref = hmm.GaussianHMM(K, covariance_type="diag", n_iter=1, init_params="")
    for m in (ours, ref):
        m.startprob_, m.transmat_, m.means_ = pi, Atr, means
    ours.covars_, ref.covars_ = covs, covs
    X = rng.normal(size=(300, d)) + means[rng.integers(K, size=300)]
    return ours, ref, X


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gaussian_matches_hmmlearn(seed):
    hmm = pytest.importorskip("hmmlearn.hmm")
    ours, ref, X = _gaussian_pair(hmm, seed)
    assert ours.score(X) == pytest.approx(ref.score(X), abs=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    lp, path = ours.decode(X)
    lp_ref, path_ref = ref.decode(X, algorithm="viterbi")
    assert lp == pytest.approx(lp_ref, abs=1e-8)
    np.testing.assert_array_equal(path, path_ref)
    lengths = [100, 200]
    assert ours.score(X, lengths) == pytest.approx(ref.score(X, lengths), abs=1e-8)
    # one EM step gives the same parameters
    ours.fit(X)
    ref.fit(X)
    np.testing.assert_allclose(ours.startprob_, ref.startprob_, atol=1e-10)
    np.testing.assert_allclose(ours.transmat_, ref.transmat_, atol=1e-10)
    np.testing.assert_allclose(ours.means_, ref.means_, atol=1e-10)
    np.testing.assert_allclose(ours.covars_, np.array([np.diag(c) for c in ref.covars_]), atol=1e-10)


@pytest.mark.parametrize("seed", [0, 1])
def test_categorical_matches_hmmlearn(seed):
    hmm = pytest.importorskip("hmmlearn.hmm")
    rng = np.random.default_rng(seed)
    K, V = 2, 6
    pi, Atr, Em = rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K), size=K), rng.dirichlet(np.ones(V), size=K)
    X = rng.integers(V, size=(500, 1))
    ours = CategoricalHMM(K, n_iter=1, init_params="")
    ref = hmm.CategoricalHMM(K, n_iter=1, init_params="", n_features=V)
    for m in (ours, ref):
        m.startprob_, m.transmat_, m.emissionprob_ = pi, Atr, Em
    assert ours.score(X) == pytest.approx(ref.score(X), abs=1e-8)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)
    lp, path = ours.decode(X)
    lp_ref, path_ref = ref.decode(X)
    assert lp == pytest.approx(lp_ref, abs=1e-8)
    np.testing.assert_array_equal(path, path_ref)
    ours.fit(X)
    ref.fit(X)
    for a in ("startprob_", "transmat_", "emissionprob_"):
        np.testing.assert_allclose(getattr(ours, a), getattr(ref, a), atol=1e-10)


def test_map_decoding_is_argmax_of_gamma_and_fit_with_lengths_matches_hmmlearn():
    model = _cat_model()
    X = np.array([[0], [2], [1], [2], [0], [1], [1], [2]])
    lp, path = model.decode(X, algorithm="map")
    gamma = model.predict_proba(X)
    np.testing.assert_array_equal(path, gamma.argmax(1))
    assert lp == pytest.approx(np.sum(np.log(gamma.max(1))), abs=1e-12)
    hmm = pytest.importorskip("hmmlearn.hmm")
    ref = hmm.CategoricalHMM(2, n_iter=1, init_params="", n_features=3)
    ref.startprob_, ref.transmat_, ref.emissionprob_ = PI, A, E
    ours = _cat_model()
    ours.n_iter = 1
    ours.fit(X, lengths=[5, 3])
    ref.fit(X, lengths=[5, 3])
    for a in ("startprob_", "transmat_", "emissionprob_"):
        np.testing.assert_allclose(getattr(ours, a), getattr(ref, a), atol=1e-12)


# -- bad input --------------------------------------------------------------------------
def _cat_model(**attrs):
    m = CategoricalHMM(2, init_params="")
    m.startprob_, m.transmat_, m.emissionprob_ = PI, A, E
    for k, v in attrs.items():
        setattr(m, k, v)
    return m


@pytest.mark.parametrize("call, err, match", [
    (lambda: forward(np.log(PI), np.log([[0.5, 0.4], [0.2, 0.8]]), _logs()[2]), ValueError, "sum to 1"),
    (lambda: forward(np.log([0.5, 0.6]), np.log(A), _logs()[2]), ValueError, "sum to 1"),
    (lambda: forward(np.log(PI), np.log(A), np.zeros((4, 3))), ValueError, "n_components"),
    (lambda: forward(np.log(PI), np.log(np.full((3, 3), 1 / 3)), np.zeros((4, 2))), ValueError, "shape"),
    (lambda: viterbi(np.log(PI), np.log(A), np.array([[0.0, np.nan]])), ValueError, "NaN"),
    (lambda: backward(np.log(A), np.array([[0.0, np.nan]])), ValueError, "NaN"),
    (lambda: forward(np.log(PI), np.log(A), np.full((3, 2), -np.inf)), ValueError, "probability zero"),
    (lambda: _cat_model(transmat_=np.array([[0.9, 0.3], [0.2, 0.8]])).score([[0]]), ValueError,
     "sum to 1"),
    (lambda: _cat_model(startprob_=np.array([1.2, -0.2])).score([[0]]), ValueError, ">= 0"),
    (lambda: _cat_model().score([[0], [np.nan]]), ValueError, "NaN"),
    (lambda: _cat_model().score([[0], [7]]), ValueError, "n_features"),
    (lambda: _cat_model().score([[0.5]]), ValueError, "integer"),
    (lambda: _cat_model().score([0, 1]), ValueError, "shape"),
    (lambda: _cat_model().score([[0], [1]], lengths=[1, 2]), ValueError, "sum to the number"),
    (lambda: _cat_model(transmat_=np.eye(3)).score([[0]]), ValueError, "shape"),
    (lambda: CategoricalHMM(2).predict([[0], [1]]), NotFittedError, "not fitted"),
    (lambda: GaussianHMM(2).score([[0.0]]), NotFittedError, "not fitted"),
    (lambda: GaussianHMM(0).fit([[0.0], [1.0]]), ValueError, "n_components"),
    (lambda: GaussianHMM(2, covariance_type="full").fit([[0.0], [1.0]]), ValueError, "covariance_type"),
    (lambda: GaussianHMM(3).fit([[0.0], [1.0]]), ValueError, "at least"),
    (lambda: GaussianHMM(2).fit([[0.0], [np.inf]]), ValueError, "NaN or infinite"),
    (lambda: _cat_model().decode([[0]], algorithm="beam"), ValueError, "algorithm"),
    (lambda: _cat_model().sample(0), ValueError, "n_samples"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_gaussian_bad_parameters():
    g = GaussianHMM(2, init_params="")
    g.startprob_, g.transmat_ = PI, A
    g.means_, g.covars_ = np.zeros((2, 1)), np.array([[1.0], [-1.0]])
    with pytest.raises(ValueError, match="positive definite"):
        g.score([[0.0]])
    g.covars_ = np.ones((2, 1))
    with pytest.raises(ValueError, match="features"):
        g.score([[0.0, 1.0]])
    g.covars_ = np.ones((2, 2))
    with pytest.raises(ValueError, match="shape of means_"):
        g.score([[0.0]])
