"""Tests for scratch.rl.sarsa_qlearning (page: book/rl/sarsa_qlearning.md)."""

import numpy as np
import pytest

from scratch.envs import CartPole, CliffWalking, FrozenLake, MaxBias, transition_arrays
from scratch.rl.dynamic_programming import q_from_v, value_iteration
from scratch.rl.sarsa_qlearning import (
    double_q_learning,
    epsilon_greedy,
    epsilon_greedy_probs,
    expected_sarsa,
    greedy_rollout,
    q_learning,
    random_mdp,
    sarsa,
    td_control,
)


def test_epsilon_greedy_probabilities_match_sampling():
    q = np.array([1.0, 3.0, 3.0, 0.0])
    probs = epsilon_greedy_probs(q, 0.2)
    np.testing.assert_allclose(probs, [0.05, 0.45, 0.45, 0.05])
    rng = np.random.default_rng(0)
    draws = np.bincount([epsilon_greedy(q, 0.2, rng) for _ in range(20000)], minlength=4) / 20000
    np.testing.assert_allclose(draws, probs, atol=0.015)
    mask = np.array([True, False, False, True])
    np.testing.assert_allclose(epsilon_greedy_probs(q, 0.2, mask), [0.9, 0, 0, 0.1])
    assert all(epsilon_greedy(q, 0.5, rng, mask) in (0, 3) for _ in range(200))


def test_cliff_sarsa_safe_qlearning_optimal():
    env = CliffWalking()
    s = sarsa(env, 500, alpha=0.5, epsilon=0.1, rng=0, seed=0)
    q = q_learning(env, 500, alpha=0.5, epsilon=0.1, rng=0, seed=0)
    assert greedy_rollout(env, q.q)[1] == -13                   # the edge path
    assert greedy_rollout(env, s.q)[1] < -13                    # a longer, safer path
    assert s.returns[100:].mean() > q.returns[100:].mean()      # better online return


def test_q_learning_converges_to_value_iteration():
    env = random_mdp(4, 2, p_terminate=0.1, rng=0)
    T, R = transition_arrays(env.P)
    v, _, _ = value_iteration(T, R, 0.9, tol=1e-12)
    q_star = q_from_v(v, T, R, 0.9)
    res = q_learning(env, 8000, alpha=1.0, gamma=0.9, epsilon=1.0, alpha_power=0.8, rng=0, seed=0)
    assert np.abs(res.q - q_star).max() < 0.1 * np.abs(q_star).max()
    np.testing.assert_array_equal(res.q.argmax(1), q_star.argmax(1))


def test_expected_sarsa_with_greedy_target_equals_q_learning_update():
    env = random_mdp(3, 2, rng=1)
    a = expected_sarsa(env, 50, alpha=0.3, gamma=0.9, epsilon=0.0, rng=2, seed=2)
    b = q_learning(env, 50, alpha=0.3, gamma=0.9, epsilon=0.0, rng=2, seed=2)
    np.testing.assert_allclose(a.q, b.q, atol=1e-12)


def test_double_q_reduces_maximisation_bias():
    env = MaxBias()
    left_q = np.mean([q_learning(env, 100, alpha=0.1, epsilon=0.1, rng=r, seed=r).first_actions[:60] == 0
                      for r in range(40)])
    left_dq = np.mean([double_q_learning(env, 100, alpha=0.1, epsilon=0.1, rng=r, seed=r).first_actions[:60] == 0
                       for r in range(40)])
    assert left_q > 0.5 and left_dq < left_q - 0.2


@pytest.mark.parametrize("method", ["sarsa", "q_learning", "expected_sarsa", "double_q"])
def test_agents_run_unchanged_on_gymnasium_and_learn_the_same(method):
    gym = pytest.importorskip("gymnasium")
    ours = td_control(FrozenLake(), method, 100, alpha=0.1, gamma=0.99, rng=0, seed=0)
    theirs = td_control(gym.make("FrozenLake-v1"), method, 100, alpha=0.1, gamma=0.99, rng=0, seed=0)
    np.testing.assert_array_equal(ours.q, theirs.q)             # same seeds, same trajectories
    np.testing.assert_array_equal(ours.returns, theirs.returns)


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(epsilon=1.5), ValueError, r"epsilon must lie in \[0, 1\]"),
    (dict(epsilon=-0.1), ValueError, r"epsilon must lie in \[0, 1\]"),
    (dict(gamma=2.0), ValueError, r"gamma must lie in \[0, 1\]"),
    (dict(alpha=1.1), ValueError, r"alpha must lie in \[0, 1\]"),
    (dict(method="td_lambda"), ValueError, "Unknown method"),
    (dict(n_episodes=0), ValueError, "n_episodes must be >= 1"),
])
def test_bad_input(kwargs, err, match):
    args = dict(method="sarsa", n_episodes=2)
    args.update(kwargs)
    with pytest.raises(err, match=match):
        td_control(CliffWalking(), args.pop("method"), args.pop("n_episodes"), **args)


def test_spaces_must_be_discrete():
    with pytest.raises(TypeError, match="Discrete observation and action spaces"):
        q_learning(CartPole(), 1)


def test_masked_actions_respected():
    env = MaxBias(n_actions_b=6)
    res = q_learning(env, 50, epsilon=0.5, rng=0, seed=0)
    assert set(res.first_actions) <= {0, 1}
