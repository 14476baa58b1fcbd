"""Tests for scratch.generative.vae (page: book/generative/vae.md)."""

import numpy as np
import pytest

from scratch.generative.vae import (
    VAE,
    DigitJudge,
    active_units,
    check_binary_images,
    fit_vae,
    interpolate,
    iwae_bound,
    kl_per_dimension,
)
from scratch.optim import Adam


def binary_data(n=40, d=16, seed=0):
    return (np.random.default_rng(seed).uniform(size=(n, d)) < 0.3).astype(float)


# -- cross-checks against torch -----------------------------------------------------------
def test_kl_and_log_likelihood_match_torch_distributions():
    torch = pytest.importorskip("torch")
    td = torch.distributions
    model, x = VAE(16, 3, (12,), rng=0), binary_data()
    terms = model.elbo(x, rng=1)
    q = model.encode(x)
    kl_t = td.kl_divergence(td.Normal(torch.from_numpy(q.loc.data), torch.from_numpy(q.scale.data)),
                            td.Normal(0.0, 1.0)).numpy()
    np.testing.assert_allclose(terms.kl.data, kl_t, rtol=0, atol=1e-14)
    logits = model.decoder(q.loc).data
    ll_t = td.Bernoulli(logits=torch.from_numpy(logits)).log_prob(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(model.decode(q.loc).log_prob(x).data, ll_t, rtol=0, atol=1e-13)


@pytest.mark.parametrize("beta", [1.0, 3.0])
def test_training_step_gradients_match_torch_on_copied_weights(beta, torch_mlp):
    torch = pytest.importorskip("torch")
    td = torch.distributions
    model, x = VAE(16, 3, (12, 8), rng=2), binary_data(n=10)
    enc_t, dec_t = torch_mlp(model.encoder), torch_mlp(model.decoder)
    loss = model.loss(x, rng=7, beta=beta)
    loss.backward()
    eps = torch.from_numpy(np.random.default_rng(7).standard_normal((10, 3)))
    h = enc_t(torch.from_numpy(x))
    mu, sd = h[:, :3], (0.5 * h[:, 3:]).exp()
    rec = td.Bernoulli(logits=dec_t(mu + sd * eps)).log_prob(torch.from_numpy(x)).sum(-1)
    loss_t = -(rec - beta * td.kl_divergence(td.Normal(mu, sd), td.Normal(0.0, 1.0)).sum(-1)).mean()
    loss_t.backward()
    assert loss.item() == pytest.approx(loss_t.item(), abs=1e-12)
    for ours, theirs in [(model.encoder, enc_t), (model.decoder, dec_t)]:
        for lin, t in zip(ours.layers, theirs[::2]):
            np.testing.assert_allclose(lin.weight.grad, t.weight.grad.numpy().T, atol=1e-13)
            np.testing.assert_allclose(lin.bias.grad, t.bias.grad.numpy(), atol=1e-13)


# -- closed forms and bounds ------------------------------------------------------------------
def _prior_encoder_constant_decoder(seed=0):
    """q(z|x) = N(0, I) for every x and p(x|z) independent of z: every bound equals log p(x)."""
    model = VAE(16, 2, (8,), rng=seed)
    for p in (model.encoder.layers[-1].weight, model.encoder.layers[-1].bias, model.decoder.layers[-1].weight):
        p.data[...] = 0.0
    return model


def test_bounds_are_exact_when_the_posterior_is_the_prior_and_z_is_ignored():
    model, x = _prior_encoder_constant_decoder(), binary_data()
    b = model.decoder.layers[-1].bias.data                                    # the logits, for every z
    log_px = (x * b - np.logaddexp(0, b)).sum(-1)
    for k in [1, 7, 50]:
        np.testing.assert_allclose(iwae_bound(model, x, k, rng=0), log_px, atol=1e-12)
    np.testing.assert_allclose(model.elbo(x, rng=0).elbo.data, log_px, atol=1e-12)
    assert kl_per_dimension(model, x) == pytest.approx(np.zeros(2), abs=1e-15)
    assert active_units(model, x)[0] == 0


def test_iwae_with_one_sample_is_the_elbo_with_a_sampled_kl():
    """L_1 = log p(x|z) + log p(z) - log q(z|x) at the same z; the ELBO uses the analytic KL instead."""
    model, x = VAE(16, 3, (12,), rng=1), binary_data()
    q, terms = model.encode(x), model.elbo(x, rng=3)
    mu, sd = q.loc.data, q.scale.data
    z = mu + sd * np.random.default_rng(3).standard_normal(mu.shape)          # the ELBO's own z
    log_q = (-0.5 * ((z - mu) / sd) ** 2 - np.log(sd) - 0.5 * np.log(2 * np.pi)).sum(-1)
    log_p = (-0.5 * z ** 2 - 0.5 * np.log(2 * np.pi)).sum(-1)
    expected = terms.reconstruction.data + log_p - log_q
    np.testing.assert_allclose(iwae_bound(model, x, 1, rng=3), expected, rtol=1e-12)
    # and on average over the noise, L_1 is the ELBO
    l1 = np.mean([iwae_bound(model, x, 1, rng=s).mean() for s in range(200)])
    elbo = np.mean([model.elbo(x, rng=1000 + s).elbo.data.mean() for s in range(200)])
    assert l1 == pytest.approx(elbo, abs=0.05)


def test_iwae_increases_with_k_and_batching_only_changes_the_noise():
    model, x = VAE(16, 3, (12,), rng=1), binary_data(n=200)
    means = [iwae_bound(model, x, k, rng=0).mean() for k in (1, 10, 100)]
    assert means[0] < means[1] < means[2]
    small, whole = iwae_bound(model, x, 100, rng=4, batch_size=7), iwae_bound(model, x, 100, rng=4)
    assert small.shape == whole.shape == (200,)
    assert abs(small.mean() - whole.mean()) < 0.05           # batching only changes the noise draws


def test_elbo_terms_and_beta():
    model, x = VAE(16, 3, (12,), rng=0), binary_data()
    t1, t0 = model.elbo(x, rng=2, beta=1.0), model.elbo(x, rng=2, beta=0.0)
    np.testing.assert_allclose(t1.elbo.data, t1.reconstruction.data - t1.kl.data.sum(-1), rtol=1e-14)
    np.testing.assert_allclose(t0.elbo.data, t0.reconstruction.data, rtol=1e-14)
    kl = 0.5 * (model.encode(x).loc.data ** 2 + model.encode(x).scale.data ** 2 - 1
                - np.log(model.encode(x).scale.data ** 2))                    # eq-vae-kl by hand
    np.testing.assert_allclose(t1.kl.data, kl, rtol=1e-12)
    assert np.all(t1.reconstruction.data <= 0)


def test_fit_vae_decreases_the_loss_and_activity_is_the_variance_of_the_means():
    X = np.vstack([np.tile([1.0] * 8 + [0.0] * 8, (30, 1)), np.tile([0.0] * 8 + [1.0] * 8, (30, 1))])
    model = VAE(16, 2, (16,), rng=0)
    hist = fit_vae(model, X, Adam(model.parameters(), lr=1e-2), epochs=40, batch_size=20, rng=0)
    assert hist.loss[-1] < 0.2 * hist.loss[0]
    n, activity = active_units(model, X)
    np.testing.assert_allclose(activity, model.encode(X).loc.data.var(axis=0))
    assert n >= 1                                              # the two patterns need a code
    assert np.all(model.sample(5, rng=0) * (1 - model.sample(5, rng=0)) == 0)    # binary samples
    ends = interpolate(model, X[0], X[-1], n_steps=5)
    np.testing.assert_allclose(ends[[0, -1]], model.reconstruct(X[[0, -1]]), rtol=1e-12)
    assert model.reconstruct(X[:1])[0, :8].min() > 0.9        # the first pattern is reconstructed


# -- bad input -----------------------------------------------------------------------------
M = VAE(64, 2, (8,), rng=0)
GOOD = np.zeros((3, 64))


@pytest.mark.parametrize("call, error, match", [
    (lambda: M.elbo(np.zeros((3, 8, 8))), ValueError, r"shape \(n_samples, 64\).*Flatten the images"),
    (lambda: M.elbo(np.zeros((3, 63))), ValueError, r"shape \(n_samples, 64\); got \(3, 63\)"),
    (lambda: M.elbo(np.full((3, 64), 0.5)), ValueError, "binary pixels.*Binarise"),
    (lambda: M.elbo(np.full((3, 64), np.nan)), ValueError, "NaN"),
    (lambda: M.encode(np.zeros((3, 16))), ValueError, r"shape \(n_samples, 64\)"),
    (lambda: M.decode(np.zeros((3, 3))), ValueError, r"latent codes of shape \(n_samples, 2\).*latent_dim=2"),
    (lambda: M.decode(np.zeros(2)), ValueError, r"latent codes of shape \(n_samples, 2\)"),
    (lambda: M.elbo(GOOD, beta=-1.0), ValueError, "beta must be finite and >= 0"),
    (lambda: iwae_bound(M, GOOD, k=0), ValueError, "k must be >= 1"),
    (lambda: iwae_bound("model", GOOD), TypeError, "evaluates a scratch.generative.vae.VAE"),
    (lambda: fit_vae(M, GOOD[:, :10], Adam(M.parameters())), ValueError, r"X must be flattened images"),
    (lambda: fit_vae(object(), GOOD, None), TypeError, "trains a scratch.generative.vae.VAE"),
    (lambda: interpolate(M, GOOD[0], GOOD[1], n_steps=1), ValueError, "n_steps must be >= 2"),
    (lambda: active_units(M, GOOD, threshold=0.0), ValueError, "threshold must be finite and > 0"),
    (lambda: VAE(64, 0), ValueError, "latent_dim must be >= 1"),
    (lambda: M.sample(0), ValueError, "n_samples must be >= 1"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_check_binary_images_passes_good_input():
    x = check_binary_images(np.eye(4, 64), 64)
    assert x.shape == (4, 64) and x.dtype == np.float64


def _blobs(n=120, d=16, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    centres = rng.normal(size=(3, d)) * 3
    return centres[y] + rng.normal(size=(n, d)), y


@pytest.mark.parametrize("model", ["mlp", "logistic"])
def test_digit_judge_classifies_and_its_confidence_is_the_top_probability(model):
    X, y = _blobs()
    judge = DigitJudge(model, epochs=30, rng=0).fit(X[:90], y[:90])
    p = judge.predict_proba(X[90:])
    assert p.shape == (30, 3) and np.allclose(p.sum(1), 1.0)
    conf, cls = judge.confidence(X[90:])
    np.testing.assert_array_equal(conf, p.max(1))
    np.testing.assert_array_equal(cls, judge.predict(X[90:]))
    assert np.mean(cls == y[90:]) > 0.95
    # noise far from the blobs gets a lower confidence than held-out "real" samples
    assert judge.confidence(np.random.default_rng(1).normal(size=(30, 16)) * 0.1)[0].mean() < conf.mean()


def test_digit_judge_logistic_is_the_softmax_regression():
    from scratch.classical.logistic_regression import LogisticRegression

    X, y = _blobs()
    ref = LogisticRegression(alpha=1.0).fit(X, y)
    np.testing.assert_allclose(DigitJudge("logistic").fit(X, y).predict_proba(X), ref.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("call, error, match", [
    (lambda: DigitJudge().predict(np.zeros((2, 16))), ValueError, "not fitted yet"),
    (lambda: DigitJudge("knn").fit(*_blobs()), ValueError, "Unknown model='knn'"),
    (lambda: DigitJudge().fit(_blobs()[0], _blobs()[1][:-1]), ValueError, "X and y have mismatched lengths"),
    (lambda: DigitJudge().fit(_blobs()[0], _blobs()[1] * 1.0), TypeError, "integer class labels"),
    (lambda: DigitJudge(epochs=1).fit(*_blobs()).predict_proba(np.zeros(16)), ValueError, r"X.reshape\(1, -1\)"),
    (lambda: DigitJudge(epochs=1).fit(*_blobs()).confidence(np.zeros((2, 64))), ValueError, r"\(n_samples, 16\)"),
    (lambda: DigitJudge(dtype="int8").fit(*_blobs()), TypeError, "float dtype"),
])
def test_digit_judge_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
