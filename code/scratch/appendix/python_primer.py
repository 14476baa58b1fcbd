"""The Python this book uses, as small tested functions and classes.

Page: ``book/appendix/python_primer.md``. Each object illustrates one idiom:
functions with keyword-only arguments, a ``@dataclass`` configuration, a
generator of minibatches, numpy broadcasting and fancy indexing, and a tiny
class with ``__call__`` that leads to the pattern of :class:`scratch.nn.Module`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive

__all__ = ["TrainConfig", "minibatches", "running_mean", "pairwise_sq_dists", "one_hot", "softmax", "Affine"]


@dataclass
class TrainConfig:
    """A configuration as a dataclass: named fields with defaults, a free ``__init__`` and ``__repr__``."""

    lr: float = 0.1                 # step size
    epochs: int = 10                # passes over the data
    batch_size: int = 32            # samples per step
    hidden: list[int] = field(default_factory=lambda: [16, 16])  # a mutable default needs a factory

    def __post_init__(self) -> None:
        check_positive(self.lr, name="lr")
        check_int(self.epochs, name="epochs", minimum=1)
        check_int(self.batch_size, name="batch_size", minimum=1)
        if not isinstance(self.hidden, (list, tuple)):
            raise TypeError(f"hidden must be a list of layer widths, e.g. [16, 16]; got {type(self.hidden).__name__}.")
        for h in self.hidden:
            check_int(h, name="hidden[i]", minimum=1)


def minibatches(n_samples: int, batch_size: int, *, shuffle: bool = True, rng: RNG = None) -> Iterator[np.ndarray]:
    """Yield index arrays that cover ``range(n_samples)`` once, ``batch_size`` at a time (the last may be smaller).

    A generator: nothing is computed until the caller asks for the next batch.
    """
    n = check_int(n_samples, name="n_samples", minimum=0)
    b = check_int(batch_size, name="batch_size", minimum=1)
    order = as_rng(rng).permutation(n) if shuffle else np.arange(n)
    for start in range(0, n, b):
        yield order[start:start + b]


def running_mean(values) -> Iterator[float]:
    """Yield the mean of the first 1, 2, 3, ... values of any iterable (a generator consuming a generator)."""
    total, count = 0.0, 0
    for v in values:
        try:
            total += float(v)
        except (TypeError, ValueError):
            raise TypeError(f"values must be numbers; got {v!r}.") from None
        count += 1
        yield total / count


def pairwise_sq_dists(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances (n, m) between rows of X (n, d) and Y (m, d), by broadcasting.

    ``X[:, None, :] - Y[None, :, :]`` has shape (n, m, d): the size-1 axes are stretched.
    """
    X = check_array(X, name="X", ndim=2)
    Y = check_array(Y, name="Y", ndim=2)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"X and Y need the same number of columns; got {X.shape[1]} and {Y.shape[1]}.")
    diff = X[:, None, :] - Y[None, :, :]  # (n, m, d)
    return (diff ** 2).sum(axis=-1)


def one_hot(y: np.ndarray, n_classes: int) -> np.ndarray:
    """One-hot rows (n, n_classes) of integer labels y (n,), by fancy indexing ``out[np.arange(n), y] = 1``."""
    y = np.asarray(y)
    k = check_int(n_classes, name="n_classes", minimum=1)
    if y.ndim != 1 or (y.size and y.dtype.kind not in "iu"):
        raise TypeError(f"y must be a 1-D array of integer labels; got shape {y.shape}, dtype {y.dtype}.")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"labels must lie in [0, {k}); got values in [{y.min()}, {y.max()}].")
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), y] = 1.0
    return out


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Stable softmax along ``axis``: subtract the maximum before ``exp`` (the result is unchanged)."""
    z = check_array(z, name="z", ndim=(1, 2, 3, 4))
    if not -z.ndim <= check_int(axis, name="axis") < z.ndim:
        raise ValueError(f"axis {axis} is out of range for z of {z.ndim} dimensions.")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


class Affine:
    """A plain class with state and ``__call__``: ``y = x W + b`` on numpy arrays.

    The step before :class:`scratch.nn.Module`: a Module is such a class whose
    arrays are ``Parameter`` tensors (so gradients flow) and which finds them by
    looking at its own attributes.

    Parameters
    ----------
    n_in, n_out : int
    rng : np.random.Generator, int or None
    """

    def __init__(self, n_in: int, n_out: int, rng: RNG = None):
        n_in = check_int(n_in, name="n_in", minimum=1)
        n_out = check_int(n_out, name="n_out", minimum=1)
        self.W = as_rng(rng).normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))
        self.b = np.zeros(n_out)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(n_samples, n_in) -> (n_samples, n_out)."""
        x = check_array(x, name="x", ndim=2)
        if x.shape[1] != self.W.shape[0]:
            raise ValueError(f"x has {x.shape[1]} columns; this Affine expects {self.W.shape[0]}.")
        return x @ self.W + self.b

    def __repr__(self) -> str:
        return f"Affine({self.W.shape[0]} -> {self.W.shape[1]})"
