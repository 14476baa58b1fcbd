"""``Embedding``: a learned lookup table from integer ids to vectors.

Page: ``book/language/mlp_lm.md`` (equation ``eq-mlp-embedding``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import as_rng, check_int, check_positive
from scratch.autograd.tensor import Tensor, from_op
from scratch.nn.module import Module, Parameter

__all__ = ["Embedding", "embedding"]


def embedding(ids: Any, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by the integer array ``ids``.

    Parameters
    ----------
    ids : array_like of int, any shape (...)
        Indices in ``[0, num_embeddings)``.
    weight : Tensor of shape (num_embeddings, embedding_dim)

    Returns
    -------
    Tensor of shape (..., embedding_dim)

    Notes
    -----
    Forward :math:`E[i]`; backward scatters the output gradient back onto the
    rows it came from, **adding** when an id occurs several times
    (:math:`\\partial L/\\partial E_v = \\sum_{n: i_n = v} G_n`).
    """
    idx = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding ids must be integers; got dtype {idx.dtype}. Encode text with CharVocab.encode.")
    n = weight.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"embedding ids must lie in [0, {n}); got values in [{idx.min()}, {idx.max()}].")
    out = weight.data[idx]  # (..., C)

    def backward(g):  # g: (..., C)
        flat, g2 = idx.reshape(-1), g.reshape(-1, g.shape[-1])  # (N,), (N, C)
        gw = np.zeros_like(weight.data)
        if flat.size == 0:
            return (gw,)
        # Sum the rows of g that share an id: sort by id, then add each run of equal ids
        # (np.add.reduceat), far faster than the unbuffered scatter np.add.at.
        order = np.argsort(flat, kind="stable")
        ids_sorted = flat[order]
        starts = np.flatnonzero(np.r_[True, ids_sorted[1:] != ids_sorted[:-1]])
        gw[ids_sorted[starts]] = np.add.reduceat(g2[order], starts, axis=0)  # repeated ids add up
        return (gw,)

    return from_op(out, (weight,), backward, "embedding")


class Embedding(Module):
    """Lookup table ``weight[ids]`` (``torch.nn.Embedding``).

    Parameters
    ----------
    num_embeddings : int
        Vocabulary size.
    embedding_dim : int
        Length of each vector.
    rng : np.random.Generator, int or None
    dtype : numpy float dtype, default float64
    std : float, default 1.0
        Initial weights are N(0, std^2) (PyTorch's default is std 1).

    Attributes
    ----------
    weight : Parameter of shape (num_embeddings, embedding_dim)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, *, rng: np.random.Generator | int | None = None,
                 dtype: Any = np.float64, std: float = 1.0):
        self.num_embeddings = check_int(num_embeddings, name="num_embeddings", minimum=1)
        self.embedding_dim = check_int(embedding_dim, name="embedding_dim", minimum=1)
        data = check_positive(std, name="std", strict=False) * as_rng(rng).standard_normal((num_embeddings, embedding_dim))
        self.weight = Parameter(data.astype(dtype))

    def forward(self, ids: Any) -> Tensor:
        """(...) integer ids -> (..., embedding_dim)."""
        return embedding(ids, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
