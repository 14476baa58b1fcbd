"""Shared test helpers, available to every test module as fixtures."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest


def compare_with_torch(ours: Any, ref: Any, inputs: list[np.ndarray], *, names: dict[str, str] | None = None,
                       transpose: tuple[str, ...] = (), atol: float = 1e-10, seed: int = 0,
                       call: Callable[[Any, list], Any] | None = None) -> dict[str, float]:
    """Copy our module's parameters into a torch module, run both, and compare.

    Parameters
    ----------
    ours : scratch.nn.Module
    ref : torch.nn.Module
        The same layer in torch, float64.
    inputs : list of ndarray
        Positional float inputs; both modules receive them (ours as Tensors, torch as tensors)
        and both get the same random upstream gradient.
    names : dict, optional
        Our parameter name -> torch's, where they differ (default: the same names).
    transpose : tuple of str
        Our parameter names stored transposed relative to torch (e.g. a Linear weight,
        ``(in, out)`` here and ``(out, in)`` in torch).
    atol : float
        Tolerance on outputs, input gradients and parameter gradients.
    call : callable(module, inputs), optional
        How to call a module (default ``module(*inputs)``).

    Returns
    -------
    dict
        The largest absolute difference of the output, of each input gradient and of each
        parameter gradient (the assertions have already passed).
    """
    torch = pytest.importorskip("torch")
    from scratch.autograd import Tensor

    names = names or {}
    theirs = dict(ref.named_parameters())
    with torch.no_grad():
        for name, p in ours.named_parameters():
            data = p.data.T if name in transpose else p.data
            theirs[names.get(name, name)].copy_(torch.from_numpy(np.ascontiguousarray(data)))
    call = call or (lambda module, xs: module(*xs))
    xs = [Tensor(x.copy(), requires_grad=True) for x in inputs]
    ts = [torch.tensor(x, requires_grad=True) for x in inputs]
    out, tout = call(ours, xs), call(ref, ts)
    tout = tout[0] if isinstance(tout, tuple) else tout
    g = np.random.default_rng(seed).normal(size=out.shape)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    diffs = {"output": float(np.max(np.abs(out.data - tout.detach().numpy())))}
    for i, (x, t) in enumerate(zip(xs, ts)):
        diffs[f"input {i} grad"] = float(np.max(np.abs(x.grad - t.grad.numpy())))
    for name, p in ours.named_parameters():
        grad = theirs[names.get(name, name)].grad.numpy()
        diffs[f"{name} grad"] = float(np.max(np.abs(p.grad - (grad.T if name in transpose else grad))))
    bad = {k: v for k, v in diffs.items() if not v <= atol}
    assert not bad, f"differences from torch above {atol}: {bad}"
    return diffs


@pytest.fixture
def torch_compare():
    """``compare_with_torch(ours, ref, inputs, ...)``: copy weights, run both, compare values and gradients."""
    return compare_with_torch
