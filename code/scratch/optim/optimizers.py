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
from typing import Any, Callable, Iterable

import numpy as np

from scratch._validation import check_positive
from scratch.autograd.tensor import Tensor

__all__ = ["Optimizer", "SGD", "Momentum", "RMSProp", "Adagrad", "Adam", "AdamW"]


def _check_params(params: Iterable[Tensor], where: str = "") -> list[Tensor]:
    if isinstance(params, Tensor):
        params = [params]
    try:
        params = list(params)
    except TypeError:
        raise TypeError(
            f"Optimizer parameters{where} must be an iterable of Tensors (e.g. model.parameters()); got "
            f"{type(params).__name__}."
        ) from None
    seen: set[int] = set()
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(
                f"Optimizer parameters must be Tensors with requires_grad=True; item {i}{where} is "
                f"{type(p).__name__}. Wrap arrays as Tensor(array, requires_grad=True)."
            )
        if not p.requires_grad or p.dtype.kind != "f":
            raise TypeError(
                f"Optimizer parameter {i}{where} (shape {p.shape}, dtype {p.dtype}) must be a float tensor "
                "with requires_grad=True."
            )
        if id(p) in seen:
            raise ValueError(f"Optimizer parameter {i}{where} (shape {p.shape}) appears more than once.")
        seen.add(id(p))
    return params


def _check_beta(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}.")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be in [0, 1); got {value!r}.")
    return float(value)


def _check_nonneg(value: float, name: str) -> float:
    return check_positive(value, name=name, strict=False)


def _check_dampening(value: float, name: str) -> float:
    d = _check_nonneg(value, name)
    if d > 1:
        raise ValueError(f"{name} must be in [0, 1]; got {d!r}.")
    return d


def _check_eps(value: Any, name: str) -> float:
    return check_positive(value, name=name, strict=True)  # eps = 0 divides 0 by 0 where a gradient is 0


def _check_betas(betas: Any, name: str) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name} must be a pair (beta1, beta2); got {betas!r}.")
    where = name[len("betas"):]
    return _check_beta(betas[0], f"betas[0]{where}"), _check_beta(betas[1], f"betas[1]{where}")


def _as_flag(value: Any, name: str) -> bool:
    return bool(value)


def _check_present(options: dict[str, Any], where: str, checks: dict[str, Callable[[Any, str], Any]]) -> dict[str, Any]:
    """Apply ``checks[key](value, name)`` to each option present, in the order of ``checks``."""
    for key, check in checks.items():
        if key in options:
            options[key] = check(options[key], f"{key}{where}")
    return options


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``step`` and ``zero_grad``.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict
        Either the parameters (``model.parameters()``), or torch-style
        *parameter groups*: dicts with a ``"params"`` entry and any of the
        optimizer's options, which override the defaults for that group::

            groups = [
                {"params": decay,
                 "weight_decay": 0.1},
                {"params": no_decay,
                 "weight_decay": 0.0},
            ]
            AdamW(groups, lr=1e-3)

    defaults : dict
        The options of every group that does not set them (``lr`` included).

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``"params"`` (a list of Tensors) and every option.
    params : list of Tensor
        All parameters, group after group.
    state : dict
        Per-parameter state (moment estimates, step counts), keyed by the parameter.

    Notes
    -----
    Subclasses implement ``_update(p, g, state, group)`` for one parameter and
    ``_check_options(options, where)`` to validate a group's options. ``opt.lr``
    reads or sets the learning rate of every group at once (what the schedules in
    :mod:`scratch.optim.schedules` use); it refuses to guess when the groups have
    different learning rates (use ``opt.param_groups[i]["lr"]`` then).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], defaults: dict[str, Any]):
        self.defaults = self._check_options(dict(defaults), "")
        self.param_groups: list[dict[str, Any]] = []
        self.params: list[Tensor] = []
        self.state: dict[Tensor, dict[str, Any]] = {}
        if isinstance(params, Tensor):
            params = [params]
        try:
            items = list(params)
        except TypeError:
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of Tensors or of parameter-group dicts; "
                f"got {type(params).__name__}."
            ) from None
        if items and all(isinstance(item, dict) for item in items):
            for group in items:
                self.add_param_group(group)
        elif any(isinstance(item, dict) for item in items):
            raise TypeError(
                f"{type(self).__name__}: params mixes Tensors and parameter-group dicts; pass either a list "
                "of Tensors or a list of dicts each with a 'params' entry."
            )
        else:
            self._add_group({"params": items}, labelled=False)
        if not self.params:
            raise ValueError("The optimizer got an empty parameter list; pass model.parameters().")

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add a group: a dict with ``"params"`` and optional per-group options."""
        self._add_group(group, labelled=True)

    def _add_group(self, group: dict[str, Any], labelled: bool) -> None:
        index = len(self.param_groups)
        where = f" (parameter group {index})" if labelled else ""  # error messages name the group
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(
                f"A parameter group must be a dict with a 'params' entry; group {index} is "
                f"{type(group).__name__}{'' if not isinstance(group, dict) else ' without params'}."
            )
        unknown = sorted(set(group) - {"params"} - set(self.defaults))
        if unknown:
            raise ValueError(
                f"Unknown option(s) {', '.join(map(repr, unknown))} in parameter group {index}; "
                f"{type(self).__name__} accepts {', '.join(map(repr, self.defaults))}."
            )
        params = _check_params(group["params"], f" of parameter group {index}" if where else "")
        seen = {id(p) for p in self.params}
        for i, p in enumerate(params):
            if id(p) in seen:
                raise ValueError(
                    f"Parameter {i} of parameter group {index} (shape {p.shape}) is already in another "
                    "group; each parameter may belong to one group only."
                )
        options = {**self.defaults, **{k: v for k, v in group.items() if k != "params"}}
        options = self._check_options(options, where)  # every option, and combinations (Nesterov)
        self.param_groups.append({"params": params, **options})
        self.params.extend(params)

    def _check_options(self, options: dict[str, Any], where: str) -> dict[str, Any]:
        if "lr" in options:
            options["lr"] = check_positive(options["lr"], name=f"lr{where}", strict=False)
        return options

    @property
    def lr(self) -> float:
        """The learning rate shared by every group."""
        rates = {g["lr"] for g in self.param_groups}
        if len(rates) > 1:
            raise AttributeError(
                f"{type(self).__name__}.lr is ambiguous: the parameter groups have different learning rates "
                f"{[g['lr'] for g in self.param_groups]}. Use opt.param_groups[i]['lr']."
            )
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value: float) -> None:
        value = check_positive(value, name="lr", strict=False)
        self.lr  # refuses (with the message above) when the groups disagree
        for g in self.param_groups:
            g["lr"] = value

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to None (the next backward starts fresh)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, with its group's options."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    self._update(p, p.grad, self.state.setdefault(p, {}), group)

    def _update(self, p: Tensor, g: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        if len(self.param_groups) == 1:
            return f"{type(self).__name__}(n_params={len(self.params)}, lr={self.param_groups[0]['lr']})"
        rates = [g["lr"] for g in self.param_groups]
        return f"{type(self).__name__}(n_params={len(self.params)}, n_groups={len(self.param_groups)}, lr={rates})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum and weight decay.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict (parameter groups; see :class:`Optimizer`)
    lr : float, default 1e-3
    momentum : float in [0, 1), default 0
    nesterov : bool, default False
    weight_decay : float, default 0
        L2 penalty: adds ``weight_decay * p`` to the gradient.
    dampening : float in [0, 1], default 0

    Notes
    -----
    Same rule as ``torch.optim.SGD``, with :math:`g \\leftarrow g + \\lambda\\theta`:

    .. math::
        b_t = \\mu b_{t-1} + (1 - \\tau) g_t \\;(b_1 = g_1),

    .. math::
        \\theta \\leftarrow \\theta - \\eta\\,(g_t + \\mu b_t \\text{ if Nesterov else } b_t).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3,
                 momentum: float = 0.0, *, nesterov: bool = False, weight_decay: float = 0.0,
                 dampening: float = 0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov))

    def _check_options(self, options, where):
        options = _check_present(super()._check_options(options, where), where, {
            "momentum": _check_beta, "dampening": _check_dampening, "weight_decay": _check_nonneg})
        if "nesterov" in options:
            options["nesterov"] = bool(options["nesterov"])
            if options["nesterov"] and (options.get("momentum", 0) == 0 or options.get("dampening", 0) != 0):
                raise ValueError(f"Nesterov momentum{where} needs momentum > 0 and dampening = 0.")
        return options

    def _update(self, p, g, state, group):
        momentum, dampening = group["momentum"], group["dampening"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        if momentum:
            buf = state.get("momentum_buffer")
            if buf is None:  # first step: the buffer starts at the gradient
                buf = state["momentum_buffer"] = g.copy()
            else:
                buf *= momentum
                buf += g if dampening == 0 else (1 - dampening) * g
            g = g + momentum * buf if group["nesterov"] else buf
        p.data -= group["lr"] * g


class Momentum(SGD):
    """SGD with heavy-ball momentum (``momentum=0.9`` by default); see :class:`SGD`."""

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3,
                 momentum: float = 0.9, *, nesterov: bool = False, weight_decay: float = 0.0):
        super().__init__(params, lr, momentum, nesterov=nesterov, weight_decay=weight_decay)


class RMSProp(Optimizer):
    """RMSProp: divide the gradient by a running root-mean-square (``torch.optim.RMSprop``).

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict (parameter groups; see :class:`Optimizer`)
    lr : float, default 1e-2
    alpha : float, default 0.99
        Decay of the running average of squared gradients.
    eps : float, default 1e-8
        Added to the root mean square (outside the square root); must be > 0.
    weight_decay, momentum : float, default 0
    centered : bool, default False
        Divide by the running standard deviation instead of the RMS.

    Notes
    -----
    .. math::
        s_t = \\alpha s_{t-1} + (1-\\alpha) g_t^2, \\qquad
        \\theta \\leftarrow \\theta - \\eta\\, g_t / (\\sqrt{s_t} + \\epsilon).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-2,
                 alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                                      centered=centered))

    def _check_options(self, options, where):
        return _check_present(super()._check_options(options, where), where, {
            "alpha": _check_beta, "eps": _check_eps, "weight_decay": _check_nonneg, "momentum": _check_beta,
            "centered": _as_flag})

    def _update(self, p, g, state, group):
        alpha, momentum = group["alpha"], group["momentum"]
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        if not state:
            state["square_avg"] = np.zeros_like(p.data)
        square_avg = state["square_avg"]
        square_avg *= alpha
        square_avg += (1 - alpha) * g * g
        if group["centered"]:  # subtract the squared running mean: a running variance
            grad_avg = state.setdefault("grad_avg", np.zeros_like(p.data))
            grad_avg *= alpha
            grad_avg += (1 - alpha) * g
            avg = np.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg += group["eps"]
        if momentum:
            buf = state.setdefault("momentum_buffer", np.zeros_like(p.data))
            buf *= momentum
            buf += g / avg
            p.data -= group["lr"] * buf
        else:
            p.data -= group["lr"] * g / avg


class Adagrad(Optimizer):
    """Adagrad: per-coordinate steps shrink with the sum of squared gradients (``torch.optim.Adagrad``).

    Notes
    -----
    .. math::
        S_t = S_{t-1} + g_t^2, \\qquad
        \\theta \\leftarrow \\theta - \\frac{\\eta}{1 + (t-1)\\,d}\\; g_t / (\\sqrt{S_t} + \\epsilon).
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-2,
                 lr_decay: float = 0.0, weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    def _check_options(self, options, where):
        return _check_present(super()._check_options(options, where), where, {
            "lr_decay": _check_nonneg, "weight_decay": _check_nonneg, "initial_accumulator_value": _check_nonneg,
            "eps": _check_eps})

    def _update(self, p, g, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(p.data, group["initial_accumulator_value"])
        state["step"] += 1
        if group["weight_decay"]:
            g = g + group["weight_decay"] * p.data
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += g * g
        p.data -= lr * g / (np.sqrt(state["sum"]) + group["eps"])


class Adam(Optimizer):
    """Adam: momentum on the gradient and on its square, with bias correction.

    Parameters
    ----------
    params : iterable of Tensor, or iterable of dict (parameter groups; see :class:`Optimizer`)
    lr : float, default 1e-3
    betas : (float, float), default (0.9, 0.999)
        Decay rates of the first and second moment estimates.
    eps : float, default 1e-8
        Added to the bias-corrected root second moment (outside the square root); must be > 0.
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

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    def _check_options(self, options, where):
        return _check_present(super()._check_options(options, where), where, {
            "betas": _check_betas, "eps": _check_eps, "weight_decay": _check_nonneg})

    def _update(self, p, g, state, group):
        beta1, beta2 = group["betas"]
        lr, weight_decay = group["lr"], group["weight_decay"]
        if weight_decay:
            if self._decoupled:
                p.data *= 1 - lr * weight_decay  # AdamW: shrink the weights
            else:
                g = g + weight_decay * p.data  # Adam: L2 penalty in the gradient
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
        buf += group["eps"]
        np.divide(m, buf, out=buf)  # step direction m / denominator
        buf *= lr / bias1
        p.data -= buf


class AdamW(Adam):
    """Adam with decoupled weight decay (``torch.optim.AdamW``; ``weight_decay=1e-2`` by default).

    Parameter groups give different parameters different decay, e.g. decay the
    weight matrices but not biases and normalisation gains::

        AdamW([{"params": weights, "weight_decay": 0.1},
               {"params": others, "weight_decay": 0.0}],
              lr=3e-4, betas=(0.9, 0.95))

    Notes
    -----
    First :math:`\\theta \\leftarrow \\theta (1 - \\eta\\lambda)`, then the :class:`Adam`
    step without any L2 term in the gradient (:math:`\\eta` and :math:`\\lambda`
    of the parameter's group).
    """

    _decoupled = True

    def __init__(self, params: Iterable[Tensor] | Iterable[dict[str, Any]], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
