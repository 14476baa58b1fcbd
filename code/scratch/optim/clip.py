"""Gradient clipping."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from scratch._validation import check_positive
from scratch.autograd.tensor import Tensor

__all__ = ["clip_grad_norm"]


def clip_grad_norm(params: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0) -> float:
    """Rescale gradients in place so that their joint norm is at most ``max_norm``.

    Parameters
    ----------
    params : iterable of Tensor (or one Tensor)
        Parameters whose ``.grad`` to clip (those without a gradient are ignored).
    max_norm : float
        Largest allowed norm.
    norm_type : float, default 2
        Which p-norm (``float('inf')`` for the max-norm).

    Returns
    -------
    float
        The total norm *before* clipping, as ``torch.nn.utils.clip_grad_norm_`` returns.

    Notes
    -----
    With :math:`\\|g\\| = (\\sum_p \\|g_p\\|^q)^{1/q}` over all parameters, every
    gradient is multiplied by :math:`\\min(1, \\text{max\\_norm} / (\\|g\\| + 10^{-6}))`.
    """
    max_norm = check_positive(max_norm, name="max_norm", strict=False)
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"norm_type must be > 0 (or inf); got {norm_type}.")
    params = [params] if isinstance(params, Tensor) else list(params)
    if not all(isinstance(p, Tensor) for p in params):
        raise TypeError(f"clip_grad_norm needs Tensors (e.g. model.parameters()); got "
                        f"{sorted({type(p).__name__ for p in params})}.")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    if math.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    else:
        per_param = [float(np.linalg.norm(g.ravel(), ord=norm_type)) for g in grads]
        total = float(np.linalg.norm(per_param, ord=norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1.0:
        for g in grads:
            g *= coef
    return total
