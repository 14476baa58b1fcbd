"""Bad-input cases for scratch.generative: VAE, GAN, score-based diffusion, DDPM/DDIM and the
tiny latent "stable diffusion".

Grey images for a Bernoulli decoder, samples of the wrong dimension, schedules with betas
outside (0, 1), timesteps out of range, float token ids, NaN data: each is refused clearly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd.tensor import Tensor  # noqa: E402
from scratch.generative.ddpm import (  # noqa: E402
    EpsilonMLP, NoiseSchedule, ddim_sample, ddpm_sample, digits_to_unit, nearest_distances, swiss_roll_2d, train_ddpm,
)
from scratch.generative.gan import (  # noqa: E402
    Discriminator, GANHistory, Generator, binary_cross_entropy_with_logits, dirac_gan, discriminator_loss,
    generator_loss, mmd_rbf, mode_coverage, optimal_discriminator, ring, ring_centres, ring_of_gaussians,
    ring_with_centre, train_discriminator, train_gan,
)
from scratch.generative.score_diffusion import (  # noqa: E402
    VESDE, VPSDE, GaussianMixture, ScoreMLP, euler_maruyama, langevin, probability_flow_sample, reverse_sde_sample,
    train_score,
)
from scratch.generative.stable_diffusion import (  # noqa: E402
    AutoEncoder, PromptEncoder, ResBlock, SpatialCrossAttention, TinyUNet, Tokenizer, caption_dataset,
    sample_guided, train_autoencoder, train_latent_diffusion,
)
from scratch.generative.vae import (  # noqa: E402
    VAE, DigitJudge, ELBOTerms, VAEHistory, active_units, check_binary_images, fit_vae, interpolate, iwae_bound,
    kl_per_dimension,
)
from scratch.optim import Adam  # noqa: E402

BIN = (np.random.default_rng(0).uniform(size=(6, 16)) < 0.4).astype(float)
M = VAE(16, 2, (8,), rng=0)
SCHED = NoiseSchedule(10)
ZERO_EPS = lambda x, t: np.zeros_like(x)  # noqa: E731
MIX = GaussianMixture([[0.0, 0.0], [2.0, 2.0]], [0.5, 0.5])
TOK = Tokenizer()


def judge():
    rng = np.random.default_rng(0)
    return DigitJudge(epochs=1).fit(rng.normal(size=(20, 16)), np.arange(20) % 2)


def gan_pair(data_dim=2):
    return Generator(2, data_dim, (8,), rng=0), Discriminator(data_dim, (8,), rng=0)


def unet():
    return TinyUNet(channels=8, context_dim=8, t_dim=8, rng=0)


def text():
    return PromptEncoder(len(TOK.vocab), dim=8, rng=0)


CASES = [
    # --- VAE -----------------------------------------------------------------------------------
    Case(VAE, lambda: VAE(0), ValueError, "data_dim must be >= 1"),
    Case(VAE, lambda: VAE(16, 2, (0,)), ValueError, r"hidden\[i\] must be >= 1"),
    Case(VAE, lambda: M.encode(BIN * 0.5), ValueError, "binary pixels", label="grey pixels"),
    Case(VAE, lambda: M.encode(BIN[:, :10]), ValueError, r"shape \(n_samples, 16\)"),
    Case(VAE, lambda: M.decode(np.full((2, 2), np.nan)), ValueError, "NaN or infinite"),
    Case(VAE, lambda: M.elbo(BIN, beta=np.nan), ValueError, "beta must be finite"),
    Case(VAE, lambda: M.sample(2.5), TypeError, "n_samples must be an integer"),
    Case(VAE, lambda: M.reconstruct(BIN.reshape(6, 4, 4)), ValueError, "Flatten the images"),
    Case(ELBOTerms, lambda: M.elbo(BIN[:, :3]), ValueError, r"shape \(n_samples, 16\)", label="via VAE.elbo"),
    Case(VAEHistory, lambda: fit_vae(M, BIN, Adam(M.parameters()), epochs=0), ValueError, "epochs must be >= 1",
         label="via fit_vae"),
    Case(check_binary_images, lambda: check_binary_images(BIN + 2, 16), ValueError, "binary pixels"),
    Case(check_binary_images, lambda: check_binary_images(BIN.reshape(6, 4, 4), 16), ValueError, "Flatten"),
    Case(check_binary_images, lambda: check_binary_images(None, 16), ValueError, r"got an array with shape \(\)"),
    Case(fit_vae, lambda: fit_vae(M, BIN, Adam(M.parameters()), batch_size=0), ValueError, "batch_size must be >= 1"),
    Case(fit_vae, lambda: fit_vae(M, BIN, "adam"), TypeError, "optimizer must be a scratch.optim optimizer"),
    Case(fit_vae, lambda: fit_vae(M, BIN * 0.3, Adam(M.parameters())), ValueError, "binary pixels"),
    Case(iwae_bound, lambda: iwae_bound(M, BIN, k=0), ValueError, "k must be >= 1"),
    Case(iwae_bound, lambda: iwae_bound(M, BIN, batch_size=0), ValueError, "batch_size must be >= 1"),
    Case(kl_per_dimension, lambda: kl_per_dimension(M, BIN[:, :3]), ValueError, r"shape \(n_samples, 16\)"),
    Case(kl_per_dimension, lambda: kl_per_dimension("vae", BIN), TypeError, "takes a scratch.generative.vae.VAE"),
    Case(active_units, lambda: active_units(M, BIN, threshold=-1.0), ValueError, "threshold must be finite and > 0"),
    Case(active_units, lambda: active_units(M, BIN[:1]), ValueError, "at least two"),
    Case(interpolate, lambda: interpolate(M, BIN[0], BIN[1, :5]), ValueError, "x_end must be one image of 16 pixels"),
    Case(interpolate, lambda: interpolate(M, BIN[0], BIN[1], n_steps=1), ValueError, "n_steps must be >= 2"),
    Case(DigitJudge, lambda: DigitJudge().predict(np.zeros((2, 16))), ValueError, "not fitted yet"),
    Case(DigitJudge, lambda: DigitJudge("knn").fit(np.zeros((4, 16)), np.array([0, 1, 0, 1])), ValueError,
         "Unknown model='knn'"),
    Case(DigitJudge, lambda: DigitJudge().fit(np.zeros((4, 16)), np.array([0.0, 1.0, 0.0, 1.0])), TypeError,
         "integer class labels"),
    Case(DigitJudge, lambda: DigitJudge().fit(np.zeros((4, 16)), np.array([0, 1, 0])), ValueError,
         "X and y have mismatched lengths"),
    Case(DigitJudge, lambda: DigitJudge().fit(np.zeros((4, 16)), np.zeros(4, int)), ValueError, "single class"),
    Case(DigitJudge, lambda: judge().confidence(np.zeros((3, 64))), ValueError, r"fitted with 16: pass flattened images of shape \(n_samples, 16\)"),
    Case(DigitJudge, lambda: judge().predict_proba(np.full((2, 16), np.nan)), ValueError, "NaN or infinite"),
    Case(DigitJudge, lambda: DigitJudge(hidden=0).fit(np.zeros((4, 16)), np.array([0, 1, 0, 1])), ValueError,
         "hidden must be >= 1"),
    # --- GAN -----------------------------------------------------------------------------------
    Case(ring, lambda: ring(0), ValueError, "n_samples must be >= 1"),
    Case(ring, lambda: ring(10, radius=-1.0), ValueError, "radius must be finite and > 0"),
    Case(ring, lambda: ring(10, noise=np.nan), ValueError, "noise must be finite"),
    Case(ring_with_centre, lambda: ring_with_centre(10, centre_share=1.5), ValueError, r"centre_share must lie in \(0, 1\)"),
    Case(ring_with_centre, lambda: ring_with_centre(10, centre_std=0.0), ValueError, "centre_std must be finite and > 0"),
    Case(ring_centres, lambda: ring_centres(0), ValueError, "n_modes must be >= 1"),
    Case(ring_centres, lambda: ring_centres(8, radius=np.inf), ValueError, "radius must be finite"),
    Case(ring_of_gaussians, lambda: ring_of_gaussians(10, std=-0.1), ValueError, "std must be finite and > 0"),
    Case(ring_of_gaussians, lambda: ring_of_gaussians(10.0), TypeError, "n_samples must be an integer"),
    Case(Generator, lambda: Generator(0, 2), ValueError, "latent_dim must be >= 1"),
    Case(Generator, lambda: Generator(2, 2, output="softmax"), ValueError, "Unknown output='softmax'"),
    Case(Generator, lambda: gan_pair()[0](np.zeros((3, 5))), ValueError, r"\(n_samples, 2\)"),
    Case(Generator, lambda: gan_pair()[0].sample(0), ValueError, "n_samples must be >= 1"),
    Case(Discriminator, lambda: Discriminator(2, activation="gelu"), ValueError, "Unknown activation='gelu'"),
    Case(Discriminator, lambda: gan_pair()[1](np.zeros((3, 5))), ValueError, r"\(n_samples, 2\)"),
    Case(Discriminator, lambda: gan_pair()[1].probability(np.full((3, 2), np.nan)), ValueError, "NaN or infinite"),
    Case(binary_cross_entropy_with_logits, lambda: binary_cross_entropy_with_logits(Tensor(np.zeros(3)), np.zeros(4)),
         ValueError, "shape"),
    Case(binary_cross_entropy_with_logits, lambda: binary_cross_entropy_with_logits(Tensor(np.zeros(2)),
                                                                                   np.array([0.5, 2.0])),
         ValueError, r"target must hold labels or probabilities in \[0, 1\]"),
    Case(discriminator_loss, lambda: discriminator_loss(Tensor(np.zeros((3, 2))), Tensor(np.zeros(3))), ValueError,
         r"real_logits must hold one logit per sample"),
    Case(discriminator_loss, lambda: discriminator_loss(np.zeros(3), "fake"), TypeError, "fake_logits must be a Tensor"),
    Case(generator_loss, lambda: generator_loss(Tensor(np.zeros(3)), kind="wasserstein"), ValueError,
         "Unknown kind='wasserstein'"),
    Case(generator_loss, lambda: generator_loss(Tensor(np.zeros((3, 2)))), ValueError, "fake_logits must hold one logit per sample"),
    Case(GANHistory, lambda: train_gan(*gan_pair(), ring(50, rng=0), n_steps=0), ValueError, "n_steps must be >= 1",
         label="via train_gan"),
    Case(train_gan, lambda: train_gan(*gan_pair(), ring(50, rng=0), loss="hinge"), ValueError, "Unknown loss='hinge'"),
    Case(train_gan, lambda: train_gan(*gan_pair(), np.zeros((50, 3))), ValueError, r"samples of shape \(n, 2\) to match the generator"),
    Case(train_gan, lambda: train_gan(*gan_pair(), ring(50, rng=0), k=0), ValueError, "k must be >= 1"),
    Case(train_gan, lambda: train_gan(*gan_pair(), ring(50, rng=0), lr_g=-1.0), ValueError, "lr_g must be finite"),
    Case(train_gan, lambda: train_gan(*gan_pair(), np.full((50, 2), np.nan)), ValueError, "NaN or infinite"),
    Case(train_discriminator, lambda: train_discriminator(gan_pair()[1], lambda n, rng: ring(n, rng=rng),
                                                          lambda n, rng: ring(n, rng=rng), n_steps=0),
         ValueError, "n_steps must be >= 1"),
    Case(train_discriminator, lambda: train_discriminator(gan_pair()[1], "ring", "ring"), TypeError, "callable"),
    Case(dirac_gan, lambda: dirac_gan(update="random"), ValueError, "Unknown update='random'"),
    Case(dirac_gan, lambda: dirac_gan(lr=0.0), ValueError, "lr must be finite and > 0"),
    Case(dirac_gan, lambda: dirac_gan(r1=-1.0), ValueError, "r1 must be finite and >= 0"),
    Case(dirac_gan, lambda: dirac_gan(theta=np.nan), ValueError, "theta must be finite"),
    Case(mmd_rbf, lambda: mmd_rbf(np.zeros((5, 2)), np.zeros((5, 3))), ValueError, "same number of"),
    Case(mmd_rbf, lambda: mmd_rbf(np.zeros((5, 2)), np.zeros((5, 2)), bandwidth=0.0), ValueError,
         "bandwidth must be finite and > 0"),
    Case(mmd_rbf, lambda: mmd_rbf(np.zeros((5, 2)), np.full((5, 2), np.nan)), ValueError, "NaN or infinite"),
    Case(mode_coverage, lambda: mode_coverage(np.zeros((5, 2)), ring_centres(), std=0.0), ValueError,
         "std must be finite and > 0"),
    Case(mode_coverage, lambda: mode_coverage(np.zeros((5, 3)), ring_centres(), std=0.1), ValueError, "samples have 3 features but centres have 2"),
    Case(mode_coverage, lambda: mode_coverage(np.zeros((5, 2)), ring_centres(), std=0.1, min_fraction=2.0), ValueError,
         r"min_fraction must lie in"),
    Case(optimal_discriminator, lambda: optimal_discriminator(np.zeros(3), 0.0, 0.0, 0.0, 1.0), ValueError,
         "data_std must be finite and > 0"),
    Case(optimal_discriminator, lambda: optimal_discriminator(np.array([np.nan]), 0.0, 1.0, 0.0, 1.0), ValueError,
         "NaN or infinite"),
    # --- score-based diffusion -----------------------------------------------------------------
    Case(GaussianMixture, lambda: GaussianMixture([[0.0], [1.0]], [1.0, -1.0]), ValueError, "stds must be"),
    Case(GaussianMixture, lambda: GaussianMixture([[0.0], [1.0]], [1.0, 1.0], weights=[0.5, 0.6]), ValueError,
         "weights"),
    Case(GaussianMixture, lambda: GaussianMixture([[0.0], [1.0]], [1.0, 1.0, 1.0]), ValueError, "stds"),
    Case(GaussianMixture, lambda: MIX.score(np.zeros((3, 3))), ValueError, r"\(n_samples, 2\)"),
    Case(GaussianMixture, lambda: MIX.log_prob(np.full((3, 2), np.nan)), ValueError, "NaN or infinite"),
    Case(GaussianMixture, lambda: MIX.sample(0), ValueError, "n_samples must be >= 1"),
    Case(GaussianMixture, lambda: MIX.diffused(1.0, -1.0), ValueError, "noise_var must be finite and >= 0"),
    Case(VPSDE, lambda: VPSDE(beta_min=-1.0), ValueError, "beta_min must be finite"),
    Case(VPSDE, lambda: VPSDE(beta_min=5.0, beta_max=1.0), ValueError, "beta_max"),
    Case(VPSDE, lambda: VPSDE().marginal(1.5), ValueError, r"t must lie in \[0, 1\]"),
    Case(VESDE, lambda: VESDE(sigma_min=0.0), ValueError, "sigma_min must be finite and > 0"),
    Case(VESDE, lambda: VESDE(sigma_min=5.0, sigma_max=1.0), ValueError, "sigma_max"),
    Case(VESDE, lambda: VESDE().sigma(-0.5), ValueError, r"t must lie in \[0, 1\]"),
    Case(euler_maruyama, lambda: euler_maruyama(lambda x, t: -x, lambda t: 1.0, np.zeros((3, 2)), [0.0]), ValueError,
         "times"),
    Case(euler_maruyama, lambda: euler_maruyama(lambda x, t: -x, lambda t: 1.0, np.zeros((3, 2)), [0.0, np.nan, 1.0]),
         ValueError, "NaN or infinite"),
    Case(euler_maruyama, lambda: euler_maruyama("drift", lambda t: 1.0, np.zeros((3, 2)), [0.0, 1.0]), TypeError,
         "callable"),
    Case(langevin, lambda: langevin(MIX.score, np.zeros((3, 2)), 0.0, 10), ValueError, "step_size must be finite and > 0"),
    Case(langevin, lambda: langevin(MIX.score, np.zeros((3, 2)), 0.1, 0), ValueError, "n_steps must be >= 1"),
    Case(langevin, lambda: langevin(MIX.score, np.full((3, 2), np.nan), 0.1, 5), ValueError, "NaN or infinite"),
    Case(probability_flow_sample, lambda: probability_flow_sample(VPSDE(), lambda x, t: -x, np.zeros((3, 2)),
                                                                  method="euler2"),
         ValueError, "Unknown method='euler2'"),
    Case(probability_flow_sample, lambda: probability_flow_sample(VPSDE(), lambda x, t: -x, np.zeros((3, 2)),
                                                                  n_steps=0),
         ValueError, "n_steps must be >= 1"),
    Case(probability_flow_sample, lambda: probability_flow_sample(VPSDE(), lambda x, t: -x, np.zeros((3, 2)),
                                                                  t_end=1.5),
         ValueError, r"t_end must lie in \[0, 1\)"),
    Case(reverse_sde_sample, lambda: reverse_sde_sample(VPSDE(), lambda x, t: -x, np.zeros((3, 2)), n_steps=0),
         ValueError, "n_steps must be >= 1"),
    Case(reverse_sde_sample, lambda: reverse_sde_sample(VPSDE(), lambda x, t: -x, np.full((3, 2), np.inf)),
         ValueError, "NaN or infinite"),
    Case(reverse_sde_sample, lambda: reverse_sde_sample("vp", lambda x, t: -x, np.zeros((3, 2))), TypeError, "sde"),
    Case(ScoreMLP, lambda: ScoreMLP(VPSDE(), dim=0), ValueError, "dim must be >= 1"),
    Case(ScoreMLP, lambda: ScoreMLP(VPSDE(), rng=0).score(np.zeros((3, 3)), 0.5), ValueError, r"\(n_samples, 2\)"),
    Case(ScoreMLP, lambda: ScoreMLP(VPSDE(), rng=0).score(np.zeros((3, 2)), 1.5), ValueError, r"t must lie in"),
    Case(train_score, lambda: train_score(ScoreMLP(VPSDE(), rng=0), np.zeros((10, 3))), ValueError, "X has 3 features but the model expects 2"),
    Case(train_score, lambda: train_score(ScoreMLP(VPSDE(), rng=0), np.zeros((10, 2)), t_min=0.0), ValueError,
         r"t_min must lie in \(0, 1\)"),
    Case(train_score, lambda: train_score(ScoreMLP(VPSDE(), rng=0), np.zeros((10, 2)), n_iter=0), ValueError,
         "n_iter must be >= 1"),
    # --- DDPM / DDIM ---------------------------------------------------------------------------
    Case(NoiseSchedule, lambda: NoiseSchedule(1), ValueError, "n_steps must be >= 2"),
    Case(NoiseSchedule, lambda: NoiseSchedule(10, kind="quadratic"), ValueError, "Unknown kind='quadratic'"),
    Case(NoiseSchedule, lambda: NoiseSchedule(betas=[0.1, 1.5]), ValueError, r"every beta must lie in the open interval \(0, 1\)"),
    Case(NoiseSchedule, lambda: NoiseSchedule(10, beta_start=0.5, beta_end=0.1), ValueError, "betas must be non-decreasing"),
    Case(NoiseSchedule, lambda: SCHED.add_noise(np.zeros((3, 2)), np.zeros((3, 2)), 10), ValueError,
         r"timesteps must lie in \[0, 9\]"),
    Case(NoiseSchedule, lambda: SCHED.add_noise(np.zeros((3, 2)), np.zeros((3, 3)), 5), ValueError,
         "x0 and noise must have the same shape"),
    Case(NoiseSchedule, lambda: SCHED.add_noise(np.zeros((3, 2)), np.zeros((3, 2)), 2.5), TypeError, "timesteps must be integers"),
    Case(NoiseSchedule, lambda: SCHED.ddpm_step(np.zeros((3, 2)), 5, np.zeros((3, 3))), ValueError, r"eps \(the model's noise prediction\) must have the shape of x_t"),
    Case(NoiseSchedule, lambda: SCHED.ddim_step(np.zeros((3, 2)), 5, 7, np.zeros((3, 2))), ValueError, r"prev_t must be < t = 5"),
    Case(NoiseSchedule, lambda: SCHED.ddim_step(np.zeros((3, 2)), 5, 2, np.zeros((3, 2)), eta=-1.0), ValueError, "eta"),
    Case(NoiseSchedule, lambda: SCHED.ddim_timesteps(0), ValueError, r"n_inference must be"),
    Case(NoiseSchedule, lambda: SCHED.ddim_timesteps(11), ValueError, "cannot sample with 11 steps"),
    Case(ddpm_sample, lambda: ddpm_sample(ZERO_EPS, SCHED, (3, 2), n_inference=20), ValueError, "cannot sample with 20 steps"),
    Case(ddpm_sample, lambda: ddpm_sample(ZERO_EPS, "linear", (3, 2)), TypeError, "NoiseSchedule"),
    Case(ddpm_sample, lambda: ddpm_sample(lambda x, t: np.zeros((3, 3)), SCHED, (3, 2)), ValueError, "model"),
    Case(ddim_sample, lambda: ddim_sample(ZERO_EPS, SCHED, (3, 2), n_inference=0), ValueError, "n_inference"),
    Case(ddim_sample, lambda: ddim_sample(ZERO_EPS, SCHED, (3, 2), n_inference=5, x_T=np.zeros((3, 3))), ValueError, r"x_T must have the sampling shape \(3, 2\)"),
    Case(ddim_sample, lambda: ddim_sample(ZERO_EPS, SCHED, (3, -2)), ValueError, "shape"),
    Case(EpsilonMLP, lambda: EpsilonMLP(0), ValueError, "dim must be >= 1"),
    Case(EpsilonMLP, lambda: EpsilonMLP(2, rng=0).predict(np.zeros((3, 3)), 5), ValueError, r"\(n_samples, 2\)"),
    Case(EpsilonMLP, lambda: EpsilonMLP(2, rng=0).predict(np.zeros((3, 2)), np.zeros(4, int)), ValueError, r"t must be one timestep or one per sample"),
    Case(EpsilonMLP, lambda: EpsilonMLP(2, rng=0).predict(np.zeros((3, 2)), -1), ValueError, "t must be"),
    Case(train_ddpm, lambda: train_ddpm(EpsilonMLP(2, rng=0), np.zeros((10, 3)), SCHED), ValueError, "X has 3 features but the model expects 2"),
    Case(train_ddpm, lambda: train_ddpm(EpsilonMLP(2, rng=0), np.zeros((10, 2)), SCHED, lr=0.0), ValueError,
         "lr must be finite and > 0"),
    Case(train_ddpm, lambda: train_ddpm(EpsilonMLP(2, rng=0), np.full((10, 2), np.nan), SCHED), ValueError,
         "NaN or infinite"),
    Case(swiss_roll_2d, lambda: swiss_roll_2d(0), ValueError, "n_samples must be >= 1"),
    Case(swiss_roll_2d, lambda: swiss_roll_2d(10, noise=-0.1), ValueError, "noise must be finite and >= 0"),
    Case(digits_to_unit, lambda: digits_to_unit(np.full((2, 8, 8), 20.0)), ValueError, "0 to 16"),
    Case(digits_to_unit, lambda: digits_to_unit(np.zeros((2, 7))), ValueError, "64"),
    Case(nearest_distances, lambda: nearest_distances(np.zeros((3, 2)), np.zeros((4, 3))), ValueError, "same number of"),
    Case(nearest_distances, lambda: nearest_distances(np.zeros((3, 2)), np.zeros((0, 2))), ValueError, "empty"),
    # --- stable diffusion ----------------------------------------------------------------------
    Case(Tokenizer, lambda: Tokenizer(length=0), ValueError, "length must be >= 1"),
    Case(Tokenizer, lambda: TOK.encode(["a purple digit"]), ValueError, "purple"),
    Case(Tokenizer, lambda: TOK.encode([3]), TypeError, "prompts must be"),
    Case(Tokenizer, lambda: TOK.encode(["a odd digit seven eight"]), ValueError, "words"),
    Case(caption_dataset, lambda: caption_dataset([0, 10]), ValueError, r"0\.\.9|0 to 9"),
    Case(caption_dataset, lambda: caption_dataset([0, 1], p_parity=1.5), ValueError, r"p_parity must lie in \[0, 1\]"),
    Case(caption_dataset, lambda: caption_dataset([0.5, 1.0]), TypeError, "integer"),
    Case(PromptEncoder, lambda: PromptEncoder(0), ValueError, "vocab_size must be >= 1"),
    Case(PromptEncoder, lambda: text()(np.array([[0.0, 1.0, 2.0]])), TypeError, "integer token ids"),
    Case(PromptEncoder, lambda: text()(np.array([[0, 1, 99]])), ValueError, "vocabulary"),
    Case(PromptEncoder, lambda: text()(np.array([[0, 1]])), ValueError, r"token ids of shape \(N, 3\)"),
    Case(ResBlock, lambda: ResBlock(6, 8, 8, groups=4), ValueError, "groups"),
    Case(ResBlock, lambda: ResBlock(8, 8, 8, rng=0)(Tensor(np.zeros((1, 4, 2, 2), np.float32)),
                                                    Tensor(np.zeros((1, 8), np.float32))), ValueError, r"expects input of shape \(N, 8"),
    Case(SpatialCrossAttention, lambda: SpatialCrossAttention(8, 8, n_heads=3), ValueError, "n_heads"),
    Case(SpatialCrossAttention, lambda: SpatialCrossAttention(8, 8, rng=0)(Tensor(np.zeros((1, 8, 2, 2), np.float32)),
                                                                          Tensor(np.zeros((1, 3, 4), np.float32))),
         ValueError, "context"),
    Case(AutoEncoder, lambda: AutoEncoder(0), ValueError, "hidden must be >= 1"),
    Case(AutoEncoder, lambda: AutoEncoder(16, rng=0)(Tensor(np.zeros((2, 1, 4, 4), np.float32))), ValueError, "8"),
    Case(TinyUNet, lambda: TinyUNet(channels=6), ValueError, "channels"),
    Case(TinyUNet, lambda: unet()(Tensor(np.zeros((2, 4, 4, 4), np.float32)), 5, Tensor(np.zeros((2, 3, 8), np.float32))),
         ValueError, "shape"),
    Case(train_autoencoder, lambda: train_autoencoder(AutoEncoder(16, rng=0), np.zeros((10, 50))), ValueError, "64"),
    Case(train_autoencoder, lambda: train_autoencoder(AutoEncoder(16, rng=0), np.zeros((10, 64)), n_iter=0), ValueError,
         "n_iter must be >= 1"),
    Case(train_latent_diffusion, lambda: train_latent_diffusion(unet(), text(), np.zeros((10, 2, 4, 4), np.float32),
                                                                TOK.encode(["a digit"] * 9), SCHED),
         ValueError, "10 latents but 9 prompts"),
    Case(train_latent_diffusion, lambda: train_latent_diffusion(unet(), text(), np.zeros((10, 2, 4, 4), np.float32),
                                                                TOK.encode(["a digit"] * 10), SCHED, p_uncond=1.5),
         ValueError, r"p_uncond must lie in \[0, 1\]"),
    Case(sample_guided, lambda: sample_guided(unet(), text(), TOK.encode(["a digit"]), SCHED, 0), ValueError,
         "n_samples must be >= 1"),
    Case(sample_guided, lambda: sample_guided(unet(), text(), TOK.encode(["a digit"]), SCHED, 2, n_inference=50),
         ValueError, "cannot sample with 50 steps"),
    Case(sample_guided, lambda: sample_guided(unet(), text(), TOK.encode(["a digit"]), SCHED, 2, guidance=np.nan),
         ValueError, "guidance weight must be a finite number"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
