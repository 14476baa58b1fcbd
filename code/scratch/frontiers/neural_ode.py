"""Neural ordinary differential equations: a network as a vector field, trained through the solver or by the adjoint.

The chapter ``book/frontiers/neural_ode.md`` derives every equation used here;
equation labels in the *Notes* sections match the page. The solvers are
:func:`scratch.ode.odeint` (Euler, RK4 and Dormand-Prince); nothing is copied here.
"""

from __future__ import annotations

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor, concatenate
from scratch.nn.layers import Linear
from scratch.nn.module import Module
from scratch.ode import odeint

__all__ = [
    "ODEFunc",
    "NeuralODE",
    "vector_jacobian_products",
    "adjoint_gradients",
    "spiral_trajectory",
]


class ODEFunc(Module):
    r"""An MLP vector field :math:`f_\theta(t, z) = W_2 \tanh(W_1 z + b_1) + b_2` (autonomous).

    Parameters
    ----------
    dim : int
        State dimension.
    hidden : int
        Width of the hidden layer.
    rng : Generator, int or None

    Notes
    -----
    Implements eq-node-ode of the page. The state ``z`` has shape (batch, dim).
    """

    def __init__(self, dim: int, hidden: int = 32, *, rng=None):
        rng = as_rng(rng)
        self.dim = check_int(dim, name="dim", minimum=1)
        self.lin1 = Linear(self.dim, check_int(hidden, name="hidden", minimum=1), rng=rng)
        self.lin2 = Linear(hidden, self.dim, rng=rng)

    def forward(self, t: float, z):
        z = z if isinstance(z, Tensor) else Tensor(np.asarray(z, dtype=float))
        if z.shape[-1] != self.dim:
            raise ValueError(f"z must have shape (batch, {self.dim}) for ODEFunc(dim={self.dim}); got {z.shape}.")
        return self.lin2(self.lin1(z).tanh())                            # (B, dim)


class NeuralODE(Module):
    r"""Integrate :math:`dz/dt = f_\theta(t, z)` from ``z0`` over the times ``t``.

    Parameters
    ----------
    func : ODEFunc (or any Module called as ``func(t, z)``)
    augment : int
        Number of zero dimensions appended to the input (augmented neural ODE); the
        output keeps all dimensions, so read out the ones you need.
    method : {"euler", "rk4", "dopri5"}
    step : float, optional
        Largest step for the fixed-step methods.
    rtol, atol : float
        Tolerances (> 0) for ``dopri5``.

    Notes
    -----
    Implements eq-node-solve of the page: with Tensor states, gradients flow through
    every solver step (backpropagation through the solver).
    """

    def __init__(self, func: Module, *, augment: int = 0, method: str = "rk4", step: float | None = None,
                 rtol: float = 1e-6, atol: float = 1e-9):
        if not isinstance(func, Module):
            raise TypeError(f"func must be a scratch.nn Module called as func(t, z); got {type(func).__name__}.")
        self.func = func
        self.augment = check_int(augment, name="augment", minimum=0)
        self.method = check_option(method, ("euler", "rk4", "dopri5"), name="method")
        self.step = None if step is None else check_positive(step, name="step")
        self.rtol = check_positive(rtol, name="rtol")
        self.atol = check_positive(atol, name="atol")

    def forward(self, z0, t):
        """Trajectory of shape (len(t), batch, dim + augment) as a Tensor."""
        z0 = z0 if isinstance(z0, Tensor) else Tensor(check_array(z0, name="z0", ndim=2))
        if self.augment:
            z0 = concatenate([z0, Tensor(np.zeros((z0.shape[0], self.augment)))], axis=1)   # (B, d + a)
        kw = {"step": self.step} if self.method in ("euler", "rk4") else {"rtol": self.rtol, "atol": self.atol}
        self.last_solution_ = odeint(self.func, z0, t, method=self.method, **kw)
        return self.last_solution_.y


def vector_jacobian_products(func: Module, t: float, z: np.ndarray, a: np.ndarray):
    r"""Evaluate :math:`f(t, z)`, :math:`a^\top \partial f/\partial z` and :math:`a^\top \partial f/\partial\theta` with one backward pass.

    Parameters
    ----------
    func : Module called as ``func(t, z)``
    z, a : ndarray of shape (batch, dim)

    Returns
    -------
    f : ndarray (batch, dim)
    a_dz : ndarray (batch, dim)
    a_dtheta : ndarray of shape (n_parameters,)
        Concatenated over ``func.parameters()`` in order.
    """
    z = check_array(z, name="z", ndim=2)
    a = check_array(a, name="a", ndim=2)
    if a.shape != z.shape:
        raise ValueError(f"a must have the shape of z {z.shape} (one adjoint per state); got {a.shape}.")
    params = func.parameters()
    saved = [p.grad for p in params]
    for p in params:
        p.grad = None
    zt = Tensor(z, requires_grad=True)
    out = func(t, zt)
    (out * Tensor(a)).sum().backward()
    a_dtheta = np.concatenate([(np.zeros_like(p.data) if p.grad is None else p.grad).ravel() for p in params])
    for p, g in zip(params, saved):
        p.grad = g
    return out.data, zt.grad, a_dtheta


def adjoint_gradients(func: Module, t, z_t, dL_dz, *, rtol: float = 1e-8, atol: float = 1e-10):
    r"""Gradients of a loss of the states ``z(t_i)`` by the adjoint method.

    Solves the augmented system backwards in time with Dormand-Prince, starting from
    :math:`a(t_N) = \partial L/\partial z(t_N)` and adding :math:`\partial L/\partial z(t_i)`
    at each earlier observation time.

    Parameters
    ----------
    func : Module called as ``func(t, z)``
    t : array_like of shape (n_times,)
        Increasing observation times.
    z_t : ndarray of shape (n_times, batch, dim)
        The forward solution (only ``z_t[-1]`` is used: the state is re-integrated backwards).
    dL_dz : ndarray of shape (n_times, batch, dim)
    rtol, atol : float
        Tolerances (> 0) of the backward solve.

    Returns
    -------
    dL_dz0 : ndarray of shape (batch, dim)
    dL_dtheta : list of ndarray
        One per parameter of ``func``, with the parameter's shape.
    nfev : int
        Evaluations of the augmented dynamics.

    Notes
    -----
    Implements eq-node-adjoint of the page:
    :math:`\dot a = -a^\top \partial f/\partial z`, :math:`\dot g = -a^\top \partial f/\partial\theta`,
    integrated from :math:`t_N` down to :math:`t_0`; :math:`\partial L/\partial\theta = g(t_0)`.
    Memory does not grow with the number of solver steps.
    """
    rtol = check_positive(rtol, name="rtol")
    atol = check_positive(atol, name="atol")
    t = check_array(t, name="t", ndim=1)
    if t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError(f"t must hold at least two strictly increasing times; got {t}.")
    z_t, dL_dz = np.asarray(z_t, dtype=float), np.asarray(dL_dz, dtype=float)
    if z_t.shape != dL_dz.shape or z_t.shape[0] != t.size:
        raise ValueError(f"z_t and dL_dz must both have shape (n_times={t.size}, batch, dim); "
                         f"got {z_t.shape} and {dL_dz.shape}.")
    shape = z_t.shape[1:]
    n = int(np.prod(shape))
    params = func.parameters()
    n_theta = sum(p.data.size for p in params)

    def augmented(time, state):                                            # (2n + P,)
        z, a = state[:n].reshape(shape), state[n:2 * n].reshape(shape)
        f, a_dz, a_dth = vector_jacobian_products(func, time, z, a)
        return np.concatenate([f.ravel(), -a_dz.ravel(), -a_dth])

    state = np.concatenate([z_t[-1].ravel(), dL_dz[-1].ravel(), np.zeros(n_theta)])
    nfev = 0
    for i in range(t.size - 1, 0, -1):
        sol = odeint(augmented, state, [t[i], t[i - 1]], method="dopri5", rtol=rtol, atol=atol)
        nfev += sol.nfev
        state = sol.y[-1].copy()
        state[n:2 * n] += dL_dz[i - 1].ravel()
    grads, k = [], 2 * n
    for p in params:
        grads.append(state[k:k + p.data.size].reshape(p.data.shape))
        k += p.data.size
    return state[n:2 * n].reshape(shape), grads, nfev


def spiral_trajectory(n_times: int = 100, t_max: float = 10.0, *, noise: float = 0.0, rng=None):
    r"""A damped spiral :math:`\dot z = A z`, :math:`A = [[-0.1, -1], [1, -0.1]]`, from :math:`z_0 = (2, 0)`.

    Returns ``(t, z)`` with shapes (n_times,) and (n_times, 2), computed in closed form
    :math:`z(t) = e^{-0.1 t} R(t) z_0` (rotation :math:`R`), plus optional Gaussian noise.
    """
    n_times = check_int(n_times, name="n_times", minimum=2)
    t = np.linspace(0.0, check_positive(t_max, name="t_max"), n_times)
    z = 2.0 * np.exp(-0.1 * t)[:, None] * np.column_stack([np.cos(t), np.sin(t)])    # (n_times, 2)
    if check_positive(noise, name="noise", strict=False) > 0:
        z = z + as_rng(rng).normal(scale=noise, size=z.shape)
    return t, z
