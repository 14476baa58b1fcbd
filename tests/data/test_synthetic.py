"""Tests for scratch.data.synthetic."""

import math

import numpy as np
import pytest


from scratch.data.synthetic import (
    _chi2_median,
    adding_problem,
    flip_labels,
    nested_spheres,
    noisy_sine,
    noisy_threshold,
    swiss_roll,
)


def test_noisy_sine_is_reproducible_and_has_the_right_noise():
    x1, y1 = noisy_sine(5000, noise=0.3, rng=0)
    x2, y2 = noisy_sine(5000, noise=0.3, rng=0)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert x1.min() >= 0 and x1.max() <= 1
    assert np.std(y1 - np.sin(2 * np.pi * x1)) == pytest.approx(0.3, rel=0.05)


def test_noisy_sine_bad_input():
    with pytest.raises(ValueError, match="high > low"):
        noisy_sine(10, low=1.0, high=0.0)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        noisy_sine(0)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        noisy_sine(3, rng="seed")


@pytest.mark.parametrize("d", [1, 2, 3, 10, 25])
def test_chi2_median_matches_scipy(d):
    stats = pytest.importorskip("scipy.stats")
    assert _chi2_median(d) == pytest.approx(stats.chi2.median(d), rel=1e-10)


def test_nested_spheres_shapes_balance_and_seed():
    X, y = nested_spheres(20_000, rng=0)
    assert X.shape == (20_000, 10) and set(np.unique(y)) == {-1.0, 1.0}
    assert abs(np.mean(y > 0) - 0.5) < 0.02
    np.testing.assert_array_equal(y, np.where(np.sum(X ** 2, axis=1) > _chi2_median(10), 1.0, -1.0))
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


def test_noisy_threshold_labels():
    X, y = noisy_threshold(100_000, threshold=0.4, noise=0.1, rng=0)
    clean = np.where(X[:, 0] >= 0.4, 1.0, -1.0)
    assert np.mean(clean != y) == pytest.approx(0.1, abs=0.005)


def test_adding_problem():
    X, y = adding_problem(500, 10, rng=0)
    assert X.shape == (500, 10, 2) and y.shape == (500,)
    assert np.all(X[:, :, 1].sum(axis=1) == 2)
    assert np.all(X[:, :5, 1].sum(axis=1) == 1)  # one marker in each half
    np.testing.assert_allclose(y, (X[:, :, 0] * X[:, :, 1]).sum(axis=1))
    assert abs(np.mean((y - 1) ** 2) - 1 / 6) < 0.03  # baseline MSE ~ 1/6
    with pytest.raises(ValueError, match="length must be >= 2"):
        adding_problem(5, 1)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: nested_spheres(0), ValueError, "n_samples must be >= 1"),
        (lambda: nested_spheres(10, rng="seed"), TypeError, "rng must be a numpy Generator"),
        (lambda: flip_labels([1, 1, 1], 0.1), ValueError, "exactly two classes; got 1"),
        (lambda: flip_labels([0, 1], 1.5), ValueError, r"fraction must be in \[0, 1\]"),
        (lambda: swiss_roll(10, noise=-1.0), ValueError, "noise must be finite and >= 0"),
        (lambda: noisy_threshold(10, noise=0.5), ValueError, r"noise must lie in \[0, 0.5\)"),
        (lambda: adding_problem(5, 1), ValueError, "length must be >= 2"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
