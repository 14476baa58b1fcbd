"""Derivatives and the chain rule: finite differences and training a scalar-autograd MLP.

The chapter ``book/foundations/derivatives.md`` derives what this module computes;
the equation labels in the *Notes* sections match the page. The scalar autograd
engine itself is :class:`scratch.autograd.Value`; this module adds

* finite-difference derivatives (:func:`forward_difference`,
  :func:`central_difference`, :func:`numerical_gradient`) and the step-size
  analysis of their error (:func:`difference_errors`, :func:`optimal_step`),
* :func:`value_gradients`, which runs reverse mode on a function of Values,
* :func:`train_value_mlp` and :func:`predict_value_mlp`, a full-batch training loop
  for the Value :class:`~scratch.autograd.value_nn.MLP` (max-margin loss, labels +-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from scratch._validation import check_array, check_int, check_option, check_positive, check_X_y
from scratch.autograd.value import Value
from scratch.autograd.value_nn import MLP

__all__ = [
    "forward_difference",
    "central_difference",
    "numerical_gradient",
    "difference_errors",
    "optimal_step",
    "value_gradients",
    "ValueTrainingHistory",
    "train_value_mlp",
    "predict_value_mlp",
    "value_mlp_weights",
]


def _check_callable(f: Any, name: str = "f") -> None:
    if not callable(f):
        raise TypeError(f"{name} must be a function of x (a callable); got {type(f).__name__}.")


def _check_x(x: Any) -> np.ndarray:
    """``x`` as a finite float array of any shape (a float stays 0-d); the dtype is kept if floating."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiu" or arr.dtype.kind == "b":
        raise TypeError(f"x must be a real number or a float array; got dtype {arr.dtype} from {type(x).__name__}.")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError("x is empty; pass at least one point at which to differentiate.")
    if not np.all(np.isfinite(arr)):
        raise ValueError("x contains NaN or infinite values; derivatives need finite points.")
    return arr


def _check_step(h: Any) -> float:
    return check_positive(h, name="h")


def forward_difference(f: Callable, x: Any, h: float = 1e-6) -> np.ndarray | float:
    """Forward-difference derivative ``(f(x + h) - f(x)) / h``.

    Parameters
    ----------
    f : callable
        A function of one real variable; applied elementwise if ``x`` is an array
        (e.g. ``np.sin``).
    x : float or ndarray of any shape
        Point(s) at which to differentiate. The arithmetic uses ``x``'s float dtype
        (float32 input is differentiated in float32).
    h : float, default 1e-6
        Step size, > 0.

    Returns
    -------
    float or ndarray, same shape as ``x``

    Notes
    -----
    ``eq-deriv-forward``: by Taylor's theorem the truncation error is
    :math:`\\tfrac{h}{2} f''(x) + O(h^2)`, i.e. first order in ``h``.
    """
    _check_callable(f)
    x = _check_x(x)
    h = _check_step(h)
    step = x.dtype.type(h)
    d = (np.asarray(f(x + step)) - np.asarray(f(x))) / step
    return d.item() if d.ndim == 0 else d


def central_difference(f: Callable, x: Any, h: float = 1e-5) -> np.ndarray | float:
    """Central-difference derivative ``(f(x + h) - f(x - h)) / (2h)``.

    Parameters
    ----------
    f : callable
        A function of one real variable; applied elementwise if ``x`` is an array.
    x : float or ndarray of any shape
        Point(s) at which to differentiate (arithmetic in ``x``'s float dtype).
    h : float, default 1e-5
        Step size, > 0.

    Returns
    -------
    float or ndarray, same shape as ``x``

    Notes
    -----
    ``eq-deriv-central``: the even Taylor terms cancel, leaving the truncation
    error :math:`\\tfrac{h^2}{6} f'''(x) + O(h^4)`, second order in ``h``.
    """
    _check_callable(f)
    x = _check_x(x)
    h = _check_step(h)
    step = x.dtype.type(h)
    d = (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * step)
    return d.item() if d.ndim == 0 else d


def numerical_gradient(f: Callable[[np.ndarray], float], x: Any, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function of a vector.

    Parameters
    ----------
    f : callable
        Maps an ndarray of shape (n,) to a real number.
    x : array_like of shape (n,)
        The point.
    h : float, default 1e-5
        Step size, > 0.

    Returns
    -------
    ndarray of shape (n,)
        :math:`g_i = (f(x + h e_i) - f(x - h e_i)) / 2h` (``eq-deriv-central`` per coordinate).
    """
    _check_callable(f)
    x = check_array(x, name="x", ndim=1)
    h = _check_step(h)
    grad = np.empty_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (_scalar(f(x + e)) - _scalar(f(x - e))) / (2 * h)
    return grad


def _scalar(value: Any) -> float:
    """``f``'s value as a float: numerical_gradient needs a scalar function."""
    arr = np.asarray(value)
    if arr.size != 1 or arr.dtype.kind not in "fiub":
        raise ValueError(f"f must return one real number (a scalar function of x); got {type(value).__name__} "
                         f"of shape {arr.shape}. For a vector function, differentiate each output separately.")
    return float(arr.reshape(()))


def difference_errors(f: Callable, dfdx: Callable, x: float, steps: Any, method: str = "central",
                      dtype: Any = np.float64) -> np.ndarray:
    """Absolute error of a finite-difference derivative for each step size.

    Parameters
    ----------
    f, dfdx : callable
        The function and its exact derivative.
    x : float
        The point.
    steps : array_like of shape (n_steps,)
        Step sizes ``h`` to try, each > 0.
    method : {"central", "forward"}
    dtype : numpy float dtype, default float64
        Precision of the arithmetic (float32 shows the round-off floor sooner).

    Returns
    -------
    ndarray of shape (n_steps,)
        :math:`|D_h f(x) - f'(x)|`, with the exact value computed in float64.

    Notes
    -----
    ``eq-deriv-total-error``: the error is truncation plus round-off,
    roughly :math:`C_1 h^p + C_2\\,\\varepsilon/h` with :math:`p = 1` (forward) or 2 (central).
    """
    _check_callable(f)
    _check_callable(dfdx, "dfdx")
    check_option(method, ("central", "forward"), name="method")
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"dtype must be a floating-point dtype; got {np.dtype(dtype)}.")
    steps = check_array(steps, name="steps", ndim=1)
    if np.any(steps <= 0):
        raise ValueError(f"every step size must be > 0; got min(steps) = {steps.min()}.")
    x_arr = np.asarray(_check_x(x), dtype=dtype)
    rule = central_difference if method == "central" else forward_difference
    exact = float(dfdx(float(x_arr)))
    return np.array([abs(float(rule(f, x_arr, float(h))) - exact) for h in steps])


def optimal_step(method: str = "central", dtype: Any = np.float64) -> float:
    """Order-of-magnitude optimal step ``h*`` for a function with derivatives of order 1.

    Parameters
    ----------
    method : {"central", "forward"}
    dtype : numpy float dtype
        Its machine epsilon :math:`\\varepsilon` sets the round-off.

    Returns
    -------
    float
        :math:`\\sqrt{\\varepsilon}` (forward) or :math:`\\varepsilon^{1/3}` (central).

    Notes
    -----
    ``eq-deriv-optimal-h``: minimising :math:`C_1 h^p + C_2 \\varepsilon / h` over
    ``h`` gives :math:`h^* \\propto \\varepsilon^{1/(p+1)}`; constants of order one are
    dropped, so treat the result as a scale, not an exact optimum.
    """
    check_option(method, ("central", "forward"), name="method")
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"dtype must be a floating-point dtype; got {np.dtype(dtype)}.")
    eps = float(np.finfo(dtype).eps)
    return eps ** (1 / 2) if method == "forward" else eps ** (1 / 3)


def value_gradients(fn: Callable[..., Value], *xs: float) -> tuple[float, list[float]]:
    """Evaluate ``fn`` on fresh :class:`Value` leaves and return its value and gradient.

    Parameters
    ----------
    fn : callable
        Maps ``len(xs)`` Values to one Value.
    *xs : float
        The point.

    Returns
    -------
    value : float
    grads : list of float
        :math:`\\partial\\, \\mathrm{fn} / \\partial x_i`, by reverse mode (``eq-deriv-reverse``).
    """
    _check_callable(fn, "fn")
    if not xs:
        raise ValueError("value_gradients needs at least one input value.")
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"fn must return a Value; got {type(out).__name__}. Build it from its Value arguments.")
    out.backward()
    return out.data, [v.grad for v in leaves]


@dataclass
class ValueTrainingHistory:
    """Per-step loss and training accuracy of :func:`train_value_mlp`."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)


def _check_pm1(y: np.ndarray) -> np.ndarray:
    values = set(np.unique(y).tolist())
    if not values <= {-1.0, 1.0}:
        raise ValueError(
            f"y must contain labels -1 and +1 only; got values {sorted(values)[:5]}. "
            "Map 0/1 labels with y = 2 * y - 1."
        )
    if len(values) < 2:
        raise ValueError(f"y contains a single class ({values}); a classifier needs both -1 and +1.")
    return y


def train_value_mlp(model: MLP, X: Any, y: Any, *, n_steps: int = 100, learning_rate: float = 0.5,
                    alpha: float = 1e-4, print_every: int = 0) -> ValueTrainingHistory:
    """Full-batch gradient descent on a Value MLP with the max-margin (hinge) loss.

    Parameters
    ----------
    model : scratch.autograd.value_nn.MLP
        A network with one output; updated in place.
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Labels in {-1, +1}.
    n_steps : int, default 100
        Gradient steps over the whole batch.
    learning_rate : float, default 0.5
        Initial step size; it decays linearly to 10% of itself.
    alpha : float, default 1e-4
        L2 penalty on all parameters.
    print_every : int, default 0
        Print loss and accuracy every this many steps (0: silent).

    Returns
    -------
    ValueTrainingHistory

    Notes
    -----
    ``eq-deriv-hinge``: :math:`L = \\frac1n\\sum_i \\max(0, 1 - y_i s_i) + \\alpha\\lVert\\theta\\rVert^2`,
    where :math:`s_i` is the network's score; every gradient comes from
    ``Value.backward()`` and the update is :math:`\\theta \\leftarrow \\theta - \\eta_t \\nabla L`.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be a scratch.autograd.value_nn.MLP; got {type(model).__name__}.")
    X, y = check_X_y(X, y)
    _check_pm1(y)
    if len(model.layers[0].neurons[0].w) != X.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features but the model expects {len(model.layers[0].neurons[0].w)} inputs."
        )
    if len(model.layers[-1].neurons) != 1:
        raise ValueError("train_value_mlp needs a model with exactly one output (the score s).")
    n_steps = check_int(n_steps, name="n_steps", minimum=1)
    learning_rate = check_positive(learning_rate, name="learning_rate")
    alpha = check_positive(alpha, name="alpha", strict=False)
    print_every = check_int(print_every, name="print_every", minimum=0)
    params = model.parameters()
    rows = [list(map(float, row)) for row in X]
    history = ValueTrainingHistory()
    for step in range(n_steps):
        scores = [model(row) for row in rows]
        losses = [(1 - yi * si).relu() for yi, si in zip(y.tolist(), scores)]
        loss = sum(losses) * (1.0 / len(rows)) + alpha * sum(p * p for p in params)
        model.zero_grad()
        loss.backward()
        eta = learning_rate * (1.0 - 0.9 * step / n_steps)
        for p in params:
            p.data -= eta * p.grad
        acc = float(np.mean([(s.data > 0) == (yi > 0) for s, yi in zip(scores, y)]))
        history.loss.append(loss.data)
        history.accuracy.append(acc)
        if print_every and (step % print_every == 0 or step == n_steps - 1):
            print(f"step {step:4d}: loss {loss.data:.4f}, training accuracy {acc:.1%}")
    return history


def predict_value_mlp(model: MLP, X: Any) -> np.ndarray:
    """Scores of a one-output Value MLP for each row of ``X``: ndarray of shape (n_samples,)."""
    if not isinstance(model, MLP):
        raise TypeError(f"model must be a scratch.autograd.value_nn.MLP; got {type(model).__name__}.")
    X = check_array(X, name="X", ndim=2)
    if len(model.layers[0].neurons[0].w) != X.shape[1]:
        raise ValueError(
            f"X has {X.shape[1]} features but the model expects {len(model.layers[0].neurons[0].w)} inputs."
        )
    return np.array([model(list(map(float, row))).data for row in X])


def value_mlp_weights(model: MLP, which: str = "data") -> list[tuple[np.ndarray, np.ndarray]]:
    """The weights (or their gradients) of a Value MLP as numpy arrays, one ``(W, b)`` pair per layer.

    ``W`` has shape (n_in, n_out), the layout of :class:`scratch.nn.Linear`, so
    layer ``k`` computes ``x @ W + b`` (then tanh, except in the last layer).
    Useful to run the same network on :class:`scratch.autograd.Tensor`.

    Parameters
    ----------
    model : scratch.autograd.value_nn.MLP
    which : {"data", "grad"}
        Return the parameter values or their accumulated gradients.
    """
    if not isinstance(model, MLP):
        raise TypeError(f"model must be a scratch.autograd.value_nn.MLP; got {type(model).__name__}.")
    check_option(which, ("data", "grad"), name="which")
    out = []
    for layer in model.layers:
        W = np.array([[getattr(w, which) for w in n.w] for n in layer.neurons]).T  # (n_in, n_out)
        b = np.array([getattr(n.b, which) for n in layer.neurons])  # (n_out,)
        out.append((W, b))
    return out
