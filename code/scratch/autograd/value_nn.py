"""A tiny neural-network library on the scalar :class:`~scratch.autograd.value.Value` engine.

:class:`Neuron` computes ``act(w . x + b)``, :class:`Layer` stacks neurons that read the
same inputs, and :class:`MLP` chains layers (micrograd-sized). Used by the derivatives
chapter, ``book/foundations/derivatives.md``.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from scratch._validation import RNG, as_rng
from scratch._validation import check_int
from scratch.autograd.value import Value

__all__ = ["Neuron", "Layer", "MLP"]


def _inputs(x, n_in: int) -> list:
    """The inputs as a list of exactly ``n_in`` Values or numbers (``zip`` would silently truncate)."""
    try:
        x = list(x)
    except TypeError:
        raise TypeError(f"inputs must be a sequence of {n_in} Values or numbers; got {type(x).__name__}.") from None
    if len(x) != n_in:
        raise ValueError(f"expected {n_in} inputs, got {len(x)}; pass one Value or number per input feature.")
    return x


class Neuron:
    """``act(w . x + b)`` for one output; weights drawn uniformly in [-1, 1] from ``rng``."""

    def __init__(self, n_in: int, activation: str = "tanh", rng: RNG = None):
        if activation not in ("tanh", "relu", "linear"):
            raise ValueError(f"Unknown activation={activation!r}; expected 'tanh', 'relu' or 'linear'.")
        n_in = check_int(n_in, name="n_in", minimum=1)
        rng = as_rng(rng)
        self.w = [Value(float(v)) for v in rng.uniform(-1, 1, n_in)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x: Iterable[Value | float]) -> Value:
        x = _inputs(x, len(self.w))
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        if self.activation == "tanh":
            return act.tanh()
        return act.relu() if self.activation == "relu" else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class Layer:
    """``n_out`` neurons that read the same ``n_in`` inputs."""

    def __init__(self, n_in: int, n_out: int, activation: str = "tanh", rng: RNG = None):
        n_out = check_int(n_out, name="n_out", minimum=1)
        rng = as_rng(rng)
        self.neurons = [Neuron(n_in, activation, rng) for _ in range(n_out)]

    def __call__(self, x: Iterable[Value | float]) -> list[Value]:
        x = _inputs(x, len(self.neurons[0].w))
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """A multilayer perceptron on Values: hidden layers use ``activation``, the last is linear.

    Parameters
    ----------
    n_in : int
        Number of inputs.
    sizes : list of int
        Width of each layer; the last entry is the number of outputs.
    activation : {"tanh", "relu"}
        Non-linearity of the hidden layers.
    rng : np.random.Generator, int or None
        Source of the initial weights.
    """

    def __init__(self, n_in: int, sizes: list[int], activation: str = "tanh",
                 rng: RNG = None):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__") or not list(sizes):
            raise TypeError(f"sizes must be a non-empty list of layer widths, e.g. [4, 4, 1]; got {sizes!r}.")
        sizes = [check_int(n, name="each layer size in sizes", minimum=1) for n in sizes]
        rng = as_rng(rng)
        widths = [n_in] + list(sizes)
        self.layers = [
            Layer(widths[i], widths[i + 1], activation if i < len(sizes) - 1 else "linear", rng)
            for i in range(len(sizes))
        ]

    def __call__(self, x: Iterable[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0
