"""Tests for scratch.probabilistic.gaussian_process (page: book/probabilistic/gaussian_process.md)."""

import math
import warnings

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.probabilistic.gaussian_process import (
    RBF,
    ConstantKernel,
    ExpSineSquared,
    GaussianProcessRegressor,
    Matern,
    WhiteKernel,
    minimize_lbfgs,
    sample_prior,
)


def toy_data(n=30, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 5, (n, 1))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.normal(size=n)
    return X, y


def kernel_pairs():
    """(ours, scikit-learn's) kernels with the same hyperparameters."""
    K = pytest.importorskip("sklearn.gaussian_process.kernels")
    return [
        (2.0 * RBF(0.7) + WhiteKernel(0.05), K.ConstantKernel(2.0) * K.RBF(0.7) + K.WhiteKernel(0.05)),
        (Matern(0.5, nu=1.5) * ExpSineSquared(1.2, 3.0) + RBF(3.0),
         K.Matern(0.5, nu=1.5) * K.ExpSineSquared(1.2, 3.0) + K.RBF(3.0)),
        (Matern(0.5, nu=0.5) + Matern(2.0, nu=2.5), K.Matern(0.5, nu=0.5) + K.Matern(2.0, nu=2.5)),
        (ConstantKernel(1.5) * RBF(1.0, length_scale_bounds="fixed"),
         K.ConstantKernel(1.5) * K.RBF(1.0, length_scale_bounds="fixed")),
    ]


# -- cross-checks against scikit-learn ----------------------------------------------------
@pytest.mark.parametrize("case", range(4))
@pytest.mark.parametrize("normalize_y", [False, True])
def test_matches_sklearn_with_optimizer_off(case, normalize_y):
    gp_mod = pytest.importorskip("sklearn.gaussian_process")
    ours_k, ref_k = kernel_pairs()[case]
    X, y = toy_data()
    Xs = np.linspace(-1, 6, 20)[:, None]
    ours = GaussianProcessRegressor(ours_k, alpha=1e-2, optimizer=None, normalize_y=normalize_y).fit(X, y)
    ref = gp_mod.GaussianProcessRegressor(ref_k, alpha=1e-2, optimizer=None, normalize_y=normalize_y).fit(X, y)
    np.testing.assert_allclose(ours_k.theta, ref_k.theta, atol=1e-15)
    m1, s1 = ours.predict(Xs, return_std=True)
    m2, s2 = ref.predict(Xs, return_std=True)
    np.testing.assert_allclose(m1, m2, atol=1e-10)
    np.testing.assert_allclose(s1, s2, atol=1e-10)
    np.testing.assert_allclose(ours.predict(Xs, return_cov=True)[1], ref.predict(Xs, return_cov=True)[1], atol=1e-10)
    theta = ours.kernel_.theta + 0.1
    l1, g1 = ours.log_marginal_likelihood(theta, eval_gradient=True)
    l2, g2 = ref.log_marginal_likelihood(theta, eval_gradient=True)
    assert l1 == pytest.approx(l2, abs=1e-8)
    np.testing.assert_allclose(g1, g2, atol=1e-8)
    assert ours.log_marginal_likelihood() == pytest.approx(ref.log_marginal_likelihood_value_, abs=1e-8)


@pytest.mark.parametrize("case", range(3))
def test_optimiser_reaches_sklearn_optimum(case):
    gp_mod = pytest.importorskip("sklearn.gaussian_process")
    ours_k, ref_k = kernel_pairs()[case]
    X, y = toy_data(seed=1)
    ours = GaussianProcessRegressor(ours_k, alpha=1e-2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns about hyperparameters at their bounds
        ref = gp_mod.GaussianProcessRegressor(ref_k, alpha=1e-2).fit(X, y)
    # our projected L-BFGS must find an optimum at least as good (to 1e-5 nats)
    assert ours.log_marginal_likelihood_value_ >= ref.log_marginal_likelihood_value_ - 1e-5


def test_kernel_gradients_match_finite_differences():
    X, _ = toy_data(n=8)
    kernel = 1.3 * Matern(0.6, nu=2.5) * ExpSineSquared(0.9, 2.0) + RBF(1.5) + Matern(0.4, nu=0.5) \
        + WhiteKernel(0.1)
    theta = kernel.theta
    _, G = kernel(X, eval_gradient=True)
    eps = 1e-6
    for j in range(theta.size):
        tp, tm = theta.copy(), theta.copy()
        tp[j] += eps
        tm[j] -= eps
        num = (kernel.clone_with_theta(tp)(X) - kernel.clone_with_theta(tm)(X)) / (2 * eps)
        np.testing.assert_allclose(G[..., j], num, atol=1e-7)


def test_lml_gradient_matches_finite_differences():
    X, y = toy_data(n=15, seed=2)
    gp = GaussianProcessRegressor(1.0 * RBF(0.8) * ExpSineSquared(1.0, 2.5) + WhiteKernel(0.1),
                                  optimizer=None).fit(X, y)
    theta = gp.kernel_.theta
    _, g = gp.log_marginal_likelihood(theta, eval_gradient=True)
    eps = 1e-6
    num = [(gp.log_marginal_likelihood(theta + eps * e) - gp.log_marginal_likelihood(theta - eps * e)) / (2 * eps)
           for e in np.eye(theta.size)]
    np.testing.assert_allclose(g, num, atol=1e-6)


def test_diag_equals_diagonal_of_matrix():
    X, _ = toy_data(n=10)
    kernel = 2.0 * RBF(0.5) * ExpSineSquared(1.0, 1.0) + Matern(1.0, nu=0.5) + WhiteKernel(0.3)
    np.testing.assert_allclose(kernel.diag(X), np.diag(kernel(X)), atol=1e-14)


# -- closed-form fixtures --------------------------------------------------------------------
def test_one_training_point_closed_form():
    """With one point: mean = k(x*, x) y / (k(x, x) + s2), var = k(x*, x*) - k(x*, x)^2 / (k(x, x) + s2)."""
    s2, ell, c = 0.3, 0.8, 2.0
    gp = GaussianProcessRegressor(c * RBF(ell), alpha=s2, optimizer=None).fit([[1.0]], [1.5])
    xs = np.array([[-1.0], [1.0], [2.5]])
    k = c * np.exp(-0.5 * (xs[:, 0] - 1.0) ** 2 / ell**2)
    mean, std = gp.predict(xs, return_std=True)
    np.testing.assert_allclose(mean, k * 1.5 / (c + s2), rtol=1e-12)
    np.testing.assert_allclose(std**2, c - k**2 / (c + s2), rtol=1e-12)
    lml = -0.5 * 1.5**2 / (c + s2) - 0.5 * math.log(c + s2) - 0.5 * math.log(2 * math.pi)
    assert gp.log_marginal_likelihood_value_ == pytest.approx(lml, rel=1e-12)


def test_interpolates_noise_free_data():
    X, y = toy_data(n=12)
    gp = GaussianProcessRegressor(RBF(0.5), alpha=1e-10, optimizer=None).fit(X, y)
    mean, std = gp.predict(X, return_std=True)
    np.testing.assert_allclose(mean, y, atol=1e-5)
    assert np.max(std) < 1e-3


def test_matern_half_is_exponential():
    X = np.array([[0.0], [0.7], [2.0]])
    K = Matern(0.5, nu=0.5)(X)
    np.testing.assert_allclose(K, np.exp(-np.abs(X - X.T) / 0.5), rtol=1e-14)


def test_periodic_kernel_is_periodic():
    k = ExpSineSquared(0.7, 1.3)
    X = np.array([[0.2]])
    assert k(X, X + 1.3)[0, 0] == pytest.approx(1.0, abs=1e-12)
    assert k(X, X + 0.65)[0, 0] == pytest.approx(math.exp(-2 / 0.49), rel=1e-12)


# -- samplers -------------------------------------------------------------------------------
def test_prior_samples_have_kernel_covariance():
    X = np.linspace(0, 2, 5)[:, None]
    kernel = 1.5 * RBF(0.7)
    n = 20_000
    f = sample_prior(kernel, X, n_samples=n, rng=0)  # (5, n)
    assert f.shape == (5, n)
    emp = np.cov(f)
    # the standard error of a sample covariance is about sqrt((K_ii K_jj + K_ij^2) / n) <= 1.5 sqrt(2 / n)
    np.testing.assert_allclose(emp, kernel(X), atol=5 * 1.5 * math.sqrt(2 / n))
    assert np.max(np.abs(f.mean(1))) < 5 * math.sqrt(1.5 / n)


def test_posterior_samples_match_predict():
    X, y = toy_data(n=10)
    gp = GaussianProcessRegressor(RBF(0.7), alpha=0.05, optimizer=None).fit(X, y)
    Xs = np.array([[0.5], [2.5], [7.0]])
    n = 20_000
    f = gp.sample_y(Xs, n_samples=n, rng=1)
    mean, std = gp.predict(Xs, return_std=True)
    np.testing.assert_allclose(f.mean(1), mean, atol=5 * std.max() / math.sqrt(n))
    np.testing.assert_allclose(f.std(1), std, rtol=5 / math.sqrt(2 * n))
    np.testing.assert_array_equal(gp.sample_y(Xs, 3, rng=4), gp.sample_y(Xs, 3, rng=4))


# -- optimiser ----------------------------------------------------------------------------------
def test_lbfgs_on_rosenbrock_and_bounds():
    def rosen(x):
        f = 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2
        g = np.array([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)])
        return f, g

    x, f, _ = minimize_lbfgs(rosen, [-1.2, 1.0], max_iter=500, gtol=1e-9, ftol=0)
    np.testing.assert_allclose(x, [1, 1], atol=1e-6)
    x, _, _ = minimize_lbfgs(lambda x: ((x - 3) @ (x - 3), 2 * (x - 3)), [0.0, 0.0], bounds=[[-1, 1], [-1, 5]])
    np.testing.assert_allclose(x, [1, 3], atol=1e-8)


def test_fit_improves_lml_and_restarts_are_seeded():
    X, y = toy_data(seed=3)
    k = ConstantKernel() * RBF() + WhiteKernel()
    fixed = GaussianProcessRegressor(k, optimizer=None).fit(X, y)
    a = GaussianProcessRegressor(k, n_restarts_optimizer=2, rng=0).fit(X, y)
    b = GaussianProcessRegressor(k, n_restarts_optimizer=2, rng=0).fit(X, y)
    assert a.log_marginal_likelihood_value_ > fixed.log_marginal_likelihood_value_ + 1
    np.testing.assert_array_equal(a.kernel_.theta, b.kernel_.theta)
    np.testing.assert_array_equal(k.theta, np.zeros(3))  # the given kernel is not modified


# -- bad input -------------------------------------------------------------------------------------
def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        GaussianProcessRegressor().predict([[0.0]])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        GaussianProcessRegressor().sample_y([[0.0]])


@pytest.mark.parametrize(
    "X, y, match",
    [
        ([[0.0], [np.nan]], [1.0, 2.0], "NaN"),
        ([[0.0], [1.0]], [1.0, np.inf], "NaN or infinite"),
        ([[0.0], [1.0]], [1.0, 2.0, 3.0], "mismatched lengths"),
        ([0.0, 1.0], [1.0, 2.0], r"shape \(n_samples, n_features\)"),
        (np.zeros((0, 1)), [], "empty"),
        ([[0.0], [1.0]], [[1.0], [2.0]], r"shape \(n_samples,\)"),
    ],
)
def test_bad_training_data(X, y, match):
    with pytest.raises(ValueError, match=match):
        GaussianProcessRegressor(optimizer=None).fit(X, y)


def test_not_positive_definite_kernel_matrix():
    # duplicate inputs with no noise: K is singular
    with pytest.raises(ValueError, match="not positive definite.*Increase alpha"):
        GaussianProcessRegressor(RBF(1.0), alpha=0.0, optimizer=None).fit([[0.0], [0.0]], [1.0, 1.0])


def test_bad_predict_and_options():
    X, y = toy_data()
    gp = GaussianProcessRegressor(RBF(), optimizer=None).fit(X, y)
    with pytest.raises(ValueError, match="At most one of return_std and return_cov"):
        gp.predict(X, return_std=True, return_cov=True)
    with pytest.raises(ValueError, match="X has 2 features.*fitted with 1"):
        gp.predict(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="NaN"):
        gp.predict([[np.nan]])
    with pytest.raises(ValueError, match="Unknown optimizer"):
        GaussianProcessRegressor(optimizer="adam").fit(X, y)
    with pytest.raises(ValueError, match="one entry per training sample"):
        GaussianProcessRegressor(alpha=np.ones(3)).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be finite and >= 0"):
        GaussianProcessRegressor(alpha=-1.0).fit(X, y)
    with pytest.raises(TypeError, match="kernel must be a Kernel"):
        GaussianProcessRegressor(kernel="rbf").fit(X, y)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        gp.sample_y(X, n_samples=0)


@pytest.mark.parametrize(
    "make, err, match",
    [
        (lambda: RBF(-1.0), ValueError, "length_scale must be finite and > 0"),
        (lambda: RBF(1.0, length_scale_bounds=(2.0, 1.0)), ValueError, "0 < low <= high"),
        (lambda: RBF(1.0, length_scale_bounds="free"), ValueError, "'fixed'"),
        (lambda: Matern(1.0, nu=3.0), ValueError, "Unknown nu"),
        (lambda: ExpSineSquared(1.0, 0.0), ValueError, "periodicity must be finite and > 0"),
        (lambda: WhiteKernel(np.nan), ValueError, "noise_level must be finite"),
        (lambda: RBF() + "a", TypeError, "must be a real number"),
        (lambda: RBF()(np.zeros((2, 1)), np.zeros((2, 2))), ValueError, "mismatched numbers of features"),
        (lambda: RBF()(np.zeros((2, 1)), np.zeros((2, 1)), eval_gradient=True), ValueError, "only supported"),
        (lambda: setattr(RBF(), "theta", [0.0, 1.0]), ValueError, "theta must have 1 entries"),
        (lambda: sample_prior("rbf", np.zeros((2, 1))), TypeError, "kernel must be a Kernel"),
    ],
)
def test_bad_kernels(make, err, match):
    with pytest.raises(err, match=match):
        make()
