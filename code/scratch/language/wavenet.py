"""A WaveNet-style hierarchical character language model, and the BatchNorm axis pitfall.

Page: ``book/language/wavenet.md`` (equations ``eq-wavenet-fuse``, ``eq-wavenet-bn``).
Following van den Oord et al. (2016), the context is fused gradually: pairs of
neighbouring characters, then pairs of pairs, ... -- a stack of kernel-2,
stride-2 (equivalently, dilated) convolutions -- instead of all at once as in the
MLP of ``book/language/mlp_lm.md``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor
from scratch.language.mlp_lm import _check_context_ids, _logits_layer
from scratch.nn.embedding import Embedding
from scratch.nn.layers import Linear
from scratch.nn.module import Module, ModuleList, Parameter

__all__ = ["SequenceBatchNorm", "FuseLayer", "WaveNetLM"]


class SequenceBatchNorm(Module):
    """Batch normalisation of ``(B, T, C)`` activations over chosen axes.

    Parameters
    ----------
    num_features : int
        C, the size of the last axis.
    reduce : {"batch_time", "batch"}
        ``"batch_time"`` (correct): one mean and variance per feature, over the
        batch *and* the time axis, as :class:`scratch.nn.batchnorm.BatchNorm1d`
        on ``x.transpose(0, 2, 1)``. ``"batch"`` (the pitfall): statistics over the
        batch axis only, so every (position, feature) pair gets its own estimate
        from B values instead of B*T, and the running statistics have shape (T, C).
    eps, momentum : float
    dtype : numpy float dtype

    Notes
    -----
    ``eq-wavenet-bn``: :math:`\\hat x = (x - \\mu)/\\sqrt{\\sigma^2 + \\epsilon}`,
    :math:`y = \\gamma \\hat x + \\beta`, with :math:`\\mu, \\sigma^2` the (biased) mean
    and variance over the reduced axes; eval mode uses running averages.
    """

    def __init__(self, num_features: int, reduce: str = "batch_time", eps: float = 1e-5, momentum: float = 0.1,
                 *, dtype: Any = np.float64):
        self.num_features = check_int(num_features, name="num_features", minimum=1)
        self.reduce = check_option(reduce, ("batch_time", "batch"), name="reduce")
        self.eps = check_positive(eps, name="eps")
        self.momentum = check_positive(momentum, name="momentum")
        if self.momentum > 1:
            raise ValueError(f"momentum must lie in (0, 1] (the weight of the new batch in the running "
                             f"statistics); got {momentum!r}.")
        self.weight = Parameter(np.ones(num_features, dtype=dtype))
        self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        self.running_mean: np.ndarray | None = None  # shape set by the first batch: (C,) or (T, C)
        self.running_var: np.ndarray | None = None

    def forward(self, x: Tensor) -> Tensor:
        """(B, T, C) or (B, C) -> same shape."""
        if x.ndim not in (2, 3) or x.shape[-1] != self.num_features:
            raise ValueError(f"SequenceBatchNorm({self.num_features}) expects (B, T, {self.num_features}) "
                             f"or (B, {self.num_features}); got {x.shape}.")
        axes = (0, 1) if (self.reduce == "batch_time" and x.ndim == 3) else (0,)
        if self.training:
            count = int(np.prod([x.shape[a] for a in axes]))
            if count < 2:
                raise ValueError(f"SequenceBatchNorm needs at least 2 values per statistic in training; "
                                 f"got input {x.shape}. Use a larger batch or call .eval().")
            mean = x.mean(axis=axes, keepdims=True)
            centred = x - mean
            var = (centred * centred).mean(axis=axes, keepdims=True)
            m = self.momentum
            mu, v = mean.data.reshape(mean.shape[len(axes):]), var.data.reshape(var.shape[len(axes):]) * count / (count - 1)
            if self.running_mean is None or self.running_mean.shape != mu.shape:
                self.running_mean, self.running_var = np.zeros_like(mu), np.ones_like(v)
            self.running_mean = (1 - m) * self.running_mean + m * mu
            self.running_var = (1 - m) * self.running_var + m * v
            x_hat = centred * (var + self.eps) ** -0.5
        else:
            if self.running_mean is None:
                raise ValueError("SequenceBatchNorm has no running statistics yet; train it before eval().")
            x_hat = (x - self.running_mean.astype(x.dtype)) * (1.0 / np.sqrt(self.running_var + self.eps)).astype(x.dtype)
        return x_hat * self.weight + self.bias

    def extra_repr(self) -> str:
        return f"{self.num_features}, reduce={self.reduce!r}"


class FuseLayer(Module):
    """Concatenate neighbouring pairs of positions, then Linear -> BatchNorm -> tanh.

    (B, T, C_in) -> (B, T/2, n_hidden): a kernel-2, stride-2 convolution (``eq-wavenet-fuse``).
    With ``reduce="none"`` there is no BatchNorm and the Linear layer has a bias
    (the ablation that isolates the architecture from the normalisation).
    """

    def __init__(self, c_in: int, n_hidden: int, *, reduce: str = "batch_time",
                 rng: RNG = None, dtype: Any = np.float64):
        reduce = check_option(reduce, ("batch_time", "batch", "none"), name="reduce")
        c_in = check_int(c_in, name="c_in", minimum=1)
        n_hidden = check_int(n_hidden, name="n_hidden", minimum=1)
        self.linear = Linear(2 * c_in, n_hidden, bias=reduce == "none", rng=rng, dtype=dtype)  # else BN has the bias
        self.linear.weight.data *= 5 / 3  # tanh gain (Kaiming-style init for tanh)
        self.bn = SequenceBatchNorm(n_hidden, reduce, dtype=dtype) if reduce != "none" else None

    def forward(self, x: Tensor) -> Tensor:
        B, T, C = x.shape
        if T % 2:
            raise ValueError(f"FuseLayer needs an even number of positions; got T={T}.")
        x = x.reshape(B, T // 2, 2 * C)  # (B, T/2, 2C): positions 2t and 2t+1 side by side
        a = self.linear(x)  # (B, T/2, n_hidden)
        return (self.bn(a) if self.bn is not None else a).tanh()  # (B, T/2, n_hidden)


class WaveNetLM(Module):
    """Hierarchical character model: embeddings, log2(block_size) fuse layers, logits.

    Parameters
    ----------
    vocab_size : int
    block_size : int
        Context length, a power of 2 (8 gives three fuse layers).
    n_embd, n_hidden : int
    bn_reduce : {"batch_time", "batch", "none"}
        BatchNorm axes, see :class:`SequenceBatchNorm` (``"batch"`` is the pitfall);
        ``"none"`` removes BatchNorm (the Linear layers then have biases).
    rng : np.random.Generator, int or None
    dtype : numpy float dtype

    Notes
    -----
    ``eq-wavenet-fuse``: :math:`h^{(0)}_t = C_{c_t}`,
    :math:`h^{(\\ell)}_t = \\tanh\\big(\\mathrm{BN}([h^{(\\ell-1)}_{2t}, h^{(\\ell-1)}_{2t+1}] W^{(\\ell)})\\big)`,
    logits :math:`h^{(L)}_0 U + b` with :math:`L = \\log_2 n`.
    """

    def __init__(self, vocab_size: int, block_size: int = 8, n_embd: int = 10, n_hidden: int = 64, *,
                 bn_reduce: str = "batch_time", rng: RNG = None, dtype: Any = np.float64):
        self.vocab_size = check_int(vocab_size, name="vocab_size", minimum=1)
        self.block_size = check_int(block_size, name="block_size", minimum=2)
        if block_size & (block_size - 1):
            raise ValueError(f"block_size must be a power of 2 (it is halved at each layer); got {block_size}.")
        rng = as_rng(rng)
        self.emb = Embedding(vocab_size, n_embd, rng=rng, dtype=dtype)
        n_levels = int(np.log2(block_size))
        self.fuse = ModuleList(FuseLayer(n_embd if i == 0 else n_hidden, n_hidden, reduce=bn_reduce, rng=rng, dtype=dtype)
                               for i in range(n_levels))
        self.out = _logits_layer(n_hidden, vocab_size, rng, dtype)

    def forward(self, idx: np.ndarray) -> Tensor:
        """(B, block_size) ids -> (B, vocab_size) logits."""
        idx = _check_context_ids(idx, self.block_size)
        x = self.emb(idx)  # (B, T, n_embd)
        for layer in self.fuse:
            x = layer(x)  # (B, T/2, n_hidden), ..., (B, 1, n_hidden)
        return self.out(x.reshape(idx.shape[0], -1))  # (B, V)
