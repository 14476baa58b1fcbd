"""Tests for scratch.generative.ddpm: schedules, q(x_t|x_0), DDPM/DDIM steps against diffusers."""

import math

import numpy as np
import pytest

from scratch.generative.ddpm import (
    EpsilonMLP,
    NoiseSchedule,
    ddim_sample,
    ddpm_sample,
    digits_to_unit,
    nearest_distances,
    swiss_roll_2d,
    train_ddpm,
)
from scratch.generative.gan import mmd_rbf


def _diffusers(kind, n, schedule_cls, ours):
    """A diffusers scheduler on the same betas, its float32 alphas_cumprod replaced by our float64 one."""
    torch = pytest.importorskip("torch")
    sched = schedule_cls(num_train_timesteps=n, beta_schedule=kind, clip_sample=False)
    ref_abar = sched.alphas_cumprod.numpy().copy()
    sched.alphas_cumprod = torch.from_numpy(ours.alphas_cumprod)
    if hasattr(sched, "final_alpha_cumprod"):
        sched.final_alpha_cumprod = torch.tensor(1.0, dtype=torch.float64)
    return sched, ref_abar


@pytest.mark.parametrize("kind, ref_kind", [("linear", "linear"), ("cosine", "squaredcos_cap_v2")])
def test_alphas_cumprod_and_add_noise_match_diffusers(kind, ref_kind):
    torch = pytest.importorskip("torch")
    diffusers = pytest.importorskip("diffusers")
    ours = NoiseSchedule(1000, kind=kind)
    sched, ref_abar = _diffusers(ref_kind, 1000, diffusers.DDPMScheduler, ours)
    # diffusers keeps betas in float32: the cumulative product agrees to float32 accuracy
    np.testing.assert_allclose(ours.alphas_cumprod, ref_abar, rtol=2e-5, atol=1e-9)
    rng = np.random.default_rng(0)
    x0, eps = rng.normal(size=(6, 1, 4, 4)), rng.normal(size=(6, 1, 4, 4))
    t = np.array([0, 1, 10, 500, 998, 999])
    ref = sched.add_noise(torch.from_numpy(x0), torch.from_numpy(eps), torch.from_numpy(t)).numpy()
    np.testing.assert_allclose(ours.add_noise(x0, eps, t), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n_inference", [None, 10])
def test_ddpm_step_matches_diffusers(n_inference):
    torch = pytest.importorskip("torch")
    diffusers = pytest.importorskip("diffusers")
    ours = NoiseSchedule(100, beta_end=0.1)
    sched = diffusers.DDPMScheduler(num_train_timesteps=100, beta_end=0.1, clip_sample=False)
    sched.alphas_cumprod = torch.from_numpy(ours.alphas_cumprod)
    sched.one = torch.tensor(1.0, dtype=torch.float64)
    sched.alphas = torch.from_numpy(ours.alphas)
    sched.betas = torch.from_numpy(ours.betas)
    ratio = 1
    if n_inference:
        sched.set_timesteps(n_inference)
        ratio = 100 // n_inference
    rng = np.random.default_rng(1)
    worst = 0.0
    for t in ([99, 50, 3, 0] if n_inference is None else [90, 40, 10, 0]):
        x, eps = rng.normal(size=(3, 2, 4, 4)), rng.normal(size=(3, 2, 4, 4))
        noise = torch.randn((3, 2, 4, 4), generator=torch.Generator().manual_seed(t), dtype=torch.float64)
        ref = sched.step(torch.from_numpy(eps), t, torch.from_numpy(x),
                         generator=torch.Generator().manual_seed(t)).prev_sample.numpy()
        got = ours.ddpm_step(eps, t, x, prev_t=t - ratio, noise=noise.numpy())
        worst = max(worst, np.abs(got - ref).max())
    assert worst < 1e-11


@pytest.mark.parametrize("eta", [0.0, 0.5, 1.0])
def test_ddim_step_matches_diffusers(eta):
    torch = pytest.importorskip("torch")
    diffusers = pytest.importorskip("diffusers")
    ours = NoiseSchedule(1000)
    sched, _ = _diffusers("linear", 1000, diffusers.DDIMScheduler, ours)
    sched.set_timesteps(20)
    np.testing.assert_array_equal(ours.ddim_timesteps(20), sched.timesteps.numpy())
    ts = ours.ddim_timesteps(20)
    rng = np.random.default_rng(2)
    for i, t in enumerate(ts):
        x, eps, z = (rng.normal(size=(2, 8)) for _ in range(3))
        ref = sched.step(torch.from_numpy(eps), int(t), torch.from_numpy(x), eta=eta,
                         variance_noise=torch.from_numpy(z)).prev_sample.numpy()
        prev = ts[i + 1] if i + 1 < len(ts) else -1
        np.testing.assert_allclose(ours.ddim_step(eps, t, prev, x, eta, noise=z), ref, rtol=1e-10, atol=1e-12)


def test_marginal_matches_sequential_forward_process():
    """q(x_t | x_0) in closed form equals t single steps x_s = sqrt(1-beta_s) x_{s-1} + sqrt(beta_s) z."""
    sch = NoiseSchedule(50, beta_end=0.2)
    rng = np.random.default_rng(3)
    x = np.full((200_000, 1), 1.5)
    for s in range(20):
        x = math.sqrt(1 - sch.betas[s]) * x + math.sqrt(sch.betas[s]) * rng.standard_normal(x.shape)
    ab = sch.alphas_cumprod[19]
    se = math.sqrt(1 - ab) / math.sqrt(len(x))
    assert abs(x.mean() - 1.5 * math.sqrt(ab)) < 5 * se
    assert abs(x.var() - (1 - ab)) < 0.01


def test_exact_noise_predictor_recovers_gaussian():
    """With the exact eps of a Gaussian target, 1000-step DDPM and DDIM reproduce it."""
    sch = NoiseSchedule(1000)
    mu, s = 1.0, 0.5

    def eps(x, t):
        ab = sch.alphas_cumprod[t]
        return (x - math.sqrt(ab) * mu) * math.sqrt(1 - ab) / (ab * s * s + 1 - ab)

    for x in (ddpm_sample(eps, sch, (20_000, 1), rng=0), ddim_sample(eps, sch, (20_000, 1), 1000, rng=0)):
        assert abs(x.mean() - mu) < 0.02 and abs(x.std() - s) < 0.02


def test_training_reduces_loss_and_sampling_improves_on_noise():
    rng = np.random.default_rng(0)

    def blobs(n):  # two tight clusters at (+-1, 0)
        return np.column_stack([rng.choice([-1.0, 1.0], n), np.zeros(n)]) + 0.1 * rng.standard_normal((n, 2))

    X = blobs(1000)
    sch = NoiseSchedule(50, kind="cosine")
    model = EpsilonMLP(2, 64, 16, n_fourier=3, rng=0)
    losses = train_ddpm(model, X, sch, n_iter=400, batch_size=128, lr=3e-3, rng=1)
    assert losses[-50:].mean() < 0.8 * losses[:50].mean()
    samples = ddim_sample(model.predict, sch, (500, 2), 20, rng=2)
    noise = rng.standard_normal((500, 2))
    ref = blobs(500)
    assert mmd_rbf(samples, ref, 0.2) < 0.2 * mmd_rbf(noise, ref, 0.2)


def test_ddim_eta0_is_deterministic():
    sch = NoiseSchedule(100)
    model = EpsilonMLP(2, 16, 8, rng=0)
    xT = np.random.default_rng(0).standard_normal((5, 2))
    a = ddim_sample(model.predict, sch, (5, 2), 10, rng=1, x_T=xT)
    b = ddim_sample(model.predict, sch, (5, 2), 10, rng=2, x_T=xT)
    np.testing.assert_array_equal(a, b)


def test_metrics_closed_form():
    A = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(nearest_distances(np.array([[0.0, 1.0], [3.0, 4.0]]), A), [1.0, 0.0])
    X = swiss_roll_2d(500, rng=0)
    assert X.shape == (500, 2) and np.abs(X).max() < 2.0


@pytest.mark.parametrize("make, err, match", [
    (lambda: NoiseSchedule(betas=[0.1, 1.2]), ValueError, r"open interval \(0, 1\)"),
    (lambda: NoiseSchedule(betas=[0.0, 0.1]), ValueError, r"open interval \(0, 1\)"),
    (lambda: NoiseSchedule(betas=[0.2, 0.1, 0.3]), ValueError, "non-decreasing"),
    (lambda: NoiseSchedule(betas=[0.1, np.nan]), ValueError, r"open interval"),
    (lambda: NoiseSchedule(10, kind="quadratic"), ValueError, "kind"),
    (lambda: NoiseSchedule(100).ddim_timesteps(200), ValueError, "trained with only 100"),
    (lambda: NoiseSchedule(100).add_noise(np.zeros((2, 3)), np.zeros((2, 4)), 1), ValueError, "same shape"),
    (lambda: NoiseSchedule(100).add_noise(np.zeros((2, 3)), np.zeros((2, 3)), 100), ValueError, r"\[0, 99\]"),
    (lambda: NoiseSchedule(100).add_noise(np.zeros((2, 3)), np.zeros((2, 3)), 1.5), TypeError, "integers"),
    (lambda: NoiseSchedule(100).ddim_step(np.zeros(2), 5, 4, np.zeros(2), eta=math.nan), ValueError, "eta"),
    (lambda: digits_to_unit(np.zeros((3, 7, 7))), ValueError, r"8x8.*\(3, 7, 7\)"),
    (lambda: EpsilonMLP(64).predict(np.zeros((3, 8, 8)), 1), ValueError, r"\(n_samples, 64\)"),
    (lambda: train_ddpm(EpsilonMLP(2), np.zeros((5, 3)), NoiseSchedule(10)), ValueError, "3 features"),
    (lambda: ddpm_sample(lambda x, t: x, NoiseSchedule(10), (5,)), ValueError, "shape"),
])
def test_bad_input(make, err, match):
    with pytest.raises(err, match=match):
        make()


def test_clip_sample_matches_diffusers():
    torch = pytest.importorskip("torch")
    diffusers = pytest.importorskip("diffusers")
    ours = NoiseSchedule(1000, kind="cosine")
    ddpm = diffusers.DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", clip_sample=True)
    ddim = diffusers.DDIMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", clip_sample=True)
    for s in (ddpm, ddim):
        s.alphas_cumprod = torch.from_numpy(ours.alphas_cumprod)
    ddpm.one = ddim.final_alpha_cumprod = torch.tensor(1.0, dtype=torch.float64)
    ddim.set_timesteps(10)
    rng = np.random.default_rng(4)
    x, eps, z = 3 * rng.normal(size=(3, 16)), rng.normal(size=(3, 16)), rng.normal(size=(3, 16))
    ref = ddim.step(torch.from_numpy(eps), 900, torch.from_numpy(x), eta=1.0,
                    variance_noise=torch.from_numpy(z)).prev_sample.numpy()
    np.testing.assert_allclose(ours.ddim_step(eps, 900, 800, x, 1.0, noise=z, clip_sample=1.0), ref, atol=1e-12)
    noise = torch.randn((3, 16), generator=torch.Generator().manual_seed(0), dtype=torch.float64).numpy()
    ref = ddpm.step(torch.from_numpy(eps), 999, torch.from_numpy(x),
                    generator=torch.Generator().manual_seed(0)).prev_sample.numpy()
    np.testing.assert_allclose(ours.ddpm_step(eps, 999, x, noise=noise, clip_sample=1.0), ref, atol=1e-10)
