"""Tests for scratch.rl.td_learning (page: book/rl/td_learning.md)."""

import numpy as np
import pytest

from scratch.envs import RandomWalk, TabularEnv
from scratch.rl.td_learning import (
    Episode,
    collect_episode,
    mc_prediction,
    n_step_td_prediction,
    rms_error,
    td0_prediction,
    td_conditioning,
)


def walk_episodes(n=200, seed=0):
    env = RandomWalk()
    env.reset(seed=seed)
    return [collect_episode(env, rng=seed + i) for i in range(n)]


def test_hand_computed_updates():
    # A -> B (r=1) -> terminal (r=2); gamma = 0.5; V init 0
    ep = Episode(states=[0, 1, 2], actions=[0, 0], rewards=[1.0, 2.0], terminated=True)
    v = td0_prediction([ep], 3, alpha=0.5, gamma=0.5, terminal_states=(2,))
    np.testing.assert_allclose(v, [0.5, 1.0, 0.0])          # delta_0 = 1 + 0 - 0, delta_1 = 2 - 0
    v = mc_prediction([ep], 3, gamma=0.5, terminal_states=(2,))
    np.testing.assert_allclose(v, [2.0, 2.0, 0.0])          # G_0 = 1 + 0.5 * 2, G_1 = 2
    v = n_step_td_prediction([ep], 3, n=2, alpha=1.0, gamma=0.5, terminal_states=(2,))
    np.testing.assert_allclose(v, [2.0, 2.0, 0.0])


def test_first_visit_versus_every_visit():
    # state 0 visited twice: returns 3 (t=0) and 2 (t=1)
    ep = Episode(states=[0, 0, 1], actions=[0, 0], rewards=[1.0, 2.0], terminated=True)
    assert mc_prediction([ep], 2, terminal_states=(1,))[0] == 3.0
    assert mc_prediction([ep], 2, first_visit=False, terminal_states=(1,))[0] == 2.5


def test_truncated_episode_bootstraps():
    ep = Episode(states=[0, 1], actions=[0], rewards=[1.0], terminated=False)
    v = td0_prediction([ep], 2, alpha=1.0, gamma=0.5, v0=[0.0, 4.0])
    assert v[0] == 3.0
    v = mc_prediction([ep], 2, gamma=0.5, v0=[0.0, 4.0])
    assert v[0] == 3.0


def test_nstep_limits_equal_td0_and_mc():
    eps = walk_episodes(50)
    kw = dict(v0=0.5, terminal_states=(0, 6))
    np.testing.assert_allclose(n_step_td_prediction(eps, 7, n=1, alpha=0.1, **kw),
                               td0_prediction(eps, 7, alpha=0.1, **kw), atol=1e-14)
    np.testing.assert_allclose(n_step_td_prediction(eps, 7, n=500, alpha=0.1, **kw),
                               mc_prediction(eps, 7, alpha=0.1, first_visit=False, **kw), atol=1e-14)


def test_converge_to_true_values():
    eps = walk_episodes(3000)
    true = RandomWalk().true_values()
    v_mc = mc_prediction(eps, 7, terminal_states=(0, 6))
    v_td = td0_prediction(eps, 7, alpha=0.01, v0=0.5, terminal_states=(0, 6))
    assert np.abs(v_mc - true).max() < 0.03
    assert rms_error(v_td, true, range(1, 6)) < 0.03


def test_history_shapes():
    eps = walk_episodes(5)
    h = td0_prediction(eps, 7, alpha=0.1, return_history=True)
    assert h.shape == (6, 7)
    h, errs = td0_prediction(eps, 7, alpha=0.1, return_history=True, return_errors=True)
    assert [len(e) for e in errs] == [len(e) for e in eps]


def test_collect_episode_runs_on_gymnasium():
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1")
    ep = collect_episode(env, rng=0, seed=0)
    assert len(ep.states) == len(ep) + 1 and all(0 <= s < 16 for s in ep.states)
    ep = collect_episode(gym.make("CartPole-v1"), rng=0, seed=0)
    assert ep.terminated and ep.states[0].shape == (4,)


def test_conditioning_signal_moves_to_cue():
    d, v = td_conditioning(300, cue_time=3, reward_time=10, alpha=0.3, omit_reward_on=[299])
    assert d[0].argmax() == 10 and d[298].argmax() == 3
    assert abs(d[298, 10]) < 1e-3 and d[299, 10] < -0.99
    np.testing.assert_allclose(v[298, 3:10], 1.0, atol=1e-3)


@pytest.mark.parametrize("call, err, match", [
    (lambda e: td0_prediction(e, 7, alpha=0.1, gamma=1.2), ValueError, r"gamma must lie in \[0, 1\]"),
    (lambda e: mc_prediction(e, 7, gamma=-1), ValueError, r"gamma must lie in \[0, 1\]"),
    (lambda e: td0_prediction(e, 7, alpha=1.5), ValueError, r"alpha must lie in \[0, 1\]"),
    (lambda e: td0_prediction(e, 7, alpha=0.0), ValueError, "alpha must be > 0"),
    (lambda e: td0_prediction(e, 7, alpha=None), TypeError, "needs a step size"),
    (lambda e: n_step_td_prediction(e, 7, n=0, alpha=0.1), ValueError, "n must be >= 1"),
    (lambda e: td0_prediction([], 7, alpha=0.1), TypeError, "non-empty list of Episode"),
    (lambda e: td0_prediction(e, 7, alpha=0.1, v0=np.zeros(3)), ValueError, r"shape \(7,\)"),
    (lambda e: td_conditioning(10, cue_time=8, reward_time=5), ValueError, "cue_time < reward_time"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call(walk_episodes(2))


def test_collect_episode_limits():
    env = TabularEnv({0: {0: [(1.0, 0, 0.0, False)]}}, [1.0])
    with pytest.raises(RuntimeError, match="did not end within max_steps=10"):
        collect_episode(env, rng=0, seed=0, max_steps=10)
