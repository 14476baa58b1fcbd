"""Policy gradients and actor-critic methods (page: book/rl/actor_critic.md).

* tabular softmax policies: the exact policy gradient (solve the Bellman system, then
  differentiate) and REINFORCE's sampled gradient, for checking one against the other;
* REINFORCE with a baseline on Sutton & Barto's short corridor, where the best policy is
  stochastic;
* synchronous advantage actor-critic (A2C) over several environments with n-step returns
  or generalised advantage estimation (GAE) and an entropy bonus, with a categorical or a
  Gaussian policy. The agents use Gymnasium's API only.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive
from scratch.autograd.tensor import Tensor, no_grad
from scratch.distributions.gaussian import Normal
from scratch.nn.layers import Linear
from scratch.nn.module import Module, Parameter
from scratch.optim.optimizers import Adam
from scratch.rl.dynamic_programming import check_mdp, check_unit_interval

__all__ = [
    "softmax_policy",
    "exact_policy_gradient",
    "reinforce_gradient_estimates",
    "reinforce_short_corridor",
    "gae",
    "ActorCritic",
    "GaussianActorCritic",
    "A2CConfig",
    "A2C",
]


def softmax_policy(theta: np.ndarray) -> np.ndarray:
    """Row-wise softmax of preferences ``theta`` of shape (n_states, n_actions), computed stably."""
    theta = check_array(theta, name="theta", ndim=2)
    z = theta - theta.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def exact_policy_gradient(T: Any, R: Any, theta: Any, gamma: float, start: Any) -> tuple[float, np.ndarray]:
    """Objective and exact gradient of a tabular softmax policy.

    Parameters
    ----------
    T, R : arrays (n_states, n_actions, n_states) and (n_states, n_actions)
        From :func:`scratch.envs.core.transition_arrays`.
    theta : array (n_states, n_actions)
        Preferences; :math:`\\pi(a|s) \\propto e^{\\theta_{sa}}`.
    gamma : float in [0, 1]
    start : array (n_states,)
        Start-state distribution :math:`d_0`.

    Returns
    -------
    J : float
        :math:`J(\\theta) = d_0^\\top v_\\pi`.
    grad : ndarray (n_states, n_actions)

    Notes
    -----
    With discounted visits :math:`\\eta = d_0^\\top (I - \\gamma P_\\pi)^{-1}`, the policy gradient
    theorem and :math:`\\partial \\log\\pi(a|s) / \\partial\\theta_{sb} = [a = b] - \\pi(b|s)` give
    :math:`\\partial J / \\partial\\theta_{sb} = \\eta(s)\\, \\pi(b|s)\\,(q_\\pi(s,b) - v_\\pi(s))`
    (eq-ac-exact-gradient of the page).
    """
    T, R = check_mdp(T, R)
    gamma = check_unit_interval(gamma, name="gamma")
    theta = np.asarray(theta, dtype=np.float64)
    if theta.shape != R.shape:
        raise ValueError(f"theta must have shape {R.shape} (n_states, n_actions); got {theta.shape}.")
    start = np.asarray(start, dtype=np.float64)
    if (start.shape != (R.shape[0],) or not np.all(np.isfinite(start)) or np.any(start < 0)
            or not np.isclose(start.sum(), 1.0)):
        raise ValueError(f"start must be a probability vector over the {R.shape[0]} states (non-negative, summing "
                         f"to 1); got shape {start.shape}, sum {start.sum():.4g}.")
    pi = softmax_policy(theta)
    P_pi = np.einsum("sa,sat->st", pi, T)                          # (S, S)
    A = np.eye(len(pi)) - gamma * P_pi
    v = np.linalg.solve(A, np.sum(pi * R, axis=1))                 # (S,)
    q = R + gamma * T @ v                                          # (S, A)
    eta = np.linalg.solve(A.T, np.asarray(start, dtype=np.float64))  # (S,) discounted visits
    return float(np.asarray(start) @ v), eta[:, None] * pi * (q - v[:, None])


def reinforce_gradient_estimates(env: Any, theta: Any, n_episodes: int, *, gamma: float = 1.0,
                                 rng: RNG = None, seed: int | None = None
                                 ) -> np.ndarray:
    """REINFORCE's one-episode gradient estimates for a tabular softmax policy.

    Returns
    -------
    estimates : ndarray (n_episodes, n_states, n_actions)
        :math:`\\sum_t \\gamma^t G_t \\nabla_\\theta \\log\\pi(A_t|S_t)` per episode; their mean is an
        unbiased estimate of the exact gradient (eq-ac-reinforce of the page).
    """
    n_episodes = check_int(n_episodes, name="n_episodes", minimum=1)
    gamma = check_unit_interval(gamma, name="gamma")
    theta = np.asarray(theta, dtype=np.float64)
    pi = softmax_policy(theta)
    rng = as_rng(rng)
    out = np.zeros((n_episodes, *theta.shape))
    for i in range(n_episodes):
        s, _ = env.reset(seed=seed if i == 0 else None)
        states, actions, rewards, done = [], [], [], False
        while not done:
            a = int(rng.choice(theta.shape[1], p=pi[s]))
            s2, r, terminated, truncated, _ = env.step(a)
            states.append(s), actions.append(a), rewards.append(r)
            s, done = s2, terminated or truncated
        g = 0.0
        for t in range(len(rewards) - 1, -1, -1):
            g = rewards[t] + gamma * g
            grad_log = -pi[states[t]].copy()
            grad_log[actions[t]] += 1.0
            out[i, states[t]] += gamma ** t * g * grad_log
    return out


def reinforce_short_corridor(env: Any, n_episodes: int, *, alpha_theta: float = 2 ** -9,
                             alpha_w: float | None = 2 ** -6, theta0: float = 0.0,
                             rng: RNG = None, seed: int | None = None
                             ) -> dict[str, np.ndarray]:
    """REINFORCE (with a learned constant baseline if ``alpha_w``) for a policy over one observation.

    The policy is :math:`\\pi(\\text{right}) = \\sigma(\\theta)` whatever the observation (the short
    corridor's states look alike), updated with
    :math:`\\theta \\leftarrow \\theta + \\alpha_\\theta (G_t - b) \\nabla \\log\\pi(A_t)` and
    :math:`b \\leftarrow b + \\alpha_w (G_t - b)` (eq-ac-baseline of the page; undiscounted).

    Returns
    -------
    dict with ``returns`` (n_episodes,) and ``p_right`` (n_episodes,), the probability of right
    during each episode.
    """
    n_episodes = check_int(n_episodes, name="n_episodes", minimum=1)
    check_positive(alpha_theta, name="alpha_theta")
    rng = as_rng(rng)
    theta, b = float(theta0), 0.0
    returns, p_hist = np.zeros(n_episodes), np.zeros(n_episodes)
    for i in range(n_episodes):
        p = 1.0 / (1.0 + np.exp(-theta))
        env.reset(seed=seed if i == 0 else None)
        actions, rewards, done = [], [], False
        while not done and len(actions) < 10_000:
            a = int(rng.random() < p)
            _, r, terminated, truncated, _ = env.step(a)
            actions.append(a), rewards.append(r)
            done = terminated or truncated
        g_all = np.cumsum(rewards[::-1])[::-1]                     # undiscounted returns G_t
        for a, g in zip(actions, g_all):
            grad_log = (1.0 - p) if a == 1 else -p                 # d log pi(a) / d theta
            delta = g - b if alpha_w is not None else g
            if alpha_w is not None:
                b += alpha_w * (g - b)
            theta += alpha_theta * delta * grad_log
            p = 1.0 / (1.0 + np.exp(-theta))
        returns[i], p_hist[i] = sum(rewards), p
    return {"returns": returns, "p_right": p_hist}


def gae(rewards: np.ndarray, values: np.ndarray, last_values: np.ndarray, dones: np.ndarray,
        gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Generalised advantage estimation over a rollout of shape (n_steps, n_envs).

    Parameters
    ----------
    rewards, values, dones : arrays (n_steps, n_envs)
        ``dones[t]`` is 1 if the episode ended at step t (then nothing is bootstrapped past it).
    last_values : array (n_envs,)
        :math:`V(s_{T})` after the last step.
    gamma, lam : float in [0, 1]
        ``lam = 1`` gives n-step returns minus the value; ``lam = 0`` the one-step TD error.

    Returns
    -------
    advantages, returns : arrays (n_steps, n_envs); ``returns = advantages + values``.

    Notes
    -----
    :math:`\\delta_t = r_t + \\gamma (1 - d_t) V(s_{t+1}) - V(s_t)` and
    :math:`\\hat A_t = \\delta_t + \\gamma\\lambda (1 - d_t) \\hat A_{t+1}` (eq-ac-gae of the page).
    """
    gamma, lam = check_unit_interval(gamma, name="gamma"), check_unit_interval(lam, name="lam")
    rewards = check_array(rewards, name="rewards", ndim=2)
    values = check_array(values, name="values", ndim=2)
    dones = check_array(dones, name="dones", ndim=2)
    last_values = check_array(last_values, name="last_values", ndim=1)
    if values.shape != rewards.shape or dones.shape != rewards.shape:
        raise ValueError(f"rewards, values and dones must all have shape (n_steps, n_envs) = {rewards.shape}; got "
                         f"values {values.shape}, dones {dones.shape}.")
    if last_values.shape != (rewards.shape[1],):
        raise ValueError(f"last_values must have shape ({rewards.shape[1]},), one value per environment; got "
                         f"{last_values.shape}.")
    n = len(rewards)
    adv = np.zeros_like(values, dtype=np.float64)
    next_adv, next_v = np.zeros(values.shape[1]), np.asarray(last_values, dtype=np.float64)
    for t in range(n - 1, -1, -1):
        nonterminal = 1.0 - dones[t]
        delta = rewards[t] + gamma * nonterminal * next_v - values[t]
        next_adv = delta + gamma * lam * nonterminal * next_adv
        adv[t] = next_adv
        next_v = values[t]
    return adv, adv + values


def _mlp(sizes: Sequence[int], rng: np.random.Generator) -> list[Linear]:
    return [Linear(a, b, rng=rng) for a, b in zip(sizes[:-1], sizes[1:])]


def _run(layers: list[Linear], x: Tensor) -> Tensor:
    for layer in layers[:-1]:
        x = layer(x).tanh()
    return layers[-1](x)


class ActorCritic(Module):
    """Separate tanh MLPs for the policy logits and the state value.

    ``forward(obs)`` maps (batch, obs_dim) to ``(logits (batch, n_actions), values (batch,))``.
    """

    def __init__(self, obs_dim: int, n_actions: int, hidden: int = 64, *, rng: RNG = None):
        rng = as_rng(rng)
        self.obs_dim, self.n_actions = check_int(obs_dim, name="obs_dim", minimum=1), check_int(
            n_actions, name="n_actions", minimum=1)
        self.actor = _mlp([obs_dim, hidden, hidden, n_actions], rng)
        self.critic = _mlp([obs_dim, hidden, hidden, 1], rng)

    def forward(self, obs: Any) -> tuple[Tensor, Tensor]:
        x = Tensor(np.asarray(obs, dtype=np.float64))
        if x.ndim != 2 or x.shape[1] != self.obs_dim:
            raise ValueError(f"ActorCritic expects observations of shape (batch, {self.obs_dim}); got {x.shape}.")
        return _run(self.actor, x), _run(self.critic, x).reshape(-1)      # (B, A), (B,)

    def log_prob_entropy(self, obs: Any, actions: np.ndarray) -> tuple[Tensor, Tensor, Tensor]:
        """Log-probabilities of ``actions`` (B,), entropies (B,) and values (B,)."""
        actions = np.asarray(actions)
        if actions.dtype.kind not in "iu":
            raise TypeError(f"actions must hold integer action indices; got dtype {actions.dtype}.")
        if actions.ndim != 1 or (actions.size and (actions.min() < 0 or actions.max() >= self.n_actions)):
            raise ValueError(f"actions must be a 1-D array of actions in 0..{self.n_actions - 1}; got shape "
                             f"{actions.shape}, values {actions.min() if actions.size else ''}.."
                             f"{actions.max() if actions.size else ''}.")
        logits, values = self(obs)
        if len(actions) != logits.shape[0]:
            raise ValueError(f"actions has {len(actions)} entries for {logits.shape[0]} observations.")
        logp = logits.log_softmax(axis=-1)                                # (B, A)
        entropy = -(logp.exp() * logp).sum(axis=-1)                       # (B,)
        return logp[np.arange(len(actions)), np.asarray(actions)], entropy, values

    def sample(self, obs: Any, rng: np.random.Generator) -> np.ndarray:
        with no_grad():
            logits, _ = self(obs)
        p = softmax_policy(logits.data)
        return (p.cumsum(axis=1) > rng.random((len(p), 1))).argmax(axis=1)

    def greedy(self, obs: Any) -> np.ndarray:
        with no_grad():
            return self(np.atleast_2d(obs))[0].data.argmax(axis=1)

    def value(self, obs: Any) -> np.ndarray:
        with no_grad():
            return self(np.atleast_2d(obs))[1].data


class GaussianActorCritic(ActorCritic):
    """Actor-critic for continuous actions: :math:`a \\sim \\mathcal N(\\mu_\\theta(s), \\mathrm{diag}(\\sigma^2))`.

    The mean comes from the actor MLP (one output per action dimension) and
    :math:`\\log\\sigma` is a learned, state-independent parameter vector.
    """

    def __init__(self, obs_dim: int, action_dim: int, hidden: int = 64, *, log_std: float = 0.0, rng: RNG = None):
        check_int(action_dim, name="action_dim", minimum=1)
        if not np.isfinite(log_std):
            raise ValueError(f"log_std must be finite (the initial log standard deviation); got {log_std!r}.")
        super().__init__(obs_dim, action_dim, hidden, rng=rng)
        self.log_std = Parameter(np.full(action_dim, float(log_std)))

    def distribution(self, obs: Any) -> tuple[Normal, Tensor]:
        mean, values = self(obs)
        return Normal(mean, self.log_std.exp()), values

    def log_prob_entropy(self, obs: Any, actions: np.ndarray) -> tuple[Tensor, Tensor, Tensor]:
        dist, values = self.distribution(obs)
        actions = np.asarray(actions, dtype=np.float64)
        if actions.shape != dist.loc.shape:
            raise ValueError(f"actions must have shape {dist.loc.shape} (batch, action_dim); got {actions.shape}.")
        logp = dist.log_prob(actions).sum(axis=-1)                                 # (B,)
        entropy = dist.entropy().sum(axis=-1)                                      # (B,)
        return logp, entropy, values

    def sample(self, obs: Any, rng: np.random.Generator) -> np.ndarray:
        with no_grad():
            mean, _ = self(obs)
        return mean.data + np.exp(self.log_std.data) * rng.standard_normal(mean.shape)


@dataclass
class A2CConfig:
    """Hyperparameters of :class:`A2C`."""

    n_steps: int = 5              # rollout length per environment and update
    gamma: float = 0.99
    gae_lambda: float = 1.0       # 1: n-step returns; < 1: GAE
    lr: float = 7e-4              # Adam step size
    ent_coef: float = 0.0         # entropy bonus weight
    vf_coef: float = 0.5          # value-loss weight
    hidden: int = 64


@dataclass
class A2CLog:
    episode_returns: list = field(default_factory=list)
    episode_ends: list = field(default_factory=list)


class A2C:
    """Synchronous advantage actor-critic over a list of environments (Gymnasium API).

    Parameters
    ----------
    obs_dim, n_actions : int
    config : A2CConfig, optional
    rng : Generator, int or None
    continuous : bool
        Use :class:`GaussianActorCritic` (``n_actions`` is then the action dimension).
    """

    def __init__(self, obs_dim: int, n_actions: int, config: A2CConfig | None = None, *, rng: RNG = None,
                 continuous: bool = False):
        if config is not None and not isinstance(config, A2CConfig):
            raise TypeError(f"config must be an A2CConfig (e.g. A2CConfig(lr=7e-4)); got {type(config).__name__}.")
        self.config = cfg = config or A2CConfig()
        check_int(cfg.n_steps, name="n_steps", minimum=1)
        check_int(cfg.hidden, name="hidden", minimum=1)
        check_positive(cfg.lr, name="lr")
        check_positive(cfg.ent_coef, name="ent_coef", strict=False)
        check_positive(cfg.vf_coef, name="vf_coef", strict=False)
        for name in ["gamma", "gae_lambda"]:
            check_unit_interval(getattr(cfg, name), name=name)
        self.rng = as_rng(rng)
        cls = GaussianActorCritic if continuous else ActorCritic
        self.net = cls(obs_dim, n_actions, cfg.hidden, rng=self.rng)
        self.optimizer = Adam(self.net.parameters(), lr=cfg.lr)
        self.continuous = continuous

    def check_env(self, env: Any) -> None:
        shape = getattr(env.observation_space, "shape", None)
        n = getattr(env.action_space, "n", None) if not self.continuous else (getattr(env.action_space, "shape", None) or [None])[0]
        if shape is None or tuple(shape) != (self.net.obs_dim,) or n is None or int(n) != self.net.n_actions:
            raise ValueError(
                f"the environment's spaces do not fit the network: observation space {env.observation_space}, "
                f"action space {env.action_space}; the network expects observations of shape "
                f"({self.net.obs_dim},) and {self.net.n_actions} actions."
            )

    def update(self, obs: np.ndarray, actions: np.ndarray, advantages: np.ndarray, returns: np.ndarray) -> float:
        """One gradient step on a flattened rollout.

        Notes
        -----
        Loss :math:`-\\frac1B\\sum \\hat A_i \\log\\pi(a_i|s_i) + c_v \\frac1B\\sum (V(s_i) - \\hat G_i)^2
        - c_e \\frac1B\\sum H[\\pi(\\cdot|s_i)]` (eq-ac-loss of the page).
        """
        cfg = self.config
        if np.shape(advantages) != (len(actions),) or np.shape(returns) != (len(actions),):
            raise ValueError(f"advantages and returns must have shape ({len(actions)},), one per action; got "
                             f"{np.shape(advantages)} and {np.shape(returns)}.")
        logp, entropy, values = self.net.log_prob_entropy(obs, actions)
        policy_loss = -(logp * advantages).mean()
        value_loss = ((values - returns) ** 2).mean()
        loss = policy_loss + cfg.vf_coef * value_loss - cfg.ent_coef * entropy.mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return float(loss.item())

    def learn(self, envs: Sequence[Any], total_steps: int, *, seed: int | None = None) -> A2CLog:
        """Train on the environments for ``total_steps`` steps in total (summed over environments).

        A time-limit truncation is bootstrapped: its reward gets :math:`\\gamma V(s_{\\text{final}})` added.
        """
        envs = list(envs)
        if not envs:
            raise ValueError("A2C.learn needs a non-empty list of environments.")
        for env in envs:
            self.check_env(env)
        total_steps = check_int(total_steps, name="total_steps", minimum=1)
        cfg, log = self.config, A2CLog()
        n_envs = len(envs)
        obs = np.array([env.reset(seed=None if seed is None else seed + i)[0] for i, env in enumerate(envs)],
                       dtype=np.float64)
        ep_ret = np.zeros(n_envs)
        step = 0
        while step < total_steps:
            b_obs, b_act, b_rew, b_done, b_val = [], [], [], [], []
            for _ in range(cfg.n_steps):
                actions = self.net.sample(obs, self.rng)
                values = self.net.value(obs)
                rewards, dones, next_obs = np.zeros(n_envs), np.zeros(n_envs), np.empty_like(obs)
                for i, env in enumerate(envs):
                    a = actions[i] if self.continuous else int(actions[i])
                    o, r, term, trunc, _ = env.step(a)
                    ep_ret[i] += r
                    if trunc and not term:
                        r = r + cfg.gamma * float(self.net.value(o)[0])
                    if term or trunc:
                        log.episode_returns.append(ep_ret[i])
                        log.episode_ends.append(step + i + 1)
                        ep_ret[i] = 0.0
                        o, _ = env.reset()
                    rewards[i], dones[i], next_obs[i] = r, float(term or trunc), o
                b_obs.append(obs), b_act.append(actions), b_rew.append(rewards), b_done.append(dones)
                b_val.append(values)
                obs, step = next_obs, step + n_envs
            adv, ret = gae(np.array(b_rew), np.array(b_val), self.net.value(obs), np.array(b_done),
                           cfg.gamma, cfg.gae_lambda)
            acts = np.concatenate(b_act) if not self.continuous else np.concatenate(b_act, axis=0)
            self.update(np.concatenate(b_obs), acts, adv.ravel(), ret.ravel())
        return log
