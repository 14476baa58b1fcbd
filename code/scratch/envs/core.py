"""The environment interface (Gymnasium's API) and tabular environments built from a table ``P``.

Every environment in :mod:`scratch.envs` follows Gymnasium's API::

    obs, info = env.reset(seed=0)
    obs, reward, terminated, truncated, info = env.step(action)

``terminated`` means the MDP reached a terminal state (bootstrapping must stop);
``truncated`` means a time limit cut the episode short (the state still has a value).
Unlike Gymnasium, a ``step`` before ``reset`` or after the end of an episode raises
:class:`ResetNeeded` instead of warning, and an action outside the action space
raises ``ValueError``.

A tabular environment also exposes Gymnasium's transition table
``P[s][a] = [(prob, next_state, reward, terminated), ...]``.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np

from scratch._validation import as_rng, check_int
from scratch.envs.spaces import Discrete, Space

__all__ = ["Env", "ResetNeeded", "TabularEnv", "transition_arrays"]


class ResetNeeded(RuntimeError):
    """Raised by ``step`` before the first ``reset`` or after an episode ended."""


class Env:
    """Base class: subclasses implement ``_reset(options)`` and ``_step(action)``.

    Attributes
    ----------
    observation_space, action_space : Space
    np_random : np.random.Generator
        The environment's generator, (re)created by ``reset(seed=...)``.
    """

    observation_space: Space
    action_space: Space
    np_random: np.random.Generator | None = None
    _needs_reset: bool = True

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[Any, dict]:
        """Start an episode; ``seed`` reseeds the environment's generator (as in Gymnasium).

        Returns
        -------
        observation, info
        """
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (Integral, np.integer))):
            raise TypeError(f"seed must be an int or None (as in Gymnasium); got {type(seed).__name__} "
                            f"({seed!r}). Pass e.g. env.reset(seed=0).")
        if options is not None and not isinstance(options, dict):
            raise TypeError(f"options must be a dict or None; got {type(options).__name__}.")
        if seed is not None or self.np_random is None:
            self.np_random = as_rng(seed)
        self._needs_reset = False
        return self._reset(options or {})

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:
        """Apply ``action``.

        Returns
        -------
        observation, reward, terminated, truncated, info
        """
        if self._needs_reset:
            raise ResetNeeded(
                f"{type(self).__name__}.step() was called before reset() or after the episode ended "
                "(terminated or truncated). Call env.reset() to start a new episode."
            )
        if not self.action_space.contains(action):
            raise ValueError(
                f"action {action!r} is outside the action space {self.action_space} of "
                f"{type(self).__name__}; pass an element of env.action_space."
            )
        obs, reward, terminated, truncated, info = self._step(action)
        if terminated or truncated:
            self._needs_reset = True
        return obs, reward, terminated, truncated, info

    def _reset(self, options: dict) -> tuple[Any, dict]:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} is abstract: a subclass implements _reset(options).")

    def _step(self, action: Any) -> tuple[Any, float, bool, bool, dict]:  # pragma: no cover
        raise NotImplementedError(f"{type(self).__name__} is abstract: a subclass implements _step(action).")

    @property
    def unwrapped(self) -> "Env":
        """The environment itself (Gymnasium's wrappers have the same attribute)."""
        return self

    def close(self) -> None:
        """Nothing to release (kept for Gymnasium compatibility)."""


def _check_table(P: Any, n_states: int, n_actions: int | None) -> None:
    """Check every listed ``P[s][a]``; with ``n_actions`` also that no action is missing."""
    if not isinstance(P, (dict, list, tuple)):
        raise TypeError(f"P must be a transition table (a dict or list with P[s][a] = [(prob, next_state, "
                        f"reward, terminated), ...]); got {type(P).__name__}.")
    if n_states < 1:
        raise ValueError("P is empty: a transition table needs at least one state.")
    for s in range(n_states):
        actions = range(n_actions) if n_actions is not None else range(len(P[s]))
        if n_actions is None and isinstance(P[s], dict):
            actions = list(P[s])
        for a in actions:
            try:
                outcomes = P[s][a]
            except (KeyError, IndexError, TypeError):
                raise ValueError(
                    f"P[{s}][{a}] is missing: a transition table needs P[s][a] for every state "
                    f"0..{n_states - 1} and action 0..{n_actions - 1}."
                ) from None
            for o in outcomes:
                if not isinstance(o, (tuple, list)) or len(o) != 4:
                    raise ValueError(f"P[{s}][{a}] holds {o!r}; each outcome must be a tuple "
                                     "(prob, next_state, reward, terminated).")
                if (isinstance(o[1], bool) or not isinstance(o[1], (Integral, np.integer))
                        or not 0 <= o[1] < n_states):
                    raise ValueError(f"P[{s}][{a}] has next state {o[1]!r}; states are the integers "
                                     f"0..{n_states - 1}.")
                if not isinstance(o[0], (Real, np.floating)) or not 0 <= o[0] <= 1:
                    raise ValueError(f"P[{s}][{a}] has probability {o[0]!r}; it must lie in [0, 1].")
            total = sum(float(o[0]) for o in outcomes)
            if not np.isclose(total, 1.0, atol=1e-9):
                raise ValueError(
                    f"the probabilities of P[{s}][{a}] sum to {total}, not 1; each entry is a list "
                    "of (prob, next_state, reward, terminated) whose probs sum to 1."
                )


def transition_arrays(P: Any, n_states: int | None = None, n_actions: int | None = None
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Turn a table ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` into arrays.

    Parameters
    ----------
    P : dict or list
        Gymnasium's transition table (works with ``gymnasium.make("FrozenLake-v1").unwrapped.P``).
    n_states, n_actions : int, optional
        Taken from ``P`` when omitted.

    Returns
    -------
    T : ndarray of shape (n_states, n_actions, n_states)
        Probability of continuing to ``s'``: transitions flagged ``terminated`` are left out,
        so rows of ``T`` sum to the probability of *not* terminating.
    R : ndarray of shape (n_states, n_actions)
        Expected immediate reward.

    Notes
    -----
    With these arrays the Bellman expectation equation reads
    :math:`q(s,a) = R(s,a) + \\gamma \\sum_{s'} T(s,a,s') v(s')`: a terminal transition
    contributes its reward and nothing after it.
    """
    if not isinstance(P, (dict, list, tuple)):
        _check_table(P, 0, None)                                      # raises the TypeError
    n_states = len(P) if n_states is None else check_int(n_states, name="n_states", minimum=1)
    if n_states > len(P):
        raise ValueError(f"n_states={n_states} but P describes {len(P)} states.")
    _check_table(P, n_states, None)
    n_actions = (max(len(P[s]) for s in range(n_states)) if n_actions is None
                 else check_int(n_actions, name="n_actions", minimum=1))
    _check_table(P, n_states, n_actions)
    T = np.zeros((n_states, n_actions, n_states))
    R = np.zeros((n_states, n_actions))
    for s in range(n_states):
        for a in range(n_actions):
            for prob, s_next, reward, terminated in P[s][a]:
                R[s, a] += prob * reward
                if not terminated:
                    T[s, a, int(s_next)] += prob
    return T, R


def _cumsum(probs: list) -> list:
    """Running sums in order (the same floating-point sums as np.cumsum)."""
    out, acc = [], 0.0
    for p in probs:
        acc += p
        out.append(acc)
    return out


def _categorical_sample(cumulative: np.ndarray, rng: np.random.Generator) -> int:
    """Index drawn from cumulative probabilities with one uniform number (Gymnasium's rule,
    so that the same seed gives the same trajectory as Gymnasium's toy-text environments)."""
    u = rng.random()
    for i, c in enumerate(cumulative):
        if c > u:
            return i
    return 0                                       # as np.argmax of an all-False array


class TabularEnv(Env):
    """A finite MDP given by its table ``P`` and a start distribution.

    Parameters
    ----------
    P : dict or list
        ``P[s][a] = [(prob, next_state, reward, terminated), ...]``.
    initial_state_distrib : array_like of shape (n_states,)
        Probabilities of the start state.
    n_actions : int, optional
        Size of the action space (default: the most actions any state has). States with
        fewer actions list only those in ``P[s]``; stepping with another one raises.
    max_episode_steps : int, optional
        Truncate episodes after this many steps (Gymnasium's ``TimeLimit``).

    Attributes
    ----------
    P, n_states (``observation_space.n``), n_actions (``action_space.n``), s (current state)
    """

    def __init__(self, P: Any, initial_state_distrib: Any, *, n_actions: int | None = None,
                 max_episode_steps: int | None = None):
        isd = np.asarray(initial_state_distrib, dtype=np.float64)
        _check_table(P, len(P) if isinstance(P, (dict, list, tuple)) else 0, None)
        n_states = len(P)
        n_actions = (max(len(P[s]) for s in range(n_states)) if n_actions is None
                     else check_int(n_actions, name="n_actions", minimum=1))
        if max_episode_steps is not None:
            max_episode_steps = check_int(max_episode_steps, name="max_episode_steps", minimum=1)
        if (isd.shape != (n_states,) or not np.all(np.isfinite(isd)) or np.any(isd < 0)
                or not np.isclose(isd.sum(), 1.0)):
            raise ValueError(
                f"initial_state_distrib must be {n_states} non-negative probabilities summing to 1; "
                f"got shape {isd.shape} with sum {isd.sum():.4g}."
            )
        self.P = P
        self.initial_state_distrib = isd
        self._isd_cumsum = _cumsum(isd.tolist())
        self.observation_space = Discrete(n_states)
        self.action_space = Discrete(n_actions)
        self.max_episode_steps = max_episode_steps
        self.s = 0
        self.lastaction: int | None = None

    @property
    def n_states(self) -> int:
        return len(self.P)

    @property
    def n_actions(self) -> int:
        return self.action_space.n

    def _check_state(self, s: Any) -> int:
        if isinstance(s, bool) or not isinstance(s, (Integral, np.integer)):
            raise TypeError(f"state must be an integer in 0..{self.n_states - 1}; got {type(s).__name__} ({s!r}).")
        if not 0 <= s < self.n_states:
            raise ValueError(f"state {s} is outside 0..{self.n_states - 1}, the states of {type(self).__name__}.")
        return int(s)

    def available_actions(self, s: int) -> list[int]:
        """The actions listed in ``P[s]``."""
        s = self._check_state(s)
        return [int(a) for a in (self.P[s] if isinstance(self.P[s], dict) else range(len(self.P[s])))]

    def action_mask(self, s: int) -> np.ndarray:
        """Boolean array of shape (n_actions,): which actions state ``s`` offers."""
        mask = np.zeros(self.n_actions, dtype=bool)
        mask[self.available_actions(s)] = True
        return mask

    def _info(self, prob: float) -> dict:
        return {"prob": prob}

    def _reset(self, options: dict) -> tuple[int, dict]:
        self.s = _categorical_sample(self._isd_cumsum, self.np_random)
        self._t, self.lastaction = 0, None
        return self.s, self._info(1.0)

    def _step(self, action: Any) -> tuple[int, float, bool, bool, dict]:
        row = self.P[self.s]
        if (int(action) not in row) if isinstance(row, dict) else not 0 <= int(action) < len(row):
            raise ValueError(
                f"action {action} is not available in state {self.s} of {type(self).__name__} "
                f"(available: {self.available_actions(self.s)}); see info['action_mask']."
            )
        outcomes = row[int(action)]
        i = 0 if len(outcomes) == 1 else _categorical_sample(_cumsum([o[0] for o in outcomes]), self.np_random)
        prob, s_next, reward, terminated = outcomes[i]
        reward = self._reward(self.s, int(action), float(reward))
        self.s, self.lastaction = int(s_next), int(action)
        self._t += 1
        truncated = self.max_episode_steps is not None and self._t >= self.max_episode_steps and not terminated
        return self.s, reward, bool(terminated), bool(truncated), self._info(float(prob))

    def _reward(self, s: int, a: int, expected: float) -> float:
        """The sampled reward; the table's (expected) reward unless a subclass adds noise."""
        return expected
