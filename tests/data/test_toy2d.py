"""Tests for scratch.data.toy2d (toy problems of the classification chapters)."""

import numpy as np
import pytest

from scratch.data.toy2d import gaussian_blobs, linearly_separable, two_moons, xor


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: gaussian_blobs(101, centers=[[0, 0], [2, 0], [0, 2]], rng=rng),
        lambda rng: two_moons(101, rng=rng),
        lambda rng: xor(101, rng=rng),
        lambda rng: linearly_separable(101, 3, rng=rng)[:2],
    ],
)
def test_shapes_balance_and_reproducibility(make):
    X, y = make(0)
    assert X.shape[0] == y.shape[0] == 101 and X.dtype == float
    assert set(np.unique(y)) <= {0, 1, 2}
    X2, y2 = make(0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(1)
    assert not np.array_equal(X, X3)
    X4, _ = make(np.random.default_rng(0))
    np.testing.assert_array_equal(X, X4)


def test_class_sizes_differ_by_at_most_one():
    for y in [gaussian_blobs(101, centers=[[0, 0], [2, 0], [0, 2]], rng=0)[1], two_moons(101, rng=0)[1]]:
        counts = np.bincount(y)
        assert counts.max() - counts.min() <= 1 and counts.sum() == 101


def test_noise_free_geometry():
    X, y = gaussian_blobs(6, centers=[[1.0, 2.0], [-3.0, 0.5]], std=0.0, rng=0)
    np.testing.assert_array_equal(X, np.array([[1.0, 2.0], [-3.0, 0.5]])[y])
    X, y = two_moons(50, noise=0.0, rng=0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(X[y == 1] - [1.0, 0.5], axis=1), 1.0)
    assert np.all(X[y == 0, 1] >= 0) and np.all(X[y == 1, 1] <= 0.5)
    X, y = xor(40, noise=0.0, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))


@pytest.mark.parametrize("d, margin, radius", [(1, 0.1, 1.0), (2, 0.2, 1.0), (10, 0.05, 3.0)])
def test_linearly_separable_has_the_promised_margin(d, margin, radius):
    X, y, u = linearly_separable(200, d, margin=margin, radius=radius, rng=d)
    assert np.linalg.norm(u) == pytest.approx(1.0)
    assert np.all(np.abs(X @ u) >= margin)
    assert np.all(np.linalg.norm(X, axis=1) <= radius + 1e-12)
    np.testing.assert_array_equal(y, (X @ u > 0).astype(int))
    assert 0 < y.mean() < 1


def test_bad_input():
    with pytest.raises(ValueError, match="n_samples must be >= 3"):
        gaussian_blobs(2, centers=[[0, 0], [1, 1], [2, 2]])
    with pytest.raises(ValueError, match="noise must be finite and >= 0"):
        two_moons(10, noise=-0.1)
    with pytest.raises(ValueError, match="n_samples must be >= 4"):
        xor(3)
    with pytest.raises(ValueError, match="margin must be below 0.9"):
        linearly_separable(10, 2, margin=0.95)
    with pytest.raises(ValueError, match="radius must be finite and > 0"):
        linearly_separable(10, 2, radius=0.0)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        two_moons(10, rng=1.5)
    with pytest.raises(ValueError, match="centers must have shape"):
        gaussian_blobs(10, centers=[0.0, 1.0])
