"""Monte Carlo and temporal-difference prediction (page: book/rl/td_learning.md).

Prediction: estimate the state values :math:`v_\\pi` of a fixed policy from sampled
episodes, without a model. Episodes are collected with Gymnasium's API
(:func:`collect_episode`), so the same code runs on a ``scratch.envs`` environment
or a Gymnasium one. The learners replay a list of episodes in order, which for
prediction is the same as learning online (the policy does not depend on the values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral
from typing import Any, Callable, Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_int
from scratch.rl.dynamic_programming import check_unit_interval

__all__ = [
    "Episode",
    "collect_episode",
    "mc_prediction",
    "td0_prediction",
    "n_step_td_prediction",
    "rms_error",
    "td_conditioning",
]


@dataclass
class Episode:
    """One episode: ``states[t]`` is :math:`S_t` (length T + 1, the last one is where it ended),
    ``actions[t]`` is :math:`A_t` and ``rewards[t]`` is :math:`R_{t+1}` (length T).
    ``terminated`` is False when a time limit cut the episode (then :math:`S_T` still has a value)."""

    states: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    rewards: list = field(default_factory=list)
    terminated: bool = True

    def __len__(self) -> int:
        return len(self.rewards)


def collect_episode(env: Any, policy: Callable[[Any, np.random.Generator], Any] | None = None, *,
                    rng: RNG = None, seed: int | None = None,
                    max_steps: int = 100_000) -> Episode:
    """Run one episode with Gymnasium's API (works on ``scratch.envs`` and Gymnasium environments).

    Parameters
    ----------
    env : environment with ``reset(seed=...)`` and ``step(action)``
    policy : callable ``policy(obs, rng) -> action``, optional
        Default: a uniformly random action from ``env.action_space`` (drawn with ``rng``).
    rng : Generator, int or None
        Randomness of the policy.
    seed : int, optional
        Passed to ``env.reset`` (the environment's own randomness).
    max_steps : int
        Safety limit on the episode length.
    """
    if not all(hasattr(env, a) for a in ("reset", "step", "action_space")):
        raise TypeError(f"env must be an environment with reset(), step() and action_space (Gymnasium's API); "
                        f"got {type(env).__name__}.")
    if policy is not None and not callable(policy):
        raise TypeError(f"policy must be a callable policy(obs, rng) -> action; got {type(policy).__name__}.")
    max_steps = check_int(max_steps, name="max_steps", minimum=1)
    rng = as_rng(rng)
    n_actions = getattr(env.action_space, "n", None)
    if policy is None:
        if n_actions is None:
            raise TypeError("collect_episode needs a policy for an environment with a non-discrete action space.")
        policy = lambda obs, g: int(g.integers(n_actions))  # noqa: E731
    obs, _ = env.reset(seed=seed)
    ep = Episode(states=[obs])
    for _ in range(max_steps):
        action = policy(obs, rng)
        obs, reward, terminated, truncated, _ = env.step(action)
        ep.actions.append(action)
        ep.rewards.append(float(reward))
        ep.states.append(obs)
        if terminated or truncated:
            ep.terminated = bool(terminated)
            return ep
    raise RuntimeError(f"the episode did not end within max_steps={max_steps} steps.")


def _init_values(n_states: int, v0: Any, terminal_states: Sequence[int]) -> np.ndarray:
    n_states = check_int(n_states, name="n_states", minimum=1)
    v = np.full(n_states, float(v0)) if np.ndim(v0) == 0 else np.array(v0, dtype=np.float64)
    if v.shape != (n_states,):
        raise ValueError(f"v0 must be one number or an array of shape ({n_states},); got shape {v.shape}.")
    if not np.all(np.isfinite(v)):
        raise ValueError("v0 contains NaN or infinite values; initial values must be finite.")
    terminal = list(terminal_states)
    for s in terminal:
        _check_state(s, n_states, "terminal_states")
    v[terminal] = 0.0
    return v


def _check_state(s: Any, n_states: int, where: str) -> None:
    if isinstance(s, bool) or not isinstance(s, (Integral, np.integer)):
        raise TypeError(f"{where}: states must be integers 0..{n_states - 1}; got {s!r} ({type(s).__name__}). "
                        "Tabular prediction needs a Discrete observation space.")
    if not 0 <= s < n_states:
        raise ValueError(f"{where}: state {s} is outside 0..{n_states - 1} (n_states={n_states}).")


def _check_episodes(episodes: list, n_states: int) -> None:
    """Every episode has one more state than rewards, integer states in range and finite rewards."""
    for i, ep in enumerate(episodes):
        if len(ep.states) != len(ep.rewards) + 1:
            raise ValueError(f"episodes[{i}] has {len(ep.states)} states and {len(ep.rewards)} rewards; an "
                             "episode needs one more state than rewards (S_0 .. S_T and R_1 .. R_T).")
        for s in ep.states:
            _check_state(s, n_states, f"episodes[{i}]")
        if not np.all(np.isfinite(np.asarray(ep.rewards, dtype=np.float64))):
            raise ValueError(f"episodes[{i}] has NaN or infinite rewards.")


def _check_common(episodes: Any, alpha: Any, gamma: Any) -> tuple[list, float | None, float]:
    if isinstance(episodes, Episode):
        episodes = [episodes]
    episodes = list(episodes)
    if not episodes or not all(isinstance(e, Episode) for e in episodes):
        raise TypeError("episodes must be a non-empty list of Episode objects (from collect_episode).")
    if alpha is not None:
        alpha = check_unit_interval(alpha, name="alpha")
        if alpha == 0:
            raise ValueError("alpha must be > 0; with alpha = 0 nothing is learned.")
    return episodes, alpha, check_unit_interval(gamma, name="gamma")


def mc_prediction(episodes: Any, n_states: int, *, gamma: float = 1.0, alpha: float | None = None,
                  first_visit: bool = True, v0: Any = 0.0, terminal_states: Sequence[int] = (),
                  return_history: bool = False) -> np.ndarray:
    """Monte Carlo prediction: move each visited state's value towards the return that followed.

    Parameters
    ----------
    episodes : list of Episode
    n_states : int
    gamma : float in [0, 1]
    alpha : float in (0, 1], optional
        Constant step size; ``None`` averages the returns (step size 1 / number of visits).
    first_visit : bool
        Update only at the first visit of a state in an episode (else at every visit).
    v0 : float or array of shape (n_states,)
        Initial values (terminal states are set to 0).
    terminal_states : sequence of int
    return_history : bool
        Also return the values after each episode.

    Returns
    -------
    v : ndarray of shape (n_states,), or history of shape (n_episodes + 1, n_states)

    Notes
    -----
    :math:`G_t = R_{t+1} + \\gamma G_{t+1}` and :math:`V(S_t) \\leftarrow V(S_t) + \\alpha\\,[G_t - V(S_t)]`
    (eq-td-mc of the page). Updates are applied in time order ``t = 0, 1, ...`` after the episode.
    """
    episodes, alpha, gamma = _check_common(episodes, alpha, gamma)
    v = _init_values(n_states, v0, terminal_states)
    _check_episodes(episodes, len(v))
    counts = np.zeros(len(v))
    history = [v.copy()]
    for ep in episodes:
        T = len(ep)
        returns = np.empty(T)
        g = 0.0 if ep.terminated else v[ep.states[-1]]
        for t in range(T - 1, -1, -1):
            g = ep.rewards[t] + gamma * g
            returns[t] = g
        seen = set()
        for t in range(T):
            s = ep.states[t]
            if first_visit and s in seen:
                continue
            seen.add(s)
            counts[s] += 1
            step = 1.0 / counts[s] if alpha is None else alpha
            v[s] += step * (returns[t] - v[s])
        history.append(v.copy())
    return np.array(history) if return_history else v


def td0_prediction(episodes: Any, n_states: int, *, alpha: float, gamma: float = 1.0, v0: Any = 0.0,
                   terminal_states: Sequence[int] = (), return_history: bool = False,
                   return_errors: bool = False) -> Any:
    """TD(0) prediction: after every step, move :math:`V(S_t)` towards :math:`R_{t+1} + \\gamma V(S_{t+1})`.

    Parameters
    ----------
    episodes, n_states, gamma, v0, terminal_states, return_history
        As in :func:`mc_prediction`.
    alpha : float in (0, 1]
    return_errors : bool
        Also return the TD errors of every step (a list per episode).

    Notes
    -----
    :math:`\\delta_t = R_{t+1} + \\gamma V(S_{t+1}) - V(S_t)` (0 instead of :math:`V(S_{t+1})` after a
    terminating step) and :math:`V(S_t) \\leftarrow V(S_t) + \\alpha\\,\\delta_t` (eq-td-td0 of the page).
    """
    if alpha is None:
        raise TypeError("td0_prediction needs a step size alpha in (0, 1].")
    episodes, alpha, gamma = _check_common(episodes, alpha, gamma)
    v = _init_values(n_states, v0, terminal_states)
    _check_episodes(episodes, len(v))
    history, errors = [v.copy()], []
    for ep in episodes:
        deltas = []
        T = len(ep)
        for t in range(T):
            s, s_next = ep.states[t], ep.states[t + 1]
            bootstrap = 0.0 if (ep.terminated and t == T - 1) else v[s_next]
            delta = ep.rewards[t] + gamma * bootstrap - v[s]
            v[s] += alpha * delta
            deltas.append(delta)
        history.append(v.copy())
        errors.append(deltas)
    out = np.array(history) if return_history else v
    return (out, errors) if return_errors else out


def n_step_td_prediction(episodes: Any, n_states: int, *, n: int, alpha: float, gamma: float = 1.0,
                         v0: Any = 0.0, terminal_states: Sequence[int] = (),
                         return_history: bool = False) -> np.ndarray:
    """n-step TD prediction: the target sums n rewards, then bootstraps from :math:`V(S_{t+n})`.

    ``n = 1`` is TD(0); ``n`` at least the episode length is constant-step-size every-visit
    Monte Carlo (updates in time order).

    Notes
    -----
    :math:`G_{t:t+n} = \\sum_{k=0}^{n-1} \\gamma^k R_{t+k+1} + \\gamma^n V(S_{t+n})` (no bootstrap term
    if the episode terminated before :math:`t+n`), and
    :math:`V(S_t) \\leftarrow V(S_t) + \\alpha\\,[G_{t:t+n} - V(S_t)]`, applied at time :math:`t+n`
    (eq-td-nstep of the page).
    """
    n = check_int(n, name="n", minimum=1)
    if alpha is None:
        raise TypeError("n_step_td_prediction needs a step size alpha in (0, 1].")
    episodes, alpha, gamma = _check_common(episodes, alpha, gamma)
    v = _init_values(n_states, v0, terminal_states)
    _check_episodes(episodes, len(v))
    history = [v.copy()]
    for ep in episodes:
        T = len(ep)
        for tau in range(T):                       # update S_tau once R_{tau+n} (or the end) is known
            end = min(tau + n, T)
            g = 0.0
            for k in range(end - 1, tau - 1, -1):
                g = ep.rewards[k] + gamma * g
            if end < T or not ep.terminated:
                g += gamma ** (end - tau) * v[ep.states[end]]
            s = ep.states[tau]
            v[s] += alpha * (g - v[s])
        history.append(v.copy())
    return np.array(history) if return_history else v


def rms_error(values: np.ndarray, true_values: np.ndarray, states: Sequence[int]) -> np.ndarray:
    """Root-mean-square error over ``states``: (..., n_states) -> (...)."""
    idx = list(states)
    values, true_values = np.asarray(values, dtype=np.float64), np.asarray(true_values, dtype=np.float64)
    if true_values.ndim != 1 or values.ndim == 0 or values.shape[-1] != true_values.shape[0]:
        raise ValueError(f"values (..., n_states) and true_values (n_states,) must agree on n_states; got shapes "
                         f"{values.shape} and {true_values.shape}.")
    if not idx:
        raise ValueError("states is empty; pass the states to average the error over, e.g. range(1, n_states - 1).")
    for s in idx:
        _check_state(s, true_values.shape[0], "states")
    return np.sqrt(np.mean((np.asarray(values)[..., idx] - np.asarray(true_values)[idx]) ** 2, axis=-1))


def td_conditioning(n_trials: int, *, n_steps: int = 25, cue_time: int = 5, reward_time: int = 15,
                    reward: float = 1.0, alpha: float = 0.2, gamma: float = 1.0,
                    omit_reward_on: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray]:
    """TD(0) model of classical conditioning with a tapped-delay-line ("complete serial compound") state.

    In each trial a cue appears at ``cue_time`` and a reward arrives at ``reward_time``. After the
    cue, each time step since the cue is its own state with a learned value; before the cue the
    state is the inter-trial interval whose value is 0 (the cue comes at unpredictable times).

    Parameters
    ----------
    n_trials : int
    n_steps : int
        Time steps per trial.
    cue_time, reward_time : int
        ``0 <= cue_time < reward_time < n_steps``.
    reward, alpha, gamma : float
    omit_reward_on : sequence of int
        Trials (0-based) in which the reward is withheld (probe trials).

    Returns
    -------
    deltas : ndarray of shape (n_trials, n_steps)
        ``deltas[i, t]`` is the TD error on the transition into time step ``t`` of trial ``i``:
        the model's dopamine signal.
    values : ndarray of shape (n_trials, n_steps)
        The value of the state at each time step, before the trial's updates.

    Notes
    -----
    :math:`\\delta_t = r_t + \\gamma V(x_t) - V(x_{t-1})`, the reward-prediction error of
    Schultz, Dayan & Montague (1997) (eq-td-td0 of the page applied along the trial).
    """
    n_trials = check_int(n_trials, name="n_trials", minimum=1)
    n_steps = check_int(n_steps, name="n_steps", minimum=3)
    if not 0 <= cue_time < reward_time < n_steps:
        raise ValueError(
            f"need 0 <= cue_time < reward_time < n_steps; got cue_time={cue_time}, "
            f"reward_time={reward_time}, n_steps={n_steps}."
        )
    alpha = check_unit_interval(alpha, name="alpha")
    gamma = check_unit_interval(gamma, name="gamma")
    w = np.zeros(n_steps - cue_time)              # value of "k steps since the cue"
    omit = set(int(i) for i in omit_reward_on)
    deltas = np.zeros((n_trials, n_steps))
    values = np.zeros((n_trials, n_steps))
    for i in range(n_trials):
        v = np.zeros(n_steps)
        v[cue_time:] = w                          # (n_steps,) value of each time step
        v[reward_time:] = 0.0                     # nothing is predicted once the reward has come
        values[i] = v
        r = np.zeros(n_steps)
        if i not in omit:
            r[reward_time] = reward
        for t in range(1, n_steps):
            delta = r[t] + gamma * v[t] - v[t - 1]
            deltas[i, t] = delta
            if cue_time <= t - 1 < reward_time:
                w[t - 1 - cue_time] += alpha * delta
    return deltas, values
