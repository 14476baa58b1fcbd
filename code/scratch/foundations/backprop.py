"""Backpropagation with matrices: a two-layer MLP differentiated by hand ("backprop ninja").

The chapter ``book/foundations/backprop.md`` derives every line of
:func:`manual_backward`; the equation labels in the *Notes* sections match the
page. The network is

.. code-block:: text

    Z1 = X W1 + b1      (n, h)   pre-activations, b1 broadcast over the rows
    H  = tanh(Z1)       (n, h)
    Z2 = H W2 + b2      (n, c)   logits
    L  = mean_i [ logsumexp(Z2_i) - Z2_{i, y_i} ]     softmax cross-entropy

:func:`mlp_forward` and :func:`manual_backward` are pure numpy;
:func:`engine_gradients` computes the same gradients with
:class:`scratch.autograd.Tensor`, built from its primitives (``@``, ``+``,
``tanh``) and the fused ``cross_entropy``, so the two can be compared.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int
from scratch.autograd.tensor import Tensor, cross_entropy

__all__ = ["PARAM_NAMES", "init_params", "mlp_forward", "manual_backward", "engine_gradients"]

PARAM_NAMES = ("W1", "b1", "W2", "b2")


def init_params(n_in: int, n_hidden: int, n_out: int, *, rng: RNG = None,
                dtype: Any = np.float64) -> dict[str, np.ndarray]:
    """Random parameters of the two-layer MLP.

    Weights are drawn from :math:`\\mathcal N(0, 1/\\text{fan-in})`, biases from
    :math:`\\mathcal N(0, 0.1^2)` (non-zero, so that their gradients are tested too).

    Returns
    -------
    dict
        ``W1`` (n_in, n_hidden), ``b1`` (n_hidden,), ``W2`` (n_hidden, n_out), ``b2`` (n_out,).
    """
    n_in = check_int(n_in, name="n_in", minimum=1)
    n_hidden = check_int(n_hidden, name="n_hidden", minimum=1)
    n_out = check_int(n_out, name="n_out", minimum=2)
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"dtype must be a floating-point dtype; got {np.dtype(dtype)}.")
    rng = as_rng(rng)
    params = {
        "W1": rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in),
        "b1": 0.1 * rng.standard_normal(n_hidden),
        "W2": rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden),
        "b2": 0.1 * rng.standard_normal(n_out),
    }
    return {k: v.astype(dtype) for k, v in params.items()}


def _check_inputs(X: Any, y: Any, params: Any) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise TypeError(
            f"params must be a dict with keys {PARAM_NAMES}; got {got}. Create it with init_params()."
        )
    P = {k: np.asarray(params[k]) for k in PARAM_NAMES}
    dtype = P["W1"].dtype
    if dtype.kind != "f" or any(p.dtype != dtype for p in P.values()):
        raise TypeError(
            f"all parameters must share one float dtype; got {[str(p.dtype) for p in P.values()]}."
        )
    X = check_array(X, name="X", ndim=2, dtype=dtype)
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels; got dtype {y.dtype}. Convert with y.astype(int).")
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"y must have shape ({len(X)},) to match X; got {y.shape}.")
    d, h = P["W1"].shape if P["W1"].ndim == 2 else (None, None)
    if (P["W1"].ndim != 2 or X.shape[1] != d or P["b1"].shape != (h,) or P["W2"].ndim != 2
            or P["W2"].shape[0] != h or P["b2"].shape != (P["W2"].shape[1],)):
        raise ValueError(
            "parameter shapes do not fit: expected W1 (n_features, h), b1 (h,), W2 (h, c), b2 (c,) with "
            f"n_features = X.shape[1] = {X.shape[1]}; got "
            + ", ".join(f"{k} {P[k].shape}" for k in PARAM_NAMES) + "."
        )
    c = P["W2"].shape[1]
    if y.min() < 0 or y.max() >= c:
        raise ValueError(f"y must hold labels in [0, {c}); got values in [{y.min()}, {y.max()}].")
    return X, y, P


def mlp_forward(X: Any, y: Any, params: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """Forward pass of the two-layer MLP, keeping what the backward pass needs.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of int, shape (n_samples,)
        Class labels in ``[0, n_classes)``.
    params : dict
        ``W1`` (n_features, n_hidden), ``b1`` (n_hidden,), ``W2`` (n_hidden, n_classes),
        ``b2`` (n_classes,), all of one float dtype.

    Returns
    -------
    loss : float
        Mean softmax cross-entropy.
    cache : dict
        ``X``, ``y``, ``H`` (n, h) hidden activations, ``P`` (n, c) softmax probabilities.

    Notes
    -----
    ``eq-bp-forward`` and the stable ``eq-bp-logsumexp``: each row of logits is
    shifted by its maximum before exponentiating.
    """
    X, y, P = _check_inputs(X, y, params)
    n = len(X)
    H = np.tanh(X @ P["W1"] + P["b1"])  # (n, h)
    Z2 = H @ P["W2"] + P["b2"]  # (n, c) logits
    shifted = Z2 - Z2.max(axis=1, keepdims=True)  # (n, c), row max is 0
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (n, 1)
    logp = shifted - log_norm  # (n, c) log-softmax
    loss = -logp[np.arange(n), y].mean()
    return float(loss), {"X": X, "y": y, "H": H, "P": np.exp(logp)}


def manual_backward(X: Any, y: Any, params: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and every gradient of the two-layer MLP, derived by hand (no autograd).

    Parameters
    ----------
    X, y, params
        As in :func:`mlp_forward`.

    Returns
    -------
    loss : float
    grads : dict of ndarray
        ``dL/d`` each of ``W1`` (d, h), ``b1`` (h,), ``W2`` (h, c), ``b2`` (c,), and of the
        intermediates ``Z2`` (n, c) logits, ``H`` (n, h) and ``Z1`` (n, h) pre-activations.

    Notes
    -----
    With :math:`G = \\partial L/\\partial \\text{output}` of each step:

    * ``eq-bp-softmax-ce``: :math:`\\partial L/\\partial Z_2 = (P - Y)/n`, with :math:`Y` one-hot;
    * ``eq-bp-matmul``: for :math:`Z = AB`, :math:`\\partial L/\\partial A = G B^\\top` and
      :math:`\\partial L/\\partial B = A^\\top G`;
    * ``eq-bp-bias``: a bias broadcast over the rows gets the column sums of :math:`G`;
    * ``eq-bp-tanh``: :math:`\\partial L/\\partial Z_1 = G \\odot (1 - H^2)`.
    """
    loss, cache = mlp_forward(X, y, params)
    X, y, H, P = cache["X"], cache["y"], cache["H"], cache["P"]
    n = len(X)
    dZ2 = P.copy()  # (n, c)
    dZ2[np.arange(n), y] -= 1  # P - Y
    dZ2 /= n  # the mean over samples
    dW2 = H.T @ dZ2  # (h, c)
    db2 = dZ2.sum(axis=0)  # (c,)
    dH = dZ2 @ params["W2"].T  # (n, h)
    dZ1 = dH * (1 - H * H)  # (n, h)
    dW1 = X.T @ dZ1  # (d, h)
    db1 = dZ1.sum(axis=0)  # (h,)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "Z2": dZ2, "H": dH, "Z1": dZ1}


def engine_gradients(X: Any, y: Any, params: dict[str, np.ndarray]) -> tuple[float, dict[str, np.ndarray]]:
    """The same loss and gradients as :func:`manual_backward`, computed by :class:`Tensor`.

    The forward pass uses the engine's primitives (``@``, broadcasting ``+``,
    ``tanh``) and its fused ``cross_entropy``; ``retain_grad()`` keeps the
    gradients of the intermediates ``Z1``, ``H`` and ``Z2``. Returns the same
    ``(loss, grads)`` structure.
    """
    X, y, P = _check_inputs(X, y, params)
    T = {k: Tensor(v.copy(), requires_grad=True) for k, v in P.items()}
    Z1 = (Tensor(X) @ T["W1"] + T["b1"]).retain_grad()  # (n, h)
    H = Z1.tanh().retain_grad()  # (n, h)
    Z2 = (H @ T["W2"] + T["b2"]).retain_grad()  # (n, c)
    loss = cross_entropy(Z2, y)
    loss.backward()
    grads = {k: T[k].grad for k in PARAM_NAMES}
    grads.update(Z2=Z2.grad, H=H.grad, Z1=Z1.grad)
    return loss.item(), grads
