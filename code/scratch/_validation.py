"""Input checks shared by every public function and estimator in :mod:`scratch`.

Every check raises a ``ValueError`` or ``TypeError`` whose message says what was
expected, what came, and what to do. Estimators call these at the top of ``fit`` /
``predict``; nothing in the package uses bare ``assert`` on user input.

What is checked and what is not: a *user's mistake* (a wrong shape, mismatched
lengths, NaN/inf in data, an unknown option, a parameter outside its range, a model
used before ``fit``) raises here, before numpy sees it. A *numerical edge case inside
a computation the user built* (``Tensor.log`` of 0 in a hand-written graph, an
overflow in a loss the user chose) is the user's own business: numpy's
``RuntimeWarning`` is left to surface (the strict book build turns it into an error),
rather than paying a check on every operation of the engine.
"""

from __future__ import annotations

from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any, Iterable, Iterator, Union

import numpy as np

__all__ = [
    "RNG",
    "eval_mode",
    "check_token_ids",
    "class_labels",
    "NotFittedError",
    "as_rng",
    "check_array",
    "check_X_y",
    "check_is_fitted",
    "check_option",
    "check_positive",
    "check_int",
]


#: The type of every ``rng`` argument: a Generator, an int seed, or None (fresh entropy).
RNG = Union[np.random.Generator, int, None]


class NotFittedError(ValueError, AttributeError):
    """Raised when ``predict``/``transform`` is called before ``fit``."""


def as_rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    """Turn ``rng`` (a Generator, an int seed or None) into a ``np.random.Generator``.

    The global ``np.random`` state is never used.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (Integral, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy Generator, an int seed or None; got {type(rng).__name__}. "
        "Pass e.g. rng=0 for reproducible results."
    )


def check_array(
    X: Any,
    *,
    name: str = "X",
    ndim: int | Iterable[int] = 2,
    dtype: Any = np.float64,
    allow_empty: bool = False,
    finite: bool = True,
) -> np.ndarray:
    """Convert ``X`` to an ndarray and check its dimensionality and values.

    Parameters
    ----------
    X : array_like
        The input.
    name : str
        The argument's name, used in error messages.
    ndim : int or iterable of int
        Allowed numbers of dimensions.
    dtype : numpy dtype or None
        Cast to this dtype (None keeps the input's dtype).
    allow_empty : bool
        Whether zero samples are acceptable.
    finite : bool
        Reject NaN and inf.
    """
    allowed = (ndim,) if isinstance(ndim, Integral) else tuple(ndim)
    if dtype is not None and np.dtype(dtype).kind in "fciu":
        raw = X if isinstance(X, np.ndarray) else None
        if raw is None and isinstance(X, (list, tuple)):
            try:
                raw = np.asarray(X, dtype=object)
            except ValueError:  # ragged: reported below
                raw = None
        if raw is not None and (raw.dtype.kind in "USa" or (raw.dtype == object and raw.size
                                and any(isinstance(v, (str, bytes)) for v in raw.ravel()[:1000]))):
            raise TypeError(
                f"{name} must hold numbers; got strings (dtype {raw.dtype}). Encode categories as numbers, "
                "or convert numeric text explicitly with np.asarray(..., dtype=float)."
            )
    try:
        arr = np.asarray(X, dtype=dtype)
    except (TypeError, ValueError) as exc:
        want = "numeric" if dtype is not None else "array-like"
        why = ("its rows have different lengths" if "inhomogeneous" in str(exc) or "sequence" in str(exc)
               else "it holds values that are not numbers")
        raise TypeError(
            f"{name} must be a {want} array; got {type(X).__name__} that cannot be converted: {why}. "
            "Pass a rectangular array of numbers, e.g. np.asarray(..., dtype=float)."
        ) from None
    if arr.ndim not in allowed:
        shape_hint = {1: "(n_samples,)", 2: "(n_samples, n_features)"}
        hint = " or ".join(shape_hint.get(d, f"{d}-D") for d in allowed)
        extra = ""
        if 2 in allowed and arr.ndim == 1:
            extra = " Reshape a single feature with X.reshape(-1, 1), a single sample with X.reshape(1, -1)."
        raise ValueError(
            f"{name} must have shape {hint}; got an array with shape {arr.shape}.{extra}"
        )
    if not allow_empty and (arr.size == 0 or (arr.ndim > 0 and arr.shape[0] == 0)):
        raise ValueError(
            f"{name} is empty (shape {arr.shape}); at least one sample is required."
        )
    if finite and arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        n_bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} contains {n_bad} NaN or infinite value(s); remove or impute them "
            "before calling this function."
        )
    return arr


def check_X_y(
    X: Any,
    y: Any,
    *,
    y_dtype: Any = np.float64,
    y_ndim: int | Iterable[int] = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Check a design matrix ``X`` of shape (n_samples, n_features) and targets ``y``.

    ``y`` must have as many rows as ``X``.
    """
    X = check_array(X, name="X", ndim=2)
    y = check_array(y, name="y", ndim=y_ndim, dtype=y_dtype)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"X and y have mismatched lengths: X has {X.shape[0]} samples, y has "
            f"{y.shape[0]}. They must describe the same samples."
        )
    return X, y


def check_is_fitted(estimator: Any, attributes: str | Iterable[str]) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has every fitted attribute."""
    attrs = [attributes] if isinstance(attributes, str) else list(attributes)
    if not all(hasattr(estimator, a) for a in attrs):
        name = type(estimator).__name__
        raise NotFittedError(
            f"This {name} instance is not fitted yet. Call 'fit' with training data "
            "before using this method."
        )


def check_n_features(estimator: Any, X: np.ndarray) -> None:
    """Check that ``X`` has the number of features seen during ``fit``."""
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} was fitted with "
            f"{estimator.n_features_in_} features. Pass data with the same columns as in fit."
        )


def check_option(value: Any, options: Iterable[Any], *, name: str) -> Any:
    """Check that ``value`` is one of ``options``."""
    options = tuple(options)
    if value not in options:
        raise ValueError(
            f"Unknown {name}={value!r}; expected one of {', '.join(map(repr, options))}."
        )
    return value


def check_positive(value: Any, *, name: str, strict: bool = True) -> float:
    """Check that ``value`` is a real number > 0 (or >= 0 with ``strict=False``)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}.")
    ok = value > 0 if strict else value >= 0
    if not ok or not np.isfinite(value):
        bound = "> 0" if strict else ">= 0"
        raise ValueError(f"{name} must be finite and {bound}; got {value!r}.")
    return float(value)


def check_int(value: Any, *, name: str, minimum: int | None = None, maximum: int | None = None) -> int:
    """Check that ``value`` is an integer in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        raise TypeError(f"{name} must be an integer; got {type(value).__name__} ({value!r}).")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {value}.")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}; got {value}.")
    return int(value)


@contextmanager
def eval_mode(model: Any) -> Iterator[Any]:
    """Put ``model`` in eval mode for a ``with`` block and restore its mode afterwards,
    also when the block raises (so a failed prediction never leaves a model in eval mode)."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


def check_token_ids(ids: Any, *, vocab_size: int, name: str = "idx", ndim: int | Iterable[int] = (1, 2)) -> np.ndarray:
    """Integer token ids in ``0 .. vocab_size - 1`` (floats are rejected, never truncated)."""
    arr = np.asarray(ids)
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer token ids; got dtype {arr.dtype}. Encode text with the "
                        "vocabulary first (e.g. vocab.encode(...)).")
    arr = check_array(arr, name=name, ndim=ndim, dtype=np.int64)
    if arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        raise ValueError(f"{name} must lie in 0 .. {vocab_size - 1} (the vocabulary); "
                         f"got values from {arr.min()} to {arr.max()}.")
    return arr


def class_labels(y: Any, *, name: str = "y") -> tuple[np.ndarray, np.ndarray]:
    """``(classes, y_idx)`` as ``np.unique(y, return_inverse=True)``, for class labels of one kind.

    Labels that mix kinds (numbers and strings) cannot be sorted; this says so instead of
    surfacing numpy's comparison error.
    """
    y = np.asarray(y)
    kinds = {type(v).__name__ for v in y.ravel()[:10_000]} if y.dtype == object else {y.dtype.kind}
    numeric = {"int", "float", "bool", "int64", "float64", "int32", "float32"}
    if y.dtype == object and len(kinds) > 1 and not kinds <= numeric:
        raise TypeError(f"{name} mixes label types ({', '.join(sorted(kinds))}); use one kind of label, "
                        f"e.g. all strings ({name}.astype(str)) or all integers.")
    try:
        classes, y_idx = np.unique(y, return_inverse=True)
    except TypeError as exc:
        raise TypeError(f"{name} holds labels that cannot be compared ({exc}); use one kind of label.") from None
    return classes, y_idx.reshape(-1)


def check_same_features(A: Any, B: Any, *, names: tuple[str, str] = ("A", "B")) -> tuple[np.ndarray, np.ndarray]:
    """Two matrices of shape (n_a, n_features) and (n_b, n_features) with the same ``n_features``
    (e.g. the two arguments of a pairwise distance or kernel), checked with :func:`check_array`."""
    A = check_array(A, name=names[0])
    B = check_array(B, name=names[1])
    if A.shape[1] != B.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of features; got {A.shape[1]} and {B.shape[1]}."
        )
    return A, B


def as_float_array(value: Any, name: str, what: str = "a number or an array") -> np.ndarray:
    """``value`` (any shape) as a float64 array; strings, None, ragged or non-numeric input raise ``TypeError``.

    ``np.asarray(value, dtype=float)`` alone would turn ``"3"`` into 3.0 and ``None`` into NaN.
    Shape and finiteness are left to the caller.
    """
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):  # ragged
        raw = np.asarray(None)
    bad = raw.dtype.kind in "USV" or (raw.dtype == object and (raw.size == 0 or any(
        v is None or isinstance(v, (str, bytes)) for v in raw.ravel()[:1000])))
    if not bad:
        try:
            return np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{name} must be {what} holding numbers; got {type(value).__name__} {value!r:.60}.")
