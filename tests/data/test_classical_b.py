"""Tests for scratch.data.classical_b (generators for the Part II chapters)."""

import math

import numpy as np
import pytest

from scratch.data.classical_b import (
    chi2_median,
    flip_labels,
    glm_neuron_filters,
    nested_spheres,
    noisy_threshold,
    noisy_threshold_risk,
    simulate_glm_neuron,
    swiss_roll,
    von_mises_neuron,
)

stats = pytest.importorskip("scipy.stats")


@pytest.mark.parametrize("d", [1, 2, 3, 10, 25])
def test_chi2_median_matches_scipy(d):
    assert chi2_median(d) == pytest.approx(stats.chi2.median(d), rel=1e-10)


def test_nested_spheres_shapes_balance_and_seed():
    X, y = nested_spheres(20_000, rng=0)
    assert X.shape == (20_000, 10) and set(np.unique(y)) == {-1.0, 1.0}
    assert abs(np.mean(y > 0) - 0.5) < 0.02
    np.testing.assert_array_equal(y, np.where(np.sum(X ** 2, axis=1) > chi2_median(10), 1.0, -1.0))
    np.testing.assert_array_equal(nested_spheres(5, rng=3)[0], nested_spheres(5, rng=3)[0])


def test_flip_labels_flips_exactly_the_requested_fraction():
    y = np.array(["a", "b"] * 50)
    y_noisy, flipped = flip_labels(y, 0.2, rng=0)
    assert flipped.sum() == 20
    assert np.all(y_noisy[flipped] != y[flipped]) and np.all(y_noisy[~flipped] == y[~flipped])
    assert set(y_noisy) == {"a", "b"}
    assert flip_labels(y, 0.0, rng=0)[1].sum() == 0


def test_swiss_roll_geometry():
    X, coords = swiss_roll(500, rng=0)
    t = np.arctan2(X[:, 2], X[:, 0])
    r = np.hypot(X[:, 0], X[:, 2])
    assert X.shape == (500, 3) and coords.shape == (500, 2)
    assert np.all((r >= 1.5 * np.pi - 1e-9) & (r <= 4.5 * np.pi + 1e-9))
    np.testing.assert_allclose(np.cos(t - r), 1.0, atol=1e-12)   # the angle equals the radius
    np.testing.assert_array_equal(X[:, 1], coords[:, 1])
    # the arc length grows like r^2 / 2 and its derivative is sqrt(1 + r^2)
    arc = 0.5 * (r * np.sqrt(1 + r ** 2) + np.arcsinh(r))
    np.testing.assert_allclose(coords[:, 0], arc, rtol=1e-12)
    Xn, _ = swiss_roll(500, noise=0.5, rng=0)
    assert 0.3 < np.std(Xn - X) < 0.7


def test_swiss_roll_arc_length_is_distance_along_the_roll():
    t = np.linspace(1.5 * np.pi, 4.5 * np.pi, 200_001)
    curve = np.column_stack([t * np.cos(t), t * np.sin(t)])
    length = np.sum(np.linalg.norm(np.diff(curve, axis=0), axis=1))
    arc = lambda s: 0.5 * (s * math.sqrt(1 + s * s) + math.asinh(s))  # noqa: E731
    assert length == pytest.approx(arc(4.5 * math.pi) - arc(1.5 * math.pi), rel=1e-8)


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


def test_noisy_threshold_labels():
    X, y = noisy_threshold(100_000, threshold=0.4, noise=0.1, rng=0)
    clean = np.where(X[:, 0] >= 0.4, 1.0, -1.0)
    assert np.mean(clean != y) == pytest.approx(0.1, abs=0.005)
    assert noisy_threshold_risk(0.4, 1.0, threshold=0.4, noise=0.1) == pytest.approx(0.1)
    assert noisy_threshold_risk(0.4, -1.0, threshold=0.4, noise=0.1) == pytest.approx(0.9)
    np.testing.assert_allclose(noisy_threshold_risk([0.0, 2.0], 1.0, threshold=0.4, noise=0.0), [0.4, 0.6])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: nested_spheres(0), ValueError, "n_samples must be >= 1"),
        (lambda: nested_spheres(10, rng="seed"), TypeError, "rng must be a numpy Generator"),
        (lambda: flip_labels([1, 1, 1], 0.1), ValueError, "exactly two classes; got 1"),
        (lambda: flip_labels([0, 1], 1.5), ValueError, r"fraction must be in \[0, 1\]"),
        (lambda: swiss_roll(10, noise=-1.0), ValueError, "noise must be finite and >= 0"),
        (lambda: von_mises_neuron(10, peak_rate=0.0), ValueError, "peak_rate must be finite and > 0"),
        (lambda: von_mises_neuron(10, gain_shape=-2.0), ValueError, "gain_shape must be finite and > 0"),
        (lambda: simulate_glm_neuron(10, stim_filter=np.zeros((2, 2))), ValueError,
         "stim_filter must have shape"),
        (lambda: simulate_glm_neuron(10, bias=np.nan), ValueError, "bias must be finite"),
        (lambda: noisy_threshold(10, noise=0.5), ValueError, r"noise must lie in \[0, 0.5\)"),
        (lambda: noisy_threshold_risk(0.5, 0.0), ValueError, "signs must be -1 or \\+1"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
