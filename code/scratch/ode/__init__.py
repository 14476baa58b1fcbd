"""Solvers for ordinary differential equations ``dy/dt = f(t, y)``.

* :mod:`scratch.ode.solvers`: :func:`odeint` with explicit Euler, classical RK4
  and adaptive Dormand-Prince 5(4) (:func:`euler`, :func:`rk4`, :func:`dopri5`),
  returning an :class:`ODESolution`. The fixed-step methods also run on
  :class:`~scratch.autograd.Tensor` states, so gradients flow through the solver.
"""

from scratch.ode.solvers import (
    METHODS,
    ODESolution,
    dopri5,
    dopri5_step,
    euler,
    euler_step,
    odeint,
    rk4,
    rk4_step,
)

__all__ = [
    "ODESolution",
    "odeint",
    "euler",
    "rk4",
    "dopri5",
    "euler_step",
    "rk4_step",
    "dopri5_step",
    "METHODS",
]
