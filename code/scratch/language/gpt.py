"""A character-level GPT: token + position embeddings, pre-LayerNorm transformer blocks.

Page: ``book/language/gpt.md`` (equations ``eq-gpt-block``, ``eq-gpt-gelu``,
``eq-gpt-loss``, ``eq-gpt-sample``). Layers come from :mod:`scratch.nn.attention`,
:mod:`scratch.nn.layernorm` and :mod:`scratch.nn.embedding`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_positive, check_token_ids, eval_mode
from scratch.autograd.tensor import Tensor, cross_entropy, no_grad
from scratch.nn.attention import MultiHeadAttention
from scratch.nn.embedding import Embedding
from scratch.nn.functional import gelu  # noqa: F401  (re-exported: pages import it from here)
from scratch.nn.layernorm import LayerNorm
from scratch.nn.layers import Linear
from scratch.nn.module import Module, ModuleList
from scratch.optim import AdamW, clip_grad_norm, warmup_cosine

__all__ = ["GPTConfig", "gelu", "Block", "GPT", "get_batch", "train_gpt", "estimate_loss", "cached_gpt"]


@dataclass
class GPTConfig:
    vocab_size: int = 96      # number of distinct characters
    block_size: int = 64      # longest context the model sees (positions 0..block_size-1)
    n_layer: int = 4          # transformer blocks
    n_head: int = 4           # attention heads per block
    n_embd: int = 128         # width of the residual stream
    dtype: str = "float32"    # float32 for speed, float64 for gradient checks

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            check_int(getattr(self, name), name=name, minimum=1)
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd={self.n_embd} must be divisible by n_head={self.n_head} (each head gets "
                             "n_embd // n_head channels).")
        try:
            kind = np.dtype(self.dtype)
        except TypeError:
            kind = None
        if kind not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {self.dtype!r}.")


class Block(Module):
    """Pre-norm transformer block: ``x + attn(ln1(x))``, then ``x + mlp(ln2(x))``.

    Notes
    -----
    ``eq-gpt-block``: :math:`x \\leftarrow x + \\mathrm{MHA}(\\mathrm{LN}_1(x))`,
    :math:`x \\leftarrow x + W_2\\, \\mathrm{GELU}(W_1 \\mathrm{LN}_2(x))`.
    """

    def __init__(self, n_embd: int, n_head: int, *, causal: bool = True, rng: RNG = None,
                 dtype: Any = np.float32):
        rng = as_rng(rng)
        n_embd = check_int(n_embd, name="n_embd", minimum=1)
        n_head = check_int(n_head, name="n_head", minimum=1)
        self.ln1 = LayerNorm(n_embd, dtype=dtype)
        self.attn = MultiHeadAttention(n_embd, n_head, causal=causal, rng=rng, dtype=dtype)
        self.ln2 = LayerNorm(n_embd, dtype=dtype)
        self.fc = Linear(n_embd, 4 * n_embd, rng=rng, dtype=dtype)
        self.fc_out = Linear(4 * n_embd, n_embd, rng=rng, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        """(B, T, C) -> (B, T, C)."""
        x = x + self.attn(self.ln1(x))
        return x + self.fc_out(gelu(self.fc(self.ln2(x))))


class GPT(Module):
    """Decoder-only transformer over characters.

    Parameters
    ----------
    config : GPTConfig
    rng : np.random.Generator, int or None

    Notes
    -----
    Weights start as in GPT-2: N(0, 0.02^2) for embeddings and linear layers,
    and the residual output projections scaled by :math:`1/\\sqrt{2 n_{layer}}`
    so the residual stream does not grow with depth.
    """

    def __init__(self, config: GPTConfig, *, rng: RNG = None):
        if not isinstance(config, GPTConfig):
            raise TypeError(f"config must be a GPTConfig; got {type(config).__name__}. Build one with "
                            "GPTConfig(vocab_size=..., block_size=..., ...).")
        self.config = config
        check_int(config.block_size, name="block_size", minimum=1)
        dtype = np.dtype(config.dtype)
        rng = as_rng(rng)
        C = config.n_embd
        self.tok_emb = Embedding(config.vocab_size, C, rng=rng, dtype=dtype, std=0.02)
        self.pos_emb = Embedding(config.block_size, C, rng=rng, dtype=dtype, std=0.02)
        self.blocks = ModuleList(Block(C, config.n_head, rng=rng, dtype=dtype) for _ in range(config.n_layer))
        self.ln_f = LayerNorm(C, dtype=dtype)
        self.head = Linear(C, config.vocab_size, rng=rng, dtype=dtype)
        # Layers chosen by type (and the residual projections by their place in a Block), never by name.
        residual = {id(b.attn.proj) for b in self.blocks} | {id(b.fc_out) for b in self.blocks}
        for module in self.modules():  # depth first, in attribute order
            if isinstance(module, Linear):  # Embeddings were drawn from N(0, 0.02^2) above; LayerNorm stays (1, 0)
                std = 0.02 / math.sqrt(2 * config.n_layer) if id(module) in residual else 0.02
                module.weight.data[...] = std * rng.standard_normal(module.weight.shape)
                if module.bias is not None:
                    module.bias.data[...] = 0

    def forward(self, idx: np.ndarray) -> Tensor:
        """(B, T) ids, T <= block_size -> (B, T, vocab_size) logits."""
        idx = np.asarray(idx)
        if idx.ndim != 2:
            raise ValueError(f"GPT expects ids of shape (B, T); got shape {idx.shape}.")
        T = idx.shape[1]
        if T > self.config.block_size:
            raise ValueError(f"Sequence length {T} exceeds block_size={self.config.block_size}; "
                             "crop the context to its last block_size tokens.")
        x = self.tok_emb(idx) + self.pos_emb(np.arange(T))  # (B, T, C)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))  # (B, T, V)

    def generate(self, idx: np.ndarray, max_new_tokens: int, *, temperature: float = 1.0,
                 top_k: int | None = None, rng: RNG = None) -> np.ndarray:
        """Append ``max_new_tokens`` sampled ids to each row of ``idx`` (B, T0), ``eq-gpt-sample``.

        Logits are divided by ``temperature``; ``top_k`` keeps only the k most
        likely characters before sampling.
        """
        idx = check_token_ids(np.array(idx, ndmin=2), vocab_size=self.config.vocab_size, ndim=2)  # (B, T0), T0 >= 1
        check_positive(temperature, name="temperature")
        if top_k is not None:
            top_k = check_int(top_k, name="top_k", minimum=1, maximum=self.config.vocab_size)
        rng = as_rng(rng)
        max_new_tokens = check_int(max_new_tokens, name="max_new_tokens", minimum=0)
        with eval_mode(self), no_grad():
            for _ in range(max_new_tokens):
                logits = self(idx[:, -self.config.block_size:]).data[:, -1, :].astype(np.float64)
                logits = logits / temperature  # (B, V)
                if top_k is not None:
                    kth = np.sort(logits, axis=1)[:, -top_k][:, None]
                    logits = np.where(logits < kth, -np.inf, logits)
                p = np.exp(logits - logits.max(axis=1, keepdims=True))
                p /= p.sum(axis=1, keepdims=True)
                nxt = (p.cumsum(axis=1) > rng.random((len(p), 1))).argmax(axis=1)
                idx = np.concatenate([idx, nxt[:, None]], axis=1)
        return idx


def get_batch(ids: np.ndarray, block_size: int, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random windows ``x = ids[i:i+T]`` and targets ``y = ids[i+1:i+T+1]``, each (batch_size, T)."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError(f"ids must be a 1-D array of integer token ids; got dtype {ids.dtype} and shape {ids.shape}. "
                        "Encode text with the vocabulary first (e.g. vocab.encode(...)).")
    block_size = check_int(block_size, name="block_size", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    if len(ids) <= block_size + 1:
        raise ValueError(f"The text ({len(ids)} ids) must be longer than block_size + 1 = {block_size + 1}.")
    start = rng.integers(0, len(ids) - block_size - 1, batch_size)
    offs = start[:, None] + np.arange(block_size)  # (B, T)
    return ids[offs], ids[offs + 1]


def estimate_loss(model: GPT, ids: np.ndarray, *, n_batches: int = 8, batch_size: int = 32,
                  rng: RNG = 0) -> float:
    """Mean next-character NLL (nats) over ``n_batches`` random windows of ``ids`` (a fixed seed)."""
    rng = as_rng(rng)
    n_batches = check_int(n_batches, name="n_batches", minimum=1)
    T = model.config.block_size
    total = 0.0
    with eval_mode(model), no_grad():
        for _ in range(n_batches):
            x, y = get_batch(ids, T, batch_size, rng)
            total += cross_entropy(model(x), y).item()
    return total / n_batches


def train_gpt(model: GPT, train_ids: np.ndarray, val_ids: np.ndarray, *, steps: int = 1000, batch_size: int = 16,
              lr: float = 3e-3, warmup: int = 50, min_lr: float = 3e-4, weight_decay: float = 0.1,
              clip: float = 1.0, eval_every: int = 100, rng: RNG = 0,
              verbose: bool = True) -> dict[str, np.ndarray]:
    """AdamW + linear warmup + cosine decay + gradient clipping (``eq-gpt-loss``).

    One :class:`~scratch.optim.AdamW` with two parameter groups: weight decay applies
    to the weights of the :class:`~scratch.nn.layers.Linear` and
    :class:`~scratch.nn.embedding.Embedding` layers (token *and* position
    embeddings), chosen by layer type; biases and LayerNorm gains and shifts are not
    decayed. For this model that is the set nanoGPT decays (every parameter with
    ``ndim >= 2``).

    Returns a dict with ``train_loss`` (steps,), ``lr`` (steps,), ``grad_norm`` (steps,),
    ``eval_step``, ``eval_train``, ``eval_val`` (n_evals,).
    """
    steps = check_int(steps, name="steps", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    check_positive(lr, name="lr")
    check_positive(min_lr, name="min_lr", strict=False)
    if min_lr > lr:
        raise ValueError(f"min_lr ({min_lr}) must not exceed lr ({lr}): the cosine would raise the learning "
                         "rate instead of decaying it.")
    warmup = check_int(warmup, name="warmup", minimum=0)
    check_positive(clip, name="clip")
    check_token_ids(train_ids, vocab_size=model.config.vocab_size, name="train_ids", ndim=1)
    check_token_ids(val_ids, vocab_size=model.config.vocab_size, name="val_ids", ndim=1)
    rng = as_rng(rng)
    params = model.parameters()
    decayed = {id(m.weight) for m in model.modules() if isinstance(m, (Linear, Embedding))}
    decay = [p for p in params if id(p) in decayed]
    no_decay = [p for p in params if id(p) not in decayed]
    opt = AdamW([{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
                lr=lr, betas=(0.9, 0.95))
    hist = {k: [] for k in ("train_loss", "lr", "grad_norm", "eval_step", "eval_train", "eval_val")}
    T = model.config.block_size
    model.train()
    for t in range(steps):
        x, y = get_batch(train_ids, T, batch_size, rng)
        loss = cross_entropy(model(x), y)
        model.zero_grad()
        loss.backward()
        norm = clip_grad_norm(params, clip)
        opt.lr = warmup_cosine(t, lr, warmup, steps, min_lr)  # every group
        opt.step()
        hist["train_loss"].append(loss.item())
        hist["lr"].append(opt.lr)
        hist["grad_norm"].append(norm)
        if eval_every and ((t + 1) % eval_every == 0 or t == steps - 1):
            tr, va = estimate_loss(model, train_ids), estimate_loss(model, val_ids)  # in eval mode
            hist["eval_step"].append(t + 1)
            hist["eval_train"].append(tr)
            hist["eval_val"].append(va)
            if verbose:
                print(f"step {t + 1:5d}  train {tr:.3f}  val {va:.3f}")
    return {k: np.asarray(v, dtype=float) for k, v in hist.items()}


def config_dict(config: GPTConfig) -> dict[str, Any]:
    """The configuration as a plain dict (for cache keys)."""
    if not isinstance(config, GPTConfig):
        raise TypeError(f"config must be a GPTConfig; got {type(config).__name__}.")
    return asdict(config)


def cached_gpt(name: str, config: Any, train_ids: np.ndarray, val_ids: np.ndarray,
               **train_kw: Any) -> tuple[Any, dict[str, np.ndarray], bool]:
    """Train a :class:`~scratch.language.gpt.GPT` with :func:`~scratch.language.gpt.train_gpt`, or load it.

    The cache key covers ``config``, ``train_kw``, a hash of the training and
    validation ids, and the source of the engine, layers, model and optimisers.
    Pages that call this with the same arguments share one trained model (the GPT
    chapter pretrains it, the fine-tuning chapter reuses it).

    Returns
    -------
    (model, history, from_cache)
    """
    import scratch.autograd.tensor as tensor
    import scratch.language.gpt as gpt  # this module, for the source hash
    from scratch.cache import cached_arrays

    import scratch.nn.attention as attention
    import scratch.nn.embedding as embedding
    import scratch.nn.functional as functional
    import scratch.nn.layernorm as layernorm
    import scratch.nn.layers as layers
    import scratch.optim.optimizers as optimizers
    import scratch.optim.schedules as schedules

    data = hashlib.sha256(np.ascontiguousarray(train_ids).tobytes() + b"|" + np.ascontiguousarray(val_ids).tobytes())
    key = {"model": gpt.config_dict(config), "train": train_kw, "data": data.hexdigest()[:16]}

    def compute() -> dict[str, np.ndarray]:
        model = gpt.GPT(config, rng=0)
        hist = gpt.train_gpt(model, train_ids, val_ids, **train_kw)
        return {**{f"w.{k}": v for k, v in model.state_dict().items()}, **{f"h.{k}": v for k, v in hist.items()}}

    arrays, hit = cached_arrays(name, key, [tensor, layers, embedding, functional, layernorm, attention, gpt, optimizers, schedules],
                                compute)
    model = gpt.GPT(config, rng=0)
    model.load_state_dict({k[2:]: v for k, v in arrays.items() if k.startswith("w.")})
    return model, {k[2:]: v for k, v in arrays.items() if k.startswith("h.")}, hit
