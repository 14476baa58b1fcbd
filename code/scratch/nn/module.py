"""``Module`` and ``Parameter``: the containers every network in the book is made of.

A :class:`Module` finds its parameters by looking at its own attributes: any
:class:`Parameter`, any sub-``Module`` and any list/tuple of them (for example a
:class:`ModuleList`). No registration calls are needed::

    class TwoLayer(Module):
        def __init__(self, rng=None):
            rng = as_rng(rng)
            self.hidden = Linear(2, 16, rng=rng)
            self.out = Linear(16, 1, rng=rng)

        def forward(self, x):                      # x: (n_samples, 2)
            return self.out(self.hidden(x).relu())  # (n_samples, 1)

A parameter shared by two modules (weight tying) is listed once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Iterable, Iterator

import numpy as np

from scratch.autograd.tensor import Tensor, _check_float, _to_array

__all__ = ["Parameter", "Module", "ModuleList", "Sequential"]


class Parameter(Tensor):
    """A tensor that a :class:`Module` learns: ``requires_grad=True`` and a float dtype.

    Parameters
    ----------
    data : array_like
        Initial values (Python numbers/lists become float64; arrays keep their float dtype).
    dtype : numpy dtype, optional
        Cast to this dtype.
    """

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None):
        arr = _to_array(data.data if isinstance(data, Tensor) else data, dtype)
        _check_float(arr, "a Parameter")
        super().__init__(arr, requires_grad=True)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor"):]


class Module:
    """Base class of all network layers and models.

    Subclasses set parameters and sub-modules as attributes in ``__init__`` and
    implement ``forward``; call the module like a function.

    Attributes
    ----------
    training : bool
        True after :meth:`train` (the default), False after :meth:`eval`.
        Layers such as dropout and batch norm behave differently in each mode.
    """

    training: bool = True  # class default, so subclasses need not call super().__init__()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward().")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- finding parameters and sub-modules ------------------------------------
    def _children(self) -> Iterator[tuple[str, Any]]:
        """(name, item) for every attribute that is a Parameter, Module, or list of them."""
        for name, value in vars(self).items():
            if isinstance(value, (Parameter, Module)):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, (Parameter, Module)):
                        yield f"{name}.{i}", item

    def named_modules(self) -> Iterator[tuple[str, "Module"]]:
        """(dotted name, module) for this module ("") and every sub-module, depth first."""
        for name, item in self._walk():
            if isinstance(item, Module):
                yield name, item

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_parameters(self) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) in attribute order, depth first; a shared one is listed once."""
        for name, item in self._walk():
            if isinstance(item, Parameter):
                yield name, item

    def _walk(self) -> Iterator[tuple[str, Any]]:
        """Every module and parameter below (and including) self, each once, depth first."""
        seen: set[int] = set()
        stack: list[tuple[str, Any]] = [("", self)]
        while stack:
            name, item = stack.pop()
            if id(item) in seen:
                continue
            seen.add(id(item))
            yield name, item
            if isinstance(item, Module):
                children = [(f"{name}.{n}" if name else n, c) for n, c in item._children()]
                stack.extend(reversed(children))  # reversed: pop them in attribute order

    def parameters(self) -> list[Parameter]:
        """All parameters (a list, so it can be passed to an optimizer and reused)."""
        return [p for _, p in self.named_parameters()]

    def n_parameters(self) -> int:
        """Total number of learnable numbers."""
        return sum(p.size for p in self.parameters())

    # ---- buffers: arrays saved in state_dict but not learned (e.g. running means) ----
    def register_buffer(self, name: str, value: np.ndarray) -> None:
        """Store a numpy array as attribute ``name`` and include it in :meth:`state_dict`."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"A buffer name must be a Python identifier (e.g. 'running_mean'); got {name!r}.")
        if "_buffer_names" not in vars(self):
            self._buffer_names: list[str] = []
        if name not in self._buffer_names:
            self._buffer_names.append(name)
        setattr(self, name, np.asarray(value))

    def named_buffers(self) -> Iterator[tuple[str, np.ndarray]]:
        for mod_name, module in self.named_modules():
            for name in vars(module).get("_buffer_names", []):
                yield (f"{mod_name}.{name}" if mod_name else name), getattr(module, name)

    # ---- modes and gradients -------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set ``training`` on this module and every sub-module; returns self."""
        if not isinstance(mode, (bool, np.bool_, int)):
            raise TypeError(f"train(mode) needs True or False; got {mode!r}. Use model.eval() for evaluation mode.")
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode (``training = False``); returns self."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Set ``.grad`` of every parameter to None."""
        for p in self.parameters():
            p.grad = None

    def astype(self, dtype: Any) -> "Module":
        """Cast every parameter (and buffer) to ``dtype`` in place, e.g. ``np.float32``; returns self.

        Call it before creating the optimizer (whose state has the parameters' dtype).
        """
        try:
            kind = np.dtype(dtype).kind
        except TypeError:
            kind = None
        if kind != "f":
            raise TypeError(f"astype needs a floating-point dtype (np.float32, np.float64); got {dtype!r}: "
                            "parameters must stay differentiable.")
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = None
        for mod_name, module in self.named_modules():
            for name in vars(module).get("_buffer_names", []):
                setattr(module, name, getattr(module, name).astype(dtype))
        return self

    # ---- saving and loading ----------------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """Copies of all parameters and buffers, keyed by dotted name."""
        state = OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())
        state.update((name, np.array(b, copy=True)) for name, b in self.named_buffers())
        return state

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy arrays from ``state`` into the parameters and buffers (dtypes are kept).

        Raises
        ------
        KeyError
            With ``strict=True``, when names are missing or unexpected.
        ValueError
            When an array's shape differs from the parameter's.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a dict of arrays (from state_dict()); got {type(state).__name__}.")
        params = dict(self.named_parameters())
        buffers = {name for name, _ in self.named_buffers()}
        expected = set(params) | buffers
        missing, unexpected = expected - set(state), set(state) - expected
        if strict and (missing or unexpected):
            raise KeyError(
                f"load_state_dict: missing keys {sorted(missing)}, unexpected keys {sorted(unexpected)}. "
                "Pass strict=False to load only the matching entries."
            )
        modules = dict(self.named_modules())
        for name in expected & set(state):
            value = np.asarray(state[name])
            if name in params:
                target = params[name].data
            else:
                owner, _, attr = name.rpartition(".")
                target = getattr(modules[owner], attr)
            if value.shape != target.shape:
                raise ValueError(
                    f"load_state_dict: '{name}' has shape {value.shape} in the state but "
                    f"{target.shape} in the model."
                )
            target[...] = value

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        subs = [(n, m) for n, m in self._children() if isinstance(m, Module)]
        for name, module in subs:
            lines.append("  (" + name + "): " + repr(module).replace("\n", "\n  "))
        return lines[0] + ")" if not subs else "\n".join(lines) + "\n)"

    def extra_repr(self) -> str:
        """Text inside the parentheses of ``repr``; layers override it."""
        return ""


class ModuleList(Module):
    """A list of modules whose parameters are registered (index them like a list)."""

    def __init__(self, modules: Iterable[Module] = ()):
        self.items: list[Module] = []
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> "ModuleList":
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList holds Modules; got {type(module).__name__}.")
        self.items.append(module)
        return self

    def _children(self) -> Iterator[tuple[str, Any]]:
        for i, m in enumerate(self.items):
            yield str(i), m

    def __getitem__(self, i: int) -> Module:
        return self.items[i]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.items)


class Sequential(ModuleList):
    """Modules applied one after another: ``Sequential(Linear(2, 16), ReLU(), Linear(16, 1))``."""

    def __init__(self, *modules: Module):
        super().__init__(modules)

    def forward(self, x: Tensor) -> Tensor:
        for module in self.items:
            x = module(x)
        return x
