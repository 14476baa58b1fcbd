"""Multilayer perceptrons and the training loop shared by the neural-network chapters.

The chapter ``book/neural/mlp.md`` derives the forward pass (``eq-mlp-forward``),
the losses (``eq-mlp-ce``, ``eq-mlp-mse``), backpropagation (``eq-mlp-backprop``)
and the stochastic-gradient update (``eq-mlp-sgd``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_option
from scratch.autograd.tensor import Tensor, cross_entropy, no_grad
from scratch.nn.dropout import Dropout
from scratch.nn.functional import mse_loss
from scratch.nn.layers import Linear
from scratch.nn.module import Module, ModuleList
from scratch.metrics import accuracy, predict_logits

__all__ = ["MLP", "History", "minibatches", "fit", "one_hot"]


class MLP(Module):
    r"""Fully connected network ``Linear -> act -> ... -> Linear`` (no activation on the output).

    Parameters
    ----------
    sizes : sequence of int
        Layer widths, input first, output last, e.g. ``(64, 128, 10)``.
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
    dropout : float, default 0.0
        Dropout probability after every hidden activation (0 disables it).
    rng : np.random.Generator, int or None
        Source of the initial weights and of the dropout masks.
    dtype : numpy float dtype, default float64

    Notes
    -----
    ``eq-mlp-forward``: :math:`h_0 = x`, :math:`h_\ell = \phi(h_{\ell-1} W_\ell + b_\ell)`
    for hidden layers, and the logits :math:`z = h_{L-1} W_L + b_L`.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", dropout: float = 0.0, *,
                 rng: RNG = None, dtype: Any = np.float64):
        sizes = [check_int(s, name="sizes[i]", minimum=1) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size; got sizes={sizes}.")
        self.activation = check_option(activation, ("relu", "tanh", "sigmoid"), name="activation")
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be a probability in [0, 1); got {dropout}.")
        rng = as_rng(rng)
        self.sizes = sizes
        self.layers = ModuleList(Linear(a, b, rng=rng, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:]))
        self.dropout = Dropout(dropout, rng=rng) if dropout > 0 else None

    def forward(self, x: Tensor) -> Tensor:
        """(n_samples, sizes[0]) -> logits (n_samples, sizes[-1])."""
        for layer in self.layers.items[:-1]:
            x = getattr(layer(x), self.activation)()          # (n, width)
            if self.dropout is not None:
                x = self.dropout(x)
        return self.layers[-1](x)                              # (n, n_out)

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}, activation={self.activation!r}"


def one_hot(y: np.ndarray, n_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """Integer labels (n,) in ``0 .. n_classes - 1`` -> one-hot matrix (n, n_classes)."""
    n_classes = check_int(n_classes, name="n_classes", minimum=1)
    y = check_array(y, name="y", ndim=1, dtype=None, allow_empty=True)
    if y.dtype.kind not in "iu":
        raise TypeError(f"one_hot needs integer labels; got dtype {y.dtype}. Use y.astype(int).")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in 0 .. {n_classes - 1}; got values from {y.min()} to {y.max()}.")
    out = np.zeros((len(y), n_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1
    return out


def minibatches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """A random partition of ``range(n)`` into batches of ``batch_size`` (the last may be smaller)."""
    n = check_int(n, name="n", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (e.g. np.random.default_rng(0)); got {type(rng).__name__}.")
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


@dataclass
class History:
    """Per-epoch curves recorded by :func:`fit` (lists of floats)."""

    train_loss: list = field(default_factory=list)  # mean training loss over the epoch's batches
    val_loss: list = field(default_factory=list)    # loss on (X_val, y_val) after the epoch
    val_acc: list = field(default_factory=list)     # accuracy on (X_val, y_val) (classification)
    train_acc: list = field(default_factory=list)   # accuracy on the whole training set
    n_grad_evals: list = field(default_factory=list)  # per-sample gradients evaluated so far
    best_epoch: int = -1                            # epoch with the lowest val loss (early stopping)

    def __post_init__(self):
        for name in ("train_loss", "val_loss", "val_acc", "train_acc", "n_grad_evals"):
            if not isinstance(getattr(self, name), list):
                raise TypeError(f"{name} must be a list (of per-epoch values); got {type(getattr(self, name)).__name__}.")
        check_int(self.best_epoch, name="best_epoch", minimum=-1)


def _loss(kind: str, logits: Tensor, y: np.ndarray) -> Tensor:
    if kind == "cross_entropy":
        return cross_entropy(logits, y)                                      # eq-mlp-ce
    return mse_loss(logits.softmax(-1) if kind == "mse_softmax" else logits,  # eq-mlp-mse
                    one_hot(y, logits.shape[-1], logits.dtype) if kind != "mse" else y)


def fit(model: Module, X: np.ndarray, y: np.ndarray, optimizer, *, epochs: int = 10, batch_size: int = 32,
        loss: str = "cross_entropy", X_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
        patience: int | None = None, rng: RNG = None,
        callback: Callable[[int, History], None] | None = None, track_train_acc: bool = False,
        augment: Callable[[np.ndarray, np.random.Generator], np.ndarray] | None = None) -> History:
    r"""Train ``model`` by mini-batch stochastic gradient descent.

    Parameters
    ----------
    model : Module
        Maps a batch ``X[idx]`` to outputs.
    X : ndarray of shape (n_samples, ...)
        Inputs (any trailing shape the model accepts, e.g. images (n, 1, 8, 8)).
    y : ndarray of shape (n_samples,)
        Integer labels for ``loss="cross_entropy"``/``"mse_onehot"``/``"mse_softmax"``,
        real targets of the model's output shape for ``loss="mse"``.
    optimizer : scratch.optim.Optimizer
        Holds ``model.parameters()``.
    epochs : int
        Passes over the data. ``batch_size=n_samples`` is batch gradient descent,
        ``batch_size=1`` online SGD: every epoch evaluates ``n_samples`` per-sample
        gradients whatever the batch size, which makes budgets comparable.
    loss : {"cross_entropy", "mse_onehot", "mse_softmax", "mse"}
    X_val, y_val : ndarray, optional
        Evaluated after every epoch.
    patience : int, optional
        Early stopping: stop when the validation loss has not improved for
        ``patience`` epochs, and restore the best parameters.
    rng : np.random.Generator, int or None
        Shuffles the batches.
    callback : callable(epoch, history), optional
        Called after every epoch (e.g. to print sparsely).
    track_train_acc : bool
        Also record the accuracy on the whole training set each epoch.
    augment : callable(X_batch, rng) -> X_batch, optional
        Random transformation applied to every training batch (data augmentation).

    Returns
    -------
    History

    Notes
    -----
    One step on batch :math:`B` (``eq-mlp-sgd``):
    :math:`\theta \leftarrow \theta - \eta \nabla_\theta \frac{1}{|B|}\sum_{i\in B}\ell(f_\theta(x_i), y_i)`,
    with the gradient from backpropagation (``eq-mlp-backprop``); the optimizer
    may replace the plain step by Adam's.
    """
    loss = check_option(loss, ("cross_entropy", "mse_onehot", "mse_softmax", "mse"), name="loss")
    X = check_array(X, name="X", ndim=(2, 3, 4), dtype=None)
    y = check_array(y, name="y", ndim=(1, 2), dtype=None)
    if len(y) != len(X):
        raise ValueError(f"X and y have mismatched lengths: {len(X)} samples vs {len(y)} labels.")
    if loss != "mse" and (y.dtype.kind not in "iu"):
        raise TypeError(f"loss={loss!r} needs integer class labels; got y of dtype {y.dtype}. Use y.astype(int).")
    epochs = check_int(epochs, name="epochs", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    if (X_val is None) != (y_val is None):
        raise ValueError("Pass both X_val and y_val, or neither.")
    if patience is not None and X_val is None:
        raise ValueError("Early stopping (patience) needs validation data X_val, y_val.")
    if X_val is not None:  # NaN/inf in the validation set would silently stop training early
        X_val = check_array(X_val, name="X_val", ndim=X.ndim, dtype=None)
        y_val = check_array(y_val, name="y_val", ndim=y.ndim, dtype=None)
        if len(X_val) != len(y_val) or X_val.shape[1:] != X.shape[1:]:
            raise ValueError(f"X_val {X_val.shape} and y_val {y_val.shape} must match each other and X's "
                             f"sample shape {X.shape[1:]}.")
    rng = as_rng(rng)
    hist = History()
    best, best_state, seen, wait = np.inf, None, 0, 0
    for epoch in range(epochs):
        model.train()
        losses = []
        for idx in minibatches(len(X), batch_size, rng):
            optimizer.zero_grad()
            xb = X[idx] if augment is None else augment(X[idx], rng)
            value = _loss(loss, model(Tensor(xb)), y[idx])
            value.backward()
            optimizer.step()
            losses.append(value.item() * len(idx))
            seen += len(idx)
        hist.train_loss.append(sum(losses) / len(X))
        hist.n_grad_evals.append(seen)
        if track_train_acc:
            hist.train_acc.append(accuracy(model, X, y))
        if X_val is not None:
            out = predict_logits(model, X_val)
            hist.val_loss.append(_loss(loss, Tensor(out), y_val).item())
            if loss != "mse":
                hist.val_acc.append(float(np.mean(out.argmax(axis=1) == y_val)))
            if hist.val_loss[-1] < best:
                best, hist.best_epoch, wait = hist.val_loss[-1], epoch, 0
                if patience is not None:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                wait += 1
        if callback is not None:
            callback(epoch, hist)
        if patience is not None and wait >= patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
    return hist
