"""Tabular environments of Sutton & Barto and Gymnasium's toy-text suite.

Each is a :class:`~scratch.envs.core.TabularEnv`: Gymnasium's ``reset``/``step`` plus the
transition table ``P[s][a] = [(prob, next_state, reward, terminated), ...]`` that dynamic
programming reads. :class:`CliffWalking` and :class:`FrozenLake` reproduce Gymnasium's
``CliffWalking-v1`` and ``FrozenLake-v1`` tables exactly (states, actions, order of outcomes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import check_int, check_positive
from scratch.envs.core import TabularEnv
from scratch.envs.spaces import Discrete

__all__ = ["GridWorld", "CliffWalking", "FrozenLake", "RandomWalk", "MaxBias", "ShortCorridor",
           "UP", "RIGHT", "DOWN", "LEFT"]

# Gymnasium's CliffWalking action order; moves as (row, column) offsets.
UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
_MOVES = {UP: (-1, 0), RIGHT: (0, 1), DOWN: (1, 0), LEFT: (0, -1)}


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool (True or False); got {type(value).__name__} ({value!r}).")
    return bool(value)


def _move(shape: tuple[int, int], row: int, col: int, delta: tuple[int, int]) -> tuple[int, int]:
    """Move by ``delta``; a move off the grid leaves the position unchanged (clipped)."""
    return (min(max(row + delta[0], 0), shape[0] - 1), min(max(col + delta[1], 0), shape[1] - 1))


class GridWorld(TabularEnv):
    """Sutton & Barto's GridWorld (Example 4.1): a ``size x size`` grid with two terminal corners.

    States are numbered row by row, ``0 .. size**2 - 1``; states 0 and ``size**2 - 1`` are
    terminal. Actions ``UP, RIGHT, DOWN, LEFT`` (0..3) move deterministically; a move off the
    grid leaves the state unchanged. Every step gives reward -1. Episodes start in a
    non-terminal state drawn uniformly.

    Parameters
    ----------
    size : int, default 4
        Side of the grid (the book's example has 4).
    """

    def __init__(self, size: int = 4):
        self.size = check_int(size, name="size", minimum=2)
        shape = (self.size, self.size)
        n = self.size * self.size
        self.terminal_states = (0, n - 1)
        P: dict[int, dict[int, list]] = {}
        for s in range(n):
            row, col = divmod(s, self.size)
            P[s] = {}
            for a, delta in _MOVES.items():
                if s in self.terminal_states:
                    P[s][a] = [(1.0, s, 0.0, True)]
                else:
                    s_next = int(np.ravel_multi_index(_move(shape, row, col, delta), shape))
                    P[s][a] = [(1.0, s_next, -1.0, s_next in self.terminal_states)]
        isd = np.full(n, 1.0 / (n - 2))
        isd[list(self.terminal_states)] = 0.0
        super().__init__(P, isd)


class CliffWalking(TabularEnv):
    """Cliff walking (Sutton & Barto, Example 6.6), identical to Gymnasium's ``CliffWalking-v1``.

    A 4 x 12 grid, start at the bottom-left (state 36), goal at the bottom-right (state 47).
    Each step costs -1; stepping into the cliff (bottom row between start and goal) costs
    -100 and sends the agent back to the start without ending the episode.

    Parameters
    ----------
    is_slippery : bool, default False
        If True the agent moves in the intended direction or one of the two perpendicular
        ones, each with probability 1/3 (Gymnasium's option).
    """

    shape = (4, 12)

    def __init__(self, is_slippery: bool = False):
        self.is_slippery = _check_bool(is_slippery, "is_slippery")
        n = self.shape[0] * self.shape[1]
        self.start_state_index = int(np.ravel_multi_index((3, 0), self.shape))
        self._cliff = np.zeros(self.shape, dtype=bool)
        self._cliff[3, 1:-1] = True
        P = {s: {a: self._transitions(np.unravel_index(s, self.shape), a) for a in range(4)}
             for s in range(n)}
        isd = np.zeros(n)
        isd[self.start_state_index] = 1.0
        super().__init__(P, isd)

    def _transitions(self, current: tuple, move: int) -> list:
        moves = [(move - 1) % 4, move, (move + 1) % 4] if self.is_slippery else [move]
        outcomes = []
        for m in moves:
            position = _move(self.shape, int(current[0]), int(current[1]), _MOVES[m])
            if self._cliff[position]:
                outcomes.append((1 / len(moves), self.start_state_index, -100, False))
            else:
                s_next = int(np.ravel_multi_index(position, self.shape))
                outcomes.append((1 / len(moves), s_next, -1, position == (self.shape[0] - 1, self.shape[1] - 1)))
        return outcomes


_FROZEN_MAPS = {
    "4x4": ["SFFF", "FHFH", "FFFH", "HFFG"],
    "8x8": ["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF",
            "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"],
}


class FrozenLake(TabularEnv):
    """Gymnasium's ``FrozenLake-v1``: cross a frozen lake from S to G without falling into a hole H.

    Actions are Gymnasium's ``LEFT=0, DOWN=1, RIGHT=2, UP=3`` (not the grid order above).
    Reaching G gives reward 1; holes and the goal end the episode. On a slippery lake the
    intended move happens with probability ``success_rate`` and each perpendicular move with
    ``(1 - success_rate) / 2``.

    Parameters
    ----------
    map_name : {"4x4", "8x8"}
    is_slippery : bool, default True
    success_rate : float, default 1/3
    max_episode_steps : int, default 100
        The time limit of ``FrozenLake-v1`` (Gymnasium's ``FrozenLake8x8-v1`` uses 200).
    """

    def __init__(self, map_name: str = "4x4", is_slippery: bool = True, success_rate: float = 1.0 / 3.0,
                 max_episode_steps: int = 100):
        if map_name not in _FROZEN_MAPS:
            raise ValueError(f"Unknown map_name={map_name!r}; expected one of {list(_FROZEN_MAPS)}.")
        is_slippery = _check_bool(is_slippery, "is_slippery")
        if (isinstance(success_rate, bool) or not isinstance(success_rate, (int, float, np.number))
                or not 0.0 <= success_rate <= 1.0):
            raise ValueError(f"success_rate must lie in [0, 1] (the probability of the intended move); "
                             f"got {success_rate!r}.")
        self.desc = np.asarray([list(r) for r in _FROZEN_MAPS[map_name]], dtype="c")
        nrow, ncol = self.desc.shape
        moves = {0: (0, -1), 1: (1, 0), 2: (0, 1), 3: (-1, 0)}
        fail = (1.0 - success_rate) / 2.0

        def outcome(row: int, col: int, a: int) -> tuple[int, float, bool]:
            r, c = _move((nrow, ncol), row, col, moves[a])
            letter = self.desc[r, c]
            return r * ncol + c, float(letter == b"G"), bytes(letter) in b"GH"

        P: dict[int, dict[int, list]] = {}
        for row in range(nrow):
            for col in range(ncol):
                s = row * ncol + col
                P[s] = {}
                for a in range(4):
                    if self.desc[row, col] in b"GH":
                        P[s][a] = [(1.0, s, 0, True)]
                    elif is_slippery:
                        P[s][a] = [(success_rate if b == a else fail, *outcome(row, col, b))
                                   for b in [(a - 1) % 4, a, (a + 1) % 4]]
                    else:
                        P[s][a] = [(1.0, *outcome(row, col, a))]
        isd = (self.desc == b"S").astype(np.float64).ravel()
        super().__init__(P, isd / isd.sum(), max_episode_steps=max_episode_steps)


class RandomWalk(TabularEnv):
    """The random walk of Sutton & Barto (Example 6.2; 19 states in Example 7.1).

    States ``0 .. n_states + 1``: 0 and ``n_states + 1`` are terminal, the walk starts in
    the middle and moves left or right with probability 1/2 whatever the (single) action.
    Leaving on the right gives reward +1, on the left ``left_reward`` (0 in Example 6.2).
    The true values of the non-terminal states without discounting are
    ``i / (n_states + 1)`` for ``left_reward = 0``.

    Parameters
    ----------
    n_states : int, default 5
        Number of non-terminal states (odd, so that there is a middle).
    left_reward : float, default 0.0
    """

    def __init__(self, n_states: int = 5, left_reward: float = 0.0):
        self.n_walk_states = check_int(n_states, name="n_states", minimum=1)
        if n_states % 2 == 0:
            raise ValueError(f"n_states must be odd so that the walk starts in the middle; got {n_states}.")
        self.left_reward = float(left_reward)
        if not np.isfinite(self.left_reward):
            raise ValueError(f"left_reward must be finite; got {left_reward!r}.")
        n = n_states + 2
        P: dict[int, dict[int, list]] = {}
        for s in range(n):
            if s in (0, n - 1):
                P[s] = {0: [(1.0, s, 0.0, True)]}
            else:
                left = (0.5, s - 1, self.left_reward if s - 1 == 0 else 0.0, s - 1 == 0)
                right = (0.5, s + 1, 1.0 if s + 1 == n - 1 else 0.0, s + 1 == n - 1)
                P[s] = {0: [left, right]}
        isd = np.zeros(n)
        isd[n // 2] = 1.0
        super().__init__(P, isd)

    def true_values(self) -> np.ndarray:
        """Exact undiscounted values of all ``n_states + 2`` states (terminals 0), by a linear solve."""
        n = self.n_states
        A, b = np.eye(n), np.zeros(n)
        for s in range(1, n - 1):
            for prob, s_next, reward, terminated in self.P[s][0]:
                b[s] += prob * reward
                if not terminated:
                    A[s, s_next] -= prob
        return np.linalg.solve(A, b)


class MaxBias(TabularEnv):
    """The maximisation-bias MDP of Sutton & Barto (Example 6.7).

    State ``A = 0`` (start) has two actions: ``0`` (left) leads to state ``B = 1`` with reward 0,
    ``1`` (right) ends the episode with reward 0. In ``B`` each of ``n_actions_b`` actions ends
    the episode with a reward drawn from :math:`\\mathcal N(\\mu, \\sigma^2)`, default
    :math:`\\mu = -0.1, \\sigma = 1`. State 2 is terminal. So "left" is worse in expectation,
    but the maximum of noisy estimates in ``B`` is optimistic.

    ``P`` lists only the available actions (``P[A]`` has 2, ``P[B]`` has ``n_actions_b``) and holds
    the *expected* reward. ``info["action_mask"]`` tells an agent which actions it may take.
    """

    A, B, TERMINAL = 0, 1, 2

    def __init__(self, n_actions_b: int = 10, mean: float = -0.1, std: float = 1.0):
        self.n_actions_b = check_int(n_actions_b, name="n_actions_b", minimum=2)
        self.mean, self.std = float(mean), check_positive(std, name="std", strict=False)
        if not np.isfinite(self.mean):
            raise ValueError(f"mean must be finite; got {mean!r}.")
        P = {
            self.A: {0: [(1.0, self.B, 0.0, False)], 1: [(1.0, self.TERMINAL, 0.0, True)]},
            self.B: {a: [(1.0, self.TERMINAL, self.mean, True)] for a in range(self.n_actions_b)},
            self.TERMINAL: {0: [(1.0, self.TERMINAL, 0.0, True)]},
        }
        super().__init__(P, [1.0, 0.0, 0.0], n_actions=self.n_actions_b)

    def _info(self, prob: float) -> dict:
        return {"prob": prob, "action_mask": self.action_mask(self.s)}

    def _reward(self, s: int, a: int, expected: float) -> float:
        return float(self.np_random.normal(self.mean, self.std)) if s == self.B else expected


class ShortCorridor(TabularEnv):
    """The short corridor with switched actions (Sutton & Barto, Example 13.1).

    Three non-terminal states 0, 1, 2 and a terminal state 3; every step gives reward -1.
    Action ``0`` (left) and ``1`` (right) move as labelled in states 0 and 2 (left in state 0
    stays put), but are **switched** in state 1. All states give the **same observation**
    (``observation_space = Discrete(1)``), so a policy cannot tell them apart: the true state
    is in ``info["state"]`` and ``P`` is indexed by true states.
    """

    def __init__(self):
        P = {
            0: {0: [(1.0, 0, -1.0, False)], 1: [(1.0, 1, -1.0, False)]},
            1: {0: [(1.0, 2, -1.0, False)], 1: [(1.0, 0, -1.0, False)]},
            2: {0: [(1.0, 1, -1.0, False)], 1: [(1.0, 3, -1.0, True)]},
            3: {0: [(1.0, 3, 0.0, True)], 1: [(1.0, 3, 0.0, True)]},
        }
        super().__init__(P, [1.0, 0.0, 0.0, 0.0])
        self.observation_space = Discrete(1)

    def _reset(self, options: dict) -> tuple[int, dict]:
        super()._reset(options)
        return 0, {"state": self.s}

    def _step(self, action: Any) -> tuple[int, float, bool, bool, dict]:
        _, reward, terminated, truncated, _ = super()._step(action)
        return 0, reward, terminated, truncated, {"state": self.s}

    def value_of_right_probability(self, p_right: float) -> float:
        """Exact value of the start state when every state goes right with probability ``p_right``."""
        p = float(p_right)
        if not 0.0 < p < 1.0:
            raise ValueError(f"p_right must lie in (0, 1) for the episode to end surely; got {p_right}.")
        # v0 = -1 + (1-p) v0 + p v1;  v1 = -1 + (1-p) v2 + p v0;  v2 = -1 + (1-p) v1
        A = np.array([[p, -p, 0.0], [-p, 1.0, -(1 - p)], [0.0, -(1 - p), 1.0]])
        return float(np.linalg.solve(A, -np.ones(3))[0])
