"""Tests for scratch.envs.core: the Gymnasium API contract, errors, transition_arrays."""

import numpy as np
import pytest

from scratch.envs.core import ResetNeeded, TabularEnv, transition_arrays
from scratch.envs.tabular import GridWorld


def two_state_table():
    # state 0: action 0 stays (reward 1) w.p. 0.5 or ends (reward 2); action 1 ends (reward 0)
    return {0: {0: [(0.5, 0, 1.0, False), (0.5, 1, 2.0, True)], 1: [(1.0, 1, 0.0, True)]},
            1: {0: [(1.0, 1, 0.0, True)], 1: [(1.0, 1, 0.0, True)]}}


def test_transition_arrays_closed_form():
    T, R = transition_arrays(two_state_table())
    np.testing.assert_array_equal(T[0, 0], [0.5, 0.0])          # the terminating half is left out
    np.testing.assert_array_equal(T[0, 1], [0.0, 0.0])
    np.testing.assert_array_equal(R, [[1.5, 0.0], [0.0, 0.0]])
    # v(0) under "always action 0" with gamma=1: v = 1.5 + 0.5 v  ->  v = 3
    assert np.isclose(np.linalg.solve(np.eye(2) - T[:, 0], R[:, 0])[0], 3.0)


def test_episode_statistics_follow_the_table():
    env = TabularEnv(two_state_table(), [1.0, 0.0])
    env.reset(seed=0)
    returns = []
    for _ in range(4000):
        env.reset()
        total, done = 0.0, False
        while not done:
            _, r, term, trunc, _ = env.step(0)
            total, done = total + r, term or trunc
        returns.append(total)
    assert abs(np.mean(returns) - 3.0) < 4 * np.std(returns) / np.sqrt(len(returns))


def test_reset_seed_reproducible_and_time_limit():
    env = TabularEnv(two_state_table(), [1.0, 0.0], max_episode_steps=3)
    runs = []
    for _ in range(2):
        env.reset(seed=7)
        runs.append([env.step(0)[:4] for _ in range(1)])
    assert runs[0] == runs[1]
    env = TabularEnv({0: {0: [(1.0, 0, 0.0, False)]}}, [1.0], max_episode_steps=3)
    env.reset(seed=0)
    flags = [env.step(0)[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]


@pytest.mark.parametrize("action, match", [(4, "outside the action space"), (-1, "outside the action space"),
                                           (1.0, "outside the action space"), ("up", "outside the action space")])
def test_action_outside_space(action, match):
    env = GridWorld()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=match):
        env.step(action)


def test_step_before_reset_and_after_termination():
    env = GridWorld()
    with pytest.raises(ResetNeeded, match="before reset"):
        env.step(0)
    env.reset(seed=0)
    env.s = 1                                   # next to terminal state 0
    _, _, terminated, _, _ = env.step(3)        # LEFT into the terminal corner
    assert terminated
    with pytest.raises(ResetNeeded, match="Call env.reset"):
        env.step(0)
    env.reset()
    env.step(0)                                 # fine again


@pytest.mark.parametrize("P, isd, match", [
    ({0: {0: [(0.7, 0, 0.0, True)]}}, [1.0], "sum to 0.7"),
    ({0: {0: [(1.0, 0, 0.0, True)]}}, [0.5], "initial_state_distrib"),
    ({0: {0: [(1.0, 0, 0.0, True)]}}, [1.0, 0.0], "initial_state_distrib"),
])
def test_bad_tables(P, isd, match):
    with pytest.raises(ValueError, match=match):
        TabularEnv(P, isd)


def test_transition_arrays_missing_action():
    P = {0: {0: [(1.0, 0, 0.0, True)]}, 1: {0: [(1.0, 1, 0.0, True)], 1: [(1.0, 1, 0.0, True)]}}
    with pytest.raises(ValueError, match=r"P\[0\]\[1\] is missing"):
        transition_arrays(P)
