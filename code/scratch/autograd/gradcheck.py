"""Check analytic gradients against central finite differences.

Every backward formula in :mod:`scratch.autograd.tensor` is tested with
:func:`gradcheck`; use it for any new operation you write.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_positive
from scratch.autograd.tensor import Tensor, no_grad

__all__ = ["GradcheckError", "numerical_grad", "gradcheck"]


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when analytic and numerical gradients disagree."""


def _check_inputs(inputs: Sequence[Tensor]) -> list[Tensor]:
    inputs = list(inputs)
    if not inputs or not all(isinstance(t, Tensor) for t in inputs):
        raise TypeError("gradcheck: `inputs` must be a non-empty sequence of Tensors.")
    for i, t in enumerate(inputs):
        if t.requires_grad and t.dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} has dtype {t.dtype}; finite differences need float64 "
                "(float32 rounding swamps eps). Create it with dtype=np.float64."
            )
    return inputs


def numerical_grad(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    cotangent: np.ndarray,
    eps: float = 1e-6,
) -> list[np.ndarray | None]:
    """Central-difference gradient of ``sum(fn(*inputs) * cotangent)``.

    Notes
    -----
    :math:`\\partial f/\\partial x_i \\approx (f(x + \\epsilon e_i) - f(x - \\epsilon e_i)) / 2\\epsilon`,
    with error :math:`O(\\epsilon^2)`. Inputs with ``requires_grad=False`` are
    constants (their entry is None).
    """
    inputs = _check_inputs(inputs)
    eps = check_positive(eps, name="eps")
    cotangent = np.asarray(cotangent)
    grads: list[np.ndarray | None] = []
    with no_grad():
        for t in inputs:
            if not t.requires_grad:
                grads.append(None)
                continue
            g = np.zeros_like(t.data)
            for idx in np.ndindex(t.shape):
                original = t.data[idx]
                t.data[idx] = original + eps
                out = fn(*inputs).data
                if cotangent.shape != out.shape and cotangent.size != 1:
                    raise ValueError(f"numerical_grad: cotangent has shape {cotangent.shape} but fn's output "
                                     f"has shape {out.shape}; they must match.")
                f_plus = float(np.sum(out * cotangent))
                t.data[idx] = original - eps
                f_minus = float(np.sum(fn(*inputs).data * cotangent))
                t.data[idx] = original
                g[idx] = (f_plus - f_minus) / (2 * eps)
            grads.append(g)
    return grads


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    rng: RNG = 0,
    raise_exception: bool = True,
) -> bool:
    """Compare ``backward()`` of ``fn`` with central finite differences.

    A non-scalar output is contracted with a fixed random cotangent ``v``
    (drawn from ``rng``), so the check covers the whole vector-Jacobian product
    ``v^T J`` rather than one output.

    Parameters
    ----------
    fn : callable
        Maps the input Tensors to an output Tensor.
    inputs : sequence of Tensor
        float64 tensors; those with ``requires_grad=True`` are checked.
    eps : float
        Finite-difference step.
    atol, rtol : float
        Gradients agree when ``|analytic - numerical| <= atol + rtol * |numerical|``.
    rng : np.random.Generator, int or None
        Source of the cotangent.
    raise_exception : bool
        Raise :class:`GradcheckError` on a mismatch (default); otherwise return False.

    Returns
    -------
    bool
        True when every gradient agrees.
    """
    inputs = _check_inputs(inputs)
    check_positive(eps, name="eps")
    check_positive(atol, name="atol", strict=False)
    check_positive(rtol, name="rtol", strict=False)
    if not any(t.requires_grad for t in inputs):
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check.")
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor; got {type(out).__name__}.")
    cotangent = as_rng(rng).standard_normal(out.shape)
    for t in inputs:
        t.grad = None
    out.backward(cotangent)
    numerical = numerical_grad(fn, inputs, cotangent, eps)
    for i, (t, num) in enumerate(zip(inputs, numerical)):
        if num is None:
            continue
        ana = t.grad if t.grad is not None else np.zeros_like(t.data)
        if not np.allclose(ana, num, atol=atol, rtol=rtol):
            err = np.abs(ana - num)
            worst = np.unravel_index(np.argmax(err), err.shape) if err.ndim else ()
            if raise_exception:
                raise GradcheckError(
                    f"gradcheck failed for input {i} (shape {t.shape}): at index {worst} the analytic "
                    f"gradient is {ana[worst]:.6g} but finite differences give {num[worst]:.6g} "
                    f"(max abs error {err.max():.3g}, atol={atol}, rtol={rtol})."
                )
            return False
    return True
