"""A numpy-backed tensor with reverse-mode automatic differentiation.

A :class:`Tensor` wraps a numpy array (``.data``). Every operation on tensors
returns a new tensor that remembers

* its *parents* (the tensors it was computed from), and
* a small ``backward(g)`` function that turns the gradient ``g`` of the loss
  with respect to the output into gradients with respect to each parent
  (the chain rule for one operation, a "vector-Jacobian product").

``loss.backward()`` visits the graph in reverse topological order (computed
iteratively, so graphs of any depth work) and calls these functions.

How to read this file
---------------------
1. Helpers: grad mode (:func:`no_grad`), dtype checks, :func:`unbroadcast` (the
   one helper that undoes numpy broadcasting), and :func:`from_op`, which builds
   the output tensor of an operation.
2. The :class:`Tensor` class: construction, the backward engine, then the
   *primitive* operations, each with its forward and backward side by side.
3. *Composite* operations (``mean``, ``var``, ``sqrt``, ``stack`` ...) built only
   from primitives, so they need no backward of their own.
4. *Fused* primitives (``linear``, ``log_softmax``, ``softmax``,
   ``cross_entropy``): one forward and one backward for a whole formula,
   for numerical stability and speed.

Conventions
-----------
* Gradients **accumulate**: ``backward()`` adds into ``.grad``; reset with
  ``zero_grad()`` (or ``t.grad = None``, or ``optimizer.zero_grad()``).
* As in PyTorch, only *leaf* tensors (created by you with
  ``requires_grad=True``) keep their ``.grad``; call ``t.retain_grad()`` on an
  intermediate tensor to keep its gradient too.
* Backward functions never modify ``g`` in place; the engine gives every
  stored ``.grad`` its own memory, so optimizers may update grads in place.
* dtype: Python numbers and lists become float64; numpy arrays keep their
  dtype. A float32 tensor combined with a Python number stays float32.
  Gradients always have the dtype and shape of their tensor.
"""

from __future__ import annotations

import contextlib
from numbers import Number
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from scratch.autograd.allocator import keep_freed_memory

keep_freed_memory()  # freed temporaries stay in the process: no page faults each step (see allocator.py)

__all__ = [
    "Tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "from_op",
    "unbroadcast",
    "concatenate",
    "stack",
    "where",
    "linear",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "zeros",
    "ones",
    "randn",
]

# A backward function maps the output's gradient to one gradient (or None) per parent.
BackwardFn = Callable[[np.ndarray], Sequence["np.ndarray | None"]]


# =============================================================================
# 1. Helpers
# =============================================================================

_grad_enabled = True


@contextlib.contextmanager
def no_grad():
    """Context manager (and decorator) that disables graph building.

    Inside ``with no_grad():`` operations return plain tensors with
    ``requires_grad=False`` and record no parents: use it for evaluation and
    for parameter updates.
    """
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = False
    try:
        yield
    finally:
        _grad_enabled = previous


@contextlib.contextmanager
def enable_grad():
    """Re-enable graph building inside a :func:`no_grad` block."""
    global _grad_enabled
    previous = _grad_enabled
    _grad_enabled = True
    try:
        yield
    finally:
        _grad_enabled = previous


def is_grad_enabled() -> bool:
    """Whether operations currently record the graph."""
    return _grad_enabled


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Convert ``data`` to a numeric ndarray (float64 for Python numbers/lists)."""
    try:
        arr = np.asarray(data, dtype=dtype)
    except (TypeError, ValueError):
        raise TypeError(
            f"Tensor data must be numeric array-like; got {type(data).__name__} that numpy cannot convert "
            "(ragged nested lists, or objects that are not numbers). Pass a float numpy array or a "
            "rectangular list of numbers."
        ) from None
    if arr.dtype.kind not in "fiub":
        raise TypeError(
            f"Tensor data must be real numbers (float, int or bool); got dtype {arr.dtype} "
            f"from {type(data).__name__}. Convert it with np.asarray(data, dtype=np.float64)."
        )
    if dtype is None and arr.dtype.kind in "iub" and not isinstance(data, np.ndarray):
        arr = arr.astype(np.float64)  # Python numbers/lists get the default float dtype
    return arr


def _check_float(arr: np.ndarray, what: str = "a tensor that requires grad") -> None:
    if arr.dtype.kind != "f":
        raise TypeError(
            f"Only floating-point data can have gradients; {what} has dtype {arr.dtype}. "
            "Create it with a float dtype, e.g. Tensor(data, dtype=np.float64, requires_grad=True)."
        )


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes that broadcasting added or stretched.

    If ``a`` with shape ``shape`` was broadcast to ``grad.shape`` in the forward
    pass, every copy of an element of ``a`` received a gradient: the gradient of
    ``a`` is their sum. This is the one place where broadcasting is undone.

    Parameters
    ----------
    grad : ndarray
        Gradient with the broadcast (output) shape.
    shape : tuple of int
        The input's shape.

    Returns
    -------
    ndarray of shape ``shape``.
    """
    if grad.shape == shape:
        return grad
    n_new = grad.ndim - len(shape)  # leading axes that broadcasting prepended
    try:
        stretched = tuple(n_new + i for i, n in enumerate(shape) if n == 1 and grad.shape[n_new + i] != 1)
        return grad.sum(axis=tuple(range(n_new)) + stretched).reshape(shape)
    except (ValueError, IndexError, TypeError):
        raise ValueError(f"unbroadcast: a gradient of shape {grad.shape} cannot be reduced to shape {tuple(shape)}: "
                         "that shape does not broadcast to the gradient's. Pass the input's own shape.") from None


def from_op(data: np.ndarray, parents: tuple["Tensor", ...], backward: BackwardFn, op: str = "") -> "Tensor":
    """Build the output tensor of an operation and link it into the graph.

    This is how every primitive (and any new op a later chapter adds) is
    written::

        out = np.exp(x.data)                    # forward, in numpy
        def backward(g):                        # g = dLoss/dout, shape of out
            return (g * out,)                   # one gradient per parent
        return from_op(out, (x,), backward, "exp")

    The graph is recorded only if grad mode is on and some parent requires grad.
    ``backward`` may return ``None`` for a parent that needs no gradient.
    """
    out = Tensor.__new__(Tensor)
    out.data = data if type(data) is np.ndarray else np.asarray(data)
    out.grad = None
    out._op = op
    out._retain = False
    try:
        track = _grad_enabled and any(p.requires_grad for p in parents)
    except AttributeError:
        raise TypeError(f"from_op: parents must be a tuple of Tensors; got "
                        f"{[type(p).__name__ for p in parents]}. Wrap constants with Tensor(...).") from None
    if track:
        out.requires_grad = True
        out._parents = parents
        out._backward = backward
    else:
        out.requires_grad = False
        out._parents = ()
        out._backward = None
    return out


def _check_axis(axis: Any, ndim: int, op: str) -> None:
    """Axes of a reduction must lie in ``[-ndim, ndim)`` and not repeat (a clear error, not numpy's)."""
    if axis is None:
        return
    axes = axis if isinstance(axis, tuple) else (axis,)
    if any(not isinstance(a, (int, np.integer)) or isinstance(a, bool) for a in axes):
        raise TypeError(f"{op}: axis must be an int or a tuple of ints; got {axis!r}.")
    if any(not -ndim <= a < ndim for a in axes) or len({a % max(ndim, 1) for a in axes}) != len(axes):
        raise ValueError(f"{op}: axis {axis!r} is out of range or repeated for a tensor with {ndim} axes; "
                         f"use axes in [-{ndim}, {ndim}).")


def _lift(x: Any, like: "Tensor") -> "Tensor":
    """Wrap a number or array as a constant tensor (Python numbers take ``like``'s dtype)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (int, float)):  # "weak" Python scalar: 2.0 * float32 stays float32
        return Tensor(np.asarray(x, dtype=np.result_type(like.data, x)))
    return Tensor(x)


def _broadcast_error(op: str, *shapes: tuple[int, ...]) -> ValueError:
    """The clear error for operands whose shapes do not broadcast together."""
    return ValueError(f"'{op}': shapes {', '.join(map(str, shapes))} do not broadcast together; sizes must match "
                      "or be 1 along each trailing axis. Reshape one operand (e.g. x.reshape(-1, 1)).")


def _is_basic_index(index: Any) -> bool:
    """True for indices made only of ints, slices, None and Ellipsis (no copies, no repeats)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, np.integer, slice)) or p is None or p is Ellipsis for p in parts)


def _count(shape: tuple[int, ...], axis: int | tuple[int, ...] | None) -> int:
    """How many elements a reduction over ``axis`` combines into one."""
    if axis is None:
        return max(int(np.prod(shape)), 1)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    return max(int(np.prod([shape[a] for a in axes])), 1)


def _power(x: np.ndarray, p: float) -> np.ndarray:
    """``x ** p`` without ``np.power`` for the exponents that networks use.

    numpy evaluates most exponents with the C library's ``pow``, one element at a
    time; on some machines that is 100-300x slower than a multiplication (``x**3``
    on 400k floats: 25 ms against 0.1 ms). Small integer powers therefore become
    products, and the half-integer ones a square root; other exponents still use
    ``np.power``. ``benchmarks/bench_ops.py`` shows the difference on a machine.
    """
    if x.dtype.kind != "f":
        return np.power(x, p)
    if float(p).is_integer() and abs(p) <= 4:
        n = int(abs(p))
        if n == 0:
            out = np.ones_like(x)
        elif n == 1:
            out = x.copy()
        else:
            sq = x * x
            out = sq if n == 2 else (sq * x if n == 3 else sq * sq)
        return out if p >= 0 else np.divide(1, out, dtype=x.dtype)
    if p in (0.5, -0.5, 1.5, -1.5):
        root = np.sqrt(x)
        out = root if abs(p) == 0.5 else x * root
        return out if p > 0 else np.divide(1, out, dtype=x.dtype)
    return np.power(x, p)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` on an array (see :meth:`Tensor.sigmoid`); fused ops use it too."""
    out = np.negative(x, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    with np.errstate(over="ignore"):  # exp(-x) = inf for very negative x gives exactly 0
        np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def _topological_order(root: "Tensor") -> list["Tensor"]:
    """Nodes that require grad, each after all of its parents (iterative DFS, no recursion)."""
    order: list[Tensor] = []
    visited: set[Tensor] = set()  # tensors hash by identity
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:  # second visit: every parent is already in `order`
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for parent in node._parents:
                if parent.requires_grad and parent not in visited:
                    stack.append((parent, False))
    return order


# =============================================================================
# 2. The Tensor class
# =============================================================================


class Tensor:
    """An n-dimensional array that records operations for automatic differentiation.

    Parameters
    ----------
    data : array_like
        The values. Python numbers and lists become float64; numpy arrays keep
        their dtype (use ``dtype=np.float32`` for speed).
    requires_grad : bool, default False
        Record operations on this tensor and compute ``.grad`` in ``backward()``.
        Needs a floating-point dtype.
    dtype : numpy dtype, optional
        Cast ``data`` to this dtype.

    Attributes
    ----------
    data : ndarray
        The values.
    grad : ndarray or None
        Accumulated gradient of the loss with respect to ``data`` (same shape and
        dtype), or None before the first ``backward()``.
    requires_grad : bool
        Whether gradients flow to this tensor.

    Examples
    --------
    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "requires_grad", "_parents", "_backward", "_op", "_retain")
    __array_ufunc__ = None  # make `ndarray * Tensor` call Tensor.__rmul__ instead of numpy

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        if isinstance(data, Tensor):
            data = data.data
        self.data = _to_array(data, dtype)
        if requires_grad:
            _check_float(self.data)
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: BackwardFn | None = None
        self._op = ""
        self._retain = False

    # ---- basic attributes ---------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors created by the user (not by an operation)."""
        return self._backward is None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", threshold=20)
        extra = ", requires_grad=True" if self.requires_grad else ""
        if self.dtype != np.float64:
            extra = f", dtype={self.dtype}" + extra
        return f"Tensor({body}{extra})"

    def item(self) -> float:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element; this one has shape {self.shape}. "
                "Index or reduce it first."
            )
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The underlying numpy array (shared, not copied)."""
        return self.data

    def detach(self) -> "Tensor":
        """A tensor sharing ``data`` but cut from the graph (``requires_grad=False``)."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``.grad`` to None)."""
        self.grad = None

    def retain_grad(self) -> "Tensor":
        """Keep ``.grad`` on this intermediate (non-leaf) tensor after ``backward()``."""
        self._retain = True
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place (leaf tensors only) and return self."""
        if requires_grad:
            _check_float(self.data)
        self.requires_grad = bool(requires_grad)
        return self

    # ---- the backward engine ------------------------------------------------
    def backward(self, grad: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        Parameters
        ----------
        grad : array_like, optional
            Gradient of some scalar with respect to this tensor (same shape).
            Required unless this tensor has exactly one element.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward() called on a tensor that does not require grad: no input was created "
                "with requires_grad=True, or it was computed inside no_grad()."
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without `grad` needs a scalar (one-element) tensor; this one has "
                    f"shape {self.shape}. Reduce it first (out.sum(), out.mean()) or pass "
                    f"grad=<array of shape {self.shape}>."
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.array(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward(grad): grad has shape {grad.shape} but the tensor has shape "
                    f"{self.shape}; they must match."
                )

        grads = {self: grad}  # this pass's gradient of every node (tensors hash by identity)
        kept: set[int] = set()  # ids of arrays already stored in some .grad
        for node in reversed(_topological_order(self)):  # outputs before inputs
            g = grads.pop(node, None)
            if g is None:  # the root does not depend on this node
                continue
            if node._backward is None or node._retain:
                node._accumulate_grad(g, kept)
            if node._backward is None:
                continue
            for parent, pg in zip(node._parents, node._backward(g)):
                if pg is None or not parent.requires_grad:
                    continue
                if type(pg) is not np.ndarray or pg.dtype != parent.data.dtype:
                    pg = np.asarray(pg, dtype=parent.data.dtype)
                if pg.shape != parent.data.shape:
                    raise RuntimeError(
                        f"backward of '{node._op}' returned a gradient of shape {pg.shape} for an "
                        f"input of shape {parent.data.shape} (a bug in that op's backward)."
                    )
                grads[parent] = pg if parent not in grads else grads[parent] + pg  # sum over uses

    def _accumulate_grad(self, g: np.ndarray, kept: set[int]) -> None:
        """Add ``g`` into ``self.grad``, making sure ``.grad`` owns its memory."""
        if self.grad is not None:
            self.grad += g
            return
        if g.base is not None or id(g) in kept:  # a view, or shared with another .grad
            g = g.copy()
        kept.add(id(g))
        self.grad = g

    # ---- primitive ops: elementwise arithmetic (with broadcasting) ------------
    def __add__(self, other: Any) -> "Tensor":
        a, b = self, _lift(other, self)
        try:
            out = a.data + b.data
        except ValueError:
            raise _broadcast_error("+", a.shape, b.shape) from None

        def backward(g):  # d(a+b)/da = d(a+b)/db = 1
            ga = unbroadcast(g, a.shape) if a.requires_grad else None
            gb = unbroadcast(g, b.shape) if b.requires_grad else None
            return ga, gb

        return from_op(out, (a, b), backward, "+")

    def __sub__(self, other: Any) -> "Tensor":
        a, b = self, _lift(other, self)
        try:
            out = a.data - b.data
        except ValueError:
            raise _broadcast_error("-", a.shape, b.shape) from None

        def backward(g):  # d(a-b)/da = 1, d(a-b)/db = -1
            ga = unbroadcast(g, a.shape) if a.requires_grad else None
            gb = unbroadcast(-g, b.shape) if b.requires_grad else None
            return ga, gb

        return from_op(out, (a, b), backward, "-")

    def __mul__(self, other: Any) -> "Tensor":
        a, b = self, _lift(other, self)
        try:
            out = a.data * b.data
        except ValueError:
            raise _broadcast_error("*", a.shape, b.shape) from None

        def backward(g):  # d(ab)/da = b, d(ab)/db = a
            ga = unbroadcast(g * b.data, a.shape) if a.requires_grad else None
            gb = unbroadcast(g * a.data, b.shape) if b.requires_grad else None
            return ga, gb

        return from_op(out, (a, b), backward, "*")

    def __truediv__(self, other: Any) -> "Tensor":
        a, b = self, _lift(other, self)
        try:
            out = a.data / b.data
        except ValueError:
            raise _broadcast_error("/", a.shape, b.shape) from None

        def backward(g):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -out/b
            ga = unbroadcast(g / b.data, a.shape) if a.requires_grad else None
            gb = unbroadcast(-g * out / b.data, b.shape) if b.requires_grad else None
            return ga, gb

        return from_op(out, (a, b), backward, "/")

    def __neg__(self) -> "Tensor":
        return from_op(-self.data, (self,), lambda g: (-g,), "neg")

    def __pow__(self, exponent: float) -> "Tensor":
        if isinstance(exponent, Tensor) or not isinstance(exponent, (Number, np.number)):
            raise TypeError(
                f"Tensor ** exponent needs a Python/numpy number as exponent; got "
                f"{type(exponent).__name__}. For a tensor exponent use (b * a.log()).exp()."
            )
        if isinstance(exponent, np.generic):
            exponent = exponent.item()  # a Python number keeps float32 data float32
        x = self
        out = _power(x.data, exponent)

        def backward(g):  # d(x^p)/dx = p x^(p-1)
            return (g * (exponent * _power(x.data, exponent - 1)),)

        return from_op(out, (x,), backward, f"**{exponent}")

    # reversed operators: number (or ndarray) on the left
    def __radd__(self, other: Any) -> "Tensor":
        return _lift(other, self) + self

    def __rsub__(self, other: Any) -> "Tensor":
        return _lift(other, self) - self

    def __rmul__(self, other: Any) -> "Tensor":
        return _lift(other, self) * self

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _lift(other, self) / self

    def __rpow__(self, base: float) -> "Tensor":  # base ** x = exp(x log(base)), base > 0
        return (self * float(np.log(base))).exp()

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _lift(other, self) @ self

    # ---- primitive ops: elementwise functions --------------------------------
    def exp(self) -> "Tensor":
        out = np.exp(self.data)
        return from_op(out, (self,), lambda g: (g * out,), "exp")  # d exp(x) = exp(x)

    def log(self) -> "Tensor":
        x = self
        return from_op(np.log(x.data), (x,), lambda g: (g / x.data,), "log")  # d log(x) = 1/x

    def tanh(self) -> "Tensor":
        out = np.tanh(self.data)
        return from_op(out, (self,), lambda g: (g * (1 - out * out),), "tanh")  # 1 - tanh^2

    def sigmoid(self) -> "Tensor":
        """``1 / (1 + exp(-x))``, branch-free.

        For very negative x (below -88 in float32, -709 in float64) ``exp(-x)``
        overflows to inf and the result is exactly 0, the correct limit; that
        overflow is expected and not reported. (Selecting between two formulas with
        ``np.where`` avoids it but costs ten times more: a data-dependent branch per
        element.)
        """
        out = _sigmoid(self.data)
        return from_op(out, (self,), lambda g: (g * out * (1 - out),), "sigmoid")  # s (1 - s)

    def relu(self) -> "Tensor":
        x = self
        out = np.maximum(x.data, 0)
        return from_op(out, (x,), lambda g: (g * (x.data > 0),), "relu")  # 1 where x > 0

    def abs(self) -> "Tensor":
        x = self
        return from_op(np.abs(x.data), (x,), lambda g: (g * np.sign(x.data),), "abs")

    def astype(self, dtype: Any) -> "Tensor":
        """Cast to ``dtype`` (gradients are cast back)."""
        x = self
        return from_op(x.data.astype(dtype), (x,), lambda g: (g.astype(x.dtype),), "astype")

    # ---- primitive ops: matrix product ---------------------------------------
    def __matmul__(self, other: Any) -> "Tensor":
        """Matrix product with numpy's rules: ``(..., n, k) @ (..., k, m) -> (..., n, m)``.

        Leading (batch) axes broadcast, as in attention's ``(B, H, T, D) @ (B, H, D, T)``.
        """
        a, b = self, _lift(other, self)
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"matmul needs at least 1-D operands; got shapes {a.shape} and {b.shape}. "
                "Use * to multiply by a scalar."
            )
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else -1]:
            raise ValueError(
                f"matmul shape mismatch: {a.shape} @ {b.shape}; the last axis of the left operand "
                f"({a.shape[-1]}) must equal the {'second-to-last' if b.ndim > 1 else 'only'} axis "
                f"of the right operand ({b.shape[-2 if b.ndim > 1 else -1]}). Check the layer sizes "
                "or transpose an operand."
            )
        if a.ndim == 1 or b.ndim == 1:  # a vector is a (1, k) or (k, 1) matrix; drop that axis after
            res = (a.reshape(1, -1) if a.ndim == 1 else a) @ (b.reshape(-1, 1) if b.ndim == 1 else b)
            shape = list(res.shape)  # (..., n, m)
            if b.ndim == 1:
                del shape[-1]
            if a.ndim == 1:
                del shape[-1 if b.ndim == 1 else -2]
            return res.reshape(tuple(shape))
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(
                f"matmul: the batch axes of {a.shape} and {b.shape} do not broadcast "
                f"({a.shape[:-2]} vs {b.shape[:-2]})."
            ) from None
        if b.ndim == 2:  # (..., n, k) @ (k, m): one matrix product over all leading axes
            out = (a.data.reshape(-1, a.shape[-1]) @ b.data).reshape(a.shape[:-1] + (b.shape[1],))
        else:
            out = a.data @ b.data

        def backward(g):  # dL/da = g b^T, dL/db = a^T g (summed over broadcast batch axes)
            ga = gb = None
            if a.requires_grad and b.ndim == 2:
                ga = (g.reshape(-1, g.shape[-1]) @ b.data.T).reshape(a.shape)
            elif a.requires_grad:
                ga = unbroadcast(g @ np.swapaxes(b.data, -1, -2), a.shape)
            if b.requires_grad:
                if b.ndim == 2:  # fold all batch axes into one matrix product
                    gb = a.data.reshape(-1, a.shape[-1]).T @ g.reshape(-1, g.shape[-1])
                else:
                    gb = unbroadcast(np.swapaxes(a.data, -1, -2) @ g, b.shape)
            return ga, gb

        return from_op(out, (a, b), backward, "@")

    def matmul(self, other: Any) -> "Tensor":
        return self @ other

    # ---- primitive ops: reductions -------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        x = self
        _check_axis(axis, x.ndim, "sum")
        out = x.data.sum(axis=axis, keepdims=keepdims)

        def backward(g):  # every summed element gets the gradient of the sum
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)  # put the summed axes back as size 1
            return (np.broadcast_to(g, x.shape),)

        return from_op(out, (x,), backward, "sum")

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        """Maximum over ``axis``; ties share the gradient equally (like ``torch.amax``)."""
        x = self
        _check_axis(axis, x.ndim, "max")
        top = x.data.max(axis=axis, keepdims=True)  # keepdims for broadcasting in backward
        out = top if keepdims else (top.reshape(()) if axis is None else np.squeeze(top, axis))

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            is_max = x.data == top
            n_max = is_max.sum(axis=axis, keepdims=True, dtype=x.dtype)
            return (is_max * (g / n_max),)

        return from_op(out, (x,), backward, "max")

    # ---- primitive ops: shape changes and indexing ---------------------------
    def reshape(self, *shape: int) -> "Tensor":
        """Reshape (``-1`` infers one axis); ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        x = self
        try:
            out = x.data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"cannot reshape a tensor of shape {x.shape} ({x.size} elements) into {shape}."
            ) from None
        return from_op(out, (x,), lambda g: (g.reshape(x.shape),), "reshape")

    view = reshape

    def transpose(self, *axes: int) -> "Tensor":
        """Permute axes like ``np.transpose``: no argument reverses them.

        ``x.transpose(0, 2, 1)`` gives axes (0, 2, 1). To swap just two axes of a
        many-axis tensor (``k.transpose(-2, -1)`` in PyTorch) use :meth:`swapaxes`.
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if axes and len(axes) != self.ndim:
            raise ValueError(
                f"transpose needs a permutation of all {self.ndim} axes; got {axes}. "
                "To swap two axes use swapaxes(axis1, axis2)."
            )
        x = self
        perm = tuple(axes) if axes else tuple(range(x.ndim))[::-1]
        if sorted(int(a) % max(x.ndim, 1) for a in perm) != list(range(x.ndim)) or any(
                not -x.ndim <= int(a) < x.ndim for a in perm):
            raise ValueError(f"transpose needs a permutation of the axes 0..{x.ndim - 1} of a tensor of shape "
                             f"{x.shape}; got {perm}.")
        inverse = tuple(np.argsort(perm))
        return from_op(x.data.transpose(perm), (x,), lambda g: (g.transpose(inverse),), "transpose")

    @property
    def T(self) -> "Tensor":
        """All axes reversed (the matrix transpose for 2-D tensors)."""
        return self.transpose()

    def __getitem__(self, index: Any) -> "Tensor":
        """numpy indexing: slices, integers, and integer/bool arrays (e.g. embedding lookup)."""
        x = self
        if isinstance(index, Tensor):
            index = index.data
        elif isinstance(index, tuple):
            index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
        try:
            out = x.data[index]
        except IndexError:  # numpy's message names neither the tensor nor what to do
            raise IndexError(f"cannot index a tensor of shape {x.shape} with {index!r}: an index is out of range. "
                             "Indices must lie in [-size, size) along each axis.") from None
        basic = _is_basic_index(index)

        def backward(g):
            gx = np.zeros(x.shape, dtype=x.dtype)  # calloc: pages outside the index are never written
            if basic:  # each element picked at most once
                gx[index] = g
            else:  # rows picked several times must add up: np.add.at does not overwrite
                np.add.at(gx, index, g)
            return (gx,)

        return from_op(out, (x,), backward, "getitem")

    # ---- composite ops (built from the primitives above) ---------------------
    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        _check_axis(axis, self.ndim, "mean")
        n = _count(self.shape, axis)
        return self.sum(axis=axis, keepdims=keepdims) * (1.0 / n)

    def var(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, ddof: int = 0) -> "Tensor":
        """Variance with numpy's default ``ddof=0`` (PyTorch's default is ``correction=1``)."""
        centred = self - self.mean(axis=axis, keepdims=True)
        n = _count(self.shape, axis)
        return (centred * centred).sum(axis=axis, keepdims=keepdims) * (1.0 / (n - ddof))

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> "Tensor":
        return -((-self).max(axis=axis, keepdims=keepdims))

    def sqrt(self) -> "Tensor":
        return self**0.5

    def square(self) -> "Tensor":
        return self * self

    def swapaxes(self, axis1: int, axis2: int) -> "Tensor":
        _check_axis(axis1, self.ndim, "swapaxes")
        _check_axis(axis2, self.ndim, "swapaxes")
        perm = list(range(self.ndim))
        perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
        return self.transpose(perm)

    def expand_dims(self, axis: int) -> "Tensor":
        """Insert a size-1 axis at ``axis`` (``unsqueeze`` in PyTorch)."""
        return self.reshape(np.expand_dims(self.data, axis).shape)

    def flatten(self, start_axis: int = 0) -> "Tensor":
        """Merge the axes from ``start_axis`` on into one."""
        return self.reshape(self.shape[:start_axis] + (-1,))

    def masked_fill(self, mask: Any, value: float) -> "Tensor":
        """Replace entries where ``mask`` is True by ``value`` (e.g. -inf above a causal diagonal)."""
        return where(mask, value, self)

    def log_softmax(self, axis: int = -1) -> "Tensor":
        return log_softmax(self, axis)

    def softmax(self, axis: int = -1) -> "Tensor":
        return softmax(self, axis)

    def argmax(self, axis: int | None = None) -> np.ndarray:
        """Indices of the maxima (a numpy array: not differentiable)."""
        return self.data.argmax(axis=axis)


# =============================================================================
# 3. Module-level primitives and composites
# =============================================================================


def concatenate(tensors: Iterable[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (``np.concatenate``)."""
    tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
    if not tensors:
        raise ValueError("concatenate needs at least one tensor; got none.")
    _check_axis(axis, tensors[0].ndim, "concatenate")
    try:
        out = np.concatenate([t.data for t in tensors], axis=axis)
    except ValueError:
        raise ValueError(f"concatenate along axis {axis} needs tensors whose other axes match; got shapes "
                         f"{[t.shape for t in tensors]}.") from None
    ends = np.cumsum([t.shape[axis] for t in tensors])[:-1]  # where to cut the gradient

    def backward(g):  # each input gets its own slice of g
        return tuple(np.split(g, ends, axis=axis))

    return from_op(out, tensors, backward, "concatenate")


def stack(tensors: Iterable[Tensor], axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis (composite: expand_dims + concatenate)."""
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs at least one tensor; got none.")
    shapes = {t.shape for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f"stack needs tensors of one shape; got shapes {sorted(shapes)}.")
    return concatenate([t.expand_dims(axis) for t in tensors], axis=axis)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Elementwise ``a if condition else b`` (all three broadcast together).

    ``condition`` is a boolean array (not differentiated); ``a`` and ``b`` are
    tensors or numbers.
    """
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != bool:
        raise TypeError(
            f"where: condition must be a boolean array; got dtype {cond.dtype}. "
            "Build it with a comparison, e.g. x.data > 0."
        )
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError("where: at least one of `a` and `b` must be a Tensor.")
    a = _lift(a, b) if not isinstance(a, Tensor) else a
    b = _lift(b, a)
    try:
        out = np.where(cond, a.data, b.data)
    except ValueError:
        raise _broadcast_error("where", cond.shape, a.shape, b.shape) from None

    def backward(g):  # the gradient goes to whichever input was chosen
        ga = unbroadcast(np.where(cond, g, 0), a.shape) if a.requires_grad else None
        gb = unbroadcast(np.where(cond, 0, g), b.shape) if b.requires_grad else None
        return ga, gb

    return from_op(out, (a, b), backward, "where")


# ---- fused primitives --------------------------------------------------------


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Fused affine map ``x @ weight + bias``.

    Parameters
    ----------
    x : Tensor of shape (..., in_features)
    weight : Tensor of shape (in_features, out_features)
    bias : Tensor of shape (out_features,), optional

    Returns
    -------
    Tensor of shape (..., out_features)

    Notes
    -----
    One graph node instead of two (matmul, add) and no temporary array:
    :math:`Y = XW + b`, with :math:`\\partial L/\\partial X = G W^\\top`,
    :math:`\\partial L/\\partial W = X^\\top G`, :math:`\\partial L/\\partial b = \\sum_n G_n`.
    """
    if not isinstance(weight, Tensor) or not (bias is None or isinstance(bias, Tensor)):
        raise TypeError(f"linear: weight and bias must be Tensors (e.g. Parameters); got "
                        f"{type(weight).__name__} and {type(bias).__name__}.")
    x = _lift(x, weight)
    if bias is not None and bias.shape != (weight.shape[-1],):
        raise ValueError(f"linear: bias must have shape (out_features,) = ({weight.shape[-1]},); got {bias.shape}.")
    if x.ndim == 0 or weight.ndim != 2 or x.shape[-1] != weight.shape[0]:
        raise ValueError(
            f"linear: x of shape {x.shape} does not fit weight of shape {weight.shape}; "
            "expected x (..., in_features) and weight (in_features, out_features)."
        )
    x2 = x.data.reshape(-1, x.shape[-1])  # (N, in): all leading axes in one matrix product
    out = x2 @ weight.data  # (N, out_features)
    if bias is not None:
        out += bias.data  # in place: `out` is a fresh array
    out = out.reshape(x.shape[:-1] + (weight.shape[1],))  # (..., out_features)

    def backward(g):  # g: (..., out_features)
        g2 = g.reshape(-1, g.shape[-1])  # (N, out)
        gx = (g2 @ weight.data.T).reshape(x.shape) if x.requires_grad else None  # (..., in_features)
        gw = x2.T @ g2 if weight.requires_grad else None  # (in, out)
        gb = g2.sum(axis=0) if bias is not None and bias.requires_grad else None  # (out,)
        return gx, gw, gb

    parents = (x, weight) if bias is None else (x, weight, bias)
    return from_op(out, parents, backward, "linear")


def _check_softmax_input(x: Any, axis: Any, op: str) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op} needs a Tensor; got {type(x).__name__}. Wrap the data with Tensor(...).")
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an int; got {axis!r}.")
    _check_axis(axis, x.ndim, op)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """Numerically stable ``log(softmax(x))`` along ``axis``.

    Notes
    -----
    :math:`\\log p_i = (x_i - m) - \\log\\sum_j e^{x_j - m}` with :math:`m = \\max_j x_j`,
    so no exponential overflows. Backward: :math:`g_i - p_i \\sum_j g_j`.
    """
    _check_softmax_input(x, axis, "log_softmax")
    z = x.data
    shifted = z - z.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g):
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)

    return from_op(out, (x,), backward, "log_softmax")


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """Numerically stable softmax along ``axis``.

    Notes
    -----
    :math:`p_i = e^{x_i - m} / \\sum_j e^{x_j - m}`. Backward (the softmax Jacobian
    applied to ``g``): :math:`p_i (g_i - \\sum_j g_j p_j)`.
    """
    _check_softmax_input(x, axis, "softmax")
    z = x.data
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g):
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)

    return from_op(out, (x,), backward, "softmax")


def cross_entropy(logits: Tensor, targets: Any, reduction: str = "mean") -> Tensor:
    """Fused softmax + negative log-likelihood of integer class targets.

    Parameters
    ----------
    logits : Tensor of shape (n_samples, n_classes) or (..., n_classes)
        Unnormalised scores, e.g. (B, T, vocab_size) for a language model.
    targets : array_like of int, shape (n_samples,) or (...)
        The correct class of each sample, in ``[0, n_classes)``.
    reduction : {"mean", "sum", "none"}
        Average (default, like PyTorch), sum, or per-sample losses.

    Returns
    -------
    Tensor
        Scalar, or shape (...) for ``reduction="none"``.

    Notes
    -----
    :math:`\\ell_n = \\log\\sum_c e^{z_{nc}} - z_{n y_n}`, computed after
    subtracting each row's maximum. Its gradient is
    :math:`\\partial \\ell_n / \\partial z_{nc} = p_{nc} - [c = y_n]`.
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"Unknown reduction={reduction!r}; expected one of 'mean', 'sum', 'none'.")
    t = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
    if t.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: targets must be integer class labels; got dtype {t.dtype}. "
            "Convert with targets.astype(int)."
        )
    if logits.ndim < 1 or t.shape != logits.shape[:-1]:
        raise ValueError(
            f"cross_entropy: logits of shape {logits.shape} need targets of shape "
            f"{logits.shape[:-1]}; got {t.shape}."
        )
    n_classes = logits.shape[-1]
    if t.size and (t.min() < 0 or t.max() >= n_classes):
        raise ValueError(
            f"cross_entropy: targets must lie in [0, {n_classes}); got values in "
            f"[{t.min()}, {t.max()}]."
        )
    z = logits.data.reshape(-1, n_classes)  # (N, C)
    t = t.reshape(-1)  # (N,)
    rows = np.arange(len(t))
    shifted = z - z.max(axis=1, keepdims=True)  # (N, C), max is 0
    e = np.exp(shifted)  # (N, C)
    total = e.sum(axis=1, keepdims=True)  # (N, 1)
    losses = np.log(total[:, 0]) - shifted[rows, t]  # (N,)
    n = max(len(t), 1)
    if reduction == "mean":
        out = np.asarray(losses.sum() / n, dtype=z.dtype)
    elif reduction == "sum":
        out = np.asarray(losses.sum(), dtype=z.dtype)
    else:
        out = losses.reshape(logits.shape[:-1])

    def backward(g):
        p = e / total  # (N, C) softmax probabilities
        p[rows, t] -= 1  # minus the one-hot target
        if reduction == "none":
            p *= g.reshape(-1, 1)
        else:
            p *= g / n if reduction == "mean" else g
        return (p.reshape(logits.shape),)

    return from_op(out, (logits,), backward, "cross_entropy")


# ---- constructors ------------------------------------------------------------


def _check_shape(shape: tuple[Any, ...], fn: str) -> tuple[int, ...]:
    """Sizes of a new tensor: non-negative ints, given as ``f(2, 3)`` or ``f((2, 3))``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{fn}: sizes must be integers; got {shape!r}.")
        if n < 0:
            raise ValueError(f"{fn}: sizes must be >= 0; got {shape!r}.")
    return tuple(int(n) for n in shape)


def zeros(*shape: int, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    shape = _check_shape(shape, "zeros")
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(*shape: int, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    shape = _check_shape(shape, "ones")
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


def randn(
    *shape: int,
    rng: np.random.Generator | int | None = None,
    dtype: Any = np.float64,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples drawn from ``rng`` (a Generator, a seed, or None)."""
    from scratch._validation import as_rng

    shape = _check_shape(shape, "randn")
    data = as_rng(rng).standard_normal(shape).astype(dtype, copy=False)
    return Tensor(data, requires_grad=requires_grad)
