"""Optimizers, learning-rate schedules and gradient clipping (PyTorch-compatible rules).

* :mod:`scratch.optim.optimizers`: :class:`SGD`, :class:`Momentum`, :class:`RMSProp`,
  :class:`Adagrad`, :class:`Adam`, :class:`AdamW`
* :mod:`scratch.optim.schedules`: step, exponential, cosine and warmup-cosine schedules
* :mod:`scratch.optim.clip`: :func:`clip_grad_norm`
* :mod:`scratch.optim.averaging`: :func:`copy_parameters` (target networks) and
  :func:`polyak_update` (soft updates, EMA of weights)

Every optimizer accepts torch-style parameter groups, e.g.
``AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=1e-3)``.
"""

from scratch.optim.averaging import copy_parameters, polyak_update
from scratch.optim.clip import clip_grad_norm
from scratch.optim.optimizers import SGD, Adagrad, Adam, AdamW, Momentum, Optimizer, RMSProp
from scratch.optim.schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LRScheduler,
    StepLR,
    WarmupCosineLR,
    cosine_decay,
    exponential_decay,
    step_decay,
    warmup_cosine,
)

__all__ = [
    "Optimizer",
    "SGD",
    "Momentum",
    "RMSProp",
    "Adagrad",
    "Adam",
    "AdamW",
    "clip_grad_norm",
    "copy_parameters",
    "polyak_update",
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "WarmupCosineLR",
    "step_decay",
    "exponential_decay",
    "cosine_decay",
    "warmup_cosine",
]
