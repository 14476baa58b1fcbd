"""Tests for scratch.generative.gan (page: book/generative/gan.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.distributions.special import softplus
from scratch.generative.gan import (
    Discriminator,
    Generator,
    binary_cross_entropy_with_logits,
    dirac_gan,
    discriminator_loss,
    generator_loss,
    mmd_rbf,
    mode_coverage,
    optimal_discriminator,
    ring,
    ring_centres,
    ring_of_gaussians,
    ring_with_centre,
    train_discriminator,
    train_gan,
)


# -- losses -------------------------------------------------------------------------------
def test_softplus_used_by_the_losses_values_and_gradcheck():
    x = np.array([-800.0, -30.0, -1.0, 0.0, 0.5, 30.0, 800.0])
    out = softplus(Tensor(x)).data
    np.testing.assert_allclose(out, np.logaddexp(0, x), rtol=1e-15)
    assert np.all(np.isfinite(out))
    gradcheck(softplus, [Tensor(np.random.default_rng(0).normal(scale=3, size=(4, 3)), requires_grad=True)])


def test_softplus_gradient_is_sigmoid_even_at_extremes():
    t = Tensor(np.array([-800.0, 0.0, 800.0]), requires_grad=True)
    softplus(t).sum().backward()
    np.testing.assert_allclose(t.grad, [0.0, 0.5, 1.0], atol=1e-300)


@pytest.mark.parametrize("kind", ["non_saturating", "minimax"])
def test_losses_and_gradients_match_torch(kind):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(1)
    real, fake = rng.normal(scale=4, size=7), rng.normal(scale=4, size=5)
    r, f = Tensor(real, requires_grad=True), Tensor(fake, requires_grad=True)
    rt, ft = torch.tensor(real, requires_grad=True), torch.tensor(fake, requires_grad=True)
    ld = discriminator_loss(r, f)
    ld_t = F.binary_cross_entropy_with_logits(rt, torch.ones(7, dtype=torch.float64)) \
        + F.binary_cross_entropy_with_logits(ft, torch.zeros(5, dtype=torch.float64))
    lg = generator_loss(f, kind)
    lg_t = (F.binary_cross_entropy_with_logits(ft, torch.ones(5, dtype=torch.float64)) if kind == "non_saturating"
            else -F.binary_cross_entropy_with_logits(ft, torch.zeros(5, dtype=torch.float64)))
    (ld + lg).backward()
    (ld_t + lg_t).backward()
    assert ld.item() == pytest.approx(ld_t.item(), abs=1e-14)
    assert lg.item() == pytest.approx(lg_t.item(), abs=1e-14)
    np.testing.assert_allclose(r.grad, rt.grad.numpy(), atol=1e-15)
    np.testing.assert_allclose(f.grad, ft.grad.numpy(), atol=1e-15)


def test_generator_losses_closed_form():
    """At D = 1/2 (logit 0): minimax loss log(1/2), non-saturating -log(1/2); gradients -1/2 and -1/2."""
    for kind, value in [("minimax", np.log(0.5)), ("non_saturating", -np.log(0.5))]:
        t = Tensor(np.zeros(4), requires_grad=True)
        loss = generator_loss(t, kind)
        loss.backward()
        assert loss.item() == pytest.approx(value)
        np.testing.assert_allclose(t.grad, -0.5 / 4)
    # saturation: a confident discriminator (logit -10) leaves the minimax loss almost no gradient
    grads = {}
    for kind in ["minimax", "non_saturating"]:
        t = Tensor(np.array([-10.0]), requires_grad=True)
        generator_loss(t, kind).backward()
        grads[kind] = abs(t.grad[0])
    assert grads["minimax"] < 1e-4 < 0.99 < grads["non_saturating"]


@pytest.mark.parametrize("kind", ["non_saturating", "minimax"])
def test_network_gradients_match_torch_on_copied_weights(kind, torch_mlp):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    G = Generator(3, 2, (16, 8), output="tanh", rng=0, dtype=np.float64)
    D = Discriminator(2, (16,), rng=1, dtype=np.float64)
    Gt, Dt = torch_mlp(G.net), torch_mlp(D.net)
    rng = np.random.default_rng(2)
    z, x = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    # discriminator step: generator frozen
    ld = discriminator_loss(D(x), D(G(z).detach()))
    ld.backward()
    fake_t = torch.tanh(Gt(torch.from_numpy(z))).detach()
    ld_t = F.binary_cross_entropy_with_logits(Dt(torch.from_numpy(x))[:, 0], torch.ones(10, dtype=torch.float64)) \
        + F.binary_cross_entropy_with_logits(Dt(fake_t)[:, 0], torch.zeros(10, dtype=torch.float64))
    ld_t.backward()
    assert ld.item() == pytest.approx(ld_t.item(), abs=1e-13)
    for ours, theirs in zip(D.net.layers, Dt[::2]):
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy().T, atol=1e-13)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), atol=1e-13)
    # generator step: gradients flow through the discriminator into G
    lg = generator_loss(D(G(z)), kind)
    lg.backward()
    logits_t = Dt(torch.tanh(Gt(torch.from_numpy(z))))[:, 0]
    lg_t = (F.binary_cross_entropy_with_logits(logits_t, torch.ones(10, dtype=torch.float64))
            if kind == "non_saturating" else -F.binary_cross_entropy_with_logits(logits_t, torch.zeros(10, dtype=torch.float64)))
    lg_t.backward()
    assert lg.item() == pytest.approx(lg_t.item(), abs=1e-13)
    for ours, theirs in zip(G.net.layers, Gt[::2]):
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy().T, atol=1e-13)
        np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), atol=1e-13)


# -- the optimal discriminator -----------------------------------------------------------
def test_optimal_discriminator_matches_scipy_densities():
    stats = pytest.importorskip("scipy.stats")
    x = np.linspace(-8, 8, 101)
    p, q = stats.norm(0.0, 1.0).pdf(x), stats.norm(1.5, 0.7).pdf(x)
    np.testing.assert_allclose(optimal_discriminator(x, 0.0, 1.0, 1.5, 0.7), p / (p + q), atol=1e-14)
    far = optimal_discriminator(np.array([-1e3, 1e3]), 0.0, 1.0, 1.5, 0.7)   # p/(p+q) would be 0/0 here
    assert np.all(np.isfinite(far))


def test_discriminator_against_fixed_generator_approaches_dstar():
    D = Discriminator(1, (32, 32), activation="tanh", rng=0)
    losses = train_discriminator(D, lambda n, rng: rng.normal(0.0, 1.0, (n, 1)),
                                 lambda n, rng: rng.normal(1.5, 0.7, (n, 1)), n_steps=600, lr=3e-3, rng=0)
    x = np.linspace(-1.5, 2.5, 41)
    err = np.abs(D.probability(x[:, None]) - optimal_discriminator(x, 0.0, 1.0, 1.5, 0.7))
    assert err.max() < 0.08
    assert np.mean(losses[-50:]) < np.mean(losses[:50])


# -- training ------------------------------------------------------------------------------
@pytest.mark.parametrize("k", [1, 3])
def test_train_gan_moves_the_generator_to_a_gaussian(k):
    G = Generator(2, 2, (16,), rng=0)
    D = Discriminator(2, (16,), rng=1)
    data = lambda n, rng: rng.normal(3.0, 0.3, (n, 2))
    before = np.abs(G.sample(500, rng=0).mean(0) - 3).max()
    hist = train_gan(G, D, data, n_steps=300, batch_size=64, k=k, lr_g=3e-3, lr_d=3e-3, rng=0)
    after = np.abs(G.sample(500, rng=0).mean(0) - 3).max()
    assert len(hist.d_loss) == 300 and before > 2.0 and after < 0.4


def test_train_gan_accepts_an_array_and_calls_back():
    X = ring(200, rng=0)
    steps = []
    train_gan(Generator(2, 2, (8,), rng=0), Discriminator(2, (8,), rng=0), X, n_steps=5, batch_size=16,
              loss="minimax", rng=0, callback=steps.append)
    assert steps == [1, 2, 3, 4, 5]


# -- the one-parameter GAN --------------------------------------------------------------------
def test_dirac_gan_first_steps_closed_form():
    """At (theta, psi): dL_D/dpsi = sigmoid(psi theta) theta, dL_G/dtheta = -sigmoid(-psi theta) psi."""
    sig = lambda t: 1 / (1 + np.exp(-t))
    th, ps, lr = 0.8, -0.3, 0.2
    path = dirac_gan(th, ps, lr=lr, n_steps=1, update="simultaneous", loss="non_saturating")
    np.testing.assert_allclose(path[1], [th + lr * sig(-ps * th) * ps, ps - lr * sig(ps * th) * th], rtol=1e-13)
    path = dirac_gan(th, ps, lr=lr, n_steps=1, update="alternating", loss="non_saturating")
    ps1 = ps - lr * sig(ps * th) * th
    np.testing.assert_allclose(path[1], [th + lr * sig(-ps1 * th) * ps1, ps1], rtol=1e-13)
    # minimax: the generator descends log(1 - sigmoid(psi theta)), gradient -sigmoid(psi theta) psi
    path = dirac_gan(th, ps, lr=lr, n_steps=1, update="simultaneous", loss="minimax")
    np.testing.assert_allclose(path[1], [th + lr * sig(ps * th) * ps, ps - lr * sig(ps * th) * th], rtol=1e-13)


def test_dirac_gan_orbits_spirals_out_and_converges_with_r1():
    """Minimax game (the default loss)."""
    radius = lambda p: np.hypot(p[:, 0], p[:, 1])
    alt = radius(dirac_gan(1.0, 0.0, lr=0.2, n_steps=300))
    sim = radius(dirac_gan(1.0, 0.0, lr=0.2, n_steps=300, update="simultaneous"))
    reg = radius(dirac_gan(1.0, 0.0, lr=0.2, n_steps=300, r1=1.0))
    assert 0.9 < alt.min() and alt.max() < 1.1           # orbits: never approaches (0, 0)
    assert sim[-1] > 2.0                                  # simultaneous updates spiral outwards
    assert reg[-1] < 1e-6                                 # the gradient penalty makes it converge


# -- diagnostics ------------------------------------------------------------------------------
def test_mode_coverage_fixtures():
    c = ring_centres(8, 2.0)
    assert mode_coverage(c.repeat(10, axis=0), c, 0.05) == (8, 1.0)
    one_mode = np.vstack([np.repeat(c[:1], 90, axis=0), np.zeros((10, 2))])   # 90 on mode 0, 10 in the middle
    assert mode_coverage(one_mode, c, 0.05) == (1, 0.9)
    x = ring_of_gaussians(4000, std=0.05, rng=0)
    n, share = mode_coverage(x, c, 0.05)
    assert n == 8 and share == pytest.approx(0.9889, abs=0.01)   # P(chi2_2 < 9) = 1 - exp(-4.5)


def test_mmd_matches_a_direct_double_sum_and_detects_a_shift():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=(20, 2)) + 0.3
    k = lambda a, b: np.exp(-np.sum((a - b) ** 2) / (2 * 0.5 ** 2))
    kxx = sum(k(a, b) for i, a in enumerate(x) for j, b in enumerate(x) if i != j) / (30 * 29)
    kyy = sum(k(a, b) for i, a in enumerate(y) for j, b in enumerate(y) if i != j) / (20 * 19)
    kxy = sum(k(a, b) for a in x for b in y) / (30 * 20)
    assert mmd_rbf(x, y, 0.5) == pytest.approx(kxx + kyy - 2 * kxy, rel=1e-10)
    same = mmd_rbf(ring(500, rng=1), ring(500, rng=2))
    shifted = mmd_rbf(ring(500, rng=1), ring(500, rng=2) + 0.3)
    assert abs(same) < 0.01 < shifted


def test_toy_data_shapes_and_moments():
    r = np.hypot(*ring(5000, radius=1.5, noise=0.05, rng=0).T)
    assert r.mean() == pytest.approx(1.5, abs=0.01) and r.std() == pytest.approx(0.05, abs=0.005)
    x = ring_with_centre(5000, centre_share=0.25, rng=0)
    assert np.mean(np.hypot(*x.T) < 0.5) == pytest.approx(0.25, abs=0.02)
    assert ring_of_gaussians(10, rng=0).shape == (10, 2)


# -- bad input -----------------------------------------------------------------------------------
G2, D2 = Generator(4, 64, (8,), rng=0), Discriminator(64, (8,), rng=0)


@pytest.mark.parametrize("call, error, match", [
    (lambda: D2(np.zeros((3, 8, 8))), ValueError, r"shape \(n_samples, 64\).*Flatten images"),
    (lambda: D2(np.zeros((3, 63))), ValueError, r"shape \(n_samples, 64\); got \(3, 63\)"),
    (lambda: D2(np.full((3, 64), np.nan)), ValueError, "NaN"),
    (lambda: G2(np.zeros((3, 5))), ValueError, r"latent codes of shape \(n_samples, 4\)"),
    (lambda: G2(np.zeros(4)), ValueError, r"latent codes of shape"),
    (lambda: Generator(2, 2, output="relu"), ValueError, "Unknown output"),
    (lambda: generator_loss(Tensor(np.zeros(3)), "wasserstein"), ValueError, "Unknown kind"),
    (lambda: binary_cross_entropy_with_logits(Tensor(np.zeros(3)), [0, 1]), ValueError, "target has shape"),
    (lambda: binary_cross_entropy_with_logits(Tensor(np.zeros(2)), [0, 2]), ValueError, r"in \[0, 1\]"),
    (lambda: train_gan(G2, Discriminator(2, rng=0), np.zeros((5, 64))), ValueError, "same data_dim"),
    (lambda: train_gan(G2, D2, np.zeros((5, 8, 8))), ValueError, r"data must have shape"),
    (lambda: train_gan(G2, D2, np.zeros((5, 64)), k=0), ValueError, "k must be >= 1"),
    (lambda: train_gan(G2, D2, np.zeros((5, 64)), loss="hinge"), ValueError, "Unknown loss"),
    (lambda: train_gan(G2, D2, lambda n, rng: np.zeros((n, 2))), ValueError, r"samples of shape \(n, 64\)"),
    (lambda: train_gan("G", D2, np.zeros((5, 64))), TypeError, "Generator and a Discriminator"),
    (lambda: dirac_gan(update="sequential"), ValueError, "Unknown update"),
    (lambda: dirac_gan(lr=0.0), ValueError, "lr must be finite and > 0"),
    (lambda: mode_coverage(np.zeros((3, 3)), ring_centres(), 0.1), ValueError, "3 features but centres have 2"),
    (lambda: mmd_rbf(np.zeros((1, 2)), np.zeros((4, 2))), ValueError, "at least 2 samples"),
    (lambda: ring_with_centre(10, centre_share=1.0), ValueError, r"centre_share must lie in \(0, 1\)"),
    (lambda: ring(0), ValueError, "n_samples must be >= 1"),
    (lambda: optimal_discriminator([0.0], 0.0, -1.0, 0.0, 1.0), ValueError, "data_std must be finite and > 0"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
