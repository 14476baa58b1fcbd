"""Reinforcement-learning environments in numpy with Gymnasium's API.

* :mod:`scratch.envs.spaces`: :class:`Discrete`, :class:`Box`
* :mod:`scratch.envs.core`: :class:`Env`, :class:`TabularEnv`, :func:`transition_arrays`, :class:`ResetNeeded`
* :mod:`scratch.envs.tabular`: :class:`GridWorld`, :class:`CliffWalking`, :class:`FrozenLake`,
  :class:`RandomWalk`, :class:`MaxBias`, :class:`ShortCorridor`
* :mod:`scratch.envs.cartpole`: :class:`CartPole`, :func:`cartpole_dynamics`
* :mod:`scratch.envs.wrappers`: :class:`DiscretizeObservation`
"""

from scratch.envs.cartpole import CartPole, cartpole_dynamics
from scratch.envs.core import Env, ResetNeeded, TabularEnv, transition_arrays
from scratch.envs.spaces import Box, Discrete, Space
from scratch.envs.tabular import CliffWalking, FrozenLake, GridWorld, MaxBias, RandomWalk, ShortCorridor
from scratch.envs.wrappers import DiscretizeObservation

__all__ = [
    "Space", "Discrete", "Box",
    "Env", "ResetNeeded", "TabularEnv", "transition_arrays",
    "GridWorld", "CliffWalking", "FrozenLake", "RandomWalk", "MaxBias", "ShortCorridor",
    "CartPole", "cartpole_dynamics",
    "DiscretizeObservation",
]
