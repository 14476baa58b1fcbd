"""Attention on a toy task: sinusoidal positions, a one-block transformer, reversal.

Page: ``book/language/attention.md`` (equations ``eq-attn-sdpa``, ``eq-attn-causal``,
``eq-attn-multihead``, ``eq-attn-positions``, ``eq-attn-block``). The attention
layers themselves live in :mod:`scratch.nn.attention`; this module holds what the
chapter builds around them: the reversal task, a one-block model in a
self-attention and a cross-attention variant, its training loop, and a helper that
measures the time and memory of attention as the sequence grows.
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_option, check_positive, check_token_ids
from scratch.autograd.tensor import Tensor, cross_entropy, no_grad
from scratch.nn.attention import MultiHeadAttention, scaled_dot_product_attention
from scratch.nn.embedding import Embedding
from scratch.nn.layernorm import LayerNorm
from scratch.nn.layers import Linear
from scratch.nn.module import Module, Parameter
from scratch.optim import Adam

__all__ = ["sinusoidal_positions", "reversal_task", "ToyTransformer", "train_toy", "toy_accuracy",
           "attention_cost"]


def sinusoidal_positions(n_positions: int, dim: int) -> np.ndarray:
    """The fixed positional encodings of Vaswani et al., shape (n_positions, dim).

    Notes
    -----
    ``eq-attn-positions``: :math:`P_{t,2i} = \\sin(t / 10000^{2i/d})`,
    :math:`P_{t,2i+1} = \\cos(t / 10000^{2i/d})`. ``dim`` must be even.
    """
    n_positions = check_int(n_positions, name="n_positions", minimum=1)
    dim = check_int(dim, name="dim", minimum=2)
    if dim % 2:
        raise ValueError(f"dim must be even (sine and cosine pairs); got {dim}.")
    t = np.arange(n_positions)[:, None]  # (T, 1)
    freq = 10000.0 ** (-np.arange(0, dim, 2) / dim)  # (dim/2,)
    P = np.empty((n_positions, dim))
    P[:, 0::2] = np.sin(t * freq)
    P[:, 1::2] = np.cos(t * freq)
    return P


def reversal_task(n: int, length: int = 8, n_symbols: int = 10,
                  rng: RNG = None) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random sequences of ``length`` symbols and their reversals.

    The output at position ``i`` is the input at position ``length - 1 - i``: every
    output needs one specific, position-dependent input, which a model that mixes
    nothing across positions cannot get.

    Returns
    -------
    X, Y : ndarray of int, shape (n, length)
    """
    n = check_int(n, name="n", minimum=1)
    length = check_int(length, name="length", minimum=2)
    n_symbols = check_int(n_symbols, name="n_symbols", minimum=2)
    X = as_rng(rng).integers(0, n_symbols, (n, length))
    return X, X[:, ::-1].copy()


class ToyTransformer(Module):
    """One transformer block for sequence-to-sequence toy tasks of a fixed length.

    Parameters
    ----------
    n_symbols : int
        Vocabulary size (inputs and outputs).
    length : int
        Sequence length T (inputs and outputs).
    n_embd, n_heads : int
        Width C of the residual stream and number of attention heads.
    mode : {"self", "cross", "none"}
        ``"self"``: the input attends to itself (``eq-attn-block``). ``"cross"``: learned
        queries, one per output position, attend to the encoded input
        (cross-attention). ``"none"``: the attention sub-layer is removed, so each
        position only sees its own token (the ablation).
    positions : {"sinusoidal", "learned", "none"}
        Positional encoding added to the token embeddings.
    rng : np.random.Generator, int or None
    dtype : numpy float dtype

    Notes
    -----
    ``eq-attn-block``: :math:`x = E_{\\text{tok}}[s] + P`, then
    :math:`h = q + \\mathrm{MHA}(\\mathrm{LN}(q), \\mathrm{LN}(x))` with :math:`q = x`
    (self) or :math:`q = Q_{\\text{out}}` (cross), then
    :math:`h \\leftarrow h + W_2\\,\\mathrm{relu}(W_1\\,\\mathrm{LN}(h))`, logits
    :math:`\\mathrm{LN}(h) W_{\\text{head}}`.
    """

    def __init__(self, n_symbols: int, length: int, n_embd: int = 32, n_heads: int = 2, *,
                 mode: str = "self", positions: str = "sinusoidal",
                 rng: RNG = None, dtype: Any = np.float64):
        self.n_symbols = check_int(n_symbols, name="n_symbols", minimum=2)
        self.length = check_int(length, name="length", minimum=1)
        self.mode = check_option(mode, ("self", "cross", "none"), name="mode")
        self.positions = check_option(positions, ("sinusoidal", "learned", "none"), name="positions")
        rng = as_rng(rng)
        C = check_int(n_embd, name="n_embd", minimum=2)
        self.tok_emb = Embedding(n_symbols, C, rng=rng, dtype=dtype, std=C ** -0.5)
        if positions == "learned":
            self.pos_emb = Parameter(0.1 * rng.standard_normal((length, C)), dtype=dtype)
        else:
            self.register_buffer("pos_table", (sinusoidal_positions(length, C) if positions == "sinusoidal"
                                               else np.zeros((length, C))).astype(dtype))
        if mode == "cross":
            self.queries = Parameter(rng.standard_normal((length, C)), dtype=dtype)  # one per output position
        if mode != "none":
            self.ln_q = LayerNorm(C, dtype=dtype)
            self.ln_kv = LayerNorm(C, dtype=dtype)
            self.attn = MultiHeadAttention(C, n_heads, rng=rng, dtype=dtype)
        self.ln_mlp = LayerNorm(C, dtype=dtype)
        self.fc = Linear(C, 4 * C, rng=rng, dtype=dtype)
        self.fc_out = Linear(4 * C, C, rng=rng, dtype=dtype)
        self.ln_f = LayerNorm(C, dtype=dtype)
        self.head = Linear(C, n_symbols, rng=rng, dtype=dtype)

    def forward(self, idx: np.ndarray) -> Tensor:
        """(B, length) symbol ids -> (B, length, n_symbols) logits."""
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[1] != self.length:
            raise ValueError(f"ToyTransformer expects ids of shape (B, {self.length}); got {idx.shape}.")
        if idx.size and (idx.min() < 0 or idx.max() >= self.n_symbols):
            raise ValueError(f"symbol ids must lie in [0, {self.n_symbols}); got [{idx.min()}, {idx.max()}].")
        pos = self.pos_emb if self.positions == "learned" else Tensor(self.pos_table)
        x = self.tok_emb(idx) + pos  # (B, T, C)
        if self.mode == "none":
            h = x
        else:
            q = x if self.mode == "self" else self.queries + Tensor(np.zeros((len(idx), 1, 1), x.dtype))  # (B, T, C)
            h = q + self.attn(self.ln_q(q), context=self.ln_kv(x))  # (B, T, C)
        h = h + self.fc_out(self.fc(self.ln_mlp(h)).relu())
        return self.head(self.ln_f(h))  # (B, T, n_symbols)

    def attention_weights(self, idx: np.ndarray) -> np.ndarray:
        """Attention weights (B, H, T_q, T_k) of one forward pass on ``idx``."""
        if self.mode == "none":
            raise ValueError("This model has no attention layer (mode='none').")
        with no_grad():
            self(idx)
        return self.attn.attn_weights_


def toy_accuracy(model: Module, X: np.ndarray, Y: np.ndarray) -> float:
    """Fraction of output symbols predicted correctly."""
    X, Y = np.asarray(X), check_token_ids(Y, vocab_size=getattr(model, "n_symbols", np.iinfo(np.int64).max),
                                          name="Y", ndim=(1, 2))
    if X.shape != Y.shape:
        raise ValueError(f"X and Y must have equal shapes (one target symbol per input position); got {X.shape} "
                         f"and {Y.shape}.")
    with no_grad():
        pred = model(X).data.argmax(axis=-1)
    return float(np.mean(pred == Y))


def train_toy(model: Module, X: np.ndarray, Y: np.ndarray, *, steps: int = 500, batch_size: int = 64,
              lr: float = 3e-3, rng: RNG = 0, log_every: int = 0) -> np.ndarray:
    """Adam on the per-position cross-entropy; returns the minibatch loss per step."""
    steps = check_int(steps, name="steps", minimum=1)
    if X.shape != Y.shape or len(X) == 0:
        raise ValueError(f"X and Y must be non-empty with equal shapes; got {X.shape} and {Y.shape}.")
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    lr = check_positive(lr, name="lr")
    rng = as_rng(rng)
    opt = Adam(model.parameters(), lr=lr)
    losses = np.empty(steps)
    for t in range(steps):
        ix = rng.integers(0, len(X), batch_size)
        loss = cross_entropy(model(X[ix]), Y[ix])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[t] = loss.item()
        if log_every and (t % log_every == 0 or t == steps - 1):
            print(f"step {t:4d}  loss {losses[t]:.3f}")
    return losses


def attention_cost(lengths: Any, *, batch_heads: int = 4, head_dim: int = 32, repeats: int = 3,
                   rng: RNG = 0) -> dict[str, np.ndarray]:
    """Time and peak memory of one forward + backward pass of attention, per sequence length.

    Runs :func:`scratch.nn.attention.scaled_dot_product_attention` (causal, float32) on
    random ``(batch_heads, T, head_dim)`` queries, keys and values.

    Returns
    -------
    dict with ``T`` (n,), ``seconds`` (n,) the fastest of ``repeats`` runs, and
    ``peak_bytes`` (n,) the peak of numpy allocations during one run, measured
    with :mod:`tracemalloc`.
    """
    lengths = np.asarray(lengths, dtype=int)
    if lengths.ndim != 1 or lengths.size == 0 or np.any(lengths < 1):
        raise ValueError(f"lengths must be a non-empty 1-D list of positive ints; got {lengths!r}.")
    repeats = check_int(repeats, name="repeats", minimum=1)
    rng = as_rng(rng)
    secs, peaks = [], []
    for T in lengths:
        qkv = [Tensor(rng.standard_normal((batch_heads, T, head_dim)).astype(np.float32), requires_grad=True)
               for _ in range(3)]

        def run():
            out = scaled_dot_product_attention(*qkv, causal=True)
            out.sum().backward()

        best = np.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - t0)
        tracemalloc.start()
        run()
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        secs.append(best)
    return {"T": lengths, "seconds": np.asarray(secs), "peak_bytes": np.asarray(peaks, dtype=float)}
