"""Tests for scratch.envs.cartpole: equal to Gymnasium's CartPole-v1 step for step."""

import numpy as np
import pytest

from scratch.envs.cartpole import CartPole, cartpole_dynamics
from scratch.envs.core import ResetNeeded


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_gymnasium_step_for_step(seed):
    gym = pytest.importorskip("gymnasium")
    theirs = gym.make("CartPole-v1")
    ours = CartPole()
    o1, _ = ours.reset(seed=seed)
    o2, _ = theirs.reset(seed=seed)
    np.testing.assert_array_equal(o1, o2)                 # same generator, same start state
    rng = np.random.default_rng(100 + seed)
    n_episodes, max_diff = 0, 0.0
    for t in range(3000):
        a = int(rng.integers(2)) if rng.random() < 0.5 else int(ours.state[2] > 0)
        r1 = ours.step(a)
        r2 = theirs.step(a)
        max_diff = max(max_diff, float(np.max(np.abs(ours.state - theirs.unwrapped.state))))
        np.testing.assert_array_equal(r1[0], r2[0])
        assert r1[0].dtype == r2[0].dtype == np.float32
        assert r1[1:4] == r2[1:4]
        if r1[2] or r1[3]:
            n_episodes += 1
            s = int(rng.integers(1000))
            np.testing.assert_array_equal(ours.reset(seed=s)[0], theirs.reset(seed=s)[0])
    assert max_diff == 0.0 and n_episodes > 10


def test_equals_gymnasium_from_the_same_state():
    gym = pytest.importorskip("gymnasium")
    theirs = gym.make("CartPole-v1")
    ours = CartPole()
    rng = np.random.default_rng(0)
    for _ in range(200):
        ours.reset(seed=0)
        theirs.reset(seed=0)
        state = rng.uniform([-2, -2, -0.2, -2], [2, 2, 0.2, 2])
        ours.state, theirs.unwrapped.state = state.copy(), state.copy()
        a = int(rng.integers(2))
        r1, r2 = ours.step(a), theirs.step(a)
        np.testing.assert_array_equal(r1[0], r2[0])
        assert r1[1:4] == r2[1:4]


def test_time_limit_and_dynamics():
    env = CartPole()
    env.reset(seed=0)
    env.state = np.zeros(4)
    # alternate pushes keep the pole up for a long time from the upright rest state
    steps, flags = 0, (False, False)
    while not any(flags):
        x = env.state
        _, _, *flags, _ = env.step(int(x[2] + 0.1 * x[3] > 0))
        steps += 1
    assert steps == 500 and flags == [False, True]
    # vectorised dynamics equals the single-state step
    states = np.random.default_rng(1).uniform(-0.3, 0.3, size=(5, 4))
    acts = np.array([0, 1, 1, 0, 1])
    batch, term = cartpole_dynamics(states, acts)
    for i in range(5):
        single, t = cartpole_dynamics(states[i], acts[i])
        np.testing.assert_array_equal(batch[i], single)
    # falling from an angle beyond 12 degrees terminates with reward 1
    env.reset(seed=0)
    env.state = np.array([0.0, 0.0, 0.25, 0.0])
    assert env.step(0)[1:3] == (1.0, True)
    with pytest.raises(ResetNeeded):
        env.step(0)


def test_bad_action():
    env = CartPole()
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"outside the action space Discrete\(2\)"):
        env.step(2)
    with pytest.raises(ValueError, match="outside the action space"):
        env.step(np.array([0, 1]))
