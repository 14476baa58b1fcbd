"""Part VII: reinforcement learning (pages under book/rl/).

* :mod:`scratch.rl.dynamic_programming`: Bellman equations, policy evaluation, policy and value iteration
"""
