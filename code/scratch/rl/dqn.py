"""Deep Q-networks (page: book/rl/dqn.md).

A Q-network (an MLP on the Tensor engine), experience replay, a target network with hard
(:func:`scratch.optim.averaging.copy_parameters`) or Polyak
(:func:`scratch.optim.averaging.polyak_update`) updates, the Huber loss, a linear
epsilon schedule, and Double DQN. The agent talks to its environment only through
Gymnasium's API, so it trains unchanged on Gymnasium's ``CartPole-v1``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_positive
from scratch.autograd.tensor import Tensor, from_op, no_grad
from scratch.envs.cartpole import cartpole_dynamics
from scratch.nn.layers import Linear
from scratch.nn.module import Module
from scratch.optim.averaging import copy_parameters, polyak_update
from scratch.optim.clip import clip_grad_norm
from scratch.optim.optimizers import Adam
from scratch.rl.dynamic_programming import check_unit_interval

__all__ = [
    "QNetwork",
    "ReplayBuffer",
    "huber_loss",
    "linear_schedule",
    "dqn_targets",
    "DQNConfig",
    "DQN",
    "evaluate_cartpole",
    "baird_counterexample",
]


class QNetwork(Module):
    """MLP from an observation to one Q-value per action: ``(batch, obs_dim) -> (batch, n_actions)``.

    Parameters
    ----------
    obs_dim, n_actions : int
    hidden : tuple of int, default (64, 64)
        Widths of the ReLU hidden layers.
    rng : Generator, int or None
    dtype : numpy float dtype, default float64
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: tuple[int, ...] = (64, 64), *,
                 rng: RNG = None, dtype: Any = np.float64):
        rng = as_rng(rng)
        hidden = [check_int(h, name="hidden[i]", minimum=1) for h in hidden]
        sizes = [check_int(obs_dim, name="obs_dim", minimum=1), *hidden, check_int(n_actions, name="n_actions", minimum=1)]
        self.obs_dim, self.n_actions = sizes[0], sizes[-1]
        self.layers = [Linear(a, b, rng=rng, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:])]

    def forward(self, x: Any) -> Tensor:
        h = x if isinstance(x, Tensor) else Tensor(np.asarray(x, dtype=self.layers[0].weight.dtype))
        if h.ndim != 2 or h.shape[1] != self.obs_dim:
            raise ValueError(f"QNetwork expects observations of shape (batch, {self.obs_dim}); got {h.shape}.")
        for layer in self.layers[:-1]:
            h = layer(h).relu()                                   # (batch, hidden)
        return self.layers[-1](h)                                 # (batch, n_actions)


class ReplayBuffer:
    """A ring buffer of transitions ``(obs, action, reward, next_obs, terminated)``, sampled uniformly.

    Parameters
    ----------
    capacity : int
        Oldest transitions are overwritten once it is full.
    obs_dim : int
    rng : Generator, int or None
        Source of the minibatch indices.
    """

    def __init__(self, capacity: int, obs_dim: int, *, rng: RNG = None):
        self.capacity = check_int(capacity, name="capacity", minimum=1)
        self.obs_dim = check_int(obs_dim, name="obs_dim", minimum=1)
        self.rng = as_rng(rng)
        self.obs = np.zeros((self.capacity, self.obs_dim))
        self.next_obs = np.zeros((self.capacity, self.obs_dim))
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity)
        self.terminated = np.zeros(self.capacity)
        self.size, self._next = 0, 0

    def __len__(self) -> int:
        return self.size

    def add(self, obs: Any, action: int, reward: float, next_obs: Any, terminated: bool) -> None:
        """Store one transition. ``terminated`` (not ``truncated``) decides whether to bootstrap."""
        if np.shape(obs) != (self.obs_dim,) or np.shape(next_obs) != (self.obs_dim,):
            raise ValueError(f"obs and next_obs must have shape ({self.obs_dim},); got {np.shape(obs)} and "
                             f"{np.shape(next_obs)}.")
        if isinstance(action, (bool, np.bool_)) or not isinstance(action, (int, np.integer)):
            raise TypeError(f"action must be an integer (a Discrete action); got {type(action).__name__} ({action!r}).")
        if not math.isfinite(reward):
            raise ValueError(f"reward must be finite; got {reward!r}.")
        i = self._next
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, float(terminated)
        self._next = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int) -> dict[str, np.ndarray]:
        """A uniform minibatch (with replacement, as in DQN) as a dict of arrays with leading dimension ``batch_size``."""
        batch_size = check_int(batch_size, name="batch_size", minimum=1)
        if batch_size > self.size:
            raise ValueError(
                f"cannot sample a batch of {batch_size} from a replay buffer holding {self.size} "
                "transitions; collect more experience first (learning_starts >= batch_size)."
            )
        idx = self.rng.integers(self.size, size=batch_size)
        return {"obs": self.obs[idx], "actions": self.actions[idx], "rewards": self.rewards[idx],
                "next_obs": self.next_obs[idx], "terminated": self.terminated[idx]}


def huber_loss(prediction: Tensor, target: Any, delta: float = 1.0) -> Tensor:
    """Mean Huber loss (``torch.nn.functional.huber_loss``), fused forward and backward.

    Notes
    -----
    With :math:`d = \\hat y - y`: :math:`\\ell(d) = d^2/2` for :math:`|d| \\le \\delta`, else
    :math:`\\delta(|d| - \\delta/2)`; the gradient is :math:`\\mathrm{clip}(d, -\\delta, \\delta)`, so one
    bad target cannot produce a huge update (eq-dqn-huber of the page).
    """
    delta = check_positive(delta, name="delta")
    target = np.asarray(target.data if isinstance(target, Tensor) else target, dtype=prediction.dtype)
    if target.shape != prediction.shape:
        raise ValueError(f"huber_loss: prediction {prediction.shape} and target {target.shape} must have the same shape.")
    d = prediction.data - target                                  # (batch,)
    a = np.abs(d)
    out = np.where(a <= delta, 0.5 * d * d, delta * (a - 0.5 * delta)).mean()

    def backward(g):
        return (g * np.clip(d, -delta, delta) / d.size,)

    return from_op(np.asarray(out, dtype=prediction.dtype), (prediction,), backward, "huber_loss")


def linear_schedule(start: float, end: float, duration: int) -> Callable[[int], float]:
    """Epsilon schedule: ``start`` at step 0, linearly to ``end`` at ``duration``, then constant."""
    start, end = check_unit_interval(start, name="epsilon start"), check_unit_interval(end, name="epsilon end")
    duration = check_int(duration, name="duration", minimum=1)

    def epsilon(step: int) -> float:
        return end + (start - end) * max(0.0, 1.0 - step / duration)

    return epsilon


def dqn_targets(rewards: np.ndarray, next_q_target: np.ndarray, terminated: np.ndarray, gamma: float,
                next_q_online: np.ndarray | None = None) -> np.ndarray:
    """TD targets of a minibatch, shape (batch,).

    Parameters
    ----------
    rewards, terminated : arrays of shape (batch,)
    next_q_target : array of shape (batch, n_actions)
        :math:`Q(s', \\cdot\\,; \\theta^-)` from the target network.
    gamma : float in [0, 1]
    next_q_online : array of shape (batch, n_actions), optional
        :math:`Q(s', \\cdot\\,; \\theta)` from the online network: given, the target is Double DQN's.

    Notes
    -----
    DQN: :math:`y = r + \\gamma (1 - \\text{term}) \\max_a Q(s', a; \\theta^-)` (eq-dqn-target of the page).
    Double DQN: :math:`y = r + \\gamma (1 - \\text{term})\\, Q(s', \\arg\\max_a Q(s', a; \\theta); \\theta^-)`
    (eq-dqn-double).
    """
    rewards, terminated = np.asarray(rewards), np.asarray(terminated)
    next_q_target = np.asarray(next_q_target)
    B = rewards.shape[0] if rewards.ndim == 1 else -1
    if B < 0 or next_q_target.ndim != 2 or next_q_target.shape[0] != B:
        raise ValueError(f"rewards must have shape (batch,) and next_q_target shape (batch, n_actions); got "
                         f"{rewards.shape} and {next_q_target.shape}: next_q_target needs shape ({B}, n_actions).")
    if terminated.shape != (B,):
        raise ValueError(f"terminated must have shape ({B},), one flag per transition; got {terminated.shape}.")
    if next_q_online is not None and np.shape(next_q_online) != next_q_target.shape:
        raise ValueError(f"next_q_online must have shape {next_q_target.shape}, like next_q_target; got "
                         f"{np.shape(next_q_online)}.")
    gamma = check_unit_interval(gamma, name="gamma")
    if next_q_online is None:
        bootstrap = next_q_target.max(axis=1)                                      # (batch,)
    else:
        best = next_q_online.argmax(axis=1)                                        # (batch,)
        bootstrap = next_q_target[np.arange(len(best)), best]
    return rewards + gamma * (1.0 - terminated) * bootstrap


@dataclass
class DQNConfig:
    """Hyperparameters of :class:`DQN` (defaults tuned for CartPole on a laptop CPU)."""

    hidden: tuple = (64, 64)          # widths of the Q-network's hidden layers
    lr: float = 1e-3                  # Adam step size
    gamma: float = 0.99               # discount
    batch_size: int = 64              # minibatch size
    buffer_size: int = 50_000         # replay capacity
    learning_starts: int = 1_000      # random steps before the first update
    train_freq: int = 1               # environment steps per gradient step
    target_update: int = 500          # steps between hard target copies (if tau is None)
    tau: float | None = None          # Polyak coefficient per gradient step (replaces hard copies)
    eps_start: float = 1.0            # epsilon schedule: start ...
    eps_end: float = 0.05             # ... end ...
    eps_steps: int = 10_000           # ... reached after this many steps
    double: bool = False              # Double DQN targets
    huber_delta: float = 1.0          # Huber loss threshold (None: squared error)
    max_grad_norm: float | None = None  # gradient clipping (None: off; the Huber loss already bounds it)
    dtype: Any = np.float64


@dataclass
class TrainingLog:
    """What :meth:`DQN.learn` recorded."""

    episode_returns: list = field(default_factory=list)
    episode_ends: list = field(default_factory=list)       # step at which each episode ended
    losses: list = field(default_factory=list)
    eval_steps: list = field(default_factory=list)
    eval_returns: list = field(default_factory=list)
    q_start: list = field(default_factory=list)            # mean max_a Q(s0, a) at each evaluation
    best_step: int = -1


class DQN:
    """Deep Q-network agent (Mnih et al. 2015) with optional Double DQN targets.

    Parameters
    ----------
    obs_dim, n_actions : int
        Sizes the Q-network is built for; :meth:`learn` checks that the environment's spaces fit.
    config : DQNConfig, optional
    rng : Generator, int or None
        Weights, exploration and replay sampling.
    """

    def __init__(self, obs_dim: int, n_actions: int, config: DQNConfig | None = None, *,
                 rng: RNG = None):
        if config is not None and not isinstance(config, DQNConfig):
            raise TypeError(f"config must be a DQNConfig (e.g. DQNConfig(lr=1e-3)); got {type(config).__name__}.")
        self.config = cfg = config or DQNConfig()
        check_positive(cfg.lr, name="lr")
        for name in ["batch_size", "buffer_size", "train_freq", "target_update", "eps_steps"]:
            check_int(getattr(cfg, name), name=name, minimum=1)
        check_int(cfg.learning_starts, name="learning_starts", minimum=0)
        for name in ["huber_delta", "max_grad_norm"]:
            if getattr(cfg, name) is not None:
                check_positive(getattr(cfg, name), name=name)
        self.rng = as_rng(rng)
        for name in ["gamma", "eps_start", "eps_end"]:
            check_unit_interval(getattr(cfg, name), name=name)
        if cfg.tau is not None:
            check_unit_interval(cfg.tau, name="tau")
        self.q = QNetwork(obs_dim, n_actions, cfg.hidden, rng=self.rng, dtype=cfg.dtype)
        self.q_target = copy.deepcopy(self.q)
        self._params = self.q.parameters()
        self.optimizer = Adam(self._params, lr=cfg.lr)
        self.buffer = ReplayBuffer(cfg.buffer_size, obs_dim, rng=self.rng)
        self.epsilon = linear_schedule(cfg.eps_start, cfg.eps_end, cfg.eps_steps)
        self.n_updates = 0

    @property
    def obs_dim(self) -> int:
        return self.q.obs_dim

    @property
    def n_actions(self) -> int:
        return self.q.n_actions

    def q_values(self, obs: Any) -> np.ndarray:
        """Q-values of a batch of observations, (batch, obs_dim) -> (batch, n_actions), no graph."""
        with no_grad():
            return self.q(np.atleast_2d(obs)).data

    def act(self, obs: Any, epsilon: float = 0.0) -> int:
        """Epsilon-greedy action for one observation."""
        epsilon = check_unit_interval(epsilon, name="epsilon")
        if np.shape(obs) != (self.obs_dim,):
            raise ValueError(f"act() takes one observation of shape ({self.obs_dim},); got shape {np.shape(obs)}. "
                             "Use q_values() for a batch.")
        if self.rng.random() < epsilon:
            return int(self.rng.integers(self.n_actions))
        return int(self.q_values(obs)[0].argmax())

    def check_env(self, env: Any) -> None:
        """Raise if the environment's spaces do not fit the network."""
        shape = getattr(env.observation_space, "shape", None)
        n = getattr(env.action_space, "n", None)
        if shape is None or tuple(shape) != (self.obs_dim,) or n is None or int(n) != self.n_actions:
            raise ValueError(
                f"the environment's spaces do not fit the network: it has observation space "
                f"{env.observation_space} and action space {env.action_space}, the Q-network expects "
                f"observations of shape ({self.obs_dim},) and Discrete({self.n_actions}) actions. "
                "Build the DQN with the environment's sizes."
            )

    def train_step(self, batch: dict[str, np.ndarray]) -> float:
        """One gradient step on a minibatch; returns the loss. Updates the target network as configured.

        Notes
        -----
        Minimises :math:`\\frac{1}{B}\\sum_i \\ell(Q(s_i, a_i; \\theta) - y_i)` with :math:`y_i` from
        :func:`dqn_targets` held fixed (a semi-gradient, eq-dqn-loss of the page).
        """
        cfg = self.config
        missing = [k for k in ("obs", "actions", "rewards", "next_obs", "terminated") if k not in batch]
        if missing:
            raise ValueError(f"batch is missing {missing}; pass a dict as ReplayBuffer.sample() returns it.")
        actions = np.asarray(batch["actions"])
        if actions.dtype.kind not in "iu":
            raise TypeError(f"batch['actions'] must hold integer action indices; got dtype {actions.dtype}.")
        if actions.size and (actions.min() < 0 or actions.max() >= self.n_actions):
            raise ValueError(f"batch['actions'] must lie in 0..{self.n_actions - 1}; got values from "
                             f"{actions.min()} to {actions.max()}.")
        with no_grad():
            next_target = self.q_target(batch["next_obs"]).data                    # (B, A)
            next_online = self.q(batch["next_obs"]).data if cfg.double else None
        y = dqn_targets(batch["rewards"], next_target, batch["terminated"], cfg.gamma, next_online)
        q_all = self.q(batch["obs"])                                               # (B, A)
        q_taken = q_all[np.arange(len(y)), batch["actions"]]                       # (B,)
        if cfg.huber_delta is None:
            loss = ((q_taken - y.astype(q_taken.dtype)) ** 2).mean()
        else:
            loss = huber_loss(q_taken, y, cfg.huber_delta)
        self.optimizer.zero_grad()
        loss.backward()
        if cfg.max_grad_norm is not None:
            clip_grad_norm(self._params, cfg.max_grad_norm)
        self.optimizer.step()
        self.n_updates += 1
        if cfg.tau is not None:
            polyak_update(self.q, self.q_target, cfg.tau)
        elif self.n_updates % cfg.target_update == 0:
            copy_parameters(self.q, self.q_target)
        return float(loss.item())

    def learn(self, env: Any, total_steps: int, *, seed: int | None = None,
              evaluate: Callable[["DQN"], float] | None = None, eval_every: int = 2_000,
              keep_best: bool = False, log: TrainingLog | None = None) -> TrainingLog:
        """Train on ``env`` (Gymnasium API) for ``total_steps`` environment steps.

        Parameters
        ----------
        env : environment with a Box observation space of shape (obs_dim,) and Discrete(n_actions) actions
        total_steps : int
        seed : int, optional
            Seed of the first ``env.reset``.
        evaluate : callable ``evaluate(agent) -> mean return``, optional
            Called every ``eval_every`` steps (greedy policy).
        keep_best : bool
            Restore, at the end, the weights that scored best in ``evaluate`` (latest on ties):
            checkpoint selection on evaluation episodes that are separate from the final test.
        log : TrainingLog, optional
            Continue an existing log.

        Returns
        -------
        TrainingLog
        """
        self.check_env(env)
        total_steps = check_int(total_steps, name="total_steps", minimum=1)
        if log is not None and not isinstance(log, TrainingLog):
            raise TypeError(f"log must be a TrainingLog (to continue a log) or None; got {type(log).__name__}.")
        cfg, log = self.config, log or TrainingLog()
        if cfg.learning_starts < cfg.batch_size:
            raise ValueError(
                f"learning_starts ({cfg.learning_starts}) must be at least batch_size ({cfg.batch_size}): "
                "the replay buffer cannot be sampled before it holds a batch."
            )
        obs, _ = env.reset(seed=seed)
        episode_return, best, best_state = 0.0, -np.inf, None
        for step in range(total_steps):
            eps = self.epsilon(step) if step >= cfg.learning_starts else 1.0
            action = self.act(obs, eps)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            self.buffer.add(obs, action, reward, next_obs, terminated)
            episode_return += reward
            obs = next_obs
            if terminated or truncated:
                log.episode_returns.append(episode_return)
                log.episode_ends.append(step + 1)
                episode_return = 0.0
                obs, _ = env.reset()
            if step >= cfg.learning_starts and step % cfg.train_freq == 0:
                log.losses.append(self.train_step(self.buffer.sample(cfg.batch_size)))
            if evaluate is not None and (step + 1) % eval_every == 0:
                score = float(evaluate(self))
                log.eval_steps.append(step + 1)
                log.eval_returns.append(score)
                if keep_best and score >= best:
                    best, best_state, log.best_step = score, self.q.state_dict(), step + 1
        if keep_best and best_state is not None:
            self.q.load_state_dict(best_state)
            copy_parameters(self.q, self.q_target)
        return log


def evaluate_cartpole(policy: Callable[[np.ndarray], np.ndarray], n_episodes: int = 100, *, seed: int = 0,
                      max_steps: int = 500) -> np.ndarray:
    """Returns of ``n_episodes`` CartPole episodes run side by side in numpy.

    Episode ``i`` starts from the state that ``CartPole().reset(seed=seed + i)`` produces, and each
    step applies :func:`scratch.envs.cartpole.cartpole_dynamics`, so the returns equal those of
    running the environment one episode at a time (tested).

    Parameters
    ----------
    policy : callable
        Maps observations of shape (n, 4), float32 as the environment returns them, to actions (n,).
    n_episodes : int
    seed : int
    max_steps : int
        The time limit (500 in CartPole-v1).

    Returns
    -------
    returns : ndarray of shape (n_episodes,)
    """
    if not callable(policy):
        raise TypeError(f"policy must be a callable mapping observations (n, 4) to actions (n,); got "
                        f"{type(policy).__name__}.")
    n_episodes = check_int(n_episodes, name="n_episodes", minimum=1)
    max_steps = check_int(max_steps, name="max_steps", minimum=1)
    states = np.array([np.random.default_rng(seed + i).uniform(-0.05, 0.05, size=4) for i in range(n_episodes)])
    alive = np.ones(n_episodes, dtype=bool)
    returns = np.zeros(n_episodes)
    for _ in range(max_steps):
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            break
        actions = np.asarray(policy(states[idx].astype(np.float32)))
        states[idx], terminated = cartpole_dynamics(states[idx], actions)
        returns[idx] += 1.0
        alive[idx[terminated]] = False
    return returns


def baird_counterexample(n_steps: int, *, alpha: float = 0.01, gamma: float = 0.99,
                         off_policy: bool = True, rng: RNG = None
                         ) -> np.ndarray:
    """Semi-gradient TD(0) with linear features on Baird's counterexample (Sutton & Barto, Example 11.1).

    Seven states; a *dashed* action goes to one of the upper states 0-5 uniformly, a *solid*
    action to the lower state 6; all rewards are 0, so the true values are 0. The features are
    :math:`v(s) = 2 w_s + w_7` for upper states and :math:`v(6) = w_6 + 2 w_7`. The behaviour policy
    takes dashed with probability 6/7; the target policy always takes solid, and off-policy TD
    weights each update by the importance ratio (7 for solid, 0 for dashed).

    Parameters
    ----------
    n_steps : int
    alpha, gamma : float
    off_policy : bool
        False updates on-policy, with states drawn from the target policy's own distribution
        (it always goes to state 6), for comparison.
    rng : Generator, int or None

    Returns
    -------
    weights : ndarray of shape (n_steps + 1, 8)
        The weight vector after each step (initial :math:`w = (1,1,1,1,1,1,10,1)`).
    """
    n_steps = check_int(n_steps, name="n_steps", minimum=1)
    alpha, gamma = check_unit_interval(alpha, name="alpha"), check_unit_interval(gamma, name="gamma")
    if alpha == 0:
        raise ValueError("alpha must be > 0; with alpha = 0 the weights never move.")
    rng = as_rng(rng)
    X = np.zeros((7, 8))
    X[np.arange(6), np.arange(6)] = 2.0
    X[:6, 7] = 1.0
    X[6, 6], X[6, 7] = 1.0, 2.0
    w = np.array([1, 1, 1, 1, 1, 1, 10, 1], dtype=np.float64)
    history = [w.copy()]
    s = int(rng.integers(7))
    for _ in range(n_steps):
        if off_policy:
            solid = rng.random() < 1 / 7
            rho = 7.0 if solid else 0.0
        else:
            solid, rho = True, 1.0
        s_next = 6 if solid else int(rng.integers(6))
        delta = 0.0 + gamma * X[s_next] @ w - X[s] @ w
        w = w + alpha * rho * delta * X[s]
        history.append(w.copy())
        s = s_next
    return np.array(history)
