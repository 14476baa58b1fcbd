"""Tests for scratch.probabilistic.particle_filter (page: book/probabilistic/particle_filter.md)."""

import numpy as np
import pytest

from scratch.probabilistic.kalman import KalmanFilter
from scratch.probabilistic.particle_filter import (
    bootstrap_filter,
    effective_sample_size,
    importance_sampling,
    multinomial_resample,
    normalize_log_weights,
    place_cell_log_likelihood,
    reflect,
    simulate_place_cells,
    systematic_resample,
)

A, Q, R = 0.9, 1.0, 1.0


def lg_filter(Y, N, seed, **kw):
    return bootstrap_filter(
        Y, lambda rng, n: rng.standard_normal((n, 1)),
        lambda rng, p: A * p + np.sqrt(Q) * rng.standard_normal(p.shape),
        lambda y, p: -0.5 * (y[0] - p[:, 0]) ** 2 / R - 0.5 * np.log(2 * np.pi * R), N, rng=seed, **kw)


# -- closed forms ------------------------------------------------------------------------
def test_ess_closed_forms():
    assert effective_sample_size(np.ones(10)) == pytest.approx(10)
    assert effective_sample_size([0, 0, 3.0, 0]) == pytest.approx(1)
    assert effective_sample_size([1, 1, 2]) == pytest.approx(16 / 6)


def test_normalize_log_weights_is_stable():
    w, log_mean = normalize_log_weights([-1000.0, -1000.0 + np.log(3)])
    np.testing.assert_allclose(w, [0.25, 0.75])
    assert log_mean == pytest.approx(-1000 + np.log(2), abs=1e-12)


def test_importance_sampling_gaussian_evidence():
    """Target exp(-x^2/2) (Z = sqrt(2 pi)); proposal N(0, 2^2); tolerance from the sample size."""
    n = 20_000
    x, w, log_z, ess = importance_sampling(
        lambda z: -0.5 * z[:, 0] ** 2, lambda rng, k: 2 * rng.standard_normal((k, 1)),
        lambda z: -0.5 * (z[:, 0] / 2) ** 2 - np.log(2 * np.sqrt(2 * np.pi)), n, rng=0)
    # relative variance of the weights: E[w^2]/E[w]^2 - 1 = 4/sqrt(7) - 1 for this pair
    rel_sd = np.sqrt((4 / np.sqrt(7) - 1) / n)
    assert abs(log_z - 0.5 * np.log(2 * np.pi)) < 5 * rel_sd
    assert abs(w @ x[:, 0]) < 5 * np.sqrt(1 / ess)
    assert abs(w @ x[:, 0] ** 2 - 1) < 5 * np.sqrt(2 / ess)
    assert ess == pytest.approx(n / (4 / np.sqrt(7)), rel=0.05)


def test_systematic_counts_are_floor_or_ceil():
    rng = np.random.default_rng(0)
    for _ in range(20):
        w = rng.dirichlet(np.ones(37) * 0.3)
        counts = np.bincount(systematic_resample(w, rng=rng), minlength=37)
        assert counts.sum() == 37
        assert np.all(counts >= np.floor(37 * w) - 1e-9) and np.all(counts <= np.ceil(37 * w) + 1e-9)


def test_multinomial_resample_moments():
    w = np.array([0.1, 0.2, 0.3, 0.4])
    n = 40_000
    counts = np.bincount(multinomial_resample(w, rng=1, n=n), minlength=4)
    assert np.all(np.abs(counts - n * w) < 5 * np.sqrt(n * w * (1 - w)))


def test_systematic_is_unbiased():
    w = np.array([0.05, 0.45, 0.5])
    reps = np.array([np.bincount(systematic_resample(w, rng=s), minlength=3) for s in range(4000)])
    # each count is floor or ceil of 3 w: variance <= 1/4 per replication
    assert np.all(np.abs(reps.mean(0) - 3 * w) < 5 * 0.5 / np.sqrt(4000))


# -- the filter against the exact Kalman filter ------------------------------------------
def test_bootstrap_filter_converges_to_kalman():
    kf = KalmanFilter([[A]], [[1.0]], [[Q]], [[R]], [0.0], [[1.0]])
    _, Y = kf.sample(40, rng=0)
    km, kP = kf.filter(Y)
    errs = {}
    for N in (200, 20_000):
        res = lg_filter(Y, N, seed=1)
        errs[N] = np.sqrt(np.mean((res.means - km) ** 2))
    # Monte Carlo error of a posterior mean ~ sd / sqrt(N_eff); sd < 1 here
    assert errs[20_000] < 5 * np.sqrt(kP.max() / (20_000 * 0.3))
    assert errs[20_000] < errs[200] / 3
    res = lg_filter(Y, 20_000, seed=2)
    np.testing.assert_allclose(res.variances[:, 0], kP[:, 0, 0], rtol=0.1)
    assert res.log_evidence == pytest.approx(kf.loglikelihood(Y), abs=0.2)


def test_resampling_every_step_and_multinomial_also_converge():
    kf = KalmanFilter([[A]], [[1.0]], [[Q]], [[R]], [0.0], [[1.0]])
    _, Y = kf.sample(30, rng=3)
    km, _ = kf.filter(Y)
    for kw in ({"resample": "multinomial"}, {"ess_threshold": 1.0}):
        res = lg_filter(Y, 20_000, seed=4, **kw)
        assert np.max(np.abs(res.means - km)) < 0.1
    assert lg_filter(Y, 1000, seed=4, ess_threshold=1.0).n_resampled == 30


def test_place_cells_generator_and_likelihood():
    x, counts, centers = simulate_place_cells(20_000, 10, rng=0)
    assert np.all((x >= 0) & (x <= 1)) and counts.shape == (20_000, 10)
    rate = 15.0 * 0.05 * np.exp(-0.5 * (x[:, None] - centers) ** 2 / 0.08 ** 2)
    # Poisson: E[count - rate] = 0 with variance sum(rate)
    assert abs(np.sum(counts - rate)) < 5 * np.sqrt(rate.sum())
    ll = place_cell_log_likelihood(counts[0], np.array([x[0], 5.0]), centers)
    lam = rate[0]
    assert ll[0] == pytest.approx(np.sum(counts[0] * np.log(lam) - lam), abs=1e-10)
    np.testing.assert_allclose(reflect(np.array([-0.2, 0.5, 1.3, 2.1])), [0.2, 0.5, 0.7, 0.1], atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_resamplers_match_filterpy_given_the_same_uniforms(seed, monkeypatch):
    pytest.importorskip("filterpy")
    from filterpy.monte_carlo import resampling
    w = np.random.default_rng(seed + 10).dirichlet(np.ones(50) * 0.5)
    # filterpy draws from numpy's global state through `random`; feed it our uniforms
    monkeypatch.setattr(resampling, "random", lambda *size: np.random.default_rng(seed).random(*size))
    np.testing.assert_array_equal(systematic_resample(w, rng=seed), resampling.systematic_resample(w))
    np.testing.assert_array_equal(multinomial_resample(w, rng=seed), resampling.multinomial_resample(w))


# -- bad input ---------------------------------------------------------------------------
_GOOD = dict(sample_initial=lambda rng, n: np.zeros((n, 1)), sample_transition=lambda rng, p: p,
             log_likelihood=lambda y, p: np.zeros(len(p)))


@pytest.mark.parametrize("call, err, match", [
    (lambda: bootstrap_filter(np.zeros(3), n_particles=0, **_GOOD), ValueError, "n_particles"),
    (lambda: bootstrap_filter([0.0, np.nan], n_particles=10, **_GOOD), ValueError, "NaN"),
    (lambda: bootstrap_filter(np.zeros(3), n_particles=10, resample="stratified", **_GOOD), ValueError,
     "resample"),
    (lambda: bootstrap_filter(np.zeros(3), n_particles=10, ess_threshold=1.5, **_GOOD), ValueError,
     "ess_threshold"),
    (lambda: bootstrap_filter(np.zeros(3), n_particles=10, **{**_GOOD, "sample_initial": lambda r, n: np.zeros(n)}),
     ValueError, "sample_initial must return"),
    (lambda: bootstrap_filter(np.zeros(3), n_particles=10,
                              **{**_GOOD, "log_likelihood": lambda y, p: np.zeros(3)}), ValueError,
     "log_likelihood must return"),
    (lambda: bootstrap_filter(np.zeros(3), n_particles=10,
                              **{**_GOOD, "sample_transition": lambda r, p: p[:5]}), ValueError,
     "sample_transition must return"),
    (lambda: bootstrap_filter(np.zeros(3), n_particles=10,
                              **{**_GOOD, "log_likelihood": lambda y, p: np.full(len(p), -np.inf)}),
     ValueError, "every weight is zero"),
    (lambda: effective_sample_size([0.5, -0.1]), ValueError, ">= 0"),
    (lambda: effective_sample_size([0.0, 0.0]), ValueError, "sum to zero"),
    (lambda: effective_sample_size([]), ValueError, "empty"),
    (lambda: systematic_resample([0.5, np.nan]), ValueError, "NaN"),
    (lambda: normalize_log_weights([0.0, np.nan]), ValueError, "NaN"),
    (lambda: multinomial_resample([0.5, 0.5], n=0), ValueError, "n must be"),
    (lambda: importance_sampling(lambda z: np.zeros(3), lambda r, n: np.zeros((n, 1)),
                                 lambda z: np.zeros(len(z)), 0), ValueError, "n_samples"),
    (lambda: importance_sampling(lambda z: np.zeros(3), lambda r, n: np.zeros((n, 1)),
                                 lambda z: np.zeros(len(z)), 5), ValueError, "one value per sample"),
    (lambda: simulate_place_cells(10, 0), ValueError, "n_cells"),
    (lambda: simulate_place_cells(10, 3, width=0.0), ValueError, "width"),
    (lambda: place_cell_log_likelihood(np.zeros(3), np.zeros(5), np.zeros(4)), ValueError, "cells"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
