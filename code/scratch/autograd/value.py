"""A scalar automatic-differentiation engine for teaching (micrograd-sized).

A :class:`Value` holds one number (``.data``) and, after ``backward()``, the
derivative of the output with respect to it (``.grad``). Each operation
creates a new Value that remembers its inputs and a ``_backward`` closure
applying the chain rule for that one operation: forward and backward sit side
by side.

``backward()`` orders the graph with an *iterative* topological sort, so it
works on graphs of any depth (no recursion limit).

Gradient bookkeeping: each ``backward()`` first resets the gradients of the
intermediate nodes of its graph, then adds into ``.grad`` of the leaves (the
Values you created). Calling ``backward()`` twice therefore *accumulates* on
the leaves, exactly like :class:`scratch.autograd.Tensor`; set ``v.grad = 0``
(or call :meth:`MLP.zero_grad`) between optimisation steps.

The module also has a tiny neural-network library on Values
(:class:`Neuron`, :class:`Layer`, :class:`MLP`) and :func:`draw_graph`, which
draws a computation graph with matplotlib.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Iterable

import numpy as np

from scratch._validation import as_rng

__all__ = ["Value", "draw_graph", "Neuron", "Layer", "MLP"]


def _no_backward(grad: float) -> None:
    """Leaves have nothing to propagate."""


class Value:
    """A scalar that remembers how it was computed.

    Parameters
    ----------
    data : float
        The number.
    label : str, optional
        A name shown by :func:`draw_graph`.

    Examples
    --------
    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "_prev", "_backward", "_op", "label")

    def __init__(self, data: float, _children: tuple["Value", ...] = (), _op: str = "", label: str = ""):
        if type(data) is not float:  # (checking the common case first keeps Values cheap)
            if isinstance(data, bool) or not isinstance(data, (Real, np.floating, np.integer)):
                raise TypeError(
                    f"Value holds one real number; got {type(data).__name__} ({data!r}). "
                    "Use scratch.autograd.Tensor for arrays."
                )
            data = float(data)
        self.data = data
        self.grad = 0.0
        self._prev = _children  # the Values this one was computed from
        self._backward = _no_backward  # pushes self.grad to the children
        self._op = _op
        self.label = label

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- operations: forward and backward side by side -----------------------
    # Each `_backward(grad)` receives d(root)/d(out) and adds the chain-rule terms
    # into its inputs' .grad. It refers to the inputs, never to `out`, so the graph
    # has no reference cycles and is freed as soon as it is no longer used.
    def __add__(self, other: Any) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward(grad):  # d(a+b)/da = d(a+b)/db = 1
            self.grad += grad
            other.grad += grad

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward(grad):  # d(ab)/da = b, d(ab)/db = a
            self.grad += other.data * grad
            other.grad += self.data * grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> "Value":
        if isinstance(exponent, bool) or not isinstance(exponent, (int, float)):
            raise TypeError(
                f"Value ** exponent supports int/float exponents only; got {type(exponent).__name__}. "
                "For a Value exponent write (b * a.log()).exp()."
            )
        out = Value(self.data**exponent, (self,), f"**{exponent}")

        def _backward(grad):  # d(x^p)/dx = p x^(p-1)
            self.grad += exponent * self.data ** (exponent - 1) * grad

        out._backward = _backward
        return out

    def exp(self) -> "Value":
        e = math.exp(self.data)
        out = Value(e, (self,), "exp")

        def _backward(grad):  # d exp(x)/dx = exp(x)
            self.grad += e * grad

        out._backward = _backward
        return out

    def log(self) -> "Value":
        if self.data <= 0:
            raise ValueError(f"log needs a positive argument; got {self.data}.")
        out = Value(math.log(self.data), (self,), "log")

        def _backward(grad):  # d log(x)/dx = 1/x
            self.grad += grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> "Value":
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward(grad):  # d tanh(x)/dx = 1 - tanh(x)^2
            self.grad += (1 - t * t) * grad

        out._backward = _backward
        return out

    def relu(self) -> "Value":
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward(grad):  # 1 where x > 0, else 0
            if self.data > 0:
                self.grad += grad

        out._backward = _backward
        return out

    def sigmoid(self) -> "Value":
        x = self.data
        s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))  # no overflow
        out = Value(s, (self,), "sigmoid")

        def _backward(grad):  # d s(x)/dx = s (1 - s)
            self.grad += s * (1 - s) * grad

        out._backward = _backward
        return out

    # ---- operations built from the ones above ---------------------------------
    def __neg__(self) -> "Value":
        return self * -1

    def __sub__(self, other: Any) -> "Value":
        return self + (-other)

    def __truediv__(self, other: Any) -> "Value":
        return self * other**-1

    def __radd__(self, other: Any) -> "Value":
        return self + other

    def __rsub__(self, other: Any) -> "Value":
        return (-self) + other

    def __rmul__(self, other: Any) -> "Value":
        return self * other

    def __rtruediv__(self, other: Any) -> "Value":
        return other * self**-1

    # ---- backpropagation -------------------------------------------------------
    def topological_order(self) -> list["Value"]:
        """Every node of the graph, each after all of its inputs (iterative DFS)."""
        order, visited = [], set()  # Values hash by identity
        stack = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:  # second visit: all inputs are already in `order`
                order.append(node)
            elif node not in visited:
                visited.add(node)
                stack.append((node, True))
                for child in node._prev:
                    if child not in visited:
                        stack.append((child, False))
        return order

    def backward(self) -> None:
        """Compute d(self)/d(node) for every node; leaves accumulate into ``.grad``."""
        order = self.topological_order()
        for node in order:
            if node._prev:  # intermediate nodes hold this pass's gradient only
                node.grad = 0.0
        self.grad += 1.0  # d(self)/d(self)
        for node in reversed(order):
            node._backward(node.grad)


# =============================================================================
# Drawing the graph
# =============================================================================


def draw_graph(root: Value, ax: Any = None):
    """Draw the computation graph of ``root`` with matplotlib.

    Each Value is a box ``label | data | grad``; each operation is a small
    circle feeding the box of its result. Inputs are on the left, ``root`` on
    the right.

    Parameters
    ----------
    root : Value
        The output whose graph to draw.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is created if omitted.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt  # lazily: the engine itself needs numpy only

    if not isinstance(root, Value):
        raise TypeError(f"draw_graph expects a Value; got {type(root).__name__}.")
    order = root.topological_order()
    depth: dict[int, int] = {}  # column of each node: longest path from a leaf
    for node in order:
        depth[id(node)] = 1 + max((depth[id(c)] for c in node._prev), default=-1)
    columns: dict[int, list[Value]] = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    pos = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[id(node)] = (4.0 * col, -(row - (len(nodes) - 1) / 2))

    if ax is None:
        n_cols, n_rows = len(columns), max(len(v) for v in columns.values())
        _, ax = plt.subplots(figsize=(3.0 * n_cols + 1, 0.9 * n_rows + 1.2))
    box = dict(boxstyle="round,pad=0.3", fc="white", ec="0.3")
    circle = dict(boxstyle="circle,pad=0.25", fc="#dde8f5", ec="0.3")
    arrow = dict(arrowstyle="->", color="0.4", shrinkA=2, shrinkB=2)
    artists = {}
    for node in order:
        x, y = pos[id(node)]
        text = f"{node.label + ' | ' if node.label else ''}data {node.data:.4g} | grad {node.grad:.4g}"
        artists[id(node)] = ax.text(x, y, text, ha="center", va="center", fontsize=8, bbox=box, zorder=3)
    for node in order:
        if not node._op:
            continue
        x, y = pos[id(node)]
        op = ax.text(x - 2.0, y, node._op, ha="center", va="center", fontsize=8, bbox=circle, zorder=3)
        # arrows run between the artists' boxes: (0, 0.5) is a box's left middle, (1, 0.5) its right
        ax.annotate("", xy=(0, 0.5), xycoords=artists[id(node)], xytext=(1, 0.5), textcoords=op,
                    arrowprops=arrow)
        for child in node._prev:
            ax.annotate("", xy=(0, 0.5), xycoords=op, xytext=(1, 0.5), textcoords=artists[id(child)],
                        arrowprops=arrow)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 2.0, max(xs) + 2.0)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_axis_off()
    ax.set_title(f"Computation graph ({len(order)} values)")
    return ax


# =============================================================================
# A tiny neural network on Values
# =============================================================================


class Neuron:
    """``act(w . x + b)`` for one output; weights drawn uniformly in [-1, 1] from ``rng``."""

    def __init__(self, n_in: int, activation: str = "tanh", rng: np.random.Generator | int | None = None):
        if activation not in ("tanh", "relu", "linear"):
            raise ValueError(f"Unknown activation={activation!r}; expected 'tanh', 'relu' or 'linear'.")
        rng = as_rng(rng)
        self.w = [Value(float(v)) for v in rng.uniform(-1, 1, n_in)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x: Iterable[Value | float]) -> Value:
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        if self.activation == "tanh":
            return act.tanh()
        return act.relu() if self.activation == "relu" else act

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class Layer:
    """``n_out`` neurons that read the same ``n_in`` inputs."""

    def __init__(self, n_in: int, n_out: int, activation: str = "tanh", rng: np.random.Generator | int | None = None):
        rng = as_rng(rng)
        self.neurons = [Neuron(n_in, activation, rng) for _ in range(n_out)]

    def __call__(self, x: Iterable[Value | float]) -> list[Value]:
        x = list(x)
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
                 rng: np.random.Generator | int | None = None):
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
