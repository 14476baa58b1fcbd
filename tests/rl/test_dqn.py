"""Tests for scratch.rl.dqn (page: book/rl/dqn.md)."""

import numpy as np
import pytest

from scratch.autograd.gradcheck import gradcheck
from scratch.autograd.tensor import Tensor
from scratch.envs import CartPole, CliffWalking
from scratch.envs.spaces import Box, Discrete
from scratch.rl.dqn import (
    DQN,
    DQNConfig,
    QNetwork,
    ReplayBuffer,
    baird_counterexample,
    dqn_targets,
    evaluate_cartpole,
    huber_loss,
    linear_schedule,
)


@pytest.mark.parametrize("delta", [0.5, 1.0, 2.0])
def test_huber_matches_torch_and_gradcheck(delta):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    pred, target = rng.normal(scale=2, size=50), rng.normal(scale=2, size=50)
    x = Tensor(pred, requires_grad=True)
    loss = huber_loss(x, target, delta)
    loss.backward()
    xt = torch.tensor(pred, requires_grad=True)
    lt = torch.nn.functional.huber_loss(xt, torch.tensor(target), delta=delta)
    lt.backward()
    assert abs(loss.item() - lt.item()) < 1e-12
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), atol=1e-14)
    # keep points away from the kinks |d| = delta for finite differences
    safe = pred + np.where(np.abs(np.abs(pred - target) - delta) < 1e-3, 0.01, 0.0)
    assert gradcheck(lambda t: huber_loss(t, target, delta), [Tensor(safe, requires_grad=True)])


def test_targets_equal_direct_computation():
    rng = np.random.default_rng(1)
    r, term = rng.normal(size=8), (rng.random(8) < 0.3).astype(float)
    qt, qo = rng.normal(size=(8, 3)), rng.normal(size=(8, 3))
    y = dqn_targets(r, qt, term, 0.9)
    y_double = dqn_targets(r, qt, term, 0.9, next_q_online=qo)
    for i in range(8):
        boot = 0.0 if term[i] else max(qt[i])
        assert abs(y[i] - (r[i] + 0.9 * boot)) < 1e-15
        boot_d = 0.0 if term[i] else qt[i][int(np.argmax(qo[i]))]
        assert abs(y_double[i] - (r[i] + 0.9 * boot_d)) < 1e-15
    assert np.all(y_double <= y + 1e-15)             # Double DQN's target never exceeds the max


def test_train_step_gradient_matches_torch(torch_copy):
    torch = pytest.importorskip("torch")
    agent = DQN(4, 2, DQNConfig(hidden=(8, 8), lr=1e-3), rng=0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
                              torch.nn.Linear(8, 2)).double()
    torch_copy(agent.q, net, names={f"layers.{i}.{p}": f"{2 * i}.{p}" for i in range(3) for p in ("weight", "bias")},
               transpose=tuple(f"layers.{i}.weight" for i in range(3)))
    target = torch.nn.Sequential(*[torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 8), torch.nn.ReLU(),
                                   torch.nn.Linear(8, 2)]).double()
    target.load_state_dict(net.state_dict())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    batch = {"obs": rng.normal(size=(64, 4)), "actions": rng.integers(2, size=64), "rewards": np.ones(64),
             "next_obs": rng.normal(size=(64, 4)), "terminated": (rng.random(64) < 0.1).astype(float)}
    for _ in range(3):
        loss = agent.train_step(batch)
        with torch.no_grad():
            y = torch.tensor(batch["rewards"]) + 0.99 * (1 - torch.tensor(batch["terminated"])) * \
                target(torch.tensor(batch["next_obs"])).max(1).values
        q = net(torch.tensor(batch["obs"]))[torch.arange(64), torch.tensor(batch["actions"])]
        lt = torch.nn.functional.huber_loss(q, y)
        opt.zero_grad(); lt.backward(); opt.step()
        assert abs(loss - lt.item()) < 1e-12
    np.testing.assert_allclose(agent.q.layers[0].weight.data, net[0].weight.detach().numpy().T, atol=1e-12)


def test_replay_buffer_ring_and_errors():
    buf = ReplayBuffer(3, 2, rng=0)
    with pytest.raises(ValueError, match="holding 0 transitions"):
        buf.sample(1)
    for i in range(5):
        buf.add([i, i], i % 2, float(i), [i + 1, i + 1], i == 4)
    assert len(buf) == 3 and sorted(buf.rewards) == [2.0, 3.0, 4.0]
    batch = buf.sample(2)
    assert batch["obs"].shape == (2, 2) and set(batch["rewards"]) <= {2.0, 3.0, 4.0}
    with pytest.raises(ValueError, match="a batch of 4 from a replay buffer holding 3"):
        buf.sample(4)


def test_linear_schedule_and_bad_epsilon():
    eps = linear_schedule(1.0, 0.1, 100)
    assert eps(0) == 1.0 and abs(eps(50) - 0.55) < 1e-12 and eps(100) == eps(1000) == pytest.approx(0.1)
    with pytest.raises(ValueError, match=r"epsilon end must lie in \[0, 1\]"):
        linear_schedule(1.0, 1.5, 10)
    with pytest.raises(ValueError, match=r"eps_start must lie in \[0, 1\]"):
        DQN(4, 2, DQNConfig(eps_start=-0.1))
    with pytest.raises(ValueError, match=r"gamma must lie in \[0, 1\]"):
        DQN(4, 2, DQNConfig(gamma=1.01))


@pytest.mark.parametrize("env, match", [
    (CliffWalking(), "do not fit the network"),
    (type("E", (), {"observation_space": Box(-1, 1, shape=(3,)), "action_space": Discrete(2)})(), r"shape \(4,\)"),
    (type("E", (), {"observation_space": Box(-1, 1, shape=(4,)), "action_space": Discrete(3)})(), r"Discrete\(2\)"),
])
def test_env_spaces_must_fit(env, match):
    with pytest.raises(ValueError, match=match):
        DQN(4, 2, rng=0).learn(env, 10)


def test_replay_sampled_before_batch_is_refused():
    with pytest.raises(ValueError, match="learning_starts .* must be at least batch_size"):
        DQN(4, 2, DQNConfig(learning_starts=10, batch_size=64), rng=0).learn(CartPole(), 100)
    with pytest.raises(ValueError, match=r"shape \(batch, 4\)"):
        QNetwork(4, 2, rng=0)(np.zeros((2, 3)))


def test_dqn_runs_unchanged_on_gymnasium_cartpole():
    gym = pytest.importorskip("gymnasium")
    cfg = DQNConfig(hidden=(16, 16), learning_starts=100, batch_size=32, target_update=50, eps_steps=200)
    ours, theirs = DQN(4, 2, cfg, rng=0), DQN(4, 2, cfg, rng=0)
    log_o = ours.learn(CartPole(), 400, seed=3)
    log_t = theirs.learn(gym.make("CartPole-v1"), 400, seed=3)
    # the transitions were consumed identically: same buffer, same returns, same weights
    for key in ["obs", "actions", "rewards", "next_obs", "terminated"]:
        np.testing.assert_array_equal(getattr(ours.buffer, key), getattr(theirs.buffer, key))
    assert log_o.episode_returns == log_t.episode_returns and len(log_t.episode_returns) > 5
    np.testing.assert_array_equal(ours.q.layers[0].weight.data, theirs.q.layers[0].weight.data)
    # within an episode, next_obs of one transition is obs of the next
    ends = set(np.array(log_t.episode_ends) - 1)
    b = theirs.buffer
    for i in range(399):
        if i not in ends:
            np.testing.assert_array_equal(b.next_obs[i], b.obs[i + 1])
    assert b.terminated[:400].sum() == len(ends)          # CartPole episodes here end by termination


def test_evaluate_cartpole_equals_env_loop():
    rng = np.random.default_rng(0)
    w = rng.normal(size=4)
    policy = lambda obs: (np.atleast_2d(obs) @ w > 0).astype(int)  # noqa: E731
    fast = evaluate_cartpole(policy, 5, seed=7)
    env = CartPole()
    for i in range(5):
        obs, _ = env.reset(seed=7 + i)
        total, done = 0.0, False
        while not done:
            obs, r, term, trunc, _ = env.step(int(policy(obs)[0]))
            total, done = total + r, term or trunc
        assert total == fast[i]


def test_baird_diverges_off_policy_only():
    w_off = baird_counterexample(2000, rng=0)
    w_on = baird_counterexample(2000, off_policy=False, rng=0)
    assert np.linalg.norm(w_off[-1]) > 10 * np.linalg.norm(w_off[0])
    assert np.linalg.norm(w_on[-1]) < np.linalg.norm(w_on[0])
