"""Tests for scratch.probabilistic.bayesian_nn (page: book/probabilistic/bayesian_nn.md)."""

import math

import numpy as np
import pytest

from scratch.autograd.tensor import Tensor
from scratch.probabilistic.bayesian_nn import BayesianMLP, bayes_by_backprop, hmc, leapfrog, predictive_summary


def regression_data(seed=0, n=20):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x[:, None], np.sin(3 * x) + 0.1 * rng.normal(size=n)


def blob_data(seed=0, n=20):
    rng = np.random.default_rng(seed)
    X = np.r_[rng.normal([-2, 0], 1, (n, 2)), rng.normal([2, 0], 1, (n, 2))]
    return X, np.r_[np.zeros(n), np.ones(n)]


def torch_log_posterior(torch, model, theta, X, y):
    """The same log posterior written directly in torch."""
    t = torch.tensor(theta, requires_grad=True)
    h, start = torch.tensor(X), 0
    for k, (a, b) in enumerate(model.shapes):
        W = t[start:start + a * b].reshape(a, b)
        start += a * b
        h = h @ W + t[start:start + b]
        start += b
        if k < len(model.shapes) - 1:
            h = torch.tanh(h) if model.activation == "tanh" else torch.relu(h)
    out = h[:, 0]
    yt = torch.tensor(y)
    if model.likelihood == "gaussian":
        ll = torch.distributions.Normal(out, torch.tensor(model.noise_std, dtype=torch.float64)).log_prob(yt).sum()
    else:
        ll = -torch.nn.functional.binary_cross_entropy_with_logits(out, yt, reduction="sum")
    prior = torch.distributions.Normal(torch.tensor(0.0, dtype=torch.float64),
                                       torch.tensor(model.prior_std, dtype=torch.float64))
    lp = ll + prior.log_prob(t).sum()
    lp.backward()
    return lp.item(), t.grad.numpy()


# -- the network's log posterior against torch ---------------------------------------------
@pytest.mark.parametrize(
    "sizes, activation, likelihood, data",
    [
        ([1, 8, 1], "tanh", "gaussian", regression_data),
        ([1, 6, 5, 1], "relu", "gaussian", regression_data),
        ([2, 7, 1], "tanh", "bernoulli", blob_data),
        ([2, 4, 3, 1], "relu", "bernoulli", blob_data),
    ],
)
def test_log_posterior_and_gradient_match_torch(sizes, activation, likelihood, data):
    torch = pytest.importorskip("torch")
    X, y = data()
    model = BayesianMLP(sizes, activation=activation, likelihood=likelihood, noise_std=0.3, prior_std=1.5)
    theta = model.init_theta(rng=1, scale=0.8)
    theta[-1] = 0.3  # a nonzero output bias
    lp, grad = model.log_posterior_and_grad(theta, X, y)
    lp_t, grad_t = torch_log_posterior(torch, model, theta, X, y)
    assert lp == pytest.approx(lp_t, rel=1e-12, abs=1e-10)
    np.testing.assert_allclose(grad, grad_t, rtol=1e-10, atol=1e-10)


def test_batched_draws_equal_one_at_a_time():
    X, y = regression_data()
    model = BayesianMLP([1, 5, 1])
    thetas = np.stack([model.init_theta(rng=s) for s in range(3)])
    batched = model.log_posterior(Tensor(thetas), X, y).data
    single = [model.log_posterior(t, X, y).data[0] for t in thetas]
    np.testing.assert_allclose(batched, single, rtol=1e-13)
    assert model.predict(thetas, X).shape == (3, X.shape[0])


# -- HMC -----------------------------------------------------------------------------------------
def gaussian_target(mean, cov):
    P = np.linalg.inv(cov)
    return lambda x: (-0.5 * (x - mean) @ P @ (x - mean), -P @ (x - mean))


def test_leapfrog_is_reversible_and_nearly_conserves_energy():
    logp = gaussian_target(np.zeros(2), np.array([[1.0, 0.8], [0.8, 1.0]]))
    grad = lambda x: logp(x)[1]
    x0, p0 = np.array([0.5, -0.3]), np.array([1.0, 0.2])
    x1, p1 = leapfrog(x0, p0, grad, 0.05, 40)
    x2, p2 = leapfrog(x1, -p1, grad, 0.05, 40)
    np.testing.assert_allclose(x2, x0, atol=1e-12)
    np.testing.assert_allclose(-p2, p0, atol=1e-12)
    H = lambda x, p: -logp(x)[0] + 0.5 * p @ p
    assert abs(H(x1, p1) - H(x0, p0)) < 1e-2  # O(step^2) energy error


def test_hmc_recovers_correlated_gaussian_moments():
    mean = np.array([1.0, -2.0])
    cov = np.array([[1.0, 0.9], [0.9, 1.0]])
    n = 2000
    samples, acc = hmc(gaussian_target(mean, cov), np.zeros(2), n_samples=n, step_size=0.25, n_leapfrog=10,
                       n_burnin=200, rng=0, jitter=0.2)
    assert 0.6 < acc < 1.0
    # HMC draws are nearly independent here; allow for some autocorrelation (x2 effective)
    se = np.sqrt(2 * np.diag(cov) / n)
    np.testing.assert_array_less(np.abs(samples.mean(0) - mean), 5 * se)
    np.testing.assert_allclose(np.cov(samples.T), cov, atol=5 * math.sqrt(2 * 2 / n))


def test_metropolis_correction_keeps_a_coarse_integrator_exact():
    """With a large step the leapfrog error is big, yet the accept step keeps the variance right."""
    target = gaussian_target(np.zeros(1), np.eye(1))
    samples, acc = hmc(target, np.zeros(1), n_samples=4000, step_size=1.9, n_leapfrog=3, rng=1, jitter=0.05)
    assert acc < 0.7  # many rejections
    assert samples.var() == pytest.approx(1.0, abs=0.15)


def test_hmc_is_seeded():
    target = gaussian_target(np.zeros(2), np.eye(2))
    a, _ = hmc(target, np.zeros(2), n_samples=20, step_size=0.3, rng=3)
    b, _ = hmc(target, np.zeros(2), n_samples=20, step_size=0.3, rng=3)
    np.testing.assert_array_equal(a, b)


# -- Bayes by Backprop ------------------------------------------------------------------------------
def test_bayes_by_backprop_fits_and_is_uncertain_far_away():
    X, y = regression_data(n=30)
    model = BayesianMLP([1, 16, 1], activation="relu", noise_std=0.1)
    q, history = bayes_by_backprop(model, X, y, n_iter=800, lr=0.02, n_samples=4, init_scale=1e-3, rng=0)
    assert history[-50:].mean() < 0.3 * history[:50].mean()
    W = q.distribution().sample(1, (300,))
    mean, std = predictive_summary(model.predict(W, X))
    assert np.sqrt(np.mean((mean - np.sin(3 * X[:, 0])) ** 2)) < 0.15
    far = predictive_summary(model.predict(W, np.array([[4.0], [-4.0]])))[1]
    assert far.min() > 3 * std.mean()


def test_bayes_by_backprop_minibatches_run():
    X, y = blob_data()
    model = BayesianMLP([2, 4, 1], likelihood="bernoulli")
    q, history = bayes_by_backprop(model, X, y, n_iter=50, batch_size=10, rng=0)
    assert history.shape == (50,) and np.all(np.isfinite(history))
    assert q.mean.shape == (model.n_params,)


def test_predictive_summary():
    P = np.array([[0.0, 1.0], [2.0, 3.0]])
    mean, std = predictive_summary(P)
    np.testing.assert_allclose(mean, [1.0, 2.0])
    np.testing.assert_allclose(std, [1.0, 1.0])


# -- bad input -------------------------------------------------------------------------------------------
def _target(x):
    return -0.5 * x @ x, -x


@pytest.mark.parametrize(
    "call, err, match",
    [
        (lambda: hmc(_target, np.zeros(2), n_samples=10, step_size=0.0), ValueError, "step_size must be finite and > 0"),
        (lambda: hmc(_target, np.zeros(2), n_samples=10, step_size=-0.1), ValueError, "step_size must be"),
        (lambda: hmc(_target, np.zeros(2), n_samples=10, step_size="big"), TypeError, "step_size must be a real"),
        (lambda: leapfrog(np.zeros(2), np.zeros(2), lambda x: -x, 0.0, 5), ValueError, "A zero step never moves"),
        (lambda: hmc(_target, np.zeros(2), n_samples=0, step_size=0.1), ValueError, "n_samples must be >= 1"),
        (lambda: hmc(_target, [np.nan, 0.0], n_samples=5, step_size=0.1), ValueError, "NaN"),
        (lambda: hmc(lambda x: (-np.inf, x), np.zeros(2), n_samples=5, step_size=0.1), ValueError, "not finite at x0"),
        (lambda: hmc(_target, np.zeros(2), n_samples=5, step_size=0.1, jitter=1.0), ValueError, "jitter"),
        (lambda: hmc("f", np.zeros(2), n_samples=5, step_size=0.1), TypeError, "log_prob_and_grad must be"),
        (lambda: BayesianMLP([1]), ValueError, "at least an input and an output"),
        (lambda: BayesianMLP([1, 4, 2]), ValueError, "output layer must have size 1"),
        (lambda: BayesianMLP([1, 0, 1]), ValueError, "layer_sizes entries must be >= 1"),
        (lambda: BayesianMLP([1, 4, 1], activation="gelu"), ValueError, "Unknown activation"),
        (lambda: BayesianMLP([1, 4, 1], likelihood="poisson"), ValueError, "Unknown likelihood"),
        (lambda: BayesianMLP([1, 4, 1], prior_std=0.0), ValueError, "prior_std must be finite and > 0"),
        (lambda: BayesianMLP([1, 4, 1]).forward(np.zeros(5), np.zeros((3, 1))), ValueError,
         r"theta must have shape \(n_draws, 13\)"),
        (lambda: BayesianMLP([1, 4, 1]).forward(np.zeros(13), np.zeros((3, 2))), ValueError,
         "X has 2 features but the network expects 1"),
        (lambda: BayesianMLP([1, 4, 1]).log_likelihood(np.zeros(13), np.zeros((3, 1)), np.zeros(4)), ValueError,
         "mismatched lengths"),
        (lambda: BayesianMLP([1, 4, 1]).log_likelihood(np.zeros(13), np.zeros((3, 1)), [0.0, np.nan, 1.0]),
         ValueError, "NaN"),
        (lambda: BayesianMLP([2, 4, 1], likelihood="bernoulli").log_likelihood(np.zeros(17), np.zeros((2, 2)),
                                                                                [0.0, 2.0]),
         ValueError, "binary labels"),
        (lambda: bayes_by_backprop("net", np.zeros((3, 1)), np.zeros(3)), TypeError, "model must be a BayesianMLP"),
        (lambda: bayes_by_backprop(BayesianMLP([1, 2, 1]), np.zeros((3, 1)), np.zeros(3), batch_size=5),
         ValueError, "batch_size must be <= 3"),
        (lambda: bayes_by_backprop(BayesianMLP([1, 2, 1]), np.zeros((3, 1)), np.zeros(2)), ValueError,
         "mismatched lengths"),
        (lambda: predictive_summary(np.zeros(3)), ValueError, r"shape \(n_samples, n_features\)"),
    ],
)
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
