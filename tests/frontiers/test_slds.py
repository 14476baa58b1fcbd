"""Tests for scratch.frontiers.slds (page: book/frontiers/slds.md)."""

import itertools

import numpy as np
import pytest

from scratch.frontiers.slds import (
    SLDSParams,
    discrete_log_likelihoods,
    gibbs_slds,
    rotation,
    sample_continuous,
    sample_discrete,
    sample_slds,
    switching_kalman_filter,
)
from scratch.probabilistic.hmm import posteriors


def model(K=2, q=0.01, r=0.05, stay=0.9):
    A = np.stack([rotation(0.2, 0.99), rotation(-0.4, 0.99)])[:K]
    trans = np.full((K, K), (1 - stay) / max(K - 1, 1)) + np.eye(K) * (stay - (1 - stay) / max(K - 1, 1))
    if K == 1:
        trans = np.ones((1, 1))
    return SLDSParams(A=A, Q=np.stack([q * np.eye(2)] * K), C=np.array([[1.0, 0.0], [0.3, 1.0]]),
                      R=r * np.eye(2), trans=trans, pi=np.full(K, 1 / K), m0=np.array([1.0, 0.0]),
                      P0=0.1 * np.eye(2))


def test_one_regime_filter_matches_pykalman():
    pykalman = pytest.importorskip("pykalman")
    p = model(K=1)
    _, _, y = sample_slds(p, 60, rng=0)
    means, covs, ll = switching_kalman_filter(p, np.zeros(60, dtype=int), y)
    kf = pykalman.KalmanFilter(transition_matrices=p.A[0], observation_matrices=p.C, transition_covariance=p.Q[0],
                               observation_covariance=p.R, initial_state_mean=p.m0, initial_state_covariance=p.P0)
    ref_means, ref_covs = kf.filter(y)
    np.testing.assert_allclose(means, ref_means, atol=1e-10)
    np.testing.assert_allclose(covs, ref_covs, atol=1e-10)
    assert ll == pytest.approx(kf.loglikelihood(y), abs=1e-8)


def test_one_regime_samples_average_to_the_smoother():
    pykalman = pytest.importorskip("pykalman")
    p = model(K=1)
    _, _, y = sample_slds(p, 20, rng=1)
    rng = np.random.default_rng(2)
    draws = np.array([sample_continuous(p, np.zeros(20, dtype=int), y, rng=rng) for _ in range(600)])
    kf = pykalman.KalmanFilter(transition_matrices=p.A[0], observation_matrices=p.C, transition_covariance=p.Q[0],
                               observation_covariance=p.R, initial_state_mean=p.m0, initial_state_covariance=p.P0)
    sm, sc = kf.smooth(y)
    se = np.sqrt(np.einsum("tii->ti", sc) / len(draws))
    assert np.all(np.abs(draws.mean(0) - sm) < 4.5 * se)


def test_discrete_sampler_matches_enumeration_of_all_sequences():
    p = model(K=2, stay=0.7)
    _, x, _ = sample_slds(p, 3, rng=3)
    log_B = discrete_log_likelihoods(p, x)
    seqs = list(itertools.product(range(2), repeat=3))
    logp = np.array([np.log(p.pi[s[0]]) + sum(np.log(p.trans[s[t - 1], s[t]]) for t in (1, 2))
                     + sum(log_B[t, s[t]] for t in range(3)) for s in seqs])
    exact = np.exp(logp - logp.max())
    exact /= exact.sum()
    rng = np.random.default_rng(4)
    draws = [tuple(sample_discrete(p, x, rng=rng)) for _ in range(4000)]
    freq = np.array([draws.count(s) for s in seqs]) / len(draws)
    assert np.all(np.abs(freq - exact) < 4 * np.sqrt(exact * (1 - exact) / len(draws)) + 1e-3)


def test_negligible_continuous_noise_reduces_to_the_hmm():
    p = model(K=2, r=1e-8, stay=0.9)
    p.C = np.eye(2)
    z, x, y = sample_slds(p, 40, rng=5)
    with np.errstate(divide="ignore"):
        gamma = posteriors(np.log(p.pi), np.log(p.trans), discrete_log_likelihoods(p, x))[0]
    zs, _ = gibbs_slds(p, y, n_iter=300, rng=6)
    freq = np.mean(zs[50:] == 1, axis=0)
    assert np.abs(freq - gamma[:, 1]).max() < 0.12


def test_gibbs_segments_two_rotations():
    p = model(K=2, stay=0.97)
    z, _, y = sample_slds(p, 150, rng=7)
    zs, _ = gibbs_slds(p, y, n_iter=20, rng=8)
    assert np.mean(zs[-1] == z) > 0.9


@pytest.mark.parametrize("kwargs, match", [
    ({"trans": np.array([[0.5, 0.6], [0.5, 0.5]])}, "rows summing to 1"),
    ({"A": np.ones((2, 2, 3))}, r"shape \(K, n, n\)"),
    ({"pi": np.array([0.2, 0.2])}, "probability vector"),
    ({"R": np.eye(3)}, "shapes must be"),
])
def test_bad_parameters(kwargs, match):
    base = dict(A=np.stack([np.eye(2)] * 2), Q=np.stack([np.eye(2)] * 2), C=np.eye(2), R=np.eye(2),
                trans=np.full((2, 2), 0.5), pi=np.full(2, 0.5), m0=np.zeros(2), P0=np.eye(2))
    base.update(kwargs)
    with pytest.raises(ValueError, match=match):
        SLDSParams(**base)


def test_bad_gibbs_input():
    p = model()
    with pytest.raises(ValueError, match="z_init must hold"):
        gibbs_slds(p, np.zeros((5, 2)), z_init=np.full(5, 2))
    with pytest.raises(ValueError, match="z must have shape"):
        switching_kalman_filter(p, np.zeros(4, dtype=int), np.zeros((5, 2)))
