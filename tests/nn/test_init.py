"""Tests for scratch.nn.init: bounds, variances, fans, gains, reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scratch.nn import init


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ["linear", "sigmoid", "tanh", "relu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))


def test_fans():
    assert init.fans((300, 100)) == (300, 100)  # Linear layout (in, out)
    assert init.fans((16, 3, 5, 5)) == (3 * 25, 16 * 25)  # conv (out, in, kh, kw)
    assert init.fans((7,)) == (7, 7)
    assert init.fans((3, 4), fan_in=10) == (10, 4)


@pytest.mark.parametrize(
    "fn, kwargs, bound, std",
    [
        (init.xavier_uniform, {}, math.sqrt(6 / 500), math.sqrt(2 / 500)),
        (init.xavier_uniform, {"gain": 2.0}, 2 * math.sqrt(6 / 500), 2 * math.sqrt(2 / 500)),
        (init.xavier_normal, {}, None, math.sqrt(2 / 500)),
        (init.kaiming_uniform, {}, math.sqrt(6 / 300), math.sqrt(2 / 300)),
        (init.kaiming_uniform, {"mode": "fan_out"}, math.sqrt(6 / 200), math.sqrt(2 / 200)),
        (init.kaiming_normal, {}, None, math.sqrt(2 / 300)),
        (init.kaiming_normal, {"nonlinearity": "tanh"}, None, (5 / 3) / math.sqrt(300)),
    ],
)
def test_initialiser_scale(fn, kwargs, bound, std):
    w = fn((300, 200), rng=0, **kwargs)
    assert w.shape == (300, 200) and w.dtype == np.float64
    if bound is not None:
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert w.std() == pytest.approx(std, rel=0.02)
    assert abs(w.mean()) < 0.05 * std


def test_reproducible_and_dtype():
    a = init.xavier_uniform((4, 5), rng=3)
    b = init.xavier_uniform((4, 5), rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, init.xavier_uniform((4, 5), rng=4))
    assert init.kaiming_normal((4, 5), rng=0, dtype=np.float32).dtype == np.float32


def test_bad_options():
    with pytest.raises(ValueError, match="nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform((3, 3), mode="fan_avg", rng=0)
    with pytest.raises(TypeError, match="rng"):
        init.xavier_normal((3, 3), rng="seed")
    with pytest.raises(ValueError, match="fans"):
        init.fans(())
