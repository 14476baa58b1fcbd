"""Tests for scratch.probabilistic.variational_inference (page: book/probabilistic/variational_inference.md)."""

import math

import numpy as np
import pytest

from scratch.autograd.tensor import Tensor
from scratch.probabilistic.variational_inference import (
    FullRankGaussian,
    MeanFieldGaussian,
    elbo,
    fit_vi,
    gaussian_log_density,
    linear_regression_log_joint,
    linear_regression_posterior,
    logistic_predictive,
    logistic_regression_log_joint,
    logsumexp,
    mixture_log_density,
    reparam_grad,
    score_function_grad,
)

C2 = np.array([[1.0, 0.9], [0.9, 1.0]])


def gaussian_kl(m0, S0, m1, S1):
    """KL(N(m0, S0) || N(m1, S1)) by the textbook formula (with inverses; tests only)."""
    d = m0.size
    S1i = np.linalg.inv(S1)
    return 0.5 * (np.trace(S1i @ S0) + (m1 - m0) @ S1i @ (m1 - m0) - d
                  + np.log(np.linalg.det(S1) / np.linalg.det(S0)))


def regression_problem(seed=0, n=40):
    rng = np.random.default_rng(seed)
    X = np.c_[np.ones(n), rng.normal(size=(n, 2))]
    y = X @ np.array([0.5, 1.0, -1.0]) + 0.5 * rng.normal(size=n)
    return X, y


def set_full_rank(q, loc, L):
    q.loc.data[:] = loc
    q.log_diag.data[:] = np.log(np.diag(L))
    q.off_diag.data[:] = np.tril(L, -1)


# -- the ELBO and its estimators -----------------------------------------------------------
def test_elbo_equals_minus_kl_for_a_normalised_gaussian_target():
    m = np.array([0.5, -1.0])
    q = FullRankGaussian(2)
    set_full_rank(q, [0.2, 0.1], np.array([[0.8, 0.0], [0.3, 0.6]]))
    n = 200_000
    est = elbo(gaussian_log_density(m, C2), q, n_samples=n, rng=0).item()
    exact = -gaussian_kl(q.mean, q.covariance, m, C2)
    # log p - log q has standard deviation of a few units here; 5 standard errors
    assert est == pytest.approx(exact, abs=5 * 3 / math.sqrt(n))


@pytest.mark.parametrize("family", [MeanFieldGaussian, FullRankGaussian])
def test_both_estimators_are_unbiased(family):
    """The mean gradient with respect to the location equals the exact -Sigma_p^{-1} (mu - m)."""
    m = np.array([0.5, -1.0])
    q = family(2, init_loc=[1.0, 0.0], init_scale=0.7)
    target = gaussian_log_density(m, C2)
    exact = -np.linalg.solve(C2, q.mean - m)
    reps = 200
    for fn, S in [(reparam_grad, 10), (score_function_grad, 50)]:
        g = np.array([fn(target, q, S, rng=r)[:2] for r in range(reps)])
        se = g.std(0) / math.sqrt(reps)
        assert np.all(np.abs(g.mean(0) - exact) < 5 * se + 1e-12), fn.__name__


def test_reparam_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    m = np.array([0.5, -1.0])
    q = FullRankGaussian(2)
    L = np.array([[0.8, 0.0], [0.3, 0.6]])
    set_full_rank(q, [0.2, 0.1], L)
    S = 7
    g = reparam_grad(gaussian_log_density(m, C2), q, S, rng=3)
    eps = np.random.default_rng(3).standard_normal((S, 2, 1))[..., 0]  # how MultivariateNormal draws
    loc = torch.tensor([0.2, 0.1], dtype=torch.float64, requires_grad=True)
    log_diag = torch.tensor(np.log(np.diag(L)), requires_grad=True)
    off = torch.tensor(np.tril(L, -1), requires_grad=True)
    Lt = torch.tril(off, -1) + torch.diag(log_diag.exp())
    z = loc + torch.tensor(eps) @ Lt.T
    p = torch.distributions.MultivariateNormal(torch.tensor(m), torch.tensor(C2))
    q_t = torch.distributions.MultivariateNormal(loc, scale_tril=Lt)
    (p.log_prob(z).mean() + q_t.entropy()).backward()
    expected = np.concatenate([loc.grad.numpy(), log_diag.grad.numpy(), np.tril(off.grad.numpy(), -1).ravel()])
    names = [n for n, _ in q.named_parameters()]
    ours = dict(zip(names, np.split(g, np.cumsum([p.size for p in q.parameters()])[:-1])))
    got = np.concatenate([ours["loc"], ours["log_diag"], np.tril(ours["off_diag"].reshape(2, 2), -1).ravel()])
    np.testing.assert_allclose(got, expected, atol=1e-10)
    assert np.all(np.triu(ours["off_diag"].reshape(2, 2)) == 0)  # unused entries get no gradient


def test_score_estimator_variance_is_larger_and_falls_as_one_over_s():
    m = np.array([0.5, -1.0])
    q = MeanFieldGaussian(2, init_scale=0.7)
    target = gaussian_log_density(m, C2)
    var = {}
    for S in [2, 32]:
        for name, fn in [("reparam", reparam_grad), ("score", score_function_grad)]:
            g = np.array([fn(target, q, S, rng=1000 * S + r) for r in range(200)])
            var[name, S] = g.var(0).mean()
    assert var["score", 2] > 5 * var["reparam", 2]
    for name in ["reparam", "score"]:
        assert 8 < var[name, 2] / var[name, 32] < 32  # 16 expected; variances from 200 draws


# -- fitting reaches known answers -------------------------------------------------------------
def test_full_rank_vi_reaches_the_blr_posterior():
    X, y = regression_problem()
    mean, cov = linear_regression_posterior(X, y, noise_var=0.25, prior_var=1.0)
    q = FullRankGaussian(3, init_scale=0.3)
    fit_vi(linear_regression_log_joint(X, y, noise_var=0.25, prior_var=1.0), q,
           n_iter=1200, n_samples=16, lr=0.05, lr_final=1e-4, rng=0)
    assert gaussian_kl(q.mean, q.covariance, mean, cov) < 2e-3
    np.testing.assert_allclose(q.mean, mean, atol=0.05 * np.sqrt(np.diag(cov)).min())
    np.testing.assert_allclose(q.covariance, cov, atol=0.05 * np.abs(cov).max())


def test_mean_field_variance_is_the_inverse_precision_diagonal():
    q = MeanFieldGaussian(2)
    fit_vi(gaussian_log_density(np.zeros(2), C2), q, n_iter=600, n_samples=8, lr=0.05, lr_final=1e-3, rng=0)
    expected = 1 / np.diag(np.linalg.inv(C2))  # 1 - rho^2 = 0.19
    np.testing.assert_allclose(np.diag(q.covariance), expected, rtol=0.1)


def test_score_estimator_also_fits():
    q = MeanFieldGaussian(2, init_scale=0.5)
    h = fit_vi(gaussian_log_density(np.array([1.0, -1.0]), np.eye(2)), q, n_iter=800, n_samples=16,
               lr=0.05, lr_final=1e-3, estimator="score", rng=0)
    np.testing.assert_allclose(q.mean, [1.0, -1.0], atol=0.15)
    assert h[-100:].mean() > h[:10].mean()


def test_blr_posterior_matches_textbook_formula():
    X, y = regression_problem(seed=1)
    mean, cov = linear_regression_posterior(X, y, noise_var=0.3, prior_var=2.0)
    A = X.T @ X / 0.3 + np.eye(3) / 2.0
    np.testing.assert_allclose(cov, np.linalg.inv(A), rtol=1e-10)
    np.testing.assert_allclose(mean, np.linalg.solve(A, X.T @ y / 0.3), rtol=1e-10)


def test_blr_log_joint_is_the_unnormalised_posterior():
    X, y = regression_problem(seed=2)
    mean, cov = linear_regression_posterior(X, y, noise_var=0.25, prior_var=1.0)
    lj = linear_regression_log_joint(X, y, noise_var=0.25, prior_var=1.0)
    w = np.random.default_rng(0).normal(size=(5, 3))
    diff = lj(Tensor(w)).data - gaussian_log_density(mean, cov)(Tensor(w)).data
    np.testing.assert_allclose(diff, diff[0], atol=1e-9)  # differ only by log p(y)


def test_logistic_log_joint_matches_scipy():
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = (rng.random(20) < 0.5).astype(float)
    w = rng.normal(scale=3, size=(4, 3))
    a = w @ X.T
    expected = (y * special.log_expit(a) + (1 - y) * special.log_expit(-a)).sum(1) \
        - 0.5 * (w**2).sum(1) / 2.0 - 1.5 * math.log(2 * math.pi * 2.0)
    np.testing.assert_allclose(logistic_regression_log_joint(X, y, prior_var=2.0)(Tensor(w)).data, expected,
                               rtol=1e-12)
    np.testing.assert_allclose(logistic_predictive(w, X), special.expit(a).mean(0), rtol=1e-12)


def test_logsumexp_and_mixture_normalise():
    special = pytest.importorskip("scipy.special")
    a = np.array([[1000.0, 1000.0, -5.0], [0.1, 0.2, 0.3]])
    np.testing.assert_allclose(logsumexp(Tensor(a)).data, special.logsumexp(a, axis=-1), rtol=1e-14)
    z = np.linspace(-15, 15, 30001)[:, None]
    dens = np.exp(mixture_log_density([-3.0, 2.0], [1.0, 0.5], [0.3, 0.7])(Tensor(z)).data)
    assert np.sum(dens) * (z[1, 0] - z[0, 0]) == pytest.approx(1.0, abs=1e-9)


# -- bad input ------------------------------------------------------------------------------------
def _target():
    return gaussian_log_density(np.zeros(2), np.eye(2))


@pytest.mark.parametrize(
    "call, err, match",
    [
        (lambda: elbo(_target(), MeanFieldGaussian(2), n_samples=0), ValueError, "n_samples must be >= 1"),
        (lambda: elbo(_target(), "q"), TypeError, "q must be a MeanFieldGaussian"),
        (lambda: elbo(lambda z: z, MeanFieldGaussian(2)), ValueError, "log_joint must map z"),
        (lambda: elbo(lambda z: z.sum(axis=-1) * np.nan, MeanFieldGaussian(2)), ValueError, "NaN or infinite"),
        (lambda: elbo(3.0, MeanFieldGaussian(2)), TypeError, "log_joint must be a function"),
        (lambda: fit_vi(_target(), MeanFieldGaussian(2), estimator="pathwise"), ValueError, "Unknown estimator"),
        (lambda: fit_vi(_target(), MeanFieldGaussian(2), lr=0.0), ValueError, "lr must be finite and > 0"),
        (lambda: MeanFieldGaussian(0), ValueError, "dim must be >= 1"),
        (lambda: FullRankGaussian(2, init_loc=[0.0]), ValueError, r"init_loc must have shape \(2,\)"),
        (lambda: FullRankGaussian(2, init_scale=-1.0), ValueError, "init_scale must be finite and > 0"),
        (lambda: gaussian_log_density(np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]])), ValueError,
         "positive definite"),
        (lambda: gaussian_log_density(np.zeros(2), np.eye(3)), ValueError, "must have shape"),
        (lambda: mixture_log_density([0.0, 1.0], [1.0, -1.0]), ValueError, "stds must be positive"),
        (lambda: mixture_log_density([0.0, 1.0], [1.0, 1.0], [0.5, 0.6]), ValueError, "sum to 1"),
        (lambda: linear_regression_log_joint(np.ones((3, 2)), np.ones(4), noise_var=1.0, prior_var=1.0),
         ValueError, "mismatched lengths"),
        (lambda: linear_regression_posterior(np.ones((3, 2)), [1.0, np.nan, 0.0], noise_var=1.0, prior_var=1.0),
         ValueError, "NaN"),
        (lambda: linear_regression_posterior(np.ones((3, 2)), np.ones(3), noise_var=0.0, prior_var=1.0),
         ValueError, "noise_var must be finite and > 0"),
        (lambda: logistic_regression_log_joint(np.ones((3, 2)), [0.0, 1.0, 2.0]), ValueError, "binary labels"),
        (lambda: logistic_regression_log_joint(np.ones((3, 2)), [0.0, 1.0, 1.0])(Tensor(np.ones((4, 3)))),
         ValueError, r"shape \(n_samples, 2\)"),
        (lambda: logistic_predictive(np.ones((4, 3)), np.ones((2, 2))), ValueError, "3 features but X has 2"),
    ],
)
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
