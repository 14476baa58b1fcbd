"""Bigram character models: counting, smoothing, sampling, and the same model as a neural net.

Page: ``book/language/bigram.md`` (equations ``eq-bigram-mle``, ``eq-bigram-smooth``,
``eq-bigram-nll``, ``eq-bigram-net``).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_is_fitted, check_positive
from scratch.autograd.tensor import Tensor, cross_entropy
from scratch.data.text import BOUNDARY, CharVocab
from scratch.nn.embedding import embedding
from scratch.nn.module import Module, Parameter

__all__ = ["bigram_pairs", "BigramCounts", "BigramNet", "train_bigram_net"]


def bigram_pairs(words: Sequence[str], vocab: CharVocab) -> tuple[np.ndarray, np.ndarray]:
    """All (previous, next) character-id pairs of ``words``, each padded as ``.word.``.

    Returns
    -------
    prev, nxt : ndarray of int, shape (n_pairs,)
    """
    if isinstance(words, str) or len(words) == 0:
        raise ValueError("bigram_pairs expects a non-empty list of words (not a single string).")
    if not isinstance(vocab, CharVocab):
        raise TypeError(f"vocab must be a CharVocab; got {type(vocab).__name__}. Build one with "
                        f"CharVocab.from_text(words, extra={BOUNDARY!r}).")
    if BOUNDARY not in vocab.stoi:
        raise ValueError(f"The vocabulary needs the boundary character {BOUNDARY!r}; build it with "
                         f"CharVocab.from_text(words, extra={BOUNDARY!r}).")
    ids = [vocab.encode(BOUNDARY + w + BOUNDARY) for w in words]
    prev = np.concatenate([s[:-1] for s in ids])
    nxt = np.concatenate([s[1:] for s in ids])
    return prev, nxt


class BigramCounts:
    """The count-based bigram model :math:`p(c_t \\mid c_{t-1})`.

    Parameters
    ----------
    alpha : float, default 1.0
        Add-alpha (Laplace) smoothing; 0 gives the maximum-likelihood estimate.

    Attributes
    ----------
    vocab_ : CharVocab
    counts_ : ndarray of shape (V, V)
        ``counts_[i, j]`` = number of times character j follows character i.
    probs_ : ndarray of shape (V, V)
        Row-stochastic transition matrix.

    Notes
    -----
    ``eq-bigram-mle`` / ``eq-bigram-smooth``:
    :math:`P_{ij} = (N_{ij} + \\alpha) / (\\sum_k N_{ik} + V\\alpha)`.
    """

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def fit(self, words: Sequence[str], vocab: CharVocab | None = None) -> "BigramCounts":
        """Count the bigrams of ``words`` (a list of strings)."""
        alpha = check_positive(self.alpha, name="alpha", strict=False)
        if isinstance(words, str) or len(words) == 0:
            raise ValueError("fit expects a non-empty list of words, e.g. load_first_names().")
        vocab = CharVocab.from_text(words, extra=BOUNDARY) if vocab is None else vocab
        prev, nxt = bigram_pairs(words, vocab)
        V = len(vocab)
        counts = np.zeros((V, V))
        np.add.at(counts, (prev, nxt), 1)
        smoothed = counts + alpha
        rows = smoothed.sum(axis=1, keepdims=True)
        self.vocab_, self.counts_ = vocab, counts
        self.probs_ = np.divide(smoothed, rows, out=np.full_like(smoothed, 1.0 / V), where=rows > 0)
        return self

    def nll(self, words: Sequence[str]) -> float:
        """Mean negative log-likelihood per predicted character (nats), ``eq-bigram-nll``."""
        check_is_fitted(self, "probs_")
        prev, nxt = bigram_pairs(words, self.vocab_)
        with np.errstate(divide="ignore"):
            return float(-np.mean(np.log(self.probs_[prev, nxt])))

    def sample(self, n: int, rng: RNG = None, max_len: int = 50) -> list[str]:
        """Draw ``n`` words by walking the chain from ``.`` until ``.`` comes again."""
        check_is_fitted(self, "probs_")
        n = check_int(n, name="n", minimum=0)
        rng = as_rng(rng)
        cdf = np.cumsum(self.probs_, axis=1)
        start = self.vocab_.stoi[BOUNDARY]
        out = []
        for _ in range(n):
            i, chars = start, []
            for _ in range(max_len):
                i = int(min(np.searchsorted(cdf[i], rng.random(), side="right"), len(cdf) - 1))
                if i == start:
                    break
                chars.append(self.vocab_.itos[i])
            out.append("".join(chars))
        return out


class BigramNet(Module):
    """The bigram model as a one-layer network: logits = one-hot(c) @ W = ``W[c]``.

    Notes
    -----
    ``eq-bigram-net``: :math:`p(\\cdot\\mid c) = \\mathrm{softmax}(W_{c,:})`. Multiplying a
    one-hot vector by W picks a row, so the layer is a table lookup (:func:`embedding`).
    """

    def __init__(self, vocab_size: int, rng: RNG = None):
        self.vocab_size = check_int(vocab_size, name="vocab_size", minimum=1)
        self.W = Parameter(0.01 * as_rng(rng).standard_normal((vocab_size, vocab_size)))

    def forward(self, prev: np.ndarray) -> Tensor:
        """(n,) previous-character ids -> (n, V) logits."""
        return embedding(prev, self.W)


def train_bigram_net(prev: np.ndarray, nxt: np.ndarray, vocab_size: int, *, steps: int = 300,
                     lr: float = 50.0, weight_decay: float = 0.0,
                     rng: RNG = 0) -> tuple[BigramNet, np.ndarray]:
    """Full-batch gradient descent on the mean NLL of the pairs (plus ``weight_decay * mean(W^2)``).

    Returns the trained net and the NLL after each step, shape (steps,).
    """
    steps = check_int(steps, name="steps", minimum=1)
    lr = check_positive(lr, name="lr")
    net = BigramNet(vocab_size, rng=rng)
    history = np.empty(steps)
    for t in range(steps):
        nll = cross_entropy(net(prev), nxt)
        loss = nll + weight_decay * (net.W * net.W).mean() if weight_decay else nll
        net.zero_grad()
        loss.backward()
        net.W.data -= lr * net.W.grad
        history[t] = nll.item()
    return net, history
