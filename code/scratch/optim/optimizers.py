"""Gradient-descent optimizers with PyTorch's update rules and defaults.

Every optimizer holds a list of parameters (tensors with ``requires_grad=True``)
and updates ``p.data`` **in place** from ``p.grad`` when :meth:`Optimizer.step`
is called. Parameters whose ``grad`` is None are skipped.

The gradient can come from ``loss.backward()`` or be set by hand, which is
handy for the 2-D toy problems of the optimisation chapter::

    w = Tensor([-1.5, 2.0], requires_grad=True)
    opt = Adam([w], lr=0.1)
    for _ in range(100):
        w.grad = grad_rosenbrock(w.data)   # or: loss = f(w); loss.backward()
        opt.step()

Each optimizer's docstring gives its equations; ``opt.lr`` may be changed at any
time (that is what the schedules in :mod:`scratch.optim.schedules` do).
"""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from scratch._validation import check_positive
from scratch.autograd.tensor import Tensor

__all__ = ["Optimizer", "SGD", "Momentum", "RMSProp", "Adagrad", "Adam", "AdamW"]


def _check_params(params: Iterable[Tensor]) -> list[Tensor]:
    if isinstance(params, Tensor):
        params = [params]
    params = list(params)
    if not params:
        raise ValueError("The optimizer got an empty parameter list; pass model.parameters().")
    seen: set[int] = set()
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(
                f"Optimizer parameters must be Tensors with requires_grad=True; item {i} is "
                f"{type(p).__name__}. Wrap arrays as Tensor(array, requires_grad=True)."
            )
        if not p.requires_grad or p.dtype.kind != "f":
            raise TypeError(
                f"Optimizer parameter {i} (shape {p.shape}, dtype {p.dtype}) must be a float tensor "
                "with requires_grad=True."
            )
        if id(p) in seen:
            raise ValueError(f"Optimizer parameter {i} (shape {p.shape}) appears more than once.")
        seen.add(id(p))
    return params


def _check_beta(value: float, name: str) -> float:
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1); got {value!r}.")
    return float(value)


class Optimizer:
    """Base class: stores the parameters, the learning rate and per-parameter state.

    Subclasses implement ``_update(p, g, state)`` for one parameter.
    """

    def __init__(self, params: Iterable[Tensor], lr: float):
        self.params = _check_params(params)
        self.lr = check_positive(lr, name="lr", strict=False)
        self.state: list[dict[str, Any]] = [{} for _ in self.params]  # one dict per parameter

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to None (the next backward starts fresh)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        for p, state in zip(self.params, self.state):
            if p.grad is not None:
                self._update(p, p.grad, state)

    def _update(self, p: Tensor, g: np.ndarray, state: dict[str, Any]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(n_params={len(self.params)}, lr={self.lr})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.

    Parameters
    ----------
    params : iterable of Tensor
    lr : float, default 1e-3
    momentum : float, default 0
    nesterov : bool, default False
    weight_decay : float, default 0
        L2 penalty: adds ``weight_decay * p`` to the gradient.
    dampening : float, default 0

    Notes
    -----
    Same rule as ``torch.optim.SGD``, with :math:`g \\leftarrow g + \\lambda\\theta`:

    .. math::
        b_t = \\mu b_{t-1} + (1 - \\tau) g_t \\;(b_1 = g_1),

    .. math::
        \\theta \\leftarrow \\theta - \\eta\\,(g_t + \\mu b_t \\text{ if Nesterov else } b_t).
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0.0, *,
                 nesterov: bool = False, weight_decay: float = 0.0, dampening: float = 0.0):
        super().__init__(params, lr)
        self.momentum = check_positive(momentum, name="momentum", strict=False)
        self.weight_decay = check_positive(weight_decay, name="weight_decay", strict=False)
        self.dampening = check_positive(dampening, name="dampening", strict=False)
        if nesterov and (self.momentum == 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0.")
        self.nesterov = bool(nesterov)

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:  # first step: the buffer starts at the gradient
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= self.momentum
                buf += g if self.dampening == 0 else (1 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p.data -= self.lr * g


class Momentum(SGD):
    """SGD with heavy-ball momentum (``momentum=0.9`` by default); see :class:`SGD`."""

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, momentum: float = 0.9, *,
                 nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr, momentum, nesterov=nesterov, weight_decay=weight_decay)


class RMSProp(Optimizer):
    """RMSProp: divide the gradient by a running root-mean-square (``torch.optim.RMSprop``).

    Parameters
    ----------
    params : iterable of Tensor
    lr : float, default 1e-2
    alpha : float, default 0.99
        Decay of the running average of squared gradients.
    eps : float, default 1e-8
        Added to the root mean square (outside the square root).
    weight_decay, momentum : float, default 0
    centered : bool, default False
        Divide by the running standard deviation instead of the RMS.

    Notes
    -----
    .. math::
        s_t = \\alpha s_{t-1} + (1-\\alpha) g_t^2, \\qquad
        \\theta \\leftarrow \\theta - \\eta\\, g_t / (\\sqrt{s_t} + \\epsilon).
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False):
        super().__init__(params, lr)
        self.alpha = _check_beta(alpha, "alpha")
        self.eps = check_positive(eps, name="eps", strict=False)
        self.weight_decay = check_positive(weight_decay, name="weight_decay", strict=False)
        self.momentum = check_positive(momentum, name="momentum", strict=False)
        self.centered = bool(centered)

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if not state:
            state["square_avg"] = np.zeros_like(p.data)
            if self.centered:
                state["grad_avg"] = np.zeros_like(p.data)
            if self.momentum:
                state["momentum_buffer"] = np.zeros_like(p.data)
        square_avg = state["square_avg"]
        square_avg *= self.alpha
        square_avg += (1 - self.alpha) * g * g
        if self.centered:  # subtract the squared running mean: a running variance
            grad_avg = state["grad_avg"]
            grad_avg *= self.alpha
            grad_avg += (1 - self.alpha) * g
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += self.eps
        if self.momentum:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += g / avg
            p.data -= self.lr * buf
        else:
            p.data -= self.lr * g / avg


class Adagrad(Optimizer):
    """Adagrad: per-coordinate steps shrink with the sum of squared gradients (``torch.optim.Adagrad``).

    Notes
    -----
    .. math::
        S_t = S_{t-1} + g_t^2, \\qquad
        \\theta \\leftarrow \\theta - \\frac{\\eta}{1 + (t-1)\\,d}\\; g_t / (\\sqrt{S_t} + \\epsilon).
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10):
        super().__init__(params, lr)
        self.lr_decay = check_positive(lr_decay, name="lr_decay", strict=False)
        self.weight_decay = check_positive(weight_decay, name="weight_decay", strict=False)
        self.initial_accumulator_value = check_positive(
            initial_accumulator_value, name="initial_accumulator_value", strict=False)
        self.eps = check_positive(eps, name="eps", strict=False)

    def _update(self, p, g, state):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p.data, self.initial_accumulator_value)
        state["step"] += 1
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        lr = self.lr / (1 + (state["step"] - 1) * self.lr_decay)
        state["sum"] += g * g
        p.data -= lr * g / (np.sqrt(state["sum"]) + self.eps)


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction.

    Parameters
    ----------
    params : iterable of Tensor
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moment estimates.
    eps : float, default 1e-8
        Added to the bias-corrected root second moment (outside the square root).
    weight_decay : float, default 0
        L2 penalty added to the gradient (see :class:`AdamW` for decoupled decay).

    Notes
    -----
    Same rule as ``torch.optim.Adam``:

    .. math::
        m_t = \\beta_1 m_{t-1} + (1-\\beta_1) g_t, \\quad
        v_t = \\beta_2 v_{t-1} + (1-\\beta_2) g_t^2, \\\\
        \\theta \\leftarrow \\theta - \\frac{\\eta}{1-\\beta_1^t}\\,
        \\frac{m_t}{\\sqrt{v_t}/\\sqrt{1-\\beta_2^t} + \\epsilon}.

    The update runs in place with numpy ``out=`` arguments and one scratch
    buffer per parameter, so a step allocates no new arrays.
    """

    _decoupled = False  # AdamW sets this: decay the weights instead of the gradient

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2); got {betas!r}.")
        self.betas = (_check_beta(betas[0], "betas[0]"), _check_beta(betas[1], "betas[1]"))
        self.eps = check_positive(eps, name="eps", strict=False)
        self.weight_decay = check_positive(weight_decay, name="weight_decay", strict=False)

    def _update(self, p, g, state):
        beta1, beta2 = self.betas
        if self.weight_decay:
            if self._decoupled:
                p.data *= 1 - self.lr * self.weight_decay  # AdamW: shrink the weights
            else:
                g = g + self.weight_decay * p.data  # Adam: L2 penalty in the gradient
        if not state:
            state["step"] = 0
            state["m"] = np.zeros_like(p.data)  # first moment: running mean of g
            state["v"] = np.zeros_like(p.data)  # second moment: running mean of g^2
            state["buf"] = np.empty_like(p.data)  # scratch space reused every step
        state["step"] += 1
        t, m, v, buf = state["step"], state["m"], state["v"], state["buf"]

        m *= beta1  # m = beta1 m + (1 - beta1) g
        np.multiply(g, 1 - beta1, out=buf)
        m += buf
        v *= beta2  # v = beta2 v + (1 - beta2) g^2
        np.multiply(g, g, out=buf)
        buf *= 1 - beta2
        v += buf

        bias1 = 1 - beta1**t
        bias2 = 1 - beta2**t
        np.sqrt(v, out=buf)  # denominator: sqrt(v / bias2) + eps
        buf *= 1 / math.sqrt(bias2)
        buf += self.eps
        np.divide(m, buf, out=buf)  # step direction m / denominator
        buf *= self.lr / bias1
        p.data -= buf


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``; ``weight_decay=1e-2`` by default).

    Notes
    -----
    First :math:`\\theta \\leftarrow \\theta (1 - \\eta\\lambda)`, then the :class:`Adam`
    step without any L2 term in the gradient.
    """

    _decoupled = True

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
