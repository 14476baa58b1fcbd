"""Tests for scratch.frontiers.natural_gradient (page: book/frontiers/natural_gradient.md)."""

import numpy as np
import pytest

from scratch.classical.logistic_regression import LogisticRegression
from scratch.frontiers.natural_gradient import (
    MLPParams,
    conjugate_gradient,
    empirical_fisher,
    exponential_family_fisher,
    fisher_vector_product,
    fit_gaussian,
    gaussian_fisher,
    gaussian_nll,
    kfac_direction,
    kfac_factors,
    logistic_fisher,
    logistic_loss_grad,
    mlp_fisher,
    mlp_init,
    mlp_loss_grad,
    natural_gradient_direction,
    natural_gradient_logistic,
    train_mlp,
)


def logistic_data(n=300, seed=0, scale=(1.0, 5.0)):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) * np.array(scale)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.array([1.0, -0.2]) + 0.3)))).astype(float)
    return X, y


# -- cross-checks ---------------------------------------------------------------------------------
@pytest.mark.parametrize("family, eta, log_partition", [
    ("bernoulli", [0.7], lambda t: torch_softplus(t[0])),
    ("poisson", [0.4], lambda t: t[0].exp()),
    ("gaussian", [1.5, -0.3], lambda t: -t[0] ** 2 / (4 * t[1]) - 0.5 * (-2 * t[1]).log()),
])
def test_expfam_fisher_is_hessian_of_log_partition(family, eta, log_partition):
    torch = pytest.importorskip("torch")
    H = torch.autograd.functional.hessian(log_partition, torch.tensor(eta, dtype=torch.float64))
    np.testing.assert_allclose(exponential_family_fisher(family, eta), H.numpy(), rtol=1e-12, atol=1e-14)


def torch_softplus(x):
    import torch
    return torch.nn.functional.softplus(x)


@pytest.mark.parametrize("param", ["sigma", "log_sigma"])
def test_gaussian_fisher_is_expected_score_outer_product(param):
    torch = pytest.importorskip("torch")
    theta = np.array([0.3, 1.7 if param == "sigma" else np.log(1.7)])
    z, w = np.polynomial.hermite_e.hermegauss(40)
    w = w / w.sum()
    F = np.zeros((2, 2))
    for zi, wi in zip(z, w):
        t = torch.tensor(theta, requires_grad=True)
        s = t[1] if param == "sigma" else t[1].exp()
        x = 0.3 + 1.7 * zi
        logp = -torch.log(s) - (x - t[0]) ** 2 / (2 * s ** 2)
        (g,) = torch.autograd.grad(logp, t)
        F += wi * np.outer(g.numpy(), g.numpy())
    np.testing.assert_allclose(gaussian_fisher(theta, param), F, atol=1e-12)


@pytest.mark.parametrize("param", ["sigma", "log_sigma"])
def test_gaussian_nll_gradient_matches_torch(param):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(2, 1.5, size=50)
    theta = np.array([0.5, 1.2 if param == "sigma" else 0.2])
    t = torch.tensor(theta, requires_grad=True)
    s = t[1] if param == "sigma" else t[1].exp()
    loss = torch.log(s) + torch.mean((torch.tensor(x) - t[0]) ** 2) / (2 * s ** 2)
    loss.backward()
    ours, g = gaussian_nll(theta, x, param)
    assert ours == pytest.approx(loss.item(), abs=1e-13)
    np.testing.assert_allclose(g, t.grad.numpy(), atol=1e-13)


def test_logistic_fisher_equals_hessian_of_the_loss():
    torch = pytest.importorskip("torch")
    X, y = logistic_data(seed=2)
    w = np.array([0.3, -0.1, 0.2])
    Xa = torch.tensor(np.column_stack([X, np.ones(len(X))]))

    def loss(t):
        z = Xa @ t
        return torch.mean(torch.nn.functional.softplus(z) - torch.tensor(y) * z)

    H = torch.autograd.functional.hessian(loss, torch.tensor(w))
    np.testing.assert_allclose(logistic_fisher(w, X), H.numpy(), atol=1e-13)
    t = torch.tensor(w, requires_grad=True)
    loss(t).backward()
    np.testing.assert_allclose(logistic_loss_grad(w, X, y)[1], t.grad.numpy(), atol=1e-14)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_natural_gradient_with_step_one_equals_irls_iterates(seed):
    X, y = logistic_data(seed=seed, scale=(1.0, 20.0))
    ours = natural_gradient_logistic(X, y, lr=1.0, n_steps=6)["path"]
    for k in range(1, 7):
        ref = LogisticRegression(max_iter=k, tol=0.0).fit(X, y)
        np.testing.assert_allclose(ours[k], np.r_[ref.coef_[0], ref.intercept_], rtol=0, atol=1e-10)


def test_fisher_vector_products_and_cg():
    X, y = logistic_data(seed=3)
    w = np.array([0.2, 0.1, -0.3])
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(fisher_vector_product(w, X, v), logistic_fisher(w, X) @ v, atol=1e-14)
    g = logistic_loss_grad(w, X, y)[1]
    x_cg, it = conjugate_gradient(lambda u: fisher_vector_product(w, X, u), g)
    np.testing.assert_allclose(x_cg, natural_gradient_direction(g, logistic_fisher(w, X)), rtol=1e-8)
    assert it <= 3 + 1
    path_cg = natural_gradient_logistic(X, y, n_steps=5, fisher="cg")["path"]
    np.testing.assert_allclose(path_cg, natural_gradient_logistic(X, y, n_steps=5)["path"], atol=1e-8)


def test_empirical_fisher_closed_form_and_difference():
    X, y = logistic_data(seed=4)
    w = np.zeros(3)
    # at w = 0, p = 1/2 and (p - y)^2 = 1/4 = p(1 - p): the two coincide
    np.testing.assert_allclose(empirical_fisher(w, X, y), logistic_fisher(w, X), atol=1e-15)
    w = np.array([3.0, 1.0, 0.0])
    assert np.abs(empirical_fisher(w, X, y) - logistic_fisher(w, X)).max() > 1e-2


def test_natural_gradient_paths_are_parameterisation_invariant_in_the_limit():
    x = np.random.default_rng(5).normal(2, 1.5, size=200)
    gaps_ng, gaps_gd = [], []
    for lr in (0.1, 0.05, 0.025):
        n = int(round(2 / lr))
        a = fit_gaussian(x, [0, 1.0], parameterization="sigma", lr=lr, n_steps=n)
        b = fit_gaussian(x, [0, 0.0], parameterization="log_sigma", lr=lr, n_steps=n)
        gaps_ng.append(np.abs(a - b).max())
        a = fit_gaussian(x, [0, 1.0], parameterization="sigma", method="gradient", lr=lr, n_steps=n)
        b = fit_gaussian(x, [0, 0.0], parameterization="log_sigma", method="gradient", lr=lr, n_steps=n)
        gaps_gd.append(np.abs(a - b).max())
    assert gaps_ng[0] > gaps_ng[1] > gaps_ng[2] and gaps_ng[2] < 0.02
    assert min(gaps_gd) > 0.1


def test_mlp_gradient_and_fisher_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 4, size=7)
    p = mlp_init(3, 5, 4, rng=0)
    p.W1[-1] = rng.normal(size=5)
    p.W2[-1] = rng.normal(size=4)
    shapes = p.shapes
    Xa = torch.tensor(np.column_stack([X, np.ones(7)]))

    def logits(v):
        W1 = v[:shapes[0][0] * shapes[0][1]].reshape(shapes[0])
        W2 = v[shapes[0][0] * shapes[0][1]:].reshape(shapes[1])
        h = torch.tanh(Xa @ W1)
        return torch.cat([h, torch.ones(7, 1, dtype=torch.float64)], 1) @ W2      # (7, 4)

    v = torch.tensor(p.flat(), requires_grad=True)
    loss = torch.nn.functional.cross_entropy(logits(v), torch.tensor(y))
    loss.backward()
    ours_loss, g = mlp_loss_grad(p, X, y)
    assert ours_loss == pytest.approx(loss.item(), abs=1e-13)
    np.testing.assert_allclose(g.flat(), v.grad.numpy(), atol=1e-13)
    J = torch.autograd.functional.jacobian(logits, torch.tensor(p.flat())).numpy()   # (7, 4, P)
    P = torch.softmax(logits(torch.tensor(p.flat())), 1).detach().numpy()
    F = sum(J[i].T @ (np.diag(P[i]) - np.outer(P[i], P[i])) @ J[i] for i in range(7)) / 7
    np.testing.assert_allclose(mlp_fisher(p, X), F, atol=1e-13)


def test_kfac_is_exact_for_one_sample_and_approximate_for_many():
    rng = np.random.default_rng(7)
    p = mlp_init(3, 4, 3, rng=1)
    n1 = 4 * 4
    for n, exact in [(1, True), (30, False)]:
        X = rng.normal(size=(n, 3))
        F = mlp_fisher(p, X)
        (A1, G1), (A2, G2) = kfac_factors(p, X)
        gap1 = np.abs(np.kron(A1, G1) - F[:n1, :n1]).max()
        gap2 = np.abs(np.kron(A2, G2) - F[n1:, n1:]).max()
        if exact:
            assert gap1 < 1e-14 and gap2 < 1e-14
        else:
            assert gap1 > 1e-4


def test_kfac_direction_inverts_the_kronecker_product():
    rng = np.random.default_rng(8)
    p = mlp_init(3, 4, 3, rng=2)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 3, size=20)
    _, g = mlp_loss_grad(p, X, y)
    factors = kfac_factors(p, X)
    d = kfac_direction(g, factors, damping=1e-4)
    (A1, G1), (A2, G2) = factors
    r = 1e-2                                                   # sqrt(damping) on each factor
    for A, G, dW, gW in [(A1, G1, d.W1, g.W1), (A2, G2, d.W2, g.W2)]:
        K = np.kron(A + r * np.eye(len(A)), G + r * np.eye(len(G)))
        np.testing.assert_allclose(K @ dW.ravel(), gW.ravel(), atol=1e-10)
    with pytest.raises(ValueError, match="singular"):
        kfac_direction(g, factors, damping=0.0)


def test_kfac_trains_faster_than_gradient_descent():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(200, 4)) * np.array([1, 1, 10, 0.1])
    y = (X[:, 0] + X[:, 3] * 10 > 0).astype(int) + (X[:, 2] > 5).astype(int)
    p0 = mlp_init(4, 8, 3, rng=0)
    _, loss_gd = train_mlp(X, y, p0, method="sgd", lr=0.05, n_steps=30)
    _, loss_kfac = train_mlp(X, y, p0, method="kfac", lr=0.5, damping=1e-3, n_steps=30)
    _, loss_exact = train_mlp(X, y, p0, method="exact", lr=0.5, damping=1e-2, n_steps=30)
    assert loss_kfac[-1] < 0.5 * loss_gd[-1] and loss_exact[-1] < 0.5 * loss_gd[-1]


def test_flat_round_trip():
    p = mlp_init(3, 4, 2, rng=0)
    q = MLPParams.unflat(p.flat(), p.shapes)
    np.testing.assert_array_equal(q.W1, p.W1)
    np.testing.assert_array_equal(q.W2, p.W2)


# -- bad input ------------------------------------------------------------------------------------
X0, Y0 = logistic_data(n=20, seed=10)
P0 = mlp_init(2, 3, 2, rng=0)


@pytest.mark.parametrize("call, match", [
    (lambda: natural_gradient_direction(np.ones(2), np.eye(2), damping=-0.1), "damping must be finite and >= 0"),
    (lambda: kfac_direction(mlp_loss_grad(P0, X0, Y0.astype(int))[1], kfac_factors(P0, X0), -1e-3),
     "damping must be finite and >= 0"),
    (lambda: natural_gradient_logistic(X0, Y0, damping=-1.0), "damping"),
    (lambda: train_mlp(X0, Y0, P0, damping=float("nan")), "damping"),
    (lambda: natural_gradient_direction(np.ones(2), np.eye(2), damping="1"), "real number"),
    (lambda: natural_gradient_direction(np.ones(3), np.eye(2)), r"shape \(3, 3\)"),
    (lambda: natural_gradient_direction(np.ones(2), -np.eye(2)), "not positive definite"),
    (lambda: exponential_family_fisher("gamma", 1.0), "Unknown family"),
    (lambda: exponential_family_fisher("gaussian", [1.0]), "2 natural parameter"),
    (lambda: exponential_family_fisher("gaussian", [1.0, 0.5]), "must be < 0"),
    (lambda: gaussian_nll([0.0, -1.0], np.ones(3)), "sigma must be > 0"),
    (lambda: fit_gaussian(np.ones(3), [0, 1], parameterization="var"), "Unknown parameterization"),
    (lambda: natural_gradient_logistic(X0, Y0 * 2), "labels 0 and 1"),
    (lambda: natural_gradient_logistic(X0, Y0, fisher="diag"), "Unknown fisher"),
    (lambda: train_mlp(X0, Y0, P0, method="adam"), "Unknown method"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
