"""Wrappers that change what an agent sees, with Gymnasium's API.

:class:`DiscretizeObservation` turns a continuous (Box) observation into one integer
by binning every coordinate, so that tabular methods (Q-learning) can run on
CartPole. It wraps a ``scratch.envs`` or a Gymnasium environment alike.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from scratch.envs.spaces import Discrete

__all__ = ["DiscretizeObservation"]


class DiscretizeObservation:
    """Observation ``x`` of shape (d,) -> one integer in ``0 .. prod(len(edges[i]) + 1) - 1``.

    Parameters
    ----------
    env : environment with a Box observation space of shape (d,)
    edges : sequence of d 1-D arrays
        Interior bin edges per coordinate (``np.digitize``); an empty array ignores the coordinate.

    Attributes
    ----------
    observation_space : Discrete
    action_space : the wrapped environment's
    """

    def __init__(self, env: Any, edges: Sequence[Any]):
        shape = getattr(env.observation_space, "shape", None)
        if shape is None or len(shape) != 1 or len(edges) != shape[0]:
            raise ValueError(
                f"DiscretizeObservation needs one array of bin edges per observation coordinate; the "
                f"observation space is {env.observation_space} and {len(edges)} edge arrays were given."
            )
        self.env = env
        self.edges = [np.sort(np.asarray(e, dtype=np.float64).ravel()) for e in edges]
        if any(np.any(np.isnan(e)) for e in self.edges):
            raise ValueError("bin edges contain NaN; pass finite edges (or +-np.inf) for every coordinate.")
        self.n_bins = np.array([len(e) + 1 for e in self.edges])
        self.observation_space = Discrete(int(np.prod(self.n_bins)))
        self.action_space = env.action_space

    def index(self, obs: Any) -> Any:
        """Bin indices of observations: (d,) -> int, or (n, d) -> (n,) ints."""
        obs = np.asarray(obs, dtype=np.float64)
        d = len(self.edges)
        if obs.ndim not in (1, 2) or obs.shape[-1] != d:
            raise ValueError(f"index() takes observations of shape ({d},) or (n, {d}); got shape {obs.shape}.")
        if not np.all(np.isfinite(obs)):
            raise ValueError("observation contains NaN or infinite values; it cannot be binned.")
        bins = [np.digitize(obs[..., i], e) for i, e in enumerate(self.edges)]
        flat = np.ravel_multi_index(bins, self.n_bins)
        return int(flat) if np.ndim(flat) == 0 else flat

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple[int, dict]:
        obs, info = self.env.reset(seed=seed, options=options)
        return self.index(obs), info

    def step(self, action: Any) -> tuple[int, float, bool, bool, dict]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        return self.index(obs), reward, terminated, truncated, info

    @property
    def unwrapped(self) -> Any:
        return getattr(self.env, "unwrapped", self.env)
