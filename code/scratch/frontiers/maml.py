"""Meta-learning: MAML (second- and first-order), Reptile and a pretrained baseline on regression tasks.

The chapter ``book/frontiers/maml.md`` derives every equation used here; equation
labels in the *Notes* sections match the page. The network is a numpy MLP whose
exact Hessian-vector products come from :mod:`scratch.autograd.hvp`; a batch of tasks
is a leading axis on every array, so one call adapts a whole meta-batch.
"""

from __future__ import annotations

import math

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_option, check_positive
from scratch.autograd.hvp import mlp_forward, mlp_hvp, mlp_loss_grad
from scratch.nn.module import Parameter
from scratch.optim.optimizers import Adam

__all__ = [
    "ACTIVATIONS",
    "init_mlp",
    "sinusoid_family",
    "random_function_family",
    "sample_points",
    "adapt",
    "maml_meta_gradient",
    "reptile_direction",
    "meta_train",
    "adaptation_curve",
]

ACTIVATIONS = ("relu", "relu", "identity")


def _check_interval(bounds, *, name: str) -> tuple[float, float]:
    """A pair ``(low, high)`` of finite numbers with ``low <= high``."""
    try:
        low, high = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a pair (low, high) of numbers; got {bounds!r}.") from None
    if not (np.isfinite(low) and np.isfinite(high)) or low > high:
        raise ValueError(f"{name} must be a pair (low, high) of finite numbers with low <= high; got {bounds!r}.")
    return low, high


def _check_n_tasks(X, n_tasks: int) -> None:
    if np.ndim(X) != 3 or np.shape(X)[0] != n_tasks:
        raise ValueError(f"a task family drawn with n_tasks={n_tasks} maps X of shape (n_tasks={n_tasks}, n_points, 1); "
                         f"got X of shape {np.shape(X)}. n_tasks must equal the number of tasks the family was drawn with.")


def _check_tasks(params, X, Y, *, names=("X", "Y")) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``X`` (n_tasks, n_points, n_in) and targets ``Y`` (n_tasks, n_points, n_out) for ``params``."""
    n_in, n_out = params[0][0].shape[-2], params[-1][0].shape[-1]
    X = check_array(X, name=names[0], ndim=3)
    Y = check_array(Y, name=names[1], ndim=3)
    if X.shape[-1] != n_in:
        raise ValueError(f"{names[0]} must have shape (n_tasks, n_points, {n_in}) for a network with {n_in} "
                         f"input(s); got {X.shape}.")
    if Y.shape != X.shape[:-1] + (n_out,):
        raise ValueError(f"{names[1]} must have shape {X.shape[:-1] + (n_out,)} to match {names[0]} "
                         f"{X.shape}; got {Y.shape}.")
    return X, Y


def init_mlp(sizes=(1, 40, 40, 1), *, input_std: float = 5 / math.sqrt(3), rng=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """He-initialised weights ``[(W, b), ...]`` with ``W`` (n_in, n_out), for :data:`ACTIVATIONS`.

    He initialisation assumes inputs of unit variance; the first layer is divided by
    ``input_std`` (default: the standard deviation of U(-5, 5)), and the output layer
    starts at a tenth of its He scale so that the initial function is small.
    """
    rng = as_rng(rng)
    sizes = [check_int(s, name="sizes", minimum=1) for s in sizes]
    if len(sizes) != len(ACTIVATIONS) + 1:
        raise ValueError(f"sizes must list {len(ACTIVATIONS) + 1} widths (input, two hidden, output); got {sizes}.")
    scale = [1.0 / check_positive(input_std, name="input_std")] + [1.0] * (len(sizes) - 3) + [0.1]
    return [(rng.normal(size=(a, b)) * math.sqrt(2.0 / a) * s, np.zeros(b))
            for a, b, s in zip(sizes[:-1], sizes[1:], scale)]


# -- task families ------------------------------------------------------------------------------
def sinusoid_family(n_tasks: int, *, amplitude=(0.1, 5.0), phase=(0.0, math.pi), rng=None):
    r"""Sample sinusoid tasks :math:`y = A \sin(x - \varphi)` (Finn et al., 2017).

    Returns a function mapping ``X`` (n_tasks, n_points, 1) to ``Y`` of the same shape,
    with attributes ``amplitude`` and ``phase`` of shape (n_tasks,).
    """
    rng = as_rng(rng)
    n = check_int(n_tasks, name="n_tasks", minimum=1)
    A = rng.uniform(*_check_interval(amplitude, name="amplitude"), size=n)
    phi = rng.uniform(*_check_interval(phase, name="phase"), size=n)

    def f(X):
        _check_n_tasks(X, n)
        return A[:, None, None] * np.sin(X - phi[:, None, None])

    f.amplitude, f.phase = A, phi
    return f


def random_function_family(n_tasks: int, *, n_components: int = 10, max_frequency: float = 3.0, rng=None):
    r"""Tasks with no shared structure: :math:`y = \sum_j c_j \sin(\omega_j x + \varphi_j)` with random
    frequencies :math:`\omega_j \sim U(0, \omega_{\max})`, phases and amplitudes drawn afresh per task.

    The coefficients :math:`c_j \sim N(0, 8/J)` give :math:`y` a variance of about 4, close to
    that of the sinusoid family (:math:`E[A^2]/2 \approx 4.2`), so errors are comparable. Same
    call signature as :func:`sinusoid_family`.
    """
    rng = as_rng(rng)
    n = check_int(n_tasks, name="n_tasks", minimum=1)
    J = check_int(n_components, name="n_components", minimum=1)
    w = rng.uniform(0, check_positive(max_frequency, name="max_frequency"), size=(n, 1, J))
    ph = rng.uniform(0, 2 * math.pi, size=(n, 1, J))
    c = rng.normal(scale=math.sqrt(2.0 / J) * 2.0, size=(n, 1, J))

    def f(X):
        _check_n_tasks(X, n)
        return np.sum(c * np.sin(w * X + ph), axis=-1, keepdims=True)

    return f


def sample_points(task, n_tasks: int, n_points: int, *, x_range=(-5.0, 5.0), rng=None):
    """Inputs ``X`` uniform in ``x_range`` and targets ``task(X)``, both (n_tasks, n_points, 1)."""
    rng = as_rng(rng)
    X = rng.uniform(*_check_interval(x_range, name="x_range"), size=(check_int(n_tasks, name="n_tasks", minimum=1),
                                    check_int(n_points, name="n_points", minimum=1), 1))
    Y = task(X)
    if np.shape(Y) != X.shape:
        raise ValueError(f"task maps X of shape {X.shape} to shape {np.shape(Y)}; n_tasks must equal the number "
                         "of tasks the family was drawn with.")
    return X, Y


# -- inner loop and meta-gradients ------------------------------------------------------------------
def adapt(params, X, Y, *, inner_lr: float = 0.01, inner_steps: int = 1):
    r"""Inner loop: ``inner_steps`` gradient steps on each task's support set.

    Parameters
    ----------
    params : list of (W, b)
        Shared initialisation, unbatched.
    X, Y : ndarray of shape (n_tasks, n_support, 1)
    inner_lr : float
        :math:`\alpha`.
    inner_steps : int

    Returns
    -------
    list of parameter lists, length ``inner_steps + 1``
        :math:`\theta_0, \ldots, \theta_k`, each batched over tasks: ``W`` (n_tasks, n_in, n_out).

    Notes
    -----
    Implements eq-maml-inner of the page:
    :math:`\theta_{j+1} = \theta_j - \alpha \nabla L^{\text{sup}}(\theta_j)`.
    """
    alpha = check_positive(inner_lr, name="inner_lr")
    X, Y = _check_tasks(params, X, Y)
    n_tasks = X.shape[0]
    theta = [(np.broadcast_to(W, (n_tasks,) + W.shape).copy(), np.broadcast_to(b, (n_tasks,) + b.shape).copy())
             for W, b in params]
    path = [theta]
    for _ in range(check_int(inner_steps, name="inner_steps", minimum=0)):
        _, g = mlp_loss_grad(theta, X, Y, ACTIVATIONS)
        theta = [(W - alpha * gW, b - alpha * gb) for (W, b), (gW, gb) in zip(theta, g)]
        path.append(theta)
    return path


def maml_meta_gradient(params, X_sup, Y_sup, X_qry, Y_qry, *, inner_lr: float = 0.01, inner_steps: int = 1,
                       order: str = "second"):
    r"""MAML's meta-loss and meta-gradient, averaged over a batch of tasks.

    Parameters
    ----------
    params : list of (W, b)
    X_sup, Y_sup : ndarray of shape (n_tasks, n_support, 1)
    X_qry, Y_qry : ndarray of shape (n_tasks, n_query, 1)
    inner_lr, inner_steps
        As in :func:`adapt`.
    order : {"second", "first"}
        Exact meta-gradient (with Hessian-vector products) or first-order MAML (drops them).

    Returns
    -------
    meta_loss : float
    grads : list of (dW, db) with the (unbatched) parameters' shapes

    Notes
    -----
    Implements eq-maml-meta-grad of the page: starting from :math:`g = \nabla L^{\text{qry}}(\theta_k)`,
    :math:`g \leftarrow (I - \alpha H^{\text{sup}}(\theta_j))\, g` for :math:`j = k-1, \ldots, 0`,
    each Hessian-vector product exact (:func:`scratch.autograd.hvp.mlp_hvp`). First-order MAML
    (eq-maml-fo) keeps :math:`g = \nabla L^{\text{qry}}(\theta_k)`.
    """
    order = check_option(order, ("second", "first"), name="order")
    X_qry, Y_qry = _check_tasks(params, X_qry, Y_qry, names=("X_qry", "Y_qry"))
    path = adapt(params, X_sup, Y_sup, inner_lr=inner_lr, inner_steps=inner_steps)
    loss, g = mlp_loss_grad(path[-1], X_qry, Y_qry, ACTIVATIONS)            # (T,), batched grads
    if order == "second":
        for theta in reversed(path[:-1]):
            _, _, hv = mlp_hvp(theta, X_sup, Y_sup, g, ACTIVATIONS)
            g = [(gW - inner_lr * hW, gb - inner_lr * hb) for (gW, gb), (hW, hb) in zip(g, hv)]
    return float(np.mean(loss)), [(gW.mean(axis=0), gb.mean(axis=0)) for gW, gb in g]


def reptile_direction(params, X, Y, *, inner_lr: float = 0.01, inner_steps: int = 5):
    r"""Reptile's update direction :math:`\theta - \bar\theta_k` (mean over tasks of the adapted weights).

    Notes
    -----
    Implements eq-maml-reptile of the page; used as a "gradient" by the outer optimiser.
    """
    inner_steps = check_int(inner_steps, name="inner_steps", minimum=1)
    theta_k = adapt(params, X, Y, inner_lr=inner_lr, inner_steps=inner_steps)[-1]
    return [(W - aW.mean(axis=0), b - ab.mean(axis=0)) for (W, b), (aW, ab) in zip(params, theta_k)]


def meta_train(method: str, *, family=sinusoid_family, n_iter: int = 1000, meta_batch: int = 25,
               k_shot: int = 5, n_query: int = 10, inner_lr: float = 0.01, inner_steps: int = 1,
               meta_lr: float = 1e-3, reptile_steps: int = 5, sizes=(1, 40, 40, 1), rng=None):
    """Meta-train an initialisation with ``"maml"``, ``"fomaml"``, ``"reptile"`` or ``"pretrain"``.

    ``"pretrain"`` fits one network to all tasks at once (support and query points pooled,
    no inner loop): the baseline that MAML must beat. The outer optimiser is
    :class:`scratch.optim.optimizers.Adam` with learning rate ``meta_lr``.

    Returns
    -------
    params : list of (W, b)
    history : ndarray of shape (n_iter,)
        The meta-loss (query loss after adaptation; pooled loss for ``"pretrain"``).
    """
    method = check_option(method, ("maml", "fomaml", "reptile", "pretrain"), name="method")
    rng = as_rng(rng)
    params = [(Parameter(W), Parameter(b)) for W, b in init_mlp(sizes, rng=rng)]
    flat = [p for pair in params for p in pair]
    opt = Adam(flat, lr=check_positive(meta_lr, name="meta_lr"))
    history = []
    for _ in range(check_int(n_iter, name="n_iter", minimum=1)):
        task = family(check_int(meta_batch, name="meta_batch", minimum=1), rng=rng)
        X, Y = sample_points(task, meta_batch, check_int(k_shot, name="k_shot", minimum=1) + n_query, rng=rng)
        Xs, Ys, Xq, Yq = X[:, :k_shot], Y[:, :k_shot], X[:, k_shot:], Y[:, k_shot:]
        theta = [(W.data, b.data) for W, b in params]
        if method in ("maml", "fomaml"):
            loss, grads = maml_meta_gradient(theta, Xs, Ys, Xq, Yq, inner_lr=inner_lr, inner_steps=inner_steps,
                                             order="second" if method == "maml" else "first")
        elif method == "reptile":
            grads = reptile_direction(theta, X, Y, inner_lr=inner_lr, inner_steps=reptile_steps)
            loss = float(np.mean(mlp_loss_grad(theta, X, Y, ACTIVATIONS)[0]))
        else:
            l, g = mlp_loss_grad(theta, X, Y, ACTIVATIONS)
            loss, grads = float(np.mean(l)), [(gW.mean(axis=0), gb.mean(axis=0)) for gW, gb in g]
        for p, gr in zip(flat, [x for pair in grads for x in pair]):
            p.grad = np.ascontiguousarray(gr)
        opt.step()
        history.append(loss)
    return [(W.data.copy(), b.data.copy()) for W, b in params], np.array(history)


def adaptation_curve(params, *, family=sinusoid_family, n_tasks: int = 100, k_shot: int = 5,
                     n_test: int = 100, inner_lr: float = 0.01, max_steps: int = 10, rng=None) -> np.ndarray:
    """Mean squared error on fresh test points after 0..max_steps gradient steps on ``k_shot`` points.

    Returns an array of shape (max_steps + 1,), averaged over ``n_tasks`` new tasks.
    """
    rng = as_rng(rng)
    task = family(check_int(n_tasks, name="n_tasks", minimum=1), rng=rng)
    Xs, Ys = sample_points(task, n_tasks, k_shot, rng=rng)
    Xt, Yt = sample_points(task, n_tasks, check_int(n_test, name="n_test", minimum=1), rng=rng)
    path = adapt(params, Xs, Ys, inner_lr=inner_lr, inner_steps=check_int(max_steps, name="max_steps", minimum=0))
    return np.array([np.mean((mlp_forward(theta, Xt, ACTIVATIONS) - Yt) ** 2) for theta in path])
