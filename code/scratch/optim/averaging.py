"""Copies and running averages of a network's weights: target networks and EMA models.

* :func:`copy_parameters`: a hard update, ``target <- source`` (the target
  network of DQN, refreshed every few thousand steps);
* :func:`polyak_update`: a soft update, ``target <- tau * source + (1 - tau) * target``
  (the target networks of DDPG/SAC, and the exponential moving average of the
  weights that diffusion models sample with).

Both write into the target's arrays in place, so an optimizer or any other
reference holding the target's parameters sees the new values.
"""

from __future__ import annotations

from numbers import Real
from typing import Any, Iterable

import numpy as np

from scratch.autograd.tensor import Tensor
from scratch.nn.module import Module

__all__ = ["copy_parameters", "polyak_update"]


def _named(obj: Any, role: str) -> tuple[list[tuple[str, Tensor]], list[tuple[str, np.ndarray]]]:
    """(parameters, buffers) of a Module, or the tensors of a list (no buffers)."""
    if isinstance(obj, Module):
        return list(obj.named_parameters()), list(obj.named_buffers())
    if isinstance(obj, Tensor):
        return [("0", obj)], []
    try:
        items = list(obj)
    except TypeError:
        raise TypeError(
            f"{role} must be a Module or an iterable of Tensors; got {type(obj).__name__}."
        ) from None
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{role}: item {i} is {type(t).__name__}, not a Tensor.")
    return [(str(i), t) for i, t in enumerate(items)], []


def _pair(source: Any, target: Any) -> tuple[list[tuple[Tensor, Tensor]], list[tuple[str, str]]]:
    """Matching (source, target) parameters, and the names of matching buffers; checks the architectures."""
    if source is target:
        raise ValueError(
            "source and target are the same object, so the update would do nothing. Make the target a "
            "separate copy first, e.g. target = copy.deepcopy(source)."
        )
    sp, sb = _named(source, "source")
    tp, tb = _named(target, "target")
    if [n for n, _ in sp] != [n for n, _ in tp]:
        s_names, t_names = [n for n, _ in sp], [n for n, _ in tp]
        first = next((i for i, (a, b) in enumerate(zip(s_names, t_names)) if a != b), min(len(sp), len(tp)))
        raise ValueError(
            f"source and target have different architectures: {len(sp)} vs {len(tp)} parameters, first "
            f"difference at position {first} ({s_names[first] if first < len(sp) else '<none>'!r} vs "
            f"{t_names[first] if first < len(tp) else '<none>'!r}). The target must be a copy of the source."
        )
    for (name, s), (_, t) in zip(sp, tp):
        if s.shape != t.shape:
            raise ValueError(
                f"source and target have different architectures: parameter {name!r} has shape {s.shape} in "
                f"the source and {t.shape} in the target."
            )
        if s is t:
            raise ValueError(
                f"parameter {name!r} is shared by source and target (the same Tensor), so the target cannot "
                "lag behind the source. Make the target with copy.deepcopy(source)."
            )
    if [n for n, _ in sb] != [n for n, _ in tb] or any(a.shape != b.shape for (_, a), (_, b) in zip(sb, tb)):
        raise ValueError(
            "source and target have different buffers (e.g. BatchNorm running statistics): "
            f"{[(n, b.shape) for n, b in sb]} vs {[(n, b.shape) for n, b in tb]}."
        )
    return [(s, t) for (_, s), (_, t) in zip(sp, tp)], [(n, n) for n, _ in sb]


def _buffer_arrays(module: Any) -> list[np.ndarray]:
    return [b for _, b in module.named_buffers()] if isinstance(module, Module) else []


def copy_parameters(source: Module | Iterable[Tensor], target: Module | Iterable[Tensor]) -> None:
    """Hard update: copy every parameter (and buffer) of ``source`` into ``target``, in place.

    Parameters
    ----------
    source : Module or iterable of Tensor
        The online network.
    target : Module or iterable of Tensor
        A network of the same architecture (same parameter names and shapes).

    Raises
    ------
    ValueError
        If the architectures differ, or source and target share parameters.

    Notes
    -----
    :math:`\\theta^- \\leftarrow \\theta`: the target network of DQN, refreshed every
    :math:`C` steps. Equals ``polyak_update(source, target, tau=1.0)``.
    """
    pairs, buffers = _pair(source, target)
    for s, t in pairs:
        t.data[...] = s.data
    for s, t in zip(_buffer_arrays(source), _buffer_arrays(target)):
        t[...] = s


def polyak_update(source: Module | Iterable[Tensor], target: Module | Iterable[Tensor], tau: float) -> None:
    """Soft update: move every parameter of ``target`` a fraction ``tau`` towards ``source``, in place.

    Parameters
    ----------
    source : Module or iterable of Tensor
        The online network.
    target : Module or iterable of Tensor
        A network of the same architecture: the running average.
    tau : float in [0, 1]
        Weight of the source. 1 copies it (a hard update); 0 leaves the target unchanged;
        small values (0.005 for SAC, 1 - 0.9999 for an EMA of diffusion weights) average
        over about :math:`1/\\tau` updates.

    Raises
    ------
    ValueError
        If ``tau`` is outside [0, 1], or the architectures differ.

    Notes
    -----
    Polyak averaging, an exponential moving average of the weights with decay
    :math:`1 - \\tau`:

    .. math::
        \\theta^- \\leftarrow \\tau\\,\\theta + (1 - \\tau)\\,\\theta^-.

    Buffers (BatchNorm running statistics) are copied, not averaged, as in
    Stable-Baselines3.
    """
    if isinstance(tau, bool) or not isinstance(tau, (Real, np.floating, np.integer)):
        raise TypeError(f"tau must be a real number in [0, 1]; got {type(tau).__name__}.")
    if not 0.0 <= tau <= 1.0:
        raise ValueError(
            f"tau must be in [0, 1] (the weight of the source in the average); got {tau!r}. "
            "For an EMA with decay d use tau = 1 - d."
        )
    tau = float(tau)
    pairs, _ = _pair(source, target)
    for s, t in pairs:
        t.data *= 1.0 - tau
        t.data += tau * s.data
    for s, t in zip(_buffer_arrays(source), _buffer_arrays(target)):
        t[...] = s
