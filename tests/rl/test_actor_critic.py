"""Tests for scratch.rl.actor_critic (page: book/rl/actor_critic.md)."""

import numpy as np
import pytest

from scratch.envs import CartPole, CliffWalking, ShortCorridor, transition_arrays
from scratch.rl.actor_critic import (
    A2C,
    A2CConfig,
    ActorCritic,
    GaussianActorCritic,
    exact_policy_gradient,
    gae,
    reinforce_gradient_estimates,
    reinforce_short_corridor,
    softmax_policy,
)
from scratch.rl.sarsa_qlearning import random_mdp


def test_exact_gradient_matches_finite_differences():
    env = random_mdp(4, 3, p_terminate=0.2, rng=0)
    T, R = transition_arrays(env.P)
    theta = np.random.default_rng(1).normal(size=(4, 3))
    start = np.full(4, 0.25)
    J, grad = exact_policy_gradient(T, R, theta, 0.95, start)
    num = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        e = np.zeros_like(theta)
        e[idx] = 1e-6
        num[idx] = (exact_policy_gradient(T, R, theta + e, 0.95, start)[0]
                    - exact_policy_gradient(T, R, theta - e, 0.95, start)[0]) / 2e-6
    np.testing.assert_allclose(grad, num, atol=1e-7)


def test_reinforce_estimator_is_unbiased():
    env = random_mdp(3, 2, p_terminate=0.3, rng=2)
    T, R = transition_arrays(env.P)
    theta = np.array([[0.5, -0.5], [0.0, 1.0], [-1.0, 0.0]])
    _, grad = exact_policy_gradient(T, R, theta, 1.0, env.initial_state_distrib)
    est = reinforce_gradient_estimates(env, theta, 6000, rng=0, seed=0)
    mean, se = est.mean(0), est.std(0) / np.sqrt(len(est))
    assert np.all(np.abs(mean - grad) < 4 * se + 1e-12)


def test_gae_limits():
    rng = np.random.default_rng(0)
    r, v = rng.normal(size=(5, 2)), rng.normal(size=(5, 2))
    last, d = rng.normal(size=2), np.zeros((5, 2))
    d[2, 0] = 1.0
    adv0, _ = gae(r, v, last, d, 0.9, 0.0)
    nxt = np.vstack([v[1:], last])
    np.testing.assert_allclose(adv0, r + 0.9 * (1 - d) * nxt - v)            # lambda=0: TD errors
    adv1, ret1 = gae(r, v, last, d, 0.9, 1.0)
    g = last.copy()                                                            # lambda=1: n-step returns
    for t in range(4, -1, -1):
        g = r[t] + 0.9 * (1 - d[t]) * g
        np.testing.assert_allclose(ret1[t], g)


def test_short_corridor_reinforce_finds_stochastic_policy():
    env = ShortCorridor()
    res = reinforce_short_corridor(env, 1000, rng=0, seed=0)
    assert 0.45 < res["p_right"][-1] < 0.75
    assert res["returns"][-200:].mean() > -20


def test_gaussian_log_prob_matches_torch():
    torch = pytest.importorskip("torch")
    net = GaussianActorCritic(3, 2, 8, log_std=-0.3, rng=0)
    obs, acts = np.random.default_rng(0).normal(size=(5, 3)), np.random.default_rng(1).normal(size=(5, 2))
    logp, ent, _ = net.log_prob_entropy(obs, acts)
    mean = net(obs)[0].data
    d = torch.distributions.Normal(torch.tensor(mean), torch.tensor(np.exp(net.log_std.data)))
    np.testing.assert_allclose(logp.data, d.log_prob(torch.tensor(acts)).sum(-1).numpy(), atol=1e-12)
    np.testing.assert_allclose(ent.data, d.entropy().sum(-1).numpy(), atol=1e-12)


def test_categorical_log_prob_entropy_match_torch():
    torch = pytest.importorskip("torch")
    net = ActorCritic(4, 3, 8, rng=0)
    obs, acts = np.random.default_rng(0).normal(size=(6, 4)), np.array([0, 1, 2, 2, 1, 0])
    logp, ent, _ = net.log_prob_entropy(obs, acts)
    d = torch.distributions.Categorical(logits=torch.tensor(net(obs)[0].data))
    np.testing.assert_allclose(logp.data, d.log_prob(torch.tensor(acts)).numpy(), atol=1e-12)
    np.testing.assert_allclose(ent.data, d.entropy().numpy(), atol=1e-12)
    np.testing.assert_allclose(softmax_policy(net(obs)[0].data).sum(1), 1.0)


def test_a2c_runs_unchanged_on_gymnasium_cartpole():
    gym = pytest.importorskip("gymnasium")
    a = A2C(4, 2, A2CConfig(hidden=16), rng=0)
    b = A2C(4, 2, A2CConfig(hidden=16), rng=0)
    log_a = a.learn([CartPole() for _ in range(4)], 400, seed=0)
    log_b = b.learn([gym.make("CartPole-v1") for _ in range(4)], 400, seed=0)
    assert log_a.episode_returns == log_b.episode_returns and len(log_b.episode_returns) > 4
    for pa, pb in zip(a.net.parameters(), b.net.parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)


def test_a2c_gaussian_policy_runs_on_continuous_env():
    gym = pytest.importorskip("gymnasium")
    env = gym.make("Pendulum-v1")
    agent = A2C(3, 1, A2CConfig(n_steps=8, hidden=16), rng=0, continuous=True)
    log = agent.learn([env], 400, seed=0)
    assert len(log.episode_returns) == 2                   # Pendulum episodes are truncated at 200 steps


@pytest.mark.parametrize("call, err, match", [
    (lambda: A2C(4, 2, A2CConfig(gamma=1.5)), ValueError, r"gamma must lie in \[0, 1\]"),
    (lambda: A2C(4, 2, A2CConfig(gae_lambda=-0.1)), ValueError, r"gae_lambda must lie in \[0, 1\]"),
    (lambda: A2C(4, 2, rng=0).learn([CliffWalking()], 10), ValueError, "do not fit the network"),
    (lambda: A2C(4, 3, rng=0).learn([CartPole()], 10), ValueError, "do not fit the network"),
    (lambda: A2C(4, 2, rng=0).learn([], 10), ValueError, "non-empty list"),
    (lambda: exact_policy_gradient(np.zeros((2, 2, 2)), np.zeros((2, 2)), np.zeros((2, 3)), 0.9, [1, 0]),
     ValueError, "theta must have shape"),
    (lambda: gae(np.zeros((2, 1)), np.zeros((2, 1)), np.zeros(1), np.zeros((2, 1)), 0.9, 2.0), ValueError,
     r"lam must lie in \[0, 1\]"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
