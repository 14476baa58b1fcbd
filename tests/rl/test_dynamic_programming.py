"""Tests for scratch.rl.dynamic_programming (page: book/rl/dynamic_programming.md)."""

import numpy as np
import pytest

from scratch.envs import CliffWalking, FrozenLake, GridWorld, transition_arrays
from scratch.rl.dynamic_programming import (
    bellman_expectation_backup,
    check_policy,
    greedy_policy,
    policy_evaluation,
    policy_evaluation_linear,
    policy_iteration,
    q_from_v,
    value_iteration,
)


def gridworld_arrays(size=4):
    return transition_arrays(GridWorld(size).P)


def test_random_policy_on_gridworld_matches_sutton_barto():
    T, R = gridworld_arrays()
    pi = np.full((16, 4), 0.25)
    book = np.array([0, -14, -20, -22, -14, -18, -20, -20, -20, -20, -18, -14, -22, -20, -14, 0])
    v_iter, sweeps = policy_evaluation(T, R, pi, 1.0, tol=1e-12)
    np.testing.assert_allclose(v_iter, book, atol=1e-9)
    np.testing.assert_allclose(policy_evaluation_linear(T, R, pi, 1.0), book, atol=1e-10)
    assert sweeps > 100


@pytest.mark.parametrize("size", [4, 6])
def test_optimal_values_are_minus_distance_to_nearest_corner(size):
    T, R = gridworld_arrays(size)
    rows, cols = np.divmod(np.arange(size * size), size)
    dist = np.minimum(rows + cols, 2 * (size - 1) - rows - cols)
    pi, v_pi, n_impr = policy_iteration(T, R, 1.0)
    v_vi, pi_vi, _ = value_iteration(T, R, 1.0)
    np.testing.assert_allclose(v_pi, -dist, atol=1e-10)
    np.testing.assert_allclose(v_vi, -dist, atol=1e-10)
    assert n_impr <= 3
    # both greedy policies are optimal: evaluating them gives v*
    np.testing.assert_allclose(policy_evaluation_linear(T, R, pi_vi, 1.0), -dist, atol=1e-10)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.9, 0.99])
def test_iterative_equals_linear_on_cliff_walking(gamma):
    T, R = transition_arrays(CliffWalking(is_slippery=True).P)
    pi = np.random.default_rng(0).dirichlet(np.ones(4), size=48)
    v_lin = policy_evaluation_linear(T, R, pi, gamma)
    v_it, _ = policy_evaluation(T, R, pi, gamma, tol=1e-12)
    np.testing.assert_allclose(v_it, v_lin, atol=1e-9)
    # the fixed point satisfies the Bellman expectation equation
    np.testing.assert_allclose(bellman_expectation_backup(v_lin, T, R, pi, gamma), v_lin, atol=1e-9)


def test_value_iteration_on_gymnasium_frozen_lake():
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1", map_name="8x8")
    T, R = transition_arrays(env.unwrapped.P)
    v, pi, _ = value_iteration(T, R, 0.99, tol=1e-13)
    np.testing.assert_allclose(policy_evaluation_linear(T, R, pi, 0.99), v, atol=1e-9)
    T2, R2 = transition_arrays(FrozenLake("8x8").P)
    np.testing.assert_array_equal(T, T2)
    np.testing.assert_array_equal(R, R2)


def test_policy_iteration_equals_value_iteration_frozen_lake():
    T, R = transition_arrays(FrozenLake("4x4").P)
    pi, v_pi, _ = policy_iteration(T, R, 0.95)
    v_vi, _, _ = value_iteration(T, R, 0.95, tol=1e-13)
    np.testing.assert_allclose(v_pi, v_vi, atol=1e-9)
    np.testing.assert_allclose(q_from_v(v_pi, T, R, 0.95).max(axis=1), v_pi, atol=1e-9)


def test_greedy_policy_ties_keep_previous():
    q = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0]])
    assert greedy_policy(q).argmax(axis=1).tolist() == [0, 1]
    prev = np.eye(3)[[1, 2]]
    assert greedy_policy(q, previous=prev).argmax(axis=1).tolist() == [1, 2]


@pytest.mark.parametrize("call, err, match", [
    (lambda T, R: policy_evaluation(T, R, np.full((16, 4), 0.25), 1.5), ValueError, r"gamma must lie in \[0, 1\]"),
    (lambda T, R: policy_evaluation_linear(T, R, np.full((16, 4), 0.25), -0.1), ValueError, r"gamma must lie"),
    (lambda T, R: value_iteration(T, R, "0.9"), TypeError, "gamma must be a real number"),
    (lambda T, R: policy_evaluation(T, R, np.full((16, 4), 0.3), 0.9), ValueError, "row 0 sums to 1.2"),
    (lambda T, R: policy_evaluation(T, R, np.full((16, 3), 1 / 3), 0.9), ValueError, r"shape .* \(16, 4\)"),
    (lambda T, R: policy_iteration(T, R, 0.9, policy=-np.full((16, 4), 0.25)), ValueError, "non-negative"),
    (lambda T, R: value_iteration(T[:, :, :3], R, 0.9), ValueError, "T must have shape"),
    (lambda T, R: policy_evaluation_linear(T, R, np.eye(4)[np.zeros(16, int)], 1.0), ValueError, "singular"),
    (lambda T, R: policy_evaluation(T, R, np.eye(4)[np.zeros(16, int)], 1.0, max_sweeps=50), RuntimeError,
     "did not converge"),
])
def test_bad_input(call, err, match):
    T, R = gridworld_arrays()
    with pytest.raises(err, match=match):
        call(T, R)


def test_check_policy_accepts_valid():
    pi = check_policy([[0.2, 0.8], [1.0, 0.0]], 2, 2)
    assert pi.dtype == np.float64
