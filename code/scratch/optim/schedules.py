"""Learning-rate schedules.

Each schedule exists twice:

* as a pure function ``lr = schedule(t, base_lr, ...)`` of the step ``t`` (for plots);
* as a small class that sets ``optimizer.lr`` each time you call ``.step()``,
  like ``torch.optim.lr_scheduler``. It works with any object that has an
  ``lr`` attribute.

Typical use::

    opt = Adam(model.parameters(), lr=3e-4)
    sched = WarmupCosineLR(opt, warmup_steps=100, total_steps=2000)
    for step in range(2000):
        ...; opt.step(); sched.step()
"""

from __future__ import annotations

import math
from typing import Any, Callable

from scratch._validation import check_int, check_positive

__all__ = [
    "step_decay",
    "exponential_decay",
    "cosine_decay",
    "warmup_cosine",
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "WarmupCosineLR",
]


# ---- schedules as functions of the step t --------------------------------------------


def _check_rate(value: Any, name: str) -> float:
    """A learning rate: a finite number >= 0 (a schedule may legitimately reach 0)."""
    rate = check_positive(value, name=name, strict=False)
    if not math.isfinite(rate):
        raise ValueError(f"{name} must be finite; got {value}.")
    return rate


def _check_schedule(t: Any, base_lr: Any, min_lr: Any = 0.0) -> tuple[int, float, float]:
    t = check_int(t, name="t (the step index)", minimum=0)
    base_lr = _check_rate(base_lr, "base_lr")
    min_lr = _check_rate(min_lr, "min_lr")
    if min_lr > base_lr:
        raise ValueError(f"min_lr ({min_lr}) must not exceed base_lr ({base_lr}): the schedule would raise the "
                         "learning rate instead of decaying it. Swap them or lower min_lr.")
    return t, base_lr, min_lr


def step_decay(t: int, base_lr: float, step_size: int, gamma: float = 0.1) -> float:
    """``base_lr * gamma ** (t // step_size)``: multiply by ``gamma`` every ``step_size`` steps."""
    t, base_lr, _ = _check_schedule(t, base_lr)
    step_size = check_int(step_size, name="step_size", minimum=1)
    gamma = check_positive(gamma, name="gamma")
    return base_lr * gamma ** (t // step_size)


def exponential_decay(t: int, base_lr: float, gamma: float) -> float:
    """``base_lr * gamma ** t``."""
    t, base_lr, _ = _check_schedule(t, base_lr)
    gamma = check_positive(gamma, name="gamma")
    return base_lr * gamma**t


def cosine_decay(t: int, base_lr: float, total_steps: int, min_lr: float = 0.0) -> float:
    """Half a cosine from ``base_lr`` (t = 0) to ``min_lr`` (t >= total_steps), then flat.

    Notes
    -----
    :math:`\\eta_t = \\eta_{min} + \\tfrac12(\\eta_0 - \\eta_{min})(1 + \\cos(\\pi t / T))`.
    """
    t, base_lr, min_lr = _check_schedule(t, base_lr, min_lr)
    total_steps = check_int(total_steps, name="total_steps", minimum=1)
    progress = min(t, total_steps) / total_steps
    return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * progress))


def warmup_cosine(t: int, base_lr: float, warmup_steps: int, total_steps: int, min_lr: float = 0.0) -> float:
    """Linear warmup over ``warmup_steps`` (``base_lr * (t + 1) / warmup_steps``), then cosine decay.

    The cosine runs from ``base_lr`` at ``t = warmup_steps`` to ``min_lr`` at
    ``t = total_steps`` and stays there.
    """
    t, base_lr, min_lr = _check_schedule(t, base_lr, min_lr)
    warmup_steps = check_int(warmup_steps, name="warmup_steps", minimum=0)
    total_steps = check_int(total_steps, name="total_steps", minimum=1)
    if t < warmup_steps:
        return base_lr * (t + 1) / warmup_steps
    return cosine_decay(t - warmup_steps, base_lr, max(total_steps - warmup_steps, 1), min_lr)


# ---- schedules as objects that drive an optimizer -------------------------------------


class LRScheduler:
    """Base class: ``optimizer.lr = self.lr_at(t)`` with ``t`` counted by :meth:`step`.

    On construction the learning rate is set to ``lr_at(0)`` (with
    ``base_lr = optimizer.lr``), as PyTorch does.
    """

    def __init__(self, optimizer: Any):
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"The scheduler needs an optimizer with an `lr` attribute; got {type(optimizer).__name__}.")
        self.optimizer = optimizer
        self.base_lr = float(optimizer.lr)
        self.t = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, t: int) -> float:
        raise NotImplementedError

    def step(self) -> float:
        """Advance one step and set (and return) the new learning rate."""
        self.t += 1
        self.optimizer.lr = self.lr_at(self.t)
        return self.optimizer.lr

    def get_last_lr(self) -> float:
        return self.optimizer.lr


class LambdaLR(LRScheduler):
    """``lr = base_lr * factor(t)`` for any function ``factor``."""

    def __init__(self, optimizer: Any, factor: Callable[[int], float]):
        if not callable(factor):
            raise TypeError(f"factor must be a function of the step index; got {type(factor).__name__}.")
        self.factor = factor
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return _check_rate(self.base_lr * self.factor(t), f"the learning rate at step {t} (base_lr * factor(t))")


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps (:func:`step_decay`)."""

    def __init__(self, optimizer: Any, step_size: int, gamma: float = 0.1):
        self.step_size = check_int(step_size, name="step_size", minimum=1)
        self.gamma = check_positive(gamma, name="gamma")
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return step_decay(t, self.base_lr, self.step_size, self.gamma)


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every step (:func:`exponential_decay`)."""

    def __init__(self, optimizer: Any, gamma: float):
        self.gamma = check_positive(gamma, name="gamma")
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return exponential_decay(t, self.base_lr, self.gamma)


class CosineAnnealingLR(LRScheduler):
    """Cosine from ``base_lr`` to ``eta_min`` over ``T_max`` steps (:func:`cosine_decay`).

    Matches ``torch.optim.lr_scheduler.CosineAnnealingLR`` for ``t <= T_max``;
    afterwards it stays at ``eta_min`` (PyTorch's goes back up).
    """

    def __init__(self, optimizer: Any, T_max: int, eta_min: float = 0.0):
        self.T_max = check_int(T_max, name="T_max", minimum=1)
        self.eta_min = check_positive(eta_min, name="eta_min", strict=False)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return cosine_decay(t, self.base_lr, self.T_max, self.eta_min)


class WarmupCosineLR(LRScheduler):
    """Linear warmup then cosine decay (:func:`warmup_cosine`), the usual schedule for transformers."""

    def __init__(self, optimizer: Any, warmup_steps: int, total_steps: int, min_lr: float = 0.0):
        self.warmup_steps = check_int(warmup_steps, name="warmup_steps", minimum=0)
        self.total_steps = check_int(total_steps, name="total_steps", minimum=warmup_steps + 1)
        self.min_lr = check_positive(min_lr, name="min_lr", strict=False)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return warmup_cosine(t, self.base_lr, self.warmup_steps, self.total_steps, self.min_lr)
