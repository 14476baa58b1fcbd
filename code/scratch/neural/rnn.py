"""Recurrent networks: sequence regression (the adding problem), gradient-vs-lag
measurements, a character-level language model and a name classifier.

The chapter ``book/neural/rnn.md`` derives backpropagation through time
(``eq-rnn-bptt``), the gradient product (``eq-rnn-vanish``) and the cells
(``eq-rnn-cell``, ``eq-rnn-lstm``, ``eq-rnn-gru``; implemented in
:mod:`scratch.nn.recurrent`).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor, cross_entropy, no_grad
from scratch.nn.layers import Linear
from scratch.nn.module import Module
from scratch.nn.recurrent import Recurrent

__all__ = ["ALPHABET", "SequenceRegressor", "gradient_norms_by_lag", "encode_names",
           "NameClassifier", "CharLM", "lm_arrays", "lm_loss", "sample_names"]

ALPHABET = "abcdefghijklmnopqrstuvwxyz"


class SequenceRegressor(Module):
    """Read a sequence with a recurrent layer; predict one number from the last hidden state.

    The arguments are those of :class:`scratch.nn.recurrent.Recurrent` (``**cell_kwargs``
    go to the cell); the read-out is a ``Linear(hidden_size, 1)``.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, *,
                 rng: RNG = None, dtype: Any = np.float64, **cell_kwargs: Any):
        rng = as_rng(rng)
        self.rnn = Recurrent(cell, input_size, hidden_size, rng=rng, dtype=dtype, **cell_kwargs)
        self.head = Linear(hidden_size, 1, rng=rng, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        """(B, T, input_size) -> (B,)"""
        outputs, _ = self.rnn(x)                        # (B, T, H)
        return self.head(outputs[:, -1]).reshape(-1)    # (B,)


def gradient_norms_by_lag(cell: str, hidden_size: int = 32, length: int = 60, batch: int = 16, *,
                          recurrent_scale: float = 1.0,
                          rng: RNG = None, **cell_kwargs: Any) -> np.ndarray:
    r"""Norm of :math:`\partial L/\partial x_t` as a function of the lag :math:`T - t`, at initialisation.

    A freshly initialised recurrent layer reads standard-normal inputs; the loss
    is a fixed random projection of the last hidden state. Gradients that vanish
    (or explode) with the lag show how far back a gradient step can "see"
    (``eq-rnn-vanish``).

    Parameters
    ----------
    recurrent_scale : float, default=1.0
        Multiplies the recurrent weights after initialisation: values well above 1
        push a ReLU RNN into the exploding regime.

    Returns
    -------
    ndarray of shape (length,)
        Entry ``k`` is the mean over the batch of :math:`\lVert \partial L/\partial x_{T-1-k}\rVert`.
    """
    rng = as_rng(rng)
    scale = check_positive(recurrent_scale, name="recurrent_scale")
    length = check_int(length, name="length", minimum=1)
    batch = check_int(batch, name="batch", minimum=1)
    layer = Recurrent(cell, 4, hidden_size, rng=rng, **cell_kwargs)
    layer.cell.weight_hh.data *= scale
    x = Tensor(rng.standard_normal((batch, length, 4)), requires_grad=True)
    outputs, _ = layer(x)
    v = rng.standard_normal(hidden_size) / np.sqrt(hidden_size)
    (outputs[:, -1] * v).sum().backward()
    norms = np.linalg.norm(x.grad, axis=2).mean(axis=0)  # (T,)
    return norms[::-1]                                   # index = lag


def _check_names(names: Sequence[str], max_len: int, caller: str) -> int:
    """Names must be a list of non-empty a-z strings of at most ``max_len`` letters; returns ``max_len``."""
    max_len = check_int(max_len, name="max_len", minimum=1)
    if isinstance(names, str):
        raise TypeError(f"{caller} expects a list of names, not a single string; wrap it: [name].")
    for name in names:
        if not isinstance(name, str) or not name or any(ch not in ALPHABET for ch in name):
            raise ValueError(f"Names must be non-empty strings of the letters a-z; got {name!r}.")
        if len(name) > max_len:
            raise ValueError(
                f"The name {name!r} has {len(name)} letters, longer than max_len={max_len} allowed by "
                "this model; truncate it or build the model with a larger max_len."
            )
    return max_len


def encode_names(names: Sequence[str], max_len: int) -> np.ndarray:
    """One-hot encode lower-case names, **left**-padded with zero vectors.

    Parameters
    ----------
    names : sequence of str
        Letters a-z only.
    max_len : int
        Sequence length T; longer names are refused.

    Returns
    -------
    ndarray of shape (n_names, max_len, 26), float64
        Row ``t`` of a name is the one-hot letter, or zeros before the name starts,
        so the last time step is always the last letter.
    """
    max_len = _check_names(names, max_len, "encode_names")
    X = np.zeros((len(names), max_len, len(ALPHABET)))
    for i, name in enumerate(names):
        X[i, max_len - len(name) + np.arange(len(name)), [ALPHABET.index(ch) for ch in name]] = 1.0
    return X


class NameClassifier(Module):
    """A GRU (or LSTM/RNN) that reads a one-hot encoded name and outputs class logits.

    Parameters
    ----------
    max_len : int
        Longest name accepted (inputs are left-padded to this length).
    hidden_size : int, default 32
    n_classes : int, default 2
    cell : {"gru", "lstm", "rnn"}, default "gru"
    rng, dtype
    """

    def __init__(self, max_len: int, hidden_size: int = 32, n_classes: int = 2, cell: str = "gru", *,
                 rng: RNG = None, dtype: Any = np.float64):
        rng = as_rng(rng)
        self.max_len = check_int(max_len, name="max_len", minimum=1)
        n_classes = check_int(n_classes, name="n_classes", minimum=2)
        self.rnn = Recurrent(cell, len(ALPHABET), hidden_size, rng=rng, dtype=dtype)
        self.head = Linear(hidden_size, n_classes, rng=rng, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        """(B, max_len, 26) one-hot names -> (B, n_classes) logits."""
        if x.ndim != 3 or x.shape[1:] != (self.max_len, len(ALPHABET)):
            raise ValueError(
                f"NameClassifier expects one-hot names of shape (B, {self.max_len}, {len(ALPHABET)}) as made by "
                f"encode_names(names, max_len={self.max_len}); got {x.shape}."
            )
        outputs, _ = self.rnn(x)                        # (B, T, H)
        return self.head(outputs[:, -1])                # (B, n_classes)


# ---- character-level language model ----------------------------------------------
def lm_arrays(names: Sequence[str], max_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets for next-character prediction on names.

    The vocabulary is ``"." + a-z`` (27 symbols), ``"."`` marking start and end.
    Input ``.emma`` predicts ``emma.``; positions after the end get target -1 (masked).

    Returns
    -------
    X : ndarray of shape (n_names, max_len + 1, 27), one-hot inputs
    Y : ndarray of shape (n_names, max_len + 1), int targets (-1 = padding)
    """
    vocab = "." + ALPHABET
    T = _check_names(names, max_len, "lm_arrays") + 1
    X = np.zeros((len(names), T, len(vocab)))
    Y = np.full((len(names), T), -1)
    for i, name in enumerate(names):
        ids = [0] + [vocab.index(ch) for ch in name] + [0]
        X[i, np.arange(len(ids) - 1), ids[:-1]] = 1.0
        Y[i, :len(ids) - 1] = ids[1:]
    return X, Y


class CharLM(Module):
    """Character-level language model: a recurrent layer and a linear read-out to 27 symbols."""

    def __init__(self, hidden_size: int = 64, cell: str = "gru", *,
                 rng: RNG = None, dtype: Any = np.float64):
        rng = as_rng(rng)
        self.rnn = Recurrent(cell, 1 + len(ALPHABET), hidden_size, rng=rng, dtype=dtype)
        self.head = Linear(hidden_size, 1 + len(ALPHABET), rng=rng, dtype=dtype)

    def forward(self, x: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        """(B, T, 27) -> logits (B, T, 27) and the final recurrent state."""
        outputs, state = self.rnn(x, state)
        return self.head(outputs), state


def lm_loss(model: CharLM, X: np.ndarray, Y: np.ndarray) -> Tensor:
    """Mean next-character cross-entropy over the non-padding positions (nats per character)."""
    X, Y = np.asarray(X), np.asarray(Y)
    if Y.dtype.kind not in "iu":
        raise TypeError(f"Y must hold integer targets (-1 for padding), as made by lm_arrays; got dtype {Y.dtype}.")
    if X.ndim != 3 or Y.shape != X.shape[:2]:
        raise ValueError(f"X (n_names, T, 27) and Y (n_names, T) must come from the same lm_arrays call; got X "
                         f"{X.shape} and Y {Y.shape}.")
    logits, _ = model(Tensor(X))                        # (B, T, 27)
    mask = Y >= 0
    return cross_entropy(logits[mask], Y[mask])


def sample_names(model: CharLM, n: int, max_len: int = 12, *, temperature: float = 1.0,
                 rng: RNG = None) -> list[str]:
    """Sample ``n`` names letter by letter from the model, starting from ``"."``."""
    rng = as_rng(rng)
    if not isinstance(model, CharLM):
        raise TypeError(f"model must be a CharLM; got {type(model).__name__}.")
    n = check_int(n, name="n", minimum=1)
    max_len = check_int(max_len, name="max_len", minimum=1)
    temperature = check_positive(temperature, name="temperature")
    vocab = "." + ALPHABET
    out = []
    with no_grad():
        for _ in range(n):
            state, ch, name = None, 0, ""
            for _ in range(max_len):
                x = np.zeros((1, 1, len(vocab)))
                x[0, 0, ch] = 1.0
                logits, state = model(Tensor(x), state)
                z = logits.data[0, 0] / temperature
                p = np.exp(z - z.max()); p /= p.sum()
                ch = int(rng.choice(len(vocab), p=p))
                if ch == 0:
                    break
                name += vocab[ch]
            out.append(name)
    return out
