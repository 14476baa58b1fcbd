"""SARSA, Q-learning, expected SARSA and double Q-learning (page: book/rl/sarsa_qlearning.md).

Tabular TD control with epsilon-greedy exploration. The agents talk to an environment only
through Gymnasium's API (``reset``, ``step``, ``observation_space.n``, ``action_space.n``
and, where present, ``info["action_mask"]``), so they run unchanged on Gymnasium's
toy-text environments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_option
from scratch.rl.dynamic_programming import check_unit_interval

__all__ = [
    "epsilon_greedy",
    "epsilon_greedy_probs",
    "ControlResult",
    "td_control",
    "sarsa",
    "q_learning",
    "expected_sarsa",
    "double_q_learning",
    "greedy_rollout",
    "random_mdp",
]

METHODS = ("sarsa", "q_learning", "expected_sarsa", "double_q")


def _masked(q_row: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    return q_row if mask is None else np.where(mask, q_row, -np.inf)


def _check_row(q_row: Any, epsilon: Any, mask: Any) -> float:
    """Cheap checks (shapes and epsilon, no pass over the values) for the per-step action choice."""
    if np.ndim(q_row) != 1 or len(q_row) == 0:
        raise ValueError(f"q_row must have shape (n_actions,), the values of one state; got shape {np.shape(q_row)}.")
    if mask is not None and np.shape(mask) != np.shape(q_row):
        raise ValueError(f"mask must have shape ({len(q_row)},), like q_row; got shape {np.shape(mask)}.")
    if mask is not None and not np.any(mask):
        raise ValueError("mask allows no action; it must allow at least one available action.")
    return check_unit_interval(epsilon, name="epsilon")


def _no_best(q_row: Any, mask: Any) -> None:
    raise ValueError(f"q_row contains NaN or infinite values ({q_row}); action values must be finite.")


def epsilon_greedy(q_row: np.ndarray, epsilon: float, rng: np.random.Generator,
                   mask: np.ndarray | None = None) -> int:
    """With probability ``epsilon`` a uniformly random (allowed) action, else a greedy one.

    Ties between greedy actions are broken uniformly at random.

    Parameters
    ----------
    q_row : ndarray of shape (n_actions,)
    epsilon : float in [0, 1]
    rng : np.random.Generator
    mask : boolean ndarray of shape (n_actions,), optional
        Allowed actions (Gymnasium's ``info["action_mask"]``).
    """
    epsilon = _check_row(q_row, epsilon, mask)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)); got {type(rng).__name__}.")
    allowed = np.flatnonzero(mask) if mask is not None else None
    if rng.random() < epsilon:
        return int(rng.integers(len(q_row))) if allowed is None else int(allowed[rng.integers(len(allowed))])
    q = _masked(q_row, mask)
    best = np.flatnonzero(q == q.max())
    if len(best) == 0:                                   # only NaN values (or no allowed action) compare False
        _no_best(q_row, mask)
    return int(best[0]) if len(best) == 1 else int(best[rng.integers(len(best))])


def epsilon_greedy_probs(q_row: np.ndarray, epsilon: float, mask: np.ndarray | None = None) -> np.ndarray:
    """Action probabilities of :func:`epsilon_greedy`, shape (n_actions,)."""
    epsilon = _check_row(q_row, epsilon, mask)
    allowed = np.ones(len(q_row), dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    q = _masked(q_row, allowed)
    best = q == q.max()
    if not best.any():
        _no_best(q_row, mask)
    return epsilon * allowed / allowed.sum() + (1 - epsilon) * best / best.sum()


@dataclass
class ControlResult:
    """What :func:`td_control` learned and saw.

    Attributes
    ----------
    q : ndarray of shape (n_states, n_actions)
        The learned action values (for double Q-learning, the average of the two tables).
    returns : ndarray of shape (n_episodes,)
        Undiscounted return of each training episode (the *online* performance, with exploration).
    lengths : ndarray of shape (n_episodes,)
    first_actions : ndarray of shape (n_episodes,)
        The first action of each episode.
    """

    q: np.ndarray
    returns: np.ndarray
    lengths: np.ndarray
    first_actions: np.ndarray


def _check_env(env: Any) -> tuple[int, int]:
    n_states = getattr(env.observation_space, "n", None)
    n_actions = getattr(env.action_space, "n", None)
    if n_states is None or n_actions is None:
        raise TypeError(
            "tabular control needs Discrete observation and action spaces (with .n); got "
            f"{env.observation_space} and {env.action_space}. Discretise the observations first, "
            "or use a function approximator (deep Q-networks)."
        )
    return int(n_states), int(n_actions)


def td_control(env: Any, method: str, n_episodes: int, *, alpha: float = 0.5, gamma: float = 1.0,
               epsilon: float = 0.1, q0: float = 0.0, alpha_power: float = 0.0,
               rng: RNG = None, seed: int | None = None,
               max_steps: int = 10_000) -> ControlResult:
    """Learn action values online with one of four TD control rules and epsilon-greedy behaviour.

    Parameters
    ----------
    env : environment with Discrete spaces and Gymnasium's API
    method : {"sarsa", "q_learning", "expected_sarsa", "double_q"}
    n_episodes : int
    alpha : float in (0, 1]
        Step size.
    gamma : float in [0, 1]
    epsilon : float in [0, 1]
        Exploration probability of the behaviour policy (and, for expected SARSA, of the target policy).
    q0 : float
        Initial action values.
    alpha_power : float in [0, 1]
        Step-size decay: the n-th update of a pair :math:`(s, a)` uses :math:`\\alpha / n^{\\omega}` with
        :math:`\\omega` = ``alpha_power``. 0 (default) keeps the step constant; a value in (0.5, 1]
        satisfies the Robbins-Monro conditions under which Q-learning converges to :math:`q_*`.
    rng : Generator, int or None
        Randomness of the agent.
    seed : int, optional
        Seed of the environment's first ``reset``.
    max_steps : int
        Steps per episode before giving up (the episode is then cut, without bootstrapping issues:
        the last update already used the next state's value).

    Returns
    -------
    ControlResult

    Notes
    -----
    With TD error :math:`\\delta = R + \\gamma\\,X - Q(S, A)` and :math:`Q(S,A) \\leftarrow Q(S,A) + \\alpha\\delta`,
    the target term :math:`X` is :math:`Q(S', A')` (SARSA, eq-sq-sarsa of the page),
    :math:`\\max_a Q(S', a)` (Q-learning, eq-sq-qlearning), :math:`\\sum_a \\pi(a|S') Q(S', a)`
    (expected SARSA, eq-sq-expected), or :math:`Q_2(S', \\arg\\max_a Q_1(S', a))` with the roles of
    the two tables swapped at random (double Q-learning, eq-sq-double); :math:`X = 0` after a
    terminating step.
    """
    check_option(method, METHODS, name="method")
    n_episodes = check_int(n_episodes, name="n_episodes", minimum=1)
    alpha = check_unit_interval(alpha, name="alpha")
    if alpha == 0:
        raise ValueError("alpha must be > 0; with alpha = 0 nothing is learned.")
    gamma = check_unit_interval(gamma, name="gamma")
    epsilon = check_unit_interval(epsilon, name="epsilon")
    max_steps = check_int(max_steps, name="max_steps", minimum=1)
    if not np.isfinite(q0):
        raise ValueError(f"q0 must be finite (the initial action value); got {q0!r}.")
    alpha_power = check_unit_interval(alpha_power, name="alpha_power")
    n_states, n_actions = _check_env(env)
    rng = as_rng(rng)
    q1 = np.full((n_states, n_actions), float(q0))
    q2 = q1.copy()                                        # used only by double Q-learning
    counts = np.zeros((2, n_states, n_actions))           # updates per pair (per table)
    returns, lengths, first = np.zeros(n_episodes), np.zeros(n_episodes, int), np.zeros(n_episodes, int)

    def behaviour(s: int, mask: Any) -> int:
        row = q1[s] + q2[s] if method == "double_q" else q1[s]
        return epsilon_greedy(row, epsilon, rng, mask)

    for ep in range(n_episodes):
        s, info = env.reset(seed=seed if ep == 0 else None)
        mask = info.get("action_mask")
        a = behaviour(s, mask)
        first[ep] = a
        total, t = 0.0, 0
        for t in range(1, max_steps + 1):
            s2, r, terminated, truncated, info = env.step(a)
            total += r
            mask2 = info.get("action_mask")
            a2 = behaviour(s2, mask2) if not (terminated or truncated) else 0
            if method == "double_q":
                k = int(rng.random() < 0.5)
                qa, qb = (q1, q2) if k == 0 else (q2, q1)
                counts[k, s, a] += 1
                step = alpha / counts[k, s, a] ** alpha_power
                if terminated:
                    target = r
                else:
                    best = int(np.argmax(_masked(qa[s2], mask2)))
                    target = r + gamma * qb[s2, best]
                qa[s, a] += step * (target - qa[s, a])
            else:
                if terminated:
                    x = 0.0
                elif method == "sarsa":
                    x = q1[s2, a2]
                elif method == "q_learning":
                    x = _masked(q1[s2], mask2).max()
                else:
                    x = float(epsilon_greedy_probs(q1[s2], epsilon, mask2) @ q1[s2])
                counts[0, s, a] += 1
                q1[s, a] += alpha / counts[0, s, a] ** alpha_power * (r + gamma * x - q1[s, a])
            if terminated or truncated:
                break
            s, a, mask = s2, a2, mask2
        returns[ep], lengths[ep] = total, t
    q = (q1 + q2) / 2 if method == "double_q" else q1
    return ControlResult(q=q, returns=returns, lengths=lengths, first_actions=first)


def sarsa(env: Any, n_episodes: int, **kwargs: Any) -> ControlResult:
    """SARSA (on-policy TD control); see :func:`td_control`."""
    return td_control(env, "sarsa", n_episodes, **kwargs)


def q_learning(env: Any, n_episodes: int, **kwargs: Any) -> ControlResult:
    """Q-learning (off-policy TD control); see :func:`td_control`."""
    return td_control(env, "q_learning", n_episodes, **kwargs)


def expected_sarsa(env: Any, n_episodes: int, **kwargs: Any) -> ControlResult:
    """Expected SARSA; see :func:`td_control`."""
    return td_control(env, "expected_sarsa", n_episodes, **kwargs)


def double_q_learning(env: Any, n_episodes: int, **kwargs: Any) -> ControlResult:
    """Double Q-learning; see :func:`td_control`."""
    return td_control(env, "double_q", n_episodes, **kwargs)


def greedy_rollout(env: Any, q: np.ndarray, *, seed: int | None = None, max_steps: int = 1000
                   ) -> tuple[list, float]:
    """Follow the greedy policy of ``q`` for one episode; returns (visited states, return)."""
    shape = _check_env(env)
    q = np.asarray(q, dtype=np.float64)
    if q.shape != shape:
        raise ValueError(f"q must have shape {shape} = (n_states, n_actions) of this environment; got {q.shape}.")
    max_steps = check_int(max_steps, name="max_steps", minimum=1)
    s, info = env.reset(seed=seed)
    states, total = [s], 0.0
    for _ in range(max_steps):
        a = int(np.argmax(_masked(q[s], info.get("action_mask"))))
        s, r, terminated, truncated, info = env.step(a)
        states.append(s)
        total += r
        if terminated or truncated:
            break
    return states, total


def random_mdp(n_states: int = 4, n_actions: int = 2, *, p_terminate: float = 0.2,
               rng: RNG = None) -> "TabularEnv":
    """A small random MDP for tests: Dirichlet transitions, normal rewards, and termination with
    probability ``p_terminate`` after every step. Episodes start in a uniformly random state."""
    from scratch.envs.core import TabularEnv

    n_states = check_int(n_states, name="n_states", minimum=1)
    n_actions = check_int(n_actions, name="n_actions", minimum=1)
    p_terminate = check_unit_interval(p_terminate, name="p_terminate")
    rng = as_rng(rng)
    P = {}
    for s in range(n_states):
        P[s] = {}
        for a in range(n_actions):
            probs = rng.dirichlet(np.ones(n_states)) * (1 - p_terminate)
            rewards = rng.normal(size=n_states)
            P[s][a] = [(float(probs[k]), k, float(rewards[k]), False) for k in range(n_states)]
            P[s][a].append((p_terminate, 0, float(rng.normal()), True))
    return TabularEnv(P, np.full(n_states, 1.0 / n_states))
