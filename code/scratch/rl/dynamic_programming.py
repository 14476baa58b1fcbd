"""Markov decision processes and dynamic programming (page: book/rl/dynamic_programming.md).

A finite MDP is given by the arrays of :func:`scratch.envs.core.transition_arrays`:
``T[s, a, s']``, the probability of continuing to ``s'`` (terminating transitions are left
out), and ``R[s, a]``, the expected reward. Policies are arrays ``policy[s, a]`` of
action probabilities whose rows sum to 1.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from scratch._validation import check_int, check_positive

__all__ = [
    "check_unit_interval",
    "check_mdp",
    "check_policy",
    "q_from_v",
    "bellman_expectation_backup",
    "bellman_optimality_backup",
    "policy_evaluation",
    "policy_evaluation_linear",
    "greedy_policy",
    "policy_iteration",
    "value_iteration",
]


def check_unit_interval(value: Any, *, name: str) -> float:
    """Check that ``value`` is a real number in [0, 1] (a discount, a probability, an epsilon)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number in [0, 1]; got {type(value).__name__} ({value!r}).")
    if not 0.0 <= float(value) <= 1.0:  # NaN fails too
        raise ValueError(f"{name} must lie in [0, 1]; got {value!r}.")
    return float(value)


def check_mdp(T: Any, R: Any) -> tuple[np.ndarray, np.ndarray]:
    """Check the arrays ``T`` of shape (n_states, n_actions, n_states) and ``R`` of shape (n_states, n_actions)."""
    T, R = np.asarray(T, dtype=np.float64), np.asarray(R, dtype=np.float64)
    if T.ndim != 3 or T.shape[0] != T.shape[2] or R.shape != T.shape[:2]:
        raise ValueError(
            "T must have shape (n_states, n_actions, n_states) and R shape (n_states, n_actions); "
            f"got T {T.shape} and R {R.shape}. Build them with scratch.envs.transition_arrays(env.P)."
        )
    if np.any(T < 0) or np.any(T.sum(axis=2) > 1 + 1e-9) or not np.all(np.isfinite(R)):
        raise ValueError("T must hold probabilities whose rows sum to at most 1, and R must be finite.")
    return T, R


def check_policy(policy: Any, n_states: int, n_actions: int) -> np.ndarray:
    """Check a stochastic policy of shape (n_states, n_actions) whose rows sum to 1."""
    pi = np.asarray(policy, dtype=np.float64)
    if pi.shape != (n_states, n_actions):
        raise ValueError(f"policy must have shape (n_states, n_actions) = ({n_states}, {n_actions}); got {pi.shape}.")
    if np.any(pi < 0) or not np.all(np.isfinite(pi)):
        raise ValueError("policy must hold non-negative action probabilities.")
    sums = pi.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > 1e-8)
    if bad.size:
        raise ValueError(
            f"each row of policy must sum to 1 (a distribution over actions); row {bad[0]} sums to "
            f"{sums[bad[0]]:.6g}. Normalise with policy / policy.sum(axis=1, keepdims=True)."
        )
    return pi


def _check_backup(v: Any, T: np.ndarray, R: np.ndarray, gamma: float) -> tuple[np.ndarray, float]:
    """Shape checks of one backup's inputs (no pass over ``T``'s entries, so sweeps stay fast)."""
    T, R, v = np.asarray(T), np.asarray(R), np.asarray(v, dtype=np.float64)
    if T.ndim != 3 or T.shape[0] != T.shape[2] or R.shape != T.shape[:2]:
        raise ValueError(
            "T must have shape (n_states, n_actions, n_states) and R shape (n_states, n_actions); "
            f"got T {T.shape} and R {R.shape}. Build them with scratch.envs.transition_arrays(env.P)."
        )
    if v.shape != (T.shape[0],):
        raise ValueError(f"v must have shape ({T.shape[0]},), one value per state; got {v.shape}.")
    return v, check_unit_interval(gamma, name="gamma")


def q_from_v(v: np.ndarray, T: np.ndarray, R: np.ndarray, gamma: float) -> np.ndarray:
    """Action values from state values, shape (n_states, n_actions).

    Notes
    -----
    :math:`q(s,a) = R(s,a) + \\gamma \\sum_{s'} T(s,a,s')\\, v(s')` (eq-dp-q-from-v of the page).
    """
    v, gamma = _check_backup(v, T, R, gamma)
    return R + gamma * T @ v                                     # (S, A)


def bellman_expectation_backup(v: np.ndarray, T: np.ndarray, R: np.ndarray, policy: np.ndarray,
                               gamma: float) -> np.ndarray:
    """One synchronous sweep of the Bellman expectation equation.

    Notes
    -----
    :math:`v_{k+1}(s) = \\sum_a \\pi(a|s)\\,[R(s,a) + \\gamma \\sum_{s'} T(s,a,s') v_k(s')]`
    (eq-dp-bellman-expectation of the page).
    """
    q = q_from_v(v, T, R, gamma)                                 # (S, A)
    if np.shape(policy) != q.shape:
        raise ValueError(f"policy must have shape (n_states, n_actions) = {q.shape}; got {np.shape(policy)}.")
    return np.sum(policy * q, axis=1)                            # (S,)


def bellman_optimality_backup(v: np.ndarray, T: np.ndarray, R: np.ndarray, gamma: float) -> np.ndarray:
    """One sweep of the Bellman optimality equation, :math:`v_{k+1}(s) = \\max_a q_k(s,a)`
    (eq-dp-bellman-optimality of the page)."""
    return q_from_v(v, T, R, gamma).max(axis=1)                 # (S,)


def policy_evaluation(T: Any, R: Any, policy: Any, gamma: float, *, tol: float = 1e-10,
                      max_sweeps: int = 100_000) -> tuple[np.ndarray, int]:
    """Iterative policy evaluation: repeat the expectation backup until it stops changing.

    Parameters
    ----------
    T, R : arrays of shapes (n_states, n_actions, n_states) and (n_states, n_actions)
    policy : array of shape (n_states, n_actions)
        Rows are action probabilities summing to 1.
    gamma : float in [0, 1]
        Discount; ``gamma = 1`` needs a policy that terminates with probability 1.
    tol : float
        Stop when the largest change of a sweep is below ``tol``.
    max_sweeps : int

    Returns
    -------
    v : ndarray of shape (n_states,)
    n_sweeps : int

    Raises
    ------
    RuntimeError
        If the values have not converged after ``max_sweeps`` sweeps (e.g. an undiscounted
        policy that never terminates).
    """
    T, R = check_mdp(T, R)
    gamma = check_unit_interval(gamma, name="gamma")
    pi = check_policy(policy, *R.shape)
    check_positive(tol, name="tol")
    max_sweeps = check_int(max_sweeps, name="max_sweeps", minimum=1)
    v = np.zeros(R.shape[0])
    for sweep in range(1, max_sweeps + 1):
        v_new = bellman_expectation_backup(v, T, R, pi, gamma)
        delta = np.max(np.abs(v_new - v))
        v = v_new
        if delta < tol:
            return v, sweep
        if not np.isfinite(delta):
            break
    raise RuntimeError(
        f"policy evaluation did not converge in {max_sweeps} sweeps (last change {delta:.3g}); with "
        "gamma = 1 the policy must reach a terminal state with probability 1. Use gamma < 1."
    )


def policy_evaluation_linear(T: Any, R: Any, policy: Any, gamma: float) -> np.ndarray:
    """Policy evaluation by one linear solve, shape (n_states,).

    Notes
    -----
    With :math:`P_\\pi(s,s') = \\sum_a \\pi(a|s) T(s,a,s')` and :math:`r_\\pi(s) = \\sum_a \\pi(a|s) R(s,a)`,
    :math:`v_\\pi = (I - \\gamma P_\\pi)^{-1} r_\\pi` (eq-dp-linear of the page).
    """
    T, R = check_mdp(T, R)
    gamma = check_unit_interval(gamma, name="gamma")
    pi = check_policy(policy, *R.shape)
    P_pi = np.einsum("sa,sat->st", pi, T)                        # (S, S)
    r_pi = np.sum(pi * R, axis=1)                                # (S,)
    A = np.eye(R.shape[0]) - gamma * P_pi
    if np.linalg.cond(A) > 1e12:
        raise ValueError(
            "I - gamma P_pi is singular: under this policy some states never terminate and gamma = 1, "
            "so their values are infinite. Use gamma < 1 or a policy that terminates."
        )
    return np.linalg.solve(A, r_pi)


def greedy_policy(q: np.ndarray, previous: np.ndarray | None = None, *, atol: float = 1e-9) -> np.ndarray:
    """Deterministic greedy policy (one-hot rows) of action values ``q`` of shape (n_states, n_actions).

    Ties (within ``atol``) go to the action of ``previous`` if it is among the best, else to the
    lowest index, so that policy iteration stops instead of cycling between equally good policies.
    """
    q = np.asarray(q, dtype=np.float64)
    if q.ndim != 2 or q.size == 0:
        raise ValueError(f"q must have shape (n_states, n_actions); got {q.shape}.")
    if not np.all(np.isfinite(q)):
        raise ValueError("q contains NaN or infinite values; a greedy policy needs finite action values.")
    if previous is not None and np.shape(previous) != q.shape:
        raise ValueError(f"previous must have shape {q.shape}, like q; got {np.shape(previous)}.")
    n_states, n_actions = q.shape
    best = q >= q.max(axis=1, keepdims=True) - atol              # (S, A) candidates
    action = best.argmax(axis=1)
    if previous is not None:
        old = previous.argmax(axis=1)
        keep = best[np.arange(n_states), old]
        action = np.where(keep, old, action)
    return np.eye(n_actions)[action]                             # (S, A)


def policy_iteration(T: Any, R: Any, gamma: float, policy: Any = None, *, max_iter: int = 1000
                     ) -> tuple[np.ndarray, np.ndarray, int]:
    """Policy iteration: evaluate exactly (linear solve), improve greedily, until stable.

    Parameters
    ----------
    T, R, gamma
        As in :func:`policy_evaluation`.
    policy : array of shape (n_states, n_actions), optional
        The initial policy (default: uniformly random, which must terminate if ``gamma = 1``).
    max_iter : int

    Returns
    -------
    policy : ndarray of shape (n_states, n_actions)
        An optimal deterministic policy.
    v : ndarray of shape (n_states,)
        Its values, the optimal values :math:`v_*`.
    n_improvements : int
        How many evaluation-improvement rounds changed the policy.

    Notes
    -----
    Improvement step: :math:`\\pi'(s) = \\arg\\max_a q_\\pi(s,a)` (eq-dp-improvement of the page).
    """
    T, R = check_mdp(T, R)
    pi = np.full(R.shape, 1.0 / R.shape[1]) if policy is None else check_policy(policy, *R.shape)
    max_iter = check_int(max_iter, name="max_iter", minimum=1)
    for n in range(max_iter):
        v = policy_evaluation_linear(T, R, pi, gamma)
        new = greedy_policy(q_from_v(v, T, R, gamma), previous=pi)
        if np.array_equal(new, pi):
            return pi, v, n
        pi = new
    raise RuntimeError(f"policy iteration did not stabilise in {max_iter} rounds.")


def value_iteration(T: Any, R: Any, gamma: float, *, tol: float = 1e-10, max_sweeps: int = 100_000
                    ) -> tuple[np.ndarray, np.ndarray, int]:
    """Value iteration: repeat the optimality backup, then act greedily.

    Returns
    -------
    v : ndarray of shape (n_states,)
        :math:`v_*` to within about ``tol / (1 - gamma)`` (``tol`` per sweep when ``gamma = 1``).
    policy : ndarray of shape (n_states, n_actions)
        Greedy with respect to ``v``.
    n_sweeps : int
    """
    T, R = check_mdp(T, R)
    gamma = check_unit_interval(gamma, name="gamma")
    check_positive(tol, name="tol")
    max_sweeps = check_int(max_sweeps, name="max_sweeps", minimum=1)
    v = np.zeros(R.shape[0])
    for sweep in range(1, max_sweeps + 1):
        v_new = bellman_optimality_backup(v, T, R, gamma)
        delta = np.max(np.abs(v_new - v))
        v = v_new
        if delta < tol:
            return v, greedy_policy(q_from_v(v, T, R, gamma)), sweep
    raise RuntimeError(f"value iteration did not converge in {max_sweeps} sweeps (last change {delta:.3g}).")
