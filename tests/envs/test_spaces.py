"""Tests for scratch.envs.spaces."""

import numpy as np
import pytest

from scratch.envs.spaces import Box, Discrete


def test_discrete_contains_and_sample():
    space = Discrete(3)
    assert space.n == 3 and space.shape == ()
    assert all(space.contains(x) for x in [0, 2, np.int64(1), np.array(2)])
    assert not any(space.contains(x) for x in [3, -1, 1.0, True, "0", np.array([1])])
    draws = [space.sample(np.random.default_rng(s)) for s in range(60)]
    assert set(draws) == {0, 1, 2}
    assert space.sample(5) == space.sample(5)          # reproducible through rng only
    assert 4 in Discrete(2, start=3) and 2 not in Discrete(2, start=3)


def test_box_contains_and_sample():
    box = Box(low=np.array([-1.0, 0.0, -np.inf]), high=np.array([1.0, np.inf, 2.0]))
    assert box.shape == (3,) and box.dtype == np.float32
    assert box.contains(np.array([0.5, 3.0, -10.0]))
    assert not box.contains(np.array([1.5, 3.0, 0.0]))
    assert not box.contains(np.array([0.5, 3.0]))
    samples = np.array([box.sample(np.random.default_rng(s)) for s in range(200)])
    assert all(box.contains(x) for x in samples)
    assert samples.dtype == np.float32
    assert Box(0.0, 1.0, shape=(2, 2)).shape == (2, 2)


@pytest.mark.parametrize("make, match", [
    (lambda: Discrete(0), "n must be >= 1"),
    (lambda: Discrete(2.5), "n must be an integer"),
    (lambda: Box(1.0, 0.0, shape=(2,)), "low <= high"),
    (lambda: Box(np.zeros(2), np.ones(3)), "shapes"),
])
def test_bad_spaces(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()
