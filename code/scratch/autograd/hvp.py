"""Exact Hessian-vector products for small MLPs (Pearlmutter's R-operator), in numpy.

Second-order MAML needs the derivative of a gradient. Instead of making the Tensor
engine differentiate its own backward pass, this module computes, for a multilayer
perceptron built from the ops ``linear``, ``tanh``/``relu``/identity and a squared-error
loss with ``mean`` or ``sum`` reduction, the loss, its gradient, and the exact product
of its Hessian with any direction ``V``, in one forward and one backward sweep each
(Pearlmutter 1994: apply the directional derivative :math:`R_V\\{\\cdot\\}` to every line
of backpropagation).

Parameters are a list of ``(W, b)`` pairs with ``W`` of shape ``(..., n_in, n_out)``
(input-major, as in :class:`scratch.nn.Linear`) and ``b`` of shape ``(..., n_out)``.
Leading axes ``...`` are an optional batch of independent networks (e.g. one adapted
copy per task in MAML); inputs then have shape ``(..., n_samples, n_in)``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from scratch._validation import check_option

__all__ = ["ACTIVATIONS", "mlp_forward", "mlp_loss_grad", "mlp_hvp"]

ACTIVATIONS = ("tanh", "relu", "identity")

Params = Sequence[tuple[np.ndarray, np.ndarray]]


def _check(params: Params, activations: Sequence[str], X) -> np.ndarray:
    if len(params) == 0 or len(activations) != len(params):
        raise ValueError(f"give one activation per layer: {len(params)} layers, {len(activations)} activations.")
    for a in activations:
        check_option(a, ACTIVATIONS, name="activation")
    X = np.asarray(X, dtype=float)
    if X.ndim < 2 or X.shape[-1] != params[0][0].shape[-2]:
        raise ValueError(f"X must have shape (..., n_samples, {params[0][0].shape[-2]}); got {X.shape}.")
    if not np.isfinite(X).all():
        raise ValueError("X contains NaN or infinite values; remove or impute them first.")
    return X


def _act(name: str, z: np.ndarray):
    """Activation, first and second derivative at z."""
    if name == "tanh":
        a = np.tanh(z)
        d1 = 1.0 - a * a
        return a, d1, -2.0 * a * d1
    if name == "relu":
        d1 = (z > 0).astype(z.dtype)
        return z * d1, d1, np.zeros_like(z)
    return z, np.ones_like(z), np.zeros_like(z)


def _mT(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def mlp_forward(params: Params, X, activations: Sequence[str]) -> np.ndarray:
    """Output of the MLP, shape (..., n_samples, n_out)."""
    a = _check(params, activations, X)
    for (W, b), name in zip(params, activations):
        a = _act(name, a @ W + b[..., None, :])[0]
    return a


def _sweep(params, X, Y, activations, reduction, V=None):
    """Forward, backward and (if V is given) the R-operator of both."""
    X = _check(params, activations, X)
    reduction = check_option(reduction, ("mean", "sum"), name="reduction")
    Y = np.asarray(Y, dtype=float)
    a, Ra = X, np.zeros_like(X)
    cache = []
    for (W, b), name, vb in zip(params, activations, V if V is not None else [None] * len(params)):
        z = a @ W + b[..., None, :]                                   # (..., n, out)
        act, d1, d2 = _act(name, z)
        Rz = Ra @ W + a @ vb[0] + vb[1][..., None, :] if V is not None else None
        cache.append((a, Ra, z, d1, d2, Rz))
        a = act
        Ra = d1 * Rz if V is not None else None
    try:
        ok = np.broadcast_shapes(Y.shape, a.shape) == a.shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"Y must have the output's shape {a.shape}; got {Y.shape}.")
    n_el = a.shape[-2] * a.shape[-1] if reduction == "mean" else 1
    r = a - Y
    loss = np.sum(r * r, axis=(-2, -1)) / n_el                        # (...,)
    g_a = 2.0 * r / n_el                                              # dL/da_L
    Rg_a = 2.0 * Ra / n_el if V is not None else None
    grads, hv = [None] * len(params), [None] * len(params)
    for k in range(len(params) - 1, -1, -1):
        W = params[k][0]
        a_in, Ra_in, z, d1, d2, Rz = cache[k]
        delta = d1 * g_a                                              # dL/dz
        grads[k] = (_mT(a_in) @ delta, delta.sum(axis=-2))
        if V is not None:
            Rdelta = d2 * Rz * g_a + d1 * Rg_a
            hv[k] = (_mT(Ra_in) @ delta + _mT(a_in) @ Rdelta, Rdelta.sum(axis=-2))
            Rg_a = Rdelta @ _mT(W) + delta @ _mT(V[k][0])
        g_a = delta @ _mT(W)
    return loss, grads, hv


def mlp_loss_grad(params: Params, X, Y, activations: Sequence[str], reduction: str = "mean"):
    r"""Squared-error loss of the MLP and its gradient.

    Parameters
    ----------
    params : list of (W, b)
        ``W`` (..., n_in, n_out), ``b`` (..., n_out).
    X : ndarray of shape (..., n_samples, n_in)
    Y : ndarray of shape (..., n_samples, n_out)
    activations : list of {"tanh", "relu", "identity"}, one per layer
    reduction : {"mean", "sum"}
        :math:`L = \frac{1}{N}\sum (f(x) - y)^2` over all N output entries, or the plain sum.

    Returns
    -------
    loss : ndarray of shape (...)
    grads : list of (dW, db) with the parameters' shapes
    """
    loss, grads, _ = _sweep(params, X, Y, activations, reduction)
    return loss, grads


def mlp_hvp(params: Params, X, Y, V: Params, activations: Sequence[str], reduction: str = "mean"):
    r"""Exact Hessian-vector product :math:`H V = \frac{d}{d\epsilon}\nabla L(\theta + \epsilon V)\big|_{\epsilon=0}`.

    Parameters
    ----------
    params, X, Y, activations, reduction
        As in :func:`mlp_loss_grad`.
    V : list of (VW, Vb)
        The direction, with the parameters' shapes.

    Returns
    -------
    loss : ndarray of shape (...)
    grads : list of (dW, db)
    hv : list of (HW, Hb)
        The Hessian of the loss with respect to all parameters, applied to ``V``.

    Notes
    -----
    With :math:`R\{x\} = \frac{d}{d\epsilon} x(\theta + \epsilon V)`, the forward sweep gives
    :math:`R\{z_l\} = R\{a_{l-1}\} W_l + a_{l-1} V_{W_l} + V_{b_l}` and
    :math:`R\{a_l\} = \phi'(z_l) R\{z_l\}`; the backward sweep gives
    :math:`R\{\delta_l\} = \phi''(z_l) R\{z_l\} \odot \partial L/\partial a_l + \phi'(z_l) \odot R\{\partial L/\partial a_l\}`,
    :math:`R\{\partial L/\partial W_l\} = R\{a_{l-1}\}^\top \delta_l + a_{l-1}^\top R\{\delta_l\}` and
    :math:`R\{\partial L/\partial a_{l-1}\} = R\{\delta_l\} W_l^\top + \delta_l V_{W_l}^\top`.
    Cost: about twice a gradient.
    """
    if len(V) != len(params) or any(np.shape(v[0]) != np.shape(p[0]) or np.shape(v[1]) != np.shape(p[1])
                                     for v, p in zip(V, params)):
        raise ValueError("V must have the same structure and shapes as params: a list of (W, b) pairs.")
    return _sweep(params, X, Y, activations, reduction, V=V)
