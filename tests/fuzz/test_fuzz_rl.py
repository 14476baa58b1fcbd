"""Bad-input cases for scratch.rl: dynamic programming, TD prediction, SARSA/Q-learning, DQN, A2C.

Float states or actions, policies that are not distributions, a discount outside [0, 1],
transition arrays of mismatched shapes, episodes whose lists disagree, agents given an
environment of the wrong size: each is refused with a clear error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd.tensor import Tensor  # noqa: E402
from scratch.envs.cartpole import CartPole  # noqa: E402
from scratch.envs.tabular import GridWorld, RandomWalk, ShortCorridor  # noqa: E402
from scratch.rl.actor_critic import (  # noqa: E402
    A2C, A2CConfig, ActorCritic, GaussianActorCritic, exact_policy_gradient, gae, reinforce_gradient_estimates,
    reinforce_short_corridor, softmax_policy,
)
from scratch.rl.dqn import (  # noqa: E402
    DQN, DQNConfig, QNetwork, ReplayBuffer, TrainingLog, baird_counterexample, dqn_targets, evaluate_cartpole,
    huber_loss, linear_schedule,
)
from scratch.rl.dynamic_programming import (  # noqa: E402
    bellman_expectation_backup, bellman_optimality_backup, check_mdp, check_policy, check_unit_interval,
    greedy_policy, policy_evaluation, policy_evaluation_linear, policy_iteration, q_from_v, value_iteration,
)
from scratch.rl.sarsa_qlearning import (  # noqa: E402
    double_q_learning, epsilon_greedy, epsilon_greedy_probs, expected_sarsa, greedy_rollout, q_learning,
    random_mdp, sarsa, td_control,
)
from scratch.rl.td_learning import (  # noqa: E402
    Episode, collect_episode, mc_prediction, n_step_td_prediction, rms_error, td0_prediction, td_conditioning,
)

# A 2-state, 2-action MDP: T (2, 2, 2), R (2, 2), the uniform policy.
T = np.full((2, 2, 2), 0.45)
R = np.ones((2, 2))
PI = np.full((2, 2), 0.5)
V = np.zeros(2)
RNG = np.random.default_rng(0)
WALK = [Episode(states=[3, 2, 1, 0], actions=[0, 0, 0], rewards=[0.0, 0.0, 0.0])]


def dqn():
    return DQN(4, 2, DQNConfig(hidden=(8,), learning_starts=2, batch_size=2), rng=0)


def batch(n=2, obs_dim=4):
    return {"obs": np.zeros((n, obs_dim)), "actions": np.zeros(n, dtype=int), "rewards": np.zeros(n),
            "next_obs": np.zeros((n, obs_dim)), "terminated": np.zeros(n, dtype=bool)}


def a2c(**kw):
    return A2C(4, 2, A2CConfig(hidden=8, **kw), rng=0)


CASES = [
    # --- dynamic programming -------------------------------------------------------------------
    Case(check_unit_interval, lambda: check_unit_interval(1.5, name="gamma"), ValueError, r"gamma must lie in \[0, 1\]"),
    Case(check_unit_interval, lambda: check_unit_interval("0.9", name="gamma"), TypeError, "gamma must be a real number"),
    Case(check_unit_interval, lambda: check_unit_interval(np.nan, name="gamma"), ValueError, r"gamma must lie in \[0, 1\]",
         label="NaN"),
    Case(check_mdp, lambda: check_mdp(T, np.ones((3, 2))), ValueError, r"T .* \(n_states, n_actions, n_states\).*R"),
    Case(check_mdp, lambda: check_mdp(T * 2, R), ValueError, "rows sum to at most 1"),
    Case(check_mdp, lambda: check_mdp(-T, R), ValueError, "probabilities", label="negative T"),
    Case(check_mdp, lambda: check_mdp(T, np.full((2, 2), np.nan)), ValueError, "R must be finite", label="NaN R"),
    Case(check_policy, lambda: check_policy(np.full((2, 2), 0.4), 2, 2), ValueError, "sum to 1"),
    Case(check_policy, lambda: check_policy(np.full((3, 2), 0.5), 2, 2), ValueError, r"shape \(n_states, n_actions\)"),
    Case(check_policy, lambda: check_policy(np.array([[1.5, -0.5], [0.5, 0.5]]), 2, 2), ValueError, "non-negative"),
    Case(bellman_expectation_backup, lambda: bellman_expectation_backup(np.zeros(3), T, R, PI, 0.9), ValueError,
         r"v must have shape \(2,\)"),
    Case(bellman_expectation_backup, lambda: bellman_expectation_backup(V, T, R, PI, 1.5), ValueError, "gamma must lie in"),
    Case(bellman_optimality_backup, lambda: bellman_optimality_backup(np.zeros(3), T, R, 0.9), ValueError,
         r"v must have shape \(2,\)"),
    Case(bellman_optimality_backup, lambda: bellman_optimality_backup(V, T, R, -0.1), ValueError, "gamma must lie in"),
    Case(q_from_v, lambda: q_from_v(np.zeros(5), T, R, 0.9), ValueError, r"v must have shape \(2,\)"),
    Case(q_from_v, lambda: q_from_v(V, T, np.ones((2, 3)), 0.9), ValueError, r"T .* \(n_states, n_actions, n_states\)"),
    Case(greedy_policy, lambda: greedy_policy(np.zeros(4)), ValueError, r"q must have shape \(n_states, n_actions\)"),
    Case(greedy_policy, lambda: greedy_policy(np.array([[np.nan, 0.0]])), ValueError, "NaN or infinite"),
    Case(greedy_policy, lambda: greedy_policy(np.zeros((2, 2)), previous=np.zeros((3, 2))), ValueError,
         r"previous must have shape \(2, 2\)"),
    Case(policy_evaluation, lambda: policy_evaluation(T, R, PI, 1.5), ValueError, r"gamma must lie in \[0, 1\]"),
    Case(policy_evaluation, lambda: policy_evaluation(T, R, PI, 0.9, tol=0), ValueError, "tol must be finite and > 0"),
    Case(policy_evaluation, lambda: policy_evaluation(T, R, np.full((2, 3), 1 / 3), 0.9), ValueError,
         r"policy must have shape"),
    Case(policy_evaluation_linear, lambda: policy_evaluation_linear(T, R, PI, 2.0), ValueError, "gamma must lie in"),
    Case(policy_evaluation_linear, lambda: policy_evaluation_linear(T, R, PI * 3, 0.9), ValueError, "sum to 1"),
    Case(policy_iteration, lambda: policy_iteration(T, R, 1.2), ValueError, "gamma must lie in"),
    Case(policy_iteration, lambda: policy_iteration(T, R, 0.9, max_iter=0), ValueError, "max_iter must be >= 1"),
    Case(value_iteration, lambda: value_iteration(T[:, :, :1], R, 0.9), ValueError, r"\(n_states, n_actions, n_states\)"),
    Case(value_iteration, lambda: value_iteration(T, R, 0.9, max_sweeps=0), ValueError, "max_sweeps must be >= 1"),
    # --- TD prediction -------------------------------------------------------------------------
    Case(Episode, lambda: td0_prediction([Episode(states=[1, 2], actions=[0], rewards=[1.0, 2.0])], 3, alpha=0.1),
         ValueError, "one more state than rewards", label="as many states as rewards"),
    Case(Episode, lambda: td0_prediction([Episode(states=[1.0, 2.0], actions=[0], rewards=[1.0])], 3, alpha=0.1),
         TypeError, "states must be integers", label="float states"),
    Case(collect_episode, lambda: collect_episode("RandomWalk"), TypeError, "env must be an environment"),
    Case(collect_episode, lambda: collect_episode(RandomWalk(), max_steps=0), ValueError, "max_steps must be >= 1"),
    Case(collect_episode, lambda: collect_episode(RandomWalk(), policy=lambda s, rng: 5, seed=0), ValueError,
         "outside the action space", label="policy returns a bad action"),
    Case(td0_prediction, lambda: td0_prediction(WALK, 5, alpha=0.0), ValueError, "alpha must be > 0"),
    Case(td0_prediction, lambda: td0_prediction(WALK, 3, alpha=0.1), ValueError, r"state 3 is outside 0\.\.2"),
    Case(td0_prediction, lambda: td0_prediction(WALK, 5, alpha=0.1, gamma=1.5), ValueError, "gamma must lie in"),
    Case(td0_prediction, lambda: td0_prediction(WALK, 5, alpha=0.1, v0=np.zeros(3)), ValueError, r"v0 .* \(5,\)"),
    Case(td0_prediction, lambda: td0_prediction(WALK, 5, alpha=0.1, terminal_states=[9]), ValueError,
         r"terminal_states: state 9 is outside 0\.\.4"),
    Case(mc_prediction, lambda: mc_prediction(WALK, 5, alpha=-0.1), ValueError, r"alpha must lie in \[0, 1\]"),
    Case(mc_prediction, lambda: mc_prediction(WALK, 0), ValueError, "n_states must be >= 1"),
    Case(mc_prediction, lambda: mc_prediction("episodes", 5), TypeError, "episodes must be"),
    Case(n_step_td_prediction, lambda: n_step_td_prediction(WALK, 5, n=0, alpha=0.1), ValueError, "n must be >= 1"),
    Case(n_step_td_prediction, lambda: n_step_td_prediction(WALK, 5, n=2.5, alpha=0.1), TypeError, "n must be an integer"),
    Case(rms_error, lambda: rms_error(np.zeros(5), np.zeros(4), [1, 2]), ValueError, "true_values"),
    Case(rms_error, lambda: rms_error(np.zeros(5), np.zeros(5), [1, 7]), ValueError, r"states: state 7 is outside 0\.\.4"),
    Case(rms_error, lambda: rms_error(np.zeros(5), np.zeros(5), []), ValueError, "states is empty"),
    Case(td_conditioning, lambda: td_conditioning(0), ValueError, "n_trials must be >= 1"),
    Case(td_conditioning, lambda: td_conditioning(5, cue_time=20, reward_time=15), ValueError, "cue_time"),
    Case(td_conditioning, lambda: td_conditioning(5, reward_time=30), ValueError, "reward_time"),
    Case(td_conditioning, lambda: td_conditioning(5, alpha=1.5), ValueError, r"alpha must lie in \[0, 1\]"),
    # --- SARSA / Q-learning --------------------------------------------------------------------
    Case(epsilon_greedy_probs, lambda: epsilon_greedy_probs(np.zeros(3), 1.5), ValueError, r"epsilon must lie in \[0, 1\]"),
    Case(epsilon_greedy_probs, lambda: epsilon_greedy_probs(np.zeros(3), 0.1, mask=np.zeros(3, bool)), ValueError,
         "at least one available action"),
    Case(epsilon_greedy_probs, lambda: epsilon_greedy_probs(np.zeros(3), 0.1, mask=np.ones(2, bool)), ValueError,
         r"mask must have shape \(3,\)"),
    Case(epsilon_greedy_probs, lambda: epsilon_greedy_probs(np.zeros((2, 3)), 0.1), ValueError,
         r"q_row must have shape \(n_actions,\)"),
    Case(epsilon_greedy, lambda: epsilon_greedy(np.zeros(3), -0.1, RNG), ValueError, r"epsilon must lie in \[0, 1\]"),
    Case(epsilon_greedy, lambda: epsilon_greedy(np.array([np.nan, 0.0]), 0.0, RNG), ValueError, "NaN or infinite"),
    Case(epsilon_greedy, lambda: epsilon_greedy(np.zeros(3), 0.1, 0), TypeError, "rng must be a numpy Generator"),
    Case(td_control, lambda: td_control(GridWorld(), "qlearning", 5), ValueError, "Unknown method='qlearning'"),
    Case(td_control, lambda: td_control(GridWorld(), "q_learning", 0), ValueError, "n_episodes must be >= 1"),
    Case(td_control, lambda: td_control(GridWorld(), "sarsa", 5, alpha=0), ValueError, "alpha must be > 0"),
    Case(td_control, lambda: td_control(CartPole(), "sarsa", 5), TypeError, "needs Discrete observation and action spaces"),
    Case(sarsa, lambda: sarsa(GridWorld(), 5, epsilon=2.0), ValueError, r"epsilon must lie in \[0, 1\]"),
    Case(sarsa, lambda: sarsa(GridWorld(), 5, gamma=-1.0), ValueError, r"gamma must lie in \[0, 1\]"),
    Case(q_learning, lambda: q_learning(GridWorld(), 5, max_steps=0), ValueError, "max_steps must be >= 1"),
    Case(q_learning, lambda: q_learning(GridWorld(), 5, lr=0.1), TypeError, "unexpected keyword argument 'lr'"),
    Case(expected_sarsa, lambda: expected_sarsa(GridWorld(), 5, q0=np.nan), ValueError, "q0 must be finite"),
    Case(double_q_learning, lambda: double_q_learning(GridWorld(), -3), ValueError, "n_episodes must be >= 1"),
    Case(greedy_rollout, lambda: greedy_rollout(GridWorld(), np.zeros((3, 4))), ValueError,
         r"q must have shape \(16, 4\)"),
    Case(greedy_rollout, lambda: greedy_rollout(GridWorld(), np.zeros((16, 4)), max_steps=0), ValueError,
         "max_steps must be >= 1"),
    Case(random_mdp, lambda: random_mdp(0), ValueError, "n_states must be >= 1"),
    Case(random_mdp, lambda: random_mdp(4, p_terminate=1.5), ValueError, r"p_terminate must lie in"),
    # --- DQN -----------------------------------------------------------------------------------
    Case(DQNConfig, lambda: DQN(4, 2, DQNConfig(gamma=1.5)), ValueError, r"gamma must lie in \[0, 1\]"),
    Case(DQNConfig, lambda: DQN(4, 2, DQNConfig(batch_size=0)), ValueError, "batch_size must be >= 1"),
    Case(DQNConfig, lambda: DQN(4, 2, DQNConfig(lr=-1e-3)), ValueError, "lr must be finite and > 0"),
    Case(DQNConfig, lambda: DQN(4, 2, DQNConfig(eps_start=1.5)), ValueError, r"eps_start must lie in \[0, 1\]"),
    Case(DQNConfig, lambda: DQN(4, 2, DQNConfig(hidden=(64, 0))), ValueError, r"must be >= 1"),
    Case(DQN, lambda: DQN(0, 2), ValueError, "obs_dim must be >= 1"),
    Case(DQN, lambda: DQN(4, 2, config={"lr": 1e-3}), TypeError, "config must be a DQNConfig"),
    Case(DQN, lambda: dqn().q_values(np.zeros((3, 5))), ValueError, r"\(batch, 4\)"),
    Case(DQN, lambda: dqn().act(np.zeros(4), epsilon=1.5), ValueError, r"epsilon must lie in \[0, 1\]"),
    Case(DQN, lambda: dqn().act(np.zeros(3)), ValueError, r"one observation of shape \(4,\)"),
    Case(DQN, lambda: dqn().check_env(GridWorld()), ValueError, "observation"),
    Case(DQN, lambda: dqn().train_step({**batch(), "actions": np.full(2, 5)}), ValueError, r"actions'\] must lie in 0\.\.1"),
    Case(DQN, lambda: dqn().train_step({**batch(), "actions": np.zeros(2)}), TypeError, "integer"),
    Case(DQN, lambda: dqn().train_step({k: v for k, v in batch().items() if k != "rewards"}), ValueError,
         "rewards"),
    Case(DQN, lambda: dqn().learn(CartPole(), 0), ValueError, "total_steps must be >= 1"),
    Case(TrainingLog, lambda: dqn().learn(CartPole(), 5, log=[]), TypeError, "log must be a TrainingLog"),
    Case(QNetwork, lambda: QNetwork(4, 0), ValueError, "n_actions must be >= 1"),
    Case(QNetwork, lambda: QNetwork(4, 2, hidden=(8,))(Tensor(np.zeros((3, 5)))), ValueError, r"\(batch, 4\)"),
    Case(ReplayBuffer, lambda: ReplayBuffer(0, 4), ValueError, "capacity must be >= 1"),
    Case(ReplayBuffer, lambda: ReplayBuffer(10, 4).add(np.zeros(3), 0, 1.0, np.zeros(4), False), ValueError,
         r"obs .* \(4,\)"),
    Case(ReplayBuffer, lambda: ReplayBuffer(10, 4).add(np.zeros(4), 0.5, 1.0, np.zeros(4), False), TypeError,
         "action must be an integer"),
    Case(ReplayBuffer, lambda: ReplayBuffer(10, 4).add(np.zeros(4), 0, np.nan, np.zeros(4), False), ValueError,
         "reward must be finite"),
    Case(ReplayBuffer, lambda: ReplayBuffer(10, 4).sample(2), ValueError, "replay buffer holding 0 transitions"),
    Case(baird_counterexample, lambda: baird_counterexample(0), ValueError, "n_steps must be >= 1"),
    Case(baird_counterexample, lambda: baird_counterexample(10, alpha=0), ValueError, "alpha must be > 0"),
    Case(baird_counterexample, lambda: baird_counterexample(10, gamma=1.5), ValueError, "gamma must lie in"),
    Case(dqn_targets, lambda: dqn_targets(np.zeros(3), np.zeros((4, 2)), np.zeros(3, bool), 0.9), ValueError,
         r"next_q_target .* \(3, n_actions\)"),
    Case(dqn_targets, lambda: dqn_targets(np.zeros(3), np.zeros((3, 2)), np.zeros(2, bool), 0.9), ValueError,
         r"terminated .* \(3,\)"),
    Case(dqn_targets, lambda: dqn_targets(np.zeros(3), np.zeros((3, 2)), np.zeros(3, bool), 1.5), ValueError,
         "gamma must lie in"),
    Case(dqn_targets, lambda: dqn_targets(np.zeros(3), np.zeros((3, 2)), np.zeros(3, bool), 0.9,
                                          next_q_online=np.zeros((3, 3))), ValueError, r"next_q_online .* \(3, 2\)"),
    Case(evaluate_cartpole, lambda: evaluate_cartpole(lambda obs: np.zeros(len(obs), int), n_episodes=0), ValueError,
         "n_episodes must be >= 1"),
    Case(evaluate_cartpole, lambda: evaluate_cartpole(lambda obs: np.full(len(obs), 2), n_episodes=2), ValueError,
         "action must be 0 .left. or 1", label="policy returns action 2"),
    Case(evaluate_cartpole, lambda: evaluate_cartpole("greedy"), TypeError, "policy must be a callable"),
    Case(huber_loss, lambda: huber_loss(Tensor(np.zeros(3)), np.zeros(4)), ValueError, r"prediction \(3,\) and target \(4,\)"),
    Case(huber_loss, lambda: huber_loss(Tensor(np.zeros(3)), np.zeros(3), delta=0), ValueError,
         "delta must be finite and > 0"),
    Case(linear_schedule, lambda: linear_schedule(1.0, 0.1, 0), ValueError, "duration must be >= 1"),
    Case(linear_schedule, lambda: linear_schedule(np.nan, 0.1, 10), ValueError, r"epsilon start must lie in \[0, 1\]"),
    # --- actor-critic --------------------------------------------------------------------------
    Case(softmax_policy, lambda: softmax_policy(np.array([[np.nan, 0.0]])), ValueError, "NaN or infinite"),
    Case(softmax_policy, lambda: softmax_policy(np.zeros((2, 2, 2))), ValueError, r"theta must have shape"),
    Case(exact_policy_gradient, lambda: exact_policy_gradient(T, R, np.zeros((2, 3)), 0.9, np.array([1.0, 0.0])),
         ValueError, r"theta must have shape \(2, 2\)"),
    Case(exact_policy_gradient, lambda: exact_policy_gradient(T, R, np.zeros((2, 2)), 0.9, np.array([0.7, 0.7])),
         ValueError, "start must be a probability vector"),
    Case(exact_policy_gradient, lambda: exact_policy_gradient(T, R, np.zeros((2, 2)), 1.5, np.array([1.0, 0.0])),
         ValueError, "gamma must lie in"),
    Case(gae, lambda: gae(np.zeros((5, 2)), np.zeros((5, 3)), np.zeros(2), np.zeros((5, 2)), 0.9, 0.95), ValueError,
         r"must all have shape \(n_steps, n_envs\) = \(5, 2\)"),
    Case(gae, lambda: gae(np.zeros((5, 2)), np.zeros((5, 2)), np.zeros(2), np.zeros((5, 2)), 0.9, 1.5), ValueError,
         r"lam must lie in \[0, 1\]"),
    Case(gae, lambda: gae(np.zeros((5, 2)), np.zeros((5, 2)), np.zeros(3), np.zeros((5, 2)), 0.9, 0.95), ValueError,
         r"last_values must have shape \(2,\)"),
    Case(gae, lambda: gae(np.full((5, 2), np.nan), np.zeros((5, 2)), np.zeros(2), np.zeros((5, 2)), 0.9, 0.95),
         ValueError, "NaN or infinite"),
    Case(reinforce_gradient_estimates, lambda: reinforce_gradient_estimates(ShortCorridor(), 0.0, 0), ValueError,
         "n_episodes must be >= 1"),
    Case(reinforce_gradient_estimates, lambda: reinforce_gradient_estimates(ShortCorridor(), np.nan, 5), ValueError,
         r"theta must have shape \(n_samples, n_features\)"),
    Case(reinforce_short_corridor, lambda: reinforce_short_corridor(ShortCorridor(), 5, alpha_theta=0), ValueError,
         "alpha_theta must be finite and > 0"),
    Case(reinforce_short_corridor, lambda: reinforce_short_corridor(ShortCorridor(), 0), ValueError,
         "n_episodes must be >= 1"),
    Case(ActorCritic, lambda: ActorCritic(4, 0), ValueError, "n_actions must be >= 1"),
    Case(ActorCritic, lambda: ActorCritic(4, 2, hidden=8, rng=0)(np.zeros((3, 5))), ValueError, r"\(batch, 4\)"),
    Case(ActorCritic, lambda: ActorCritic(4, 2, hidden=8, rng=0).log_prob_entropy(np.zeros((3, 4)), np.array([0, 1, 2])),
         ValueError, r"actions .* 0\.\.1"),
    Case(ActorCritic, lambda: ActorCritic(4, 2, hidden=8, rng=0).log_prob_entropy(np.zeros((3, 4)), np.zeros(3)),
         TypeError, "integer"),
    Case(GaussianActorCritic, lambda: GaussianActorCritic(3, 0), ValueError, "action_dim must be >= 1"),
    Case(GaussianActorCritic, lambda: GaussianActorCritic(3, 1, log_std=np.nan), ValueError, "log_std must be finite"),
    Case(GaussianActorCritic, lambda: GaussianActorCritic(3, 1, hidden=8, rng=0).log_prob_entropy(np.zeros((4, 3)),
                                                                                                 np.zeros((4, 2))),
         ValueError, r"actions must have shape \(4, 1\)"),
    Case(A2CConfig, lambda: a2c(gamma=1.5), ValueError, r"gamma must lie in \[0, 1\]"),
    Case(A2CConfig, lambda: a2c(n_steps=0), ValueError, "n_steps must be >= 1"),
    Case(A2CConfig, lambda: a2c(lr=0.0), ValueError, "lr must be finite and > 0"),
    Case(A2CConfig, lambda: a2c(ent_coef=-0.1), ValueError, "ent_coef must be finite and >= 0"),
    Case(A2C, lambda: A2C(4, 2, config="fast"), TypeError, "config must be an A2CConfig"),
    Case(A2C, lambda: a2c().check_env(GridWorld()), ValueError, "observation"),
    Case(A2C, lambda: a2c().learn([CartPole()], 0), ValueError, "total_steps must be >= 1"),
    Case(A2C, lambda: a2c().learn([], 10), ValueError, "needs a non-empty list of environments"),
    Case(A2C, lambda: a2c().update(np.zeros((3, 4)), np.zeros(3, int), np.zeros(2), np.zeros(3)), ValueError,
         r"advantages and returns must have shape \(3,\)"),
]

EXEMPT = {
    "scratch.rl.actor_critic.A2CLog": "an output record that A2C.learn fills; users read it, they never pass one in",
    "scratch.rl.sarsa_qlearning.ControlResult": "an output record returned by td_control; it takes no user input",
}


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
