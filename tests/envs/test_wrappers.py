"""Tests for scratch.envs.wrappers."""

import numpy as np
import pytest

from scratch.envs import CartPole, CliffWalking, DiscretizeObservation


def test_discretize_indices_and_episode():
    env = DiscretizeObservation(CartPole(), [[], [-0.5, 0.5], [-0.05, 0.0, 0.05], [-0.5, 0.5]])
    assert env.observation_space.n == 1 * 3 * 4 * 3
    assert env.index([0.0, 0.0, 0.01, 0.0]) == np.ravel_multi_index((0, 1, 2, 1), (1, 3, 4, 3))
    batch = np.array([[0, 0, 0.01, 0], [0, 1, -1, -1]])
    np.testing.assert_array_equal(env.index(batch), [env.index(batch[0]), env.index(batch[1])])
    s, _ = env.reset(seed=0)
    assert env.observation_space.contains(s)
    s, r, term, trunc, _ = env.step(1)
    assert env.observation_space.contains(s) and r == 1.0


def test_discretize_gymnasium_env():
    gym = pytest.importorskip("gymnasium")
    edges = [[0.0]] * 4
    ours, theirs = DiscretizeObservation(CartPole(), edges), DiscretizeObservation(gym.make("CartPole-v1"), edges)
    assert ours.reset(seed=1)[0] == theirs.reset(seed=1)[0]
    for a in [0, 1, 1, 0, 1]:
        assert ours.step(a)[:4] == theirs.step(a)[:4]


def test_discretize_bad_edges():
    with pytest.raises(ValueError, match="one array of bin edges per observation coordinate"):
        DiscretizeObservation(CartPole(), [[0.0]] * 3)
    with pytest.raises(ValueError, match="one array of bin edges"):
        DiscretizeObservation(CliffWalking(), [[0.0]])
