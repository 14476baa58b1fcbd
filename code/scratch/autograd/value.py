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
(or call :meth:`scratch.autograd.value_nn.MLP.zero_grad`) between optimisation steps.

A tiny neural-network library on Values lives in :mod:`scratch.autograd.value_nn`;
:func:`scratch.plot.draw_graph` draws a computation graph with matplotlib.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Iterable

import numpy as np

from scratch._validation import as_rng

__all__ = ["Value"]


def _no_backward(grad: float) -> None:
    """Leaves have nothing to propagate."""


class Value:
    """A scalar that remembers how it was computed.

    Parameters
    ----------
    data : float
        The number.
    label : str, optional
        A name shown by :func:`scratch.plot.draw_graph`.

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
