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

from scratch.optim import averaging, clip, optimizers, schedules
from scratch.optim.averaging import *  # noqa: F401,F403 - copy_parameters, polyak_update
from scratch.optim.clip import *  # noqa: F401,F403 - clip_grad_norm
from scratch.optim.optimizers import *  # noqa: F401,F403 - Optimizer, SGD, ..., AdamW
from scratch.optim.schedules import *  # noqa: F401,F403 - schedule functions and LR schedulers

# Re-exports exactly each submodule's __all__ (no second copy of the name lists).
__all__ = [*optimizers.__all__, *clip.__all__, *averaging.__all__, *schedules.__all__]
