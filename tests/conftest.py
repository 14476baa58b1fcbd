"""Shared test helpers, available to every test module as fixtures."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest


def _flatten(out: Any) -> list:
    """Tensors of a (possibly nested) tuple/list output, in order."""
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flatten(o)]
    return [out]


def _excess(ours: np.ndarray, theirs: np.ndarray, rtol: float) -> float:
    """Largest |ours - theirs| - rtol * |theirs| (the part of the error the atol must cover)."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape:
        return float("inf")
    return float(np.max(np.abs(ours - theirs) - rtol * np.abs(theirs), initial=0.0))


def copy_params_to_torch(ours: Any, ref: Any, *, names: dict[str, str] | None = None, transpose: tuple[str, ...] = (),
                         param_map: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]] | None = None
                         ) -> Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """Copy our module's parameters into a torch module (checking that every torch parameter is set).

    ``names``, ``transpose`` and ``param_map`` as in `compare_with_torch`. Returns the map from our
    ``{name: array}`` to torch's, to apply to our gradients when comparing them with torch's.
    """
    torch = pytest.importorskip("torch")
    names = names or {}

    def to_torch(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if param_map is not None:
            return param_map(arrays)
        return {names.get(n, n): (a.T if n in transpose else a) for n, a in arrays.items()}

    theirs = dict(ref.named_parameters())
    values = to_torch({n: p.data for n, p in ours.named_parameters()})
    unknown, missing = set(values) - set(theirs), set(theirs) - set(values)
    assert not unknown and not missing, (f"parameter names do not line up: not in torch {sorted(unknown)}, "
                                         f"torch parameters left unset {sorted(missing)}")
    with torch.no_grad():
        for name, data in values.items():
            assert tuple(theirs[name].shape) == np.shape(data), (
                f"{name}: torch shape {tuple(theirs[name].shape)}, ours maps to {np.shape(data)}")
            theirs[name].copy_(torch.from_numpy(np.ascontiguousarray(data)))
    return to_torch


def compare_with_torch(ours: Any, ref: Any, inputs: list[np.ndarray], *, names: dict[str, str] | None = None,
                       transpose: tuple[str, ...] = (), atol: float = 1e-10, seed: int = 0,
                       call: Callable[[Any, list], Any] | None = None,
                       param_map: Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]] | None = None,
                       rtol: float = 0.0, grad_atol: float | None = None, outputs: str = "first",
                       buffers: dict[str, str] | tuple[str, ...] = ()) -> dict[str, float]:
    """Copy our module's parameters into a torch module, run both, and compare.

    Parameters
    ----------
    ours : scratch.nn.Module
    ref : torch.nn.Module
        The same layer in torch, float64. Every one of its parameters must receive a value.
    inputs : list of ndarray
        Positional inputs; both modules receive them. Float arrays go in as Tensors that
        require a gradient (ours) and tensors (torch), and their gradients are compared;
        integer or boolean arrays (token ids, masks) go in as they are (ours) and as
        ``torch.from_numpy`` (torch), without a gradient.
    names : dict, optional
        Our parameter name -> torch's, where they differ (default: the same names).
    transpose : tuple of str
        Our parameter names stored transposed relative to torch (e.g. a Linear weight,
        ``(in, out)`` here and ``(out, in)`` in torch).
    atol, rtol : float
        Tolerance on outputs, input gradients and parameter gradients: an element passes when
        ``|ours - torch| <= atol + rtol * |torch|`` (``rtol=1e-7`` is ``assert_allclose``'s default).
    grad_atol : float, optional
        A separate ``atol`` for the gradients (default: ``atol``).
    call : callable(module, inputs), optional
        How to call a module (default ``module(*inputs)``); it may branch on
        ``isinstance(module, torch.nn.Module)`` where the two spell a call differently.
    param_map : callable(dict) -> dict, optional
        For weights that need reshaping, splitting, concatenating or reordering: maps our
        ``{name: array}`` (from ``named_parameters``) to torch's ``{name: array}``. It must be
        linear in the arrays (index shuffles, transposes, concatenations), because it is applied
        to the parameters (to copy them) and to our gradients (to compare them with torch's).
        Replaces ``names`` and ``transpose``.
    outputs : {"first", "all"}
        ``"first"``: a tuple output is compared by its first element only (e.g. an RNN's
        sequence output); ``"all"``: every tensor of a (nested) tuple is compared and all of them
        receive a random upstream gradient.
    buffers : tuple of str or dict
        Buffers compared after the call (e.g. ``("running_mean", "running_var")``); a dict maps
        our name to torch's.

    Returns
    -------
    dict
        The largest absolute difference of each output, of each input gradient, of each
        parameter gradient and of each buffer (the assertions have already passed).
    """
    torch = pytest.importorskip("torch")
    from scratch.autograd import Tensor

    if outputs not in ("first", "all"):
        raise ValueError(f"outputs must be 'first' or 'all', got {outputs!r}")
    grad_atol = atol if grad_atol is None else grad_atol
    ours_params = dict(ours.named_parameters())
    theirs = dict(ref.named_parameters())
    to_torch = copy_params_to_torch(ours, ref, names=names, transpose=transpose, param_map=param_map)
    for p in ours_params.values():
        p.grad = None
    ref.zero_grad(set_to_none=True)

    call = call or (lambda module, xs: module(*xs))
    differentiable = [np.issubdtype(np.asarray(x).dtype, np.floating) for x in inputs]
    xs = [Tensor(np.array(x, copy=True), requires_grad=True) if d else x for x, d in zip(inputs, differentiable)]
    ts = [torch.tensor(x, requires_grad=True) if d else torch.from_numpy(np.asarray(x))
          for x, d in zip(inputs, differentiable)]
    out, tout = _flatten(call(ours, xs)), _flatten(call(ref, ts))
    if outputs == "first":
        out, tout = out[:1], tout[:1]
    assert len(out) == len(tout), f"ours returns {len(out)} tensors, torch {len(tout)}"
    rng = np.random.default_rng(seed)
    gs = [rng.normal(size=o.shape) for o in out]
    sum(((o * g).sum() for o, g in zip(out, gs)), start=Tensor(np.zeros(()))).backward()
    sum((t * torch.from_numpy(g)).sum() for t, g in zip(tout, gs)).backward()

    diffs, bad = {}, {}

    def check(key: str, a: Any, b: Any, tol: float) -> None:
        a, b = np.asarray(a), np.asarray(b)
        diffs[key] = float(np.max(np.abs(a - b), initial=0.0)) if a.shape == b.shape else float("inf")
        if not _excess(a, b, rtol) <= tol:
            bad[key] = diffs[key] if a.shape == b.shape else f"shape {a.shape} vs torch {b.shape}"

    for i, (o, t) in enumerate(zip(out, tout)):
        check("output" if len(out) == 1 else f"output {i}", o.data, t.detach().numpy(), atol)
    for i, (x, t, d) in enumerate(zip(xs, ts, differentiable)):
        if d:
            check(f"input {i} grad", x.grad, t.grad.numpy(), grad_atol)
    our_grads = to_torch({n: (p.grad if p.grad is not None else np.zeros(p.shape))
                          for n, p in ours_params.items()})
    for name, grad in our_grads.items():
        tgrad = theirs[name].grad
        check(f"{name} grad", grad, np.zeros(grad.shape) if tgrad is None else tgrad.numpy(), grad_atol)
    buffers = buffers if isinstance(buffers, dict) else {b: b for b in buffers}
    tbuffers = dict(ref.named_buffers())
    for mine, tname in buffers.items():
        value = getattr(ours, mine)
        check(f"buffer {mine}", getattr(value, "data", value), tbuffers[tname].numpy(), atol)
    assert not bad, f"differences from torch above atol={atol}, grad_atol={grad_atol}, rtol={rtol}: {bad}"
    return diffs


@pytest.fixture
def torch_compare():
    """``compare_with_torch(ours, ref, inputs, ...)``: copy weights, run both, compare values and gradients."""
    return compare_with_torch


def mha_to_torch(params: dict[str, np.ndarray], embed_dim: int, ours: str = "",
                 theirs: str = "") -> dict[str, np.ndarray]:
    """``param_map`` piece: our ``MultiHeadAttention`` parameters -> ``torch.nn.MultiheadAttention``'s.

    Ours holds ``query`` ``(C, C)`` and a fused ``key_value`` ``(kdim, 2C)`` Linear (``(in, out)``
    weights) and ``proj``; torch holds ``in_proj_weight`` ``(3C, C)`` when ``kdim == C``, else
    ``q/k/v_proj_weight``, plus ``in_proj_bias`` ``(3C,)`` and ``out_proj``. ``ours`` and ``theirs`` are
    the modules' name prefixes (e.g. ``"attn."``, ``"self_attn."``).
    """
    C = embed_dim
    wq, wkv = params[ours + "query.weight"], params[ours + "key_value.weight"]
    out = {theirs + "in_proj_bias": np.concatenate([params[ours + "query.bias"], params[ours + "key_value.bias"]]),
           theirs + "out_proj.weight": params[ours + "proj.weight"].T,
           theirs + "out_proj.bias": params[ours + "proj.bias"]}
    if wkv.shape[0] == C:
        out[theirs + "in_proj_weight"] = np.concatenate([wq.T, wkv.T])
    else:
        out.update({theirs + "q_proj_weight": wq.T, theirs + "k_proj_weight": wkv[:, :C].T,
                    theirs + "v_proj_weight": wkv[:, C:].T})
    return out


@pytest.fixture
def torch_mha_map():
    """``mha_to_torch(params, embed_dim, ours="", theirs="")``: a param_map piece for attention layers."""
    return mha_to_torch


@pytest.fixture
def torch_copy():
    """``copy_params_to_torch(ours, ref, names=, transpose=, param_map=)``: for multi-step comparisons
    (training trajectories) that `torch_compare`'s single forward/backward does not cover."""
    return copy_params_to_torch



def mlp_to_torch(mlp: Any) -> Any:
    """A float64 torch ``Sequential(Linear, ReLU, ..., Linear)`` holding a copy of a
    ``scratch.neural.mlp.MLP``'s weights (ReLU hidden activations)."""
    torch = pytest.importorskip("torch")
    layers = []
    for lin in mlp.layers:
        layers += [torch.nn.Linear(lin.in_features, lin.out_features).double(), torch.nn.ReLU()]
    ref = torch.nn.Sequential(*layers[:-1])
    n = len(mlp.layers)
    names = {f"layers.{i}.{p}": f"{2 * i}.{p}" for i in range(n) for p in ("weight", "bias")}
    copy_params_to_torch(mlp, ref, names=names, transpose=tuple(f"layers.{i}.weight" for i in range(n)))
    return ref


@pytest.fixture
def torch_mlp():
    """``mlp_to_torch(mlp)``: a torch Sequential with a copy of a scratch MLP's weights."""
    return mlp_to_torch
