"""Part VII: reinforcement learning (pages under book/rl/).

* :mod:`scratch.rl.dynamic_programming`: Bellman equations, policy evaluation, policy and value iteration
* :mod:`scratch.rl.td_learning`: Monte Carlo, TD(0) and n-step TD prediction; the TD model of conditioning
* :mod:`scratch.rl.sarsa_qlearning`: SARSA, Q-learning, expected SARSA, double Q-learning (epsilon-greedy)
* :mod:`scratch.rl.dqn`: deep Q-networks (replay, target networks, Huber loss, Double DQN), Baird's counterexample
* :mod:`scratch.rl.actor_critic`: exact policy gradient, REINFORCE (with baseline), GAE, A2C (categorical and Gaussian)
"""
