"""CartPole in numpy, step for step equal to Gymnasium's ``CartPole-v1``.

A pole is hinged to a cart on a frictionless track; the agent pushes the cart left
(action 0) or right (action 1) with a force of 10 N. Every step gives reward +1. The
episode terminates when the pole leans more than 12 degrees or the cart leaves
``|x| <= 2.4``, and is truncated after 500 steps. The dynamics are those of
Barto, Sutton & Anderson (1983) with Florian's corrected equations, integrated by
explicit Euler with ``tau = 0.02`` s, exactly as Gymnasium does (same constants, same
order of floating-point operations, float64 state, float32 observation).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import check_int
from scratch.envs.core import Env
from scratch.envs.spaces import Box, Discrete

__all__ = ["CartPole", "cartpole_dynamics"]

GRAVITY, MASSCART, MASSPOLE, LENGTH, FORCE_MAG, TAU = 9.8, 1.0, 0.1, 0.5, 10.0, 0.02
TOTAL_MASS = MASSPOLE + MASSCART
POLEMASS_LENGTH = MASSPOLE * LENGTH
THETA_THRESHOLD = 12 * 2 * math.pi / 360
X_THRESHOLD = 2.4


def cartpole_dynamics(state: np.ndarray, action: Any) -> tuple[np.ndarray, np.ndarray]:
    """One Euler step of the cart-pole, vectorised over a batch of states.

    Parameters
    ----------
    state : ndarray of shape (..., 4)
        ``(x, x_dot, theta, theta_dot)``.
    action : int or ndarray of shape (...)
        0 pushes left, 1 pushes right.

    Returns
    -------
    next_state : ndarray of shape (..., 4)
    terminated : ndarray of bool, shape (...)

    Notes
    -----
    With :math:`F = \\pm 10`, :math:`m_p l = 0.05` and :math:`M = m_c + m_p`:

    .. math::
        t = (F + m_p l \\dot\\theta^2 \\sin\\theta)/M,

        \\ddot\\theta = \\frac{g\\sin\\theta - t\\cos\\theta}{l\\,(4/3 - m_p\\cos^2\\theta/M)},

        \\ddot x = t - m_p l\\,\\ddot\\theta\\cos\\theta/M,

    then Euler: :math:`x \\leftarrow x + \\tau\\dot x`, :math:`\\dot x \\leftarrow \\dot x + \\tau\\ddot x`,
    :math:`\\theta \\leftarrow \\theta + \\tau\\dot\\theta`, :math:`\\dot\\theta \\leftarrow \\dot\\theta + \\tau\\ddot\\theta`.
    """
    state = np.asarray(state, dtype=np.float64)
    if state.ndim == 0 or state.shape[-1] != 4:
        raise ValueError(f"state must have shape (..., 4): (x, x_dot, theta, theta_dot); got shape {state.shape}.")
    if not np.all(np.isfinite(state)):
        raise ValueError("state contains NaN or infinite values; a cart-pole state is 4 finite numbers.")
    a = np.asarray(action)
    if a.dtype.kind not in "iub" or np.any((a != 0) & (a != 1)):
        raise ValueError(f"action must be 0 (left) or 1 (right), as integers; got {action!r}.")
    if a.shape not in ((), state.shape[:-1]):
        raise ValueError(f"action must be one action per state: shape {state.shape[:-1]} (or a single int); "
                         f"got shape {a.shape}.")
    return _dynamics(state, a)


def _dynamics(state: np.ndarray, action: Any) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cartpole_dynamics` without the input checks (``CartPole.step`` checks the action)."""
    x, x_dot, theta, theta_dot = state[..., 0], state[..., 1], state[..., 2], state[..., 3]
    force = np.where(np.asarray(action) == 1, FORCE_MAG, -FORCE_MAG)
    costheta, sintheta = np.cos(theta), np.sin(theta)
    temp = (force + POLEMASS_LENGTH * np.square(theta_dot) * sintheta) / TOTAL_MASS
    thetaacc = (GRAVITY * sintheta - costheta * temp) / (
        LENGTH * (4.0 / 3.0 - MASSPOLE * np.square(costheta) / TOTAL_MASS))
    xacc = temp - POLEMASS_LENGTH * thetaacc * costheta / TOTAL_MASS
    x = x + TAU * x_dot
    x_dot = x_dot + TAU * xacc
    theta = theta + TAU * theta_dot
    theta_dot = theta_dot + TAU * thetaacc
    next_state = np.stack([x, x_dot, theta, theta_dot], axis=-1)
    terminated = (x < -X_THRESHOLD) | (x > X_THRESHOLD) | (theta < -THETA_THRESHOLD) | (theta > THETA_THRESHOLD)
    return next_state, terminated


class CartPole(Env):
    """Gymnasium's ``CartPole-v1`` (including its 500-step time limit).

    Parameters
    ----------
    max_episode_steps : int, default 500

    Attributes
    ----------
    state : ndarray of shape (4,)
        The float64 state; set it to start from a chosen state (as with Gymnasium's
        ``env.unwrapped.state``).
    """

    def __init__(self, max_episode_steps: int = 500):
        self.max_episode_steps = check_int(max_episode_steps, name="max_episode_steps", minimum=1)
        high = np.array([X_THRESHOLD * 2, np.finfo(np.float32).max, THETA_THRESHOLD * 2,
                         np.finfo(np.float32).max], dtype=np.float32)
        self.observation_space = Box(-high, high, dtype=np.float32)
        self.action_space = Discrete(2)
        self.state = np.zeros(4)

    def _reset(self, options: dict) -> tuple[np.ndarray, dict]:
        low, high = options.get("low", -0.05), options.get("high", 0.05)
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(np.asarray(low) <= high)):
            raise ValueError(f"reset(options=...) needs finite options low <= high for the uniform start state; "
                             f"got low={low!r}, high={high!r}.")
        self.state = self.np_random.uniform(low=low, high=high, size=(4,))
        self._t = 0
        return np.array(self.state, dtype=np.float32), {}

    def _step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        next_state, terminated = _dynamics(self.state, action)
        self.state = next_state
        self._t += 1
        terminated = bool(terminated)
        truncated = self._t >= self.max_episode_steps and not terminated
        return np.array(self.state, dtype=np.float32), 1.0, terminated, truncated, {}
