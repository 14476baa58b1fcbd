"""Tests for scratch.data.neurons (simulated tuning curves and GLM spike trains)."""

import numpy as np
import pytest

from scratch.data.neurons import glm_neuron_filters, simulate_glm_neuron, von_mises_neuron


def test_von_mises_neuron_rates():
    theta, counts = von_mises_neuron(40_000, preferred=1.0, peak_rate=20, concentration=2.0, rng=0)
    near = np.abs(np.angle(np.exp(1j * (theta - 1.0)))) < 0.1
    far = np.abs(np.angle(np.exp(1j * (theta - 1.0 - np.pi)))) < 0.1
    assert counts[near].mean() == pytest.approx(20 * np.exp(2 * (np.cos(0.05) - 1)), rel=0.05)
    assert counts[far].mean() == pytest.approx(20 * np.exp(-4), abs=0.1)
    # Poisson counts: variance ~ mean; with a gamma gain: variance = mean + mean^2 / s
    assert np.var(counts[near]) / counts[near].mean() == pytest.approx(1.0, abs=0.15)
    theta, counts = von_mises_neuron(40_000, preferred=1.0, gain_shape=2.0, rng=1)
    near = np.abs(np.angle(np.exp(1j * (theta - 1.0)))) < 0.1
    m = counts[near].mean()
    assert np.var(counts[near]) == pytest.approx(m + m ** 2 / 2, rel=0.25)


def test_glm_neuron_simulation_matches_its_definition():
    k, h = glm_neuron_filters(4, 3)
    assert k.shape == (4,) and h.shape == (3,) and h[0] < -2
    stim, spikes = simulate_glm_neuron(50_000, stim_filter=k, hist_filter=h, bias=-1.0, rng=0)
    # the log-rate the simulator used is recoverable; check E[y | rate bucket] = rate
    eta = -1.0 + np.convolve(stim, k)[:50_000]
    for j in range(1, 4):
        eta[j:] += h[j - 1] * spikes[:-j]
    rate = np.exp(eta)
    for lo, hi in [(0.0, 0.2), (0.2, 0.5), (0.5, 2.0)]:
        sel = (rate >= lo) & (rate < hi)
        assert spikes[sel].mean() == pytest.approx(rate[sel].mean(), rel=0.05)
    # refractoriness: a spike makes a spike in the next bin rarer
    after = spikes[1:][spikes[:-1] > 0].mean()
    assert after < 0.5 * spikes.mean()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: von_mises_neuron(10, peak_rate=0.0), ValueError, "peak_rate must be finite and > 0"),
        (lambda: von_mises_neuron(10, gain_shape=-2.0), ValueError, "gain_shape must be finite and > 0"),
        (lambda: simulate_glm_neuron(10, stim_filter=np.zeros((2, 2))), ValueError, "stim_filter must have shape"),
        (lambda: simulate_glm_neuron(10, bias=np.nan), ValueError, "bias must be finite"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
