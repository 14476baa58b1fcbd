"""A multilayer-perceptron character language model (Bengio et al., 2003).

Page: ``book/language/mlp_lm.md`` (equations ``eq-mlp-embedding``, ``eq-mlp-hidden``,
``eq-mlp-loss``). The data helpers and the training loop here are reused by the
WaveNet and GPT chapters.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_option, check_positive, eval_mode
from scratch.autograd.tensor import Tensor, cross_entropy, no_grad
from scratch.data.text import BOUNDARY, CharVocab
from scratch.nn.embedding import Embedding
from scratch.nn.layers import Linear
from scratch.nn.module import Module
from scratch.optim import SGD, Adam, AdamW

__all__ = ["build_dataset", "text_windows", "MLPLanguageModel", "evaluate_nll", "train_lm", "lr_finder"]


def build_dataset(words: Sequence[str], vocab: CharVocab, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Contexts and next characters of every position of ``words``.

    Each word is read as ``....word.``: ``block_size`` boundary characters, the word,
    and a final boundary that the model must predict.

    Returns
    -------
    X : ndarray of int, shape (n_examples, block_size)
    Y : ndarray of int, shape (n_examples,)
    """
    block_size = check_int(block_size, name="block_size", minimum=1)
    if isinstance(words, str) or len(words) == 0:
        raise ValueError("build_dataset expects a non-empty list of words (not a single string).")
    b = vocab.stoi.get(BOUNDARY)
    if b is None:
        raise ValueError(f"The vocabulary needs the boundary character {BOUNDARY!r}.")
    X, Y = [], []
    for w in words:
        ids = np.concatenate([np.full(block_size, b), vocab.encode(w + BOUNDARY)])
        win = np.lib.stride_tricks.sliding_window_view(ids[:-1], block_size)  # (len(w)+1, block)
        X.append(win)
        Y.append(ids[block_size:])
    return np.concatenate(X).astype(np.int64), np.concatenate(Y).astype(np.int64)


def text_windows(ids: np.ndarray, block_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (context, next character) pair of a long encoded text.

    Returns ``X`` (n, block_size), a read-only strided view, and ``Y`` (n,).
    """
    block_size = check_int(block_size, name="block_size", minimum=1)
    ids = np.asarray(ids)
    if ids.size and ids.dtype.kind not in "iu":
        raise TypeError(f"ids must hold integer token ids; got dtype {ids.dtype}. Encode text with the "
                        "vocabulary first (e.g. vocab.encode(...)).")
    if ids.ndim != 1 or ids.size <= block_size:
        raise ValueError(f"text_windows needs a 1-D id array longer than block_size={block_size}; got shape {ids.shape}.")
    return np.lib.stride_tricks.sliding_window_view(ids[:-1], block_size), ids[block_size:]


def _logits_layer(n_hidden: int, vocab_size: int, rng: np.random.Generator, dtype: Any) -> Linear:
    """The read-out to ``vocab_size`` logits, scaled down at initialisation so that the
    first loss is close to log V instead of confidently wrong."""
    out = Linear(n_hidden, vocab_size, rng=rng, dtype=dtype)
    out.weight.data *= 0.1
    return out


def _check_context_ids(idx: Any, block_size: int) -> np.ndarray:
    """Contexts of token ids, shape (B, block_size) (the Embedding checks their dtype and range)."""
    idx = np.asarray(idx)
    if idx.ndim != 2 or idx.shape[1] != block_size:
        raise ValueError(f"expected contexts of shape (B, {block_size}); got {idx.shape}.")
    return idx


class MLPLanguageModel(Module):
    """Embed ``block_size`` characters, concatenate, one tanh hidden layer, logits.

    Parameters
    ----------
    vocab_size, block_size, n_embd, n_hidden : int
    rng : np.random.Generator, int or None
    dtype : numpy float dtype

    Notes
    -----
    ``eq-mlp-embedding``: :math:`x = [C_{c_{t-n}}, \\dots, C_{c_{t-1}}]`;
    ``eq-mlp-hidden``: :math:`h = \\tanh(xH + d)`, logits :math:`hU + b`.
    Bengio et al. also had direct input-output connections, omitted here. The
    output layer is scaled down at initialisation so the first loss is close to
    :math:`\\log V` instead of confidently wrong.
    """

    def __init__(self, vocab_size: int, block_size: int = 3, n_embd: int = 10, n_hidden: int = 200, *,
                 rng: RNG = None, dtype: Any = np.float64):
        self.vocab_size = check_int(vocab_size, name="vocab_size", minimum=1)
        self.block_size = check_int(block_size, name="block_size", minimum=1)
        rng = as_rng(rng)
        self.emb = Embedding(vocab_size, n_embd, rng=rng, dtype=dtype)
        self.hidden = Linear(block_size * n_embd, n_hidden, rng=rng, dtype=dtype)
        self.out = _logits_layer(n_hidden, vocab_size, rng, dtype)

    def forward(self, idx: np.ndarray) -> Tensor:
        """(B, block_size) ids -> (B, vocab_size) logits."""
        idx = _check_context_ids(idx, self.block_size)
        x = self.emb(idx)  # (B, block, n_embd)
        x = x.reshape(idx.shape[0], -1)  # (B, block * n_embd)
        return self.out(self.hidden(x).tanh())  # (B, V)


def evaluate_nll(model: Module, X: np.ndarray, Y: np.ndarray, batch_size: int = 4096) -> float:
    """Mean cross-entropy (nats per character) of ``model`` on all of ``(X, Y)``, in eval mode."""
    X, Y = _check_contexts(X, Y)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    total = 0.0
    with eval_mode(model), no_grad():
        for i in range(0, len(X), batch_size):
            logits = model(X[i:i + batch_size])
            total += cross_entropy(logits, Y[i:i + batch_size], reduction="sum").item()
    return total / Y.size


def _check_contexts(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Integer contexts X (n, ...) and next-token targets Y (n,) or (n, T), aligned row by row."""
    X, Y = np.asarray(X), np.asarray(Y)
    for name, a in (("X", X), ("Y", Y)):
        if a.dtype.kind not in "iu":
            raise TypeError(f"{name} must hold integer token ids; got dtype {a.dtype}.")
    if len(X) != len(Y) or len(X) == 0:
        raise ValueError(f"X and Y must be non-empty and of equal length (one target per context); "
                         f"got {len(X)} and {len(Y)}.")
    if Y.ndim > 1 and Y.shape != X.shape:
        raise ValueError(f"sequence targets Y must have the shape of X {X.shape}; got {Y.shape}.")
    return X, Y


def train_lm(model: Module, X: np.ndarray, Y: np.ndarray, *, steps: int, batch_size: int = 32,
             lr: float | Callable[[int], float] = 0.1, optimizer: str = "sgd",
             rng: RNG = 0, log_every: int = 0) -> np.ndarray:
    """Minibatch training on the cross-entropy (``eq-mlp-loss``); returns the loss per step.

    ``lr`` is a number or a function of the step index (a schedule).
    """
    X, Y = _check_contexts(X, Y)
    steps = check_int(steps, name="steps", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    optimizer = check_option(optimizer, ("sgd", "adam", "adamw"), name="optimizer")
    rng = as_rng(rng)
    if not callable(lr):
        check_positive(lr, name="lr")
    schedule = lr if callable(lr) else (lambda t: lr)

    def rate(t: int) -> float:
        value = check_positive(schedule(t), name=f"the learning rate at step {t}", strict=False)
        if not np.isfinite(value):
            raise ValueError(f"the learning rate at step {t} must be finite; got {value}.")
        return value

    opt = {"sgd": SGD, "adam": Adam, "adamw": AdamW}[optimizer](model.parameters(), lr=rate(0))
    losses = np.empty(steps)
    model.train()
    for t in range(steps):
        ix = rng.integers(0, len(X), batch_size)
        loss = cross_entropy(model(X[ix]), Y[ix])
        opt.zero_grad()
        loss.backward()
        opt.lr = rate(t)
        opt.step()
        losses[t] = loss.item()
        if log_every and (t % log_every == 0 or t == steps - 1):
            print(f"step {t:5d}  loss {losses[t]:.3f}")
    return losses


def lr_finder(make_model: Callable[[], Module], X: np.ndarray, Y: np.ndarray, *, lr_min: float = 1e-3,
              lr_max: float = 10.0, steps: int = 300, batch_size: int = 32,
              rng: RNG = 0) -> tuple[np.ndarray, np.ndarray]:
    """The learning-rate range test: raise the learning rate exponentially from ``lr_min`` to
    ``lr_max`` during one short run and record the loss at each step.

    Returns ``(lrs, losses)``, both of shape (steps,). Pick a rate a little below
    where the loss is lowest, before it blows up.
    """
    if not callable(make_model) or isinstance(make_model, Module):
        raise TypeError(f"make_model must be a function that builds a fresh model, e.g. lambda: MLPLanguageModel(...); "
                        f"got {type(make_model).__name__}.")
    check_positive(lr_min, name="lr_min")
    check_positive(lr_max, name="lr_max")
    if lr_min >= lr_max:
        raise ValueError(f"lr_min ({lr_min}) must be below lr_max ({lr_max}): the test raises the rate from one to "
                         "the other.")
    lrs = np.geomspace(lr_min, lr_max, check_int(steps, name="steps", minimum=2))
    with np.errstate(over="ignore", invalid="ignore"):
        losses = train_lm(make_model(), X, Y, steps=steps, batch_size=batch_size, lr=lambda t: lrs[t], rng=rng)
    return lrs, losses
