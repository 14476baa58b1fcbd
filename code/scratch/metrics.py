"""Metrics and distances shared by the chapters (one home for each).

* :func:`accuracy_score`: the fraction of equal labels (scikit-learn's name);
* :func:`accuracy`: a classifier network's accuracy on data, in eval mode and without a
  graph, restoring the model's mode afterwards even when it fails;
* :func:`squared_euclidean_distances`: all pairwise squared distances, exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import check_array, check_int, check_same_features

__all__ = ["accuracy_score", "accuracy", "predict_logits", "squared_euclidean_distances"]

# Upper bound on the number of float64 differences held in memory at once.
_BLOCK_ELEMENTS = 2**22


def accuracy_score(y_true, y_pred) -> float:
    """Fraction of equal labels in two equal-length label vectors of shape (n_samples,)."""
    y_true = check_array(y_true, name="y_true", ndim=1, dtype=None)
    y_pred = check_array(y_pred, name="y_pred", ndim=1, dtype=None)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have mismatched shapes {y_true.shape} and {y_pred.shape}; "
            "pass one label per sample in each."
        )
    return float(np.mean(y_true == y_pred))


def predict_logits(model: Any, X, *, batch_size: int = 1024) -> np.ndarray:
    """The model's outputs for ``X`` (n_samples, ...), batch by batch, in eval mode and without a graph.

    The model's training/eval mode is restored afterwards, also when the forward pass
    raises (``try``/``finally``).
    """
    from scratch.autograd.tensor import Tensor, no_grad

    X = check_array(X, name="X", ndim=(2, 3, 4), dtype=None)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    if not callable(model) or not hasattr(model, "training"):
        raise TypeError(f"model must be a scratch.nn Module (callable, with train/eval modes); got "
                        f"{type(model).__name__}.")
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            outs = [np.asarray(model(Tensor(X[i:i + batch_size])).data) for i in range(0, len(X), batch_size)]
    finally:
        model.train(was_training)
    return np.concatenate(outs)


def accuracy(model: Any, X, y, *, batch_size: int = 1024) -> float:
    """Fraction of samples whose arg-max output is the label.

    Parameters
    ----------
    model : scratch.nn.Module
        Maps a batch of ``X`` to logits of shape (batch, n_classes).
    X : array_like of shape (n_samples, ...)
    y : array_like of int, shape (n_samples,)
        One integer label per sample (not one-hot, not a column).
    """
    y = check_array(y, name="y", ndim=1, dtype=None)
    if y.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer class labels; got dtype {y.dtype}. Use y.astype(int).")
    if len(y) != len(X):
        raise ValueError(f"X and y have mismatched lengths: {len(X)} samples vs {len(y)} labels.")
    logits = predict_logits(model, X, batch_size=batch_size)
    if logits.ndim != 2 or len(logits) != len(y):
        raise ValueError(f"the model must return logits of shape (n_samples, n_classes); got {logits.shape}.")
    return float(np.mean(logits.argmax(axis=1) == y))


def squared_euclidean_distances(A, B) -> np.ndarray:
    r"""All squared Euclidean distances :math:`\lVert a_i - b_j\rVert^2` between two sets of rows.

    The differences are formed explicitly (in blocks of rows, to bound memory)
    rather than through :math:`\lVert a\rVert^2 - 2a^\top b + \lVert b\rVert^2`:
    this is slower but suffers no cancellation, so a point's distance to itself
    is exactly 0 and equal inputs give exactly equal distances.

    Parameters
    ----------
    A : array_like of shape (n_a, n_features)
    B : array_like of shape (n_b, n_features)

    Returns
    -------
    ndarray of shape (n_a, n_b)
    """
    A, B = check_same_features(A, B)
    D = np.empty((A.shape[0], B.shape[0]))
    rows = max(1, _BLOCK_ELEMENTS // max(1, B.shape[0] * B.shape[1]))
    for start in range(0, A.shape[0], rows):
        diff = A[start:start + rows, None, :] - B[None, :, :]   # (rows, n_b, n_features)
        D[start:start + rows] = np.einsum("ijk,ijk->ij", diff, diff)
    return D
