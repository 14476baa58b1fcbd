"""Action and observation spaces with Gymnasium's names: :class:`Discrete` and :class:`Box`.

A space describes which actions an environment accepts and which observations it
returns. Unlike Gymnasium, a space holds no random state: ``sample(rng)`` takes the
generator as an argument, as everything random in :mod:`scratch` does.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_int

__all__ = ["Space", "Discrete", "Box"]


class Space:
    """Base class of the spaces."""

    def contains(self, x: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError("Space is abstract: use Discrete or Box.")

    def __contains__(self, x: Any) -> bool:
        return self.contains(x)

    def sample(self, rng: RNG = None) -> Any:  # pragma: no cover
        raise NotImplementedError("Space is abstract: use Discrete or Box.")


class Discrete(Space):
    """The integers ``start, start + 1, ..., start + n - 1``.

    Parameters
    ----------
    n : int
        Number of elements (at least 1).
    start : int, default 0
        The smallest element.

    Examples
    --------
    >>> space = Discrete(3)
    >>> space.contains(2), space.contains(3), space.n
    (True, False, 3)
    """

    def __init__(self, n: int, start: int = 0):
        self.n = check_int(n, name="n", minimum=1)
        self.start = check_int(start, name="start")
        self.shape: tuple[int, ...] = ()
        self.dtype = np.dtype(np.int64)

    def contains(self, x: Any) -> bool:
        """True if ``x`` is an integer (Python, numpy scalar or 0-d integer array) in the range."""
        if isinstance(x, np.ndarray) and x.shape == () and x.dtype.kind in "iu":
            x = x.item()
        if isinstance(x, bool) or not isinstance(x, (Integral, np.integer)):
            return False
        return self.start <= int(x) < self.start + self.n

    def sample(self, rng: RNG = None) -> int:
        """One element drawn uniformly with ``rng``."""
        return int(self.start + as_rng(rng).integers(self.n))

    def __repr__(self) -> str:
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Discrete) and (self.n, self.start) == (other.n, other.start)


class Box(Space):
    """A box ``low <= x <= high`` in :math:`\\mathbb{R}^{shape}` (bounds may be infinite).

    Parameters
    ----------
    low, high : float or array_like
        Elementwise bounds, broadcast to ``shape``.
    shape : tuple of int, optional
        The shape of an element; taken from ``low``/``high`` when they are arrays.
    dtype : numpy float dtype, default float32 (Gymnasium's default)
    """

    def __init__(self, low: Any, high: Any, shape: tuple[int, ...] | None = None, dtype: Any = np.float32):
        self.dtype = np.dtype(dtype)
        low_a, high_a = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
        if np.any(np.isnan(low_a)) or np.any(np.isnan(high_a)):
            raise ValueError("Box bounds contain NaN; use -np.inf / np.inf for an unbounded dimension.")
        if shape is not None and any(int(s) < 0 for s in shape):
            raise ValueError(f"Box shape must hold non-negative sizes; got {shape}.")
        try:
            if shape is None:
                shape = np.broadcast_shapes(low_a.shape, high_a.shape)
            self.shape = tuple(int(s) for s in shape)
            self.low = np.broadcast_to(low_a, self.shape).astype(self.dtype)
            self.high = np.broadcast_to(high_a, self.shape).astype(self.dtype)
        except ValueError:
            raise ValueError(
                f"Box bounds of shapes {low_a.shape} and {high_a.shape} do not broadcast to shape "
                f"{shape}; pass scalars or arrays of the element's shape."
            ) from None
        if np.any(self.low > self.high):
            raise ValueError("Box needs low <= high elementwise; got a lower bound above its upper bound.")

    def contains(self, x: Any) -> bool:
        """True if ``x`` has the box's shape, is real-valued and lies inside the bounds."""
        arr = np.asarray(x)
        if arr.shape != self.shape or arr.dtype.kind not in "iuf":
            return False
        return bool(np.all(arr >= self.low) and np.all(arr <= self.high))

    def sample(self, rng: RNG = None) -> np.ndarray:
        """Uniform inside bounded dimensions; normal (or shifted exponential) along infinite ones."""
        rng = as_rng(rng)
        low, high = self.low.astype(np.float64), self.high.astype(np.float64)
        out = rng.normal(size=self.shape)
        both = np.isfinite(low) & np.isfinite(high)
        out[both] = rng.uniform(low[both], high[both])
        lo_only = np.isfinite(low) & ~np.isfinite(high)
        out[lo_only] = low[lo_only] + rng.exponential(size=int(lo_only.sum()))
        hi_only = ~np.isfinite(low) & np.isfinite(high)
        out[hi_only] = high[hi_only] - rng.exponential(size=int(hi_only.sum()))
        return out.astype(self.dtype)

    def __repr__(self) -> str:
        return f"Box(shape={self.shape}, dtype={self.dtype})"
