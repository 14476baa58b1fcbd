"""Tests for scratch.envs.tabular, including equality with Gymnasium's tables."""

import numpy as np
import pytest

from scratch.envs.core import transition_arrays
from scratch.envs.tabular import (DOWN, LEFT, RIGHT, UP, CliffWalking, FrozenLake, GridWorld, MaxBias,
                                  RandomWalk, ShortCorridor)


def assert_same_table(ours, theirs):
    assert len(ours) == len(theirs)
    for s in range(len(ours)):
        assert sorted(ours[s]) == sorted(theirs[s])
        for a in ours[s]:
            assert len(ours[s][a]) == len(theirs[s][a]), (s, a)
            for o, t in zip(ours[s][a], theirs[s][a]):
                assert np.isclose(o[0], t[0]) and int(o[1]) == int(t[1]), (s, a, o, t)
                assert float(o[2]) == float(t[2]) and bool(o[3]) == bool(t[3]), (s, a, o, t)


@pytest.mark.parametrize("slippery", [False, True])
def test_cliff_walking_equals_gymnasium(slippery):
    gym = pytest.importorskip("gymnasium")
    theirs = gym.make("CliffWalking-v1", is_slippery=slippery).unwrapped
    ours = CliffWalking(is_slippery=slippery)
    assert_same_table(ours.P, theirs.P)
    assert ours.observation_space.n == theirs.observation_space.n
    assert ours.action_space.n == theirs.action_space.n
    assert ours.reset(seed=0)[0] == theirs.reset(seed=0)[0] == 36


@pytest.mark.parametrize("map_name", ["4x4", "8x8"])
@pytest.mark.parametrize("slippery", [False, True])
def test_frozen_lake_equals_gymnasium(map_name, slippery):
    gym = pytest.importorskip("gymnasium")
    theirs = gym.make("FrozenLake-v1", map_name=map_name, is_slippery=slippery)
    ours = FrozenLake(map_name, is_slippery=slippery)
    assert_same_table(ours.P, theirs.unwrapped.P)
    assert ours.max_episode_steps == theirs.spec.max_episode_steps


def test_cliff_walking_dynamics():
    env = CliffWalking()
    assert env.reset(seed=0)[0] == 36
    assert env.step(RIGHT)[:4] == (36, -100, False, False)     # into the cliff: back to start
    assert env.step(UP)[:2] == (24, -1)
    assert env.P[35][DOWN] == [(1.0, 47, -1, True)]


def test_gridworld_random_policy_values():
    """Sutton & Barto, Figure 4.1: v_pi of the equiprobable random policy (gamma = 1)."""
    T, R = transition_arrays(GridWorld().P)
    P_pi, r_pi = T.mean(axis=1), R.mean(axis=1)
    v = np.linalg.solve(np.eye(16) - P_pi, r_pi)
    book = np.array([0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0])
    np.testing.assert_allclose(v, book, atol=1e-9)


def test_gridworld_sizes_and_start():
    env = GridWorld(size=6)
    assert env.observation_space.n == 36 and env.action_space.n == 4
    starts = {env.reset(seed=s)[0] for s in range(200)}
    assert 0 not in starts and 35 not in starts and len(starts) == 34
    with pytest.raises(ValueError, match="size must be >= 2"):
        GridWorld(size=1)


def test_random_walk_true_values_and_episodes():
    env = RandomWalk()
    np.testing.assert_allclose(env.true_values()[1:-1], np.arange(1, 6) / 6, atol=1e-12)
    env19 = RandomWalk(19, left_reward=-1.0)
    np.testing.assert_allclose(env19.true_values()[1:-1], np.arange(-18, 19, 2) / 20, atol=1e-12)
    assert env.reset(seed=0)[0] == 3
    rewards = []
    for seed in range(300):
        env.reset(seed=seed)
        done, total = False, 0.0
        while not done:
            s, r, done, _, _ = env.step(0)
            total += r
        rewards.append(total)
    assert abs(np.mean(rewards) - 0.5) < 0.12                    # v(C) = 1/2
    with pytest.raises(ValueError, match="must be odd"):
        RandomWalk(4)


def test_max_bias():
    env = MaxBias(n_actions_b=8)
    s, info = env.reset(seed=0)
    assert s == MaxBias.A and list(np.flatnonzero(info["action_mask"])) == [0, 1]
    with pytest.raises(ValueError, match="not available in state 0"):
        env.step(5)
    s, r, term, _, info = env.step(0)
    assert (s, r, term) == (MaxBias.B, 0.0, False) and info["action_mask"].all()
    rewards = []
    for seed in range(2000):
        env.reset(seed=seed)
        env.step(0)
        rewards.append(env.step(seed % 8)[1])
    assert abs(np.mean(rewards) + 0.1) < 4 / np.sqrt(2000)
    assert abs(np.std(rewards) - 1.0) < 0.05


def test_short_corridor_switched_and_aliased():
    env = ShortCorridor()
    obs, info = env.reset(seed=0)
    assert obs == 0 and info["state"] == 0
    assert env.step(1)[4]["state"] == 1         # right from 0
    assert env.step(1)[4]["state"] == 0         # right in state 1 moves LEFT (switched)
    assert env.observation_space.n == 1
    # Sutton & Barto: the best probability of "right" is about 0.59 with value about -11.6
    grid = np.linspace(0.01, 0.99, 9801)
    values = np.array([env.value_of_right_probability(p) for p in grid])
    assert abs(grid[values.argmax()] - 0.5858) < 1e-3 and abs(values.max() + 11.657) < 1e-3
    with pytest.raises(ValueError, match=r"must lie in \(0, 1\)"):
        env.value_of_right_probability(1.0)


def test_frozen_lake_bad_map():
    with pytest.raises(ValueError, match="Unknown map_name"):
        FrozenLake("5x5")
    assert LEFT == 3 and DOWN == 2       # grid order (CliffWalking's), not FrozenLake's


@pytest.mark.parametrize("seed", [0, 1])
def test_same_seed_same_trajectory_as_gymnasium(seed):
    gym = pytest.importorskip("gymnasium")
    theirs = gym.make("FrozenLake-v1", map_name="8x8")
    ours = FrozenLake("8x8")
    rng = np.random.default_rng(seed)
    for episode in range(30):
        assert ours.reset(seed=seed * 1000 + episode)[0] == theirs.reset(seed=seed * 1000 + episode)[0]
        done = False
        while not done:
            a = int(rng.integers(4))
            r1, r2 = ours.step(a), theirs.step(a)
            assert r1[:4] == r2[:4] and r1[4]["prob"] == r2[4]["prob"]
            done = r1[2] or r1[3]
