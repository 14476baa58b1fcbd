"""ML from Scratch: minimal, tested numpy implementations that the book imports.

Sub-packages mirror the book's parts (``scratch.foundations``, ``scratch.classical``,
``scratch.neural``, ``scratch.language``, ``scratch.probabilistic``,
``scratch.generative``, ``scratch.rl``, ``scratch.frontiers``). Shared building blocks:
``scratch.autograd`` (engines), ``scratch.nn`` (layers), ``scratch.optim``
(optimisers), ``scratch.distributions``, ``scratch.envs`` (Gymnasium-API
environments), ``scratch.ode`` (solvers), ``scratch.data`` (offline data),
``scratch.metrics``, ``scratch.plot`` (figures), ``scratch.display`` (page display)
and ``scratch.cache`` (trained weights).
"""

__version__ = "0.1.0"
