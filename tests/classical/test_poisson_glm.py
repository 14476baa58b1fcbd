"""Tests for scratch.classical.poisson_glm (page: book/classical/poisson_glm.md)."""

import math
import warnings

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.classical.poisson_glm import (
    ConvergenceWarning,
    PoissonGLM,
    poisson_deviance,
    poisson_log_likelihood,
    spike_history_design,
)
from scratch.data.neurons import glm_neuron_filters, simulate_glm_neuron, von_mises_neuron


def poisson_problem(n=400, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    w = rng.normal(scale=0.4, size=d)
    y = rng.poisson(np.exp(X @ w + 0.5)).astype(float)
    return X, y, w


# -- cross-checks ---------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.0, 0.01, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_sklearn_poisson_regressor(alpha, seed):
    sk_linear = pytest.importorskip("sklearn.linear_model")
    X, y, _ = poisson_problem(seed=seed)
    ours = PoissonGLM(alpha=alpha, tol=1e-12).fit(X, y)
    ref = sk_linear.PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12,
                                     max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=0, atol=1e-9)
    assert abs(ours.intercept_ - ref.intercept_) < 1e-9
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-9)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), abs=1e-10)


def test_matches_sklearn_lbfgs_to_1e6():
    sk_linear = pytest.importorskip("sklearn.linear_model")
    X, y, _ = poisson_problem(seed=3)
    ours = PoissonGLM(alpha=0.1).fit(X, y)
    ref = sk_linear.PoissonRegressor(alpha=0.1, tol=1e-10, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)


def test_no_intercept_matches_sklearn():
    sk_linear = pytest.importorskip("sklearn.linear_model")
    X, y, _ = poisson_problem(seed=4)
    ours = PoissonGLM(fit_intercept=False, tol=1e-12).fit(X, y)
    ref = sk_linear.PoissonRegressor(alpha=0.0, fit_intercept=False, solver="newton-cholesky",
                                     tol=1e-12).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)
    assert ours.intercept_ == 0.0 and ours.intercept_se_ == 0.0


def test_log_likelihood_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(0)
    rate = rng.uniform(0.1, 5, size=50)
    y = rng.poisson(rate).astype(float)
    assert poisson_log_likelihood(y, rate) == pytest.approx(stats.poisson.logpmf(y, rate).sum(), rel=1e-12)
    # deviance = 2 (saturated log-likelihood - model log-likelihood)
    saturated = poisson_log_likelihood(y, y)
    assert poisson_deviance(y, rate) == pytest.approx(2 * (saturated - poisson_log_likelihood(y, rate)))


def test_zero_rates_and_counts():
    assert poisson_log_likelihood([0.0, 0.0], [0.0, 1.0]) == pytest.approx(-1.0)
    assert poisson_log_likelihood([1.0], [0.0]) == -np.inf
    assert poisson_deviance([0.0, 2.0], [1.0, 2.0]) == pytest.approx(2.0)
    assert poisson_deviance([1.0], [0.0]) == np.inf


# -- closed forms and the optimum --------------------------------------------------------
def test_two_groups_closed_form():
    """With a 0/1 indicator the MLE is the log of each group's mean count."""
    X = np.array([[0.0], [0.0], [0.0], [1.0], [1.0]])
    y = np.array([0.0, 1.0, 3.0, 2.0, 4.0])
    model = PoissonGLM(tol=1e-12).fit(X, y)
    assert model.intercept_ == pytest.approx(math.log(4 / 3), abs=1e-10)
    assert model.coef_[0] == pytest.approx(math.log(3.0 / (4 / 3)), abs=1e-10)
    # Fisher information is diagonal in (group 0, group 1) rates: var(log mean) = 1 / total count
    assert model.intercept_se_ == pytest.approx(math.sqrt(1 / 4), rel=1e-8)
    assert model.coef_se_[0] == pytest.approx(math.sqrt(1 / 4 + 1 / 6), rel=1e-8)


def test_gradient_is_zero_and_hessian_matches_finite_differences():
    X, y, _ = poisson_problem(seed=5)
    alpha = 0.05
    model = PoissonGLM(alpha=alpha, tol=1e-12).fit(X, y)
    theta = np.r_[model.coef_, model.intercept_]
    A = np.column_stack([X, np.ones(len(y))])

    def total_loss(th):   # penalised negative log-likelihood, summed over samples
        eta = A @ th
        return np.sum(np.exp(eta) - y * eta) + 0.5 * len(y) * alpha * np.sum(th[:-1] ** 2)

    eps = 1e-4
    p = theta.size
    H = np.zeros((p, p))
    for i in range(p):
        for j in range(p):
            e_i, e_j = np.eye(p)[i] * eps, np.eye(p)[j] * eps
            H[i, j] = (total_loss(theta + e_i + e_j) - total_loss(theta + e_i - e_j)
                       - total_loss(theta - e_i + e_j) + total_loss(theta - e_i - e_j)) / (4 * eps ** 2)
    np.testing.assert_allclose(np.linalg.inv(H), model.covariance_, rtol=1e-4)
    np.testing.assert_allclose(model.coef_se_, np.sqrt(np.diag(model.covariance_))[:-1])
    grad = (A.T @ (np.exp(A @ theta) - y)) / len(y) + alpha * np.r_[theta[:-1], 0.0]
    assert np.max(np.abs(grad)) < 1e-12


def test_newton_converges_quadratically_and_monotonically():
    X, y, _ = poisson_problem(n=2000, seed=6)
    model = PoissonGLM(tol=1e-12).fit(X, y)
    assert model.n_iter_ <= 8
    drops = -np.diff(model.loss_history_)
    assert np.all(drops >= 0)
    assert drops[-1] < 1e-6 * drops[-3]   # quadratic convergence: the decrease collapses


def test_recovers_tuning_curve_parameters():
    kappa, theta0, peak = 1.5, 2.0, 30.0
    theta, counts = von_mises_neuron(4000, preferred=theta0, peak_rate=peak, concentration=kappa, rng=0)
    X = np.column_stack([np.cos(theta), np.sin(theta)])
    model = PoissonGLM().fit(X, counts)
    truth = np.r_[kappa * np.cos(theta0), kappa * np.sin(theta0), math.log(peak) - kappa]
    est = np.r_[model.coef_, model.intercept_]
    se = np.r_[model.coef_se_, model.intercept_se_]
    assert np.all(np.abs(est - truth) < 4 * se)


def test_recovers_simulated_neuron_filters():
    k, h = glm_neuron_filters(8, 5)
    stim, spikes = simulate_glm_neuron(40_000, stim_filter=k, hist_filter=h, bias=-1.5, rng=1)
    model = PoissonGLM().fit(spike_history_design(stim, spikes, 8, 5), spikes)
    z = (model.coef_ - np.r_[k, h]) / model.coef_se_
    assert np.max(np.abs(z)) < 4
    assert abs(model.intercept_ + 1.5) < 4 * model.intercept_se_


def test_standard_errors_are_calibrated():
    """About 95 % of the +-1.96 SE intervals cover the truth over repeated experiments."""
    kappa, theta0 = 1.0, 0.5
    truth = kappa * np.cos(theta0)
    hits = []
    for seed in range(200):
        theta, counts = von_mises_neuron(300, preferred=theta0, concentration=kappa, peak_rate=10, rng=seed)
        m = PoissonGLM().fit(np.column_stack([np.cos(theta), np.sin(theta)]), counts)
        hits.append(abs(m.coef_[0] - truth) < 1.96 * m.coef_se_[0])
    assert 0.90 < np.mean(hits) < 0.99


def test_l2_penalty_shrinks_towards_zero():
    X, y, _ = poisson_problem(seed=7)
    norms = [np.linalg.norm(PoissonGLM(alpha=a).fit(X, y).coef_) for a in [0.0, 0.1, 1.0, 10.0]]
    assert all(a > b for a, b in zip(norms, norms[1:]))


def test_spike_history_design_against_a_loop():
    rng = np.random.default_rng(0)
    s, y = rng.normal(size=12), rng.poisson(1.0, size=12).astype(float)
    X = spike_history_design(s, y, 3, 2)
    for t in range(12):
        expected = [s[t - j] if t - j >= 0 else 0.0 for j in range(3)]
        expected += [y[t - j] if t - j >= 0 else 0.0 for j in (1, 2)]
        np.testing.assert_array_equal(X[t], expected)
    assert spike_history_design(s, y, 2, 0).shape == (12, 2)


def test_init_only_stores_and_fit_returns_self():
    model = PoissonGLM(alpha=0.5, max_iter=20)
    assert vars(model) == {"alpha": 0.5, "fit_intercept": True, "max_iter": 20, "tol": 1e-8}
    X, y, _ = poisson_problem()
    assert model.fit(X, y) is model


# -- bad input and failure modes -------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        PoissonGLM().predict(np.zeros((2, 2)))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.zeros(4), np.ones(4), r"shape \(n_samples, n_features\)"),
        (np.zeros((4, 2)), np.ones(3), "mismatched lengths"),
        (np.array([[np.inf, 1.0]]), np.ones(1), "NaN or infinite"),
        (np.zeros((3, 1)), np.array([1.0, -1.0, 2.0]), "non-negative counts"),
        (np.ones((3, 1)), np.zeros(3), "all zeros"),
    ],
)
def test_bad_input(X, y, match):
    with pytest.raises(ValueError, match=match):
        PoissonGLM().fit(X, y)


def test_bad_options_and_collinear_features():
    X, y, _ = poisson_problem()
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        PoissonGLM(alpha=-1).fit(X, y)
    with pytest.raises(ValueError, match="max_iter must be >= 1"):
        PoissonGLM(max_iter=0).fit(X, y)
    with pytest.raises(ValueError, match="not positive definite"):
        PoissonGLM().fit(np.column_stack([X, X[:, 0]]), y)
    PoissonGLM(alpha=1e-3).fit(np.column_stack([X, X[:, 0]]), y)  # the penalty resolves it


def test_nonexistent_mle_and_penalty():
    # feature 1 is non-zero only where y = 0: the likelihood keeps rising as its weight -> -inf
    X = np.array([[0.0], [0.0], [0.0], [1.0], [1.0]])
    y = np.array([1.0, 2.0, 1.0, 0.0, 0.0])
    with pytest.warns(ConvergenceWarning, match="maximum-likelihood estimate may not exist"):
        PoissonGLM(max_iter=3).fit(X, y)
    runaway = PoissonGLM().fit(X, y)            # "converges" only because exp(w) underflows tol
    assert runaway.coef_[0] < -10 and runaway.coef_se_[0] > 100
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        penalised = PoissonGLM(alpha=0.1).fit(X, y)
    assert -5 < penalised.coef_[0] < -0.5 and penalised.coef_se_[0] < 2


def test_unreachable_tolerance_warns_instead_of_looping():
    X, y, _ = poisson_problem(n=2000, seed=6)
    with pytest.warns(ConvergenceWarning, match="loosen tol"):
        model = PoissonGLM(tol=1e-300).fit(X, y)
    assert model.n_iter_ < 20


def test_negative_rates_are_refused():
    with pytest.raises(ValueError, match="rate must be >= 0.*clip them"):
        poisson_log_likelihood([1.0, 2.0], [0.5, -0.1])
    with pytest.raises(ValueError, match="mismatched lengths"):
        poisson_deviance([1.0, 2.0], [0.5])


def test_design_bad_input():
    with pytest.raises(ValueError, match="same bins"):
        spike_history_design(np.zeros(5), np.zeros(4), 2, 1)
    with pytest.raises(ValueError, match="n_stim_lags must be >= 1"):
        spike_history_design(np.zeros(5), np.zeros(5), 0, 1)
    with pytest.raises(ValueError, match="non-negative counts"):
        spike_history_design(np.zeros(2), np.array([0.0, -1.0]), 1, 1)
