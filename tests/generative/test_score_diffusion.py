"""Tests for scratch.generative.score_diffusion: mixture scores, SDE marginals, samplers, score matching."""

import math

import numpy as np
import pytest

from scratch.generative.score_diffusion import (
    VESDE,
    VPSDE,
    GaussianMixture,
    ScoreMLP,
    euler_maruyama,
    langevin,
    probability_flow_sample,
    reverse_sde_sample,
    train_score,
)

GM = GaussianMixture([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.0]], [0.35, 0.35, 0.5], [0.5, 0.3, 0.2])


def test_log_prob_and_score_match_torch():
    torch = pytest.importorskip("torch")
    D = torch.distributions
    g = GM.diffused(0.7, 0.3)
    mix = D.MixtureSameFamily(D.Categorical(probs=torch.tensor(g.weights)),
                              D.Independent(D.Normal(torch.tensor(g.means),
                                                     torch.tensor(g.stds)[:, None].expand(3, 2)), 1))
    x_np = np.random.default_rng(0).normal(size=(50, 2)) * 3
    x = torch.tensor(x_np, requires_grad=True)
    lp = mix.log_prob(x)
    lp.sum().backward()
    np.testing.assert_allclose(g.log_prob(x_np), lp.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g.score(x_np), x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_diffused_mixture_matches_forward_simulation():
    """Euler-Maruyama on the VP SDE from mixture samples gives the closed-form diffused mixture."""
    sde = VPSDE()
    x0 = GM.sample(20_000, rng=0)
    t = 0.3
    xt = euler_maruyama(sde.drift, sde.diffusion, x0, np.linspace(0, t, 301), rng=1)
    m, s = sde.marginal(t)
    ref = GM.diffused(m, s**2).sample(20_000, rng=2)
    np.testing.assert_allclose(xt.mean(0), ref.mean(0), atol=0.03)
    np.testing.assert_allclose(np.cov(xt.T), np.cov(ref.T), atol=0.04)
    # average log-density under the closed form agrees (a density check, not only moments)
    assert abs(GM.diffused(m, s**2).log_prob(xt).mean() - GM.diffused(m, s**2).log_prob(ref).mean()) < 0.02


def test_ve_forward_process_is_the_heat_kernel():
    stats = pytest.importorskip("scipy.stats")
    sde = VESDE(0.01, 5.0)
    t = 0.6
    x = euler_maruyama(sde.drift, sde.diffusion, np.zeros((10_000, 1)), np.linspace(0, t, 1001), rng=0)
    sd = math.sqrt(sde.sigma(t) ** 2 - sde.sigma_min**2)
    assert stats.kstest(x[:, 0], "norm", args=(0.0, sd)).pvalue > 0.01
    np.testing.assert_allclose(sde.marginal(t)[1], sd)


def test_vp_marginal_closed_form():
    sde = VPSDE(0.1, 20.0)
    t = np.array([0.0, 0.5, 1.0])
    m, s = sde.marginal(t)
    integral = 0.1 * t + 0.5 * t**2 * 19.9
    np.testing.assert_allclose(m, np.exp(-integral / 2))
    np.testing.assert_allclose(m**2 + s**2, 1.0)


def test_exact_score_samplers_recover_a_gaussian():
    sde = VPSDE()
    g = GaussianMixture([[1.0, -1.0]], [0.5])

    def score(x, t):
        m, s = sde.marginal(t)
        return g.diffused(m, s**2).score(x)

    xT = np.random.default_rng(0).standard_normal((5000, 2))
    for x in (reverse_sde_sample(sde, score, xT, 500, rng=1), probability_flow_sample(sde, score, xT, 100),
              probability_flow_sample(sde, score, xT, method="dopri5")):
        np.testing.assert_allclose(x.mean(0), [1.0, -1.0], atol=0.03)
        np.testing.assert_allclose(x.std(0), [0.5, 0.5], atol=0.03)


def test_probability_flow_is_invertible():
    sde = VPSDE()

    def score(x, t):
        m, s = sde.marginal(t)
        return GM.diffused(m, s**2).score(x)

    x0 = GM.sample(200, rng=0)
    z = probability_flow_sample(sde, score, x0, 200, reverse=False)
    back = probability_flow_sample(sde, score, z, 200)
    assert np.abs(back - x0).max() < 1e-3


def test_langevin_stationary_moments():
    g = GaussianMixture([[0.5, 0.0]], [0.7])
    x = langevin(g.score, np.zeros((5000, 2)), 0.01, 600, rng=0)
    np.testing.assert_allclose(x.mean(0), [0.5, 0.0], atol=0.05)
    np.testing.assert_allclose(x.std(0), [0.7, 0.7], atol=0.05)


def test_score_matching_learns_the_score():
    sde = VPSDE()
    model = ScoreMLP(sde, 2, 32, rng=0)
    losses = train_score(model, GM.sample(2000, rng=0), n_iter=300, batch_size=128, rng=1)
    assert losses[-50:].mean() < 0.8 * losses[:50].mean()
    t = 0.5
    m, s = sde.marginal(t)
    pts = GM.diffused(m, s**2).sample(500, rng=2)
    exact = GM.diffused(m, s**2).score(pts)
    assert np.linalg.norm(model.score(pts, t) - exact) < 0.5 * np.linalg.norm(exact)


@pytest.mark.parametrize("make, match", [
    (lambda: GaussianMixture([[0.0, 0.0]], [1.0], [0.5]), "summing to 1"),
    (lambda: GaussianMixture([[0.0, 0.0], [1.0, 1.0]], [1.0, -1.0]), "positive"),
    (lambda: GM.score(np.zeros((3, 3))), r"\(n_samples, 2\); got \(3, 3\)"),
    (lambda: VESDE(1.0, 0.5), "sigma_max must exceed"),
    (lambda: euler_maruyama(lambda x, t: x, lambda t: 1.0, np.zeros(2), [0.0]), "at least 2"),
    (lambda: reverse_sde_sample(VPSDE(), lambda x, t: x, np.zeros((2, 2)), 10, t_end=1.5), "t_end"),
    (lambda: probability_flow_sample(VPSDE(), lambda x, t: x, np.zeros((2, 2)), method="rk45"), "method"),
    (lambda: ScoreMLP(VPSDE(), 2).score(np.zeros((4, 8, 8)), 0.5), r"\(n_samples, 2\)"),
    (lambda: train_score(ScoreMLP(VPSDE(), 2), np.zeros((5, 3))), "3 features"),
])
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()
