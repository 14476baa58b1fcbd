"""Solvers for ordinary differential equations ``dy/dt = f(t, y)``.

* :mod:`scratch.ode.solvers`: :func:`odeint` with explicit Euler, classical RK4
  and adaptive Dormand-Prince 5(4) (:func:`euler`, :func:`rk4`, :func:`dopri5`),
  returning an :class:`ODESolution`. The fixed-step methods also run on
  :class:`~scratch.autograd.Tensor` states, so gradients flow through the solver.
"""

from scratch.ode.solvers import *  # noqa: F401,F403 - re-exports exactly solvers.__all__
from scratch.ode.solvers import __all__  # noqa: F401
