"""Attention layers: scaled dot-product attention, multi-head self- and cross-attention.

Page: ``book/language/attention.md`` (equations ``eq-attn-sdpa``, ``eq-attn-causal``,
``eq-attn-multihead``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import as_rng, check_int
from scratch.autograd.tensor import Tensor, from_op, linear
from scratch.nn.layers import Linear
from scratch.nn.module import Module

__all__ = ["scaled_dot_product_attention", "causal_mask", "MultiHeadAttention"]


def causal_mask(t_q: int, t_k: int | None = None) -> np.ndarray:
    """Boolean (t_q, t_k) array, True where query ``i`` may look at key ``j`` (``j <= i``).

    Same convention as PyTorch's ``is_causal=True`` (lower-triangular, top-left aligned).
    """
    t_q = check_int(t_q, name="t_q", minimum=1)
    t_k = t_q if t_k is None else check_int(t_k, name="t_k", minimum=1)
    return np.tril(np.ones((t_q, t_k), dtype=bool))


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, mask: Any = None, causal: bool = False,
                                 return_weights: bool = False):
    """Fused attention ``softmax(q k^T / sqrt(d) + mask) v``.

    Parameters
    ----------
    q : Tensor of shape (..., T_q, d)
    k : Tensor of shape (..., T_k, d)
    v : Tensor of shape (..., T_k, d_v)
    mask : bool array broadcastable to (..., T_q, T_k), optional
        True where attention is **allowed** (PyTorch's boolean ``attn_mask``).
    causal : bool
        Add the causal mask :func:`causal_mask` (query ``i`` sees keys ``j <= i``).
    return_weights : bool
        Also return the attention weights, a numpy array (..., T_q, T_k).

    Returns
    -------
    Tensor of shape (..., T_q, d_v) [, ndarray of shape (..., T_q, T_k)]

    Notes
    -----
    Forward (``eq-attn-sdpa``, ``eq-attn-causal``): :math:`S = QK^\\top/\\sqrt d`
    with masked entries set to :math:`-\\infty`, :math:`P = \\mathrm{softmax}(S)` row by
    row, :math:`O = PV`. Backward: :math:`dV = P^\\top dO`, :math:`dP = dO\\, V^\\top`,
    :math:`dS = P \\odot (dP - \\mathrm{rowsum}(dP \\odot P))`,
    :math:`dQ = dS\\, K/\\sqrt d`, :math:`dK = dS^\\top Q/\\sqrt d`.
    One graph node; the (T_q, T_k) matrix ``P`` is stored for backward, which
    is why memory grows as :math:`T^2`. Passes over the (T_q, T_k) arrays are what
    cost time, so they run in blocks of (batch, head) problems of about ``BLOCK_BYTES``
    (1 MiB), each block's passes while its scores are in the CPU cache, and there are few: the scale is applied to the small ``q`` (and to
    ``dQ``, ``dK``), and :math:`\\mathrm{rowsum}(dP \\odot P) = \\mathrm{rowsum}(dO \\odot O)`
    (since :math:`dP = dO\\,V^\\top` and :math:`O = PV`) is computed on the (T_q, d_v) arrays,
    as FlashAttention does. Likewise the softmax is never normalised on the big array:
    with :math:`E = \\exp(S - \\max S)` and :math:`r = 1/\\mathrm{rowsum}(E)`,
    :math:`O = r \\odot (E V)`, :math:`dV = E^\\top (r \\odot dO)` and
    :math:`dS = E \\odot (r \\odot dO\\, V^\\top - r \\odot \\mathrm{rowsum}(dO \\odot O))`,
    so :math:`r` multiplies (T_q, d_v) arrays only.
    """
    allowed = _check_attention(q, k, v, mask)
    if causal:
        cm = causal_mask(q.shape[-2], k.shape[-2])
        allowed = cm if allowed is None else (allowed & cm)
    result, weights = _attention(q, k, v, allowed)
    return (result, weights()) if return_weights else result


def _check_attention(q: Tensor, k: Tensor, v: Tensor, mask: Any) -> np.ndarray | None:
    """Validate shapes; return the boolean mask (or None)."""
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"attention needs q, k, v with at least 2 axes (..., T, d); got {q.shape}, {k.shape}, {v.shape}.")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same last axis d; got q {q.shape} and k {k.shape}.")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of positions T_k; got k {k.shape} and v {v.shape}.")
    try:
        np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"the leading (batch, head) axes of q {q.shape}, k {k.shape} and v {v.shape} "
                         "do not broadcast together.") from None
    if mask is None:
        return None
    allowed = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
    if allowed.dtype != bool:
        raise TypeError(f"mask must be boolean (True = may attend); got dtype {allowed.dtype}.")
    return allowed


# Rows of the (T_q, T_k) score matrices are processed in blocks of about this many bytes, so
# that the softmax passes over a block run in the CPU cache instead of main memory.
BLOCK_BYTES = 1 << 20


def _attention(q: Tensor, k: Tensor, v: Tensor, allowed: np.ndarray | None):
    """The fused attention node (see :func:`scaled_dot_product_attention`'s Notes).

    The leading axes are flattened to one axis of ``n`` (batch x head) problems, handled in
    blocks of ``BLOCK_BYTES`` of scores: for each block the product, the max, the exponential
    and the row sums run while its scores are in cache, and backward revisits the blocks in
    the same way. Returns the output Tensor and a function computing the weights P
    (..., T_q, T_k) on demand, so that callers who do not look at them skip that pass.
    """
    lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    t_q, t_k, d, d_v = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    dtype = np.result_type(q.dtype, k.dtype, v.dtype)
    scale = 1.0 / math.sqrt(d)

    def flat(a, t, width):  # (..., t, width) -> (n, t, width); copies only when broadcasting
        return np.broadcast_to(a, (*lead, t, width)).reshape(-1, t, width).astype(dtype, copy=False)

    qs, kd, vd = flat(q.data * scale, t_q, d), flat(k.data, t_k, d), flat(v.data, t_k, d_v)
    n = qs.shape[0]
    additive = None
    if allowed is not None:  # 0 where allowed, -inf where masked: no per-element branch
        additive = np.where(allowed, 0.0, -np.inf).astype(dtype)
        if additive.ndim > 2:  # a mask with batch axes: one (T_q, T_k) slice per problem
            additive = np.broadcast_to(additive, (*lead, t_q, t_k)).reshape(n, t_q, t_k)
    e = np.empty((n, t_q, t_k), dtype=dtype)  # E = exp(S - max S), never normalised
    inv = np.empty((n, t_q, 1), dtype=dtype)  # r = 1 / rowsum(E)
    out = np.empty((n, t_q, d_v), dtype=dtype)  # O = r (E V)
    block = max(1, BLOCK_BYTES // (t_q * t_k * e.itemsize))
    blocks = [slice(a, a + block) for a in range(0, n, block)]
    for b in blocks:
        s = np.matmul(qs[b], kd[b].swapaxes(-1, -2), out=e[b])  # S, (block, T_q, T_k)
        if additive is not None:
            s += additive if additive.ndim == 2 else additive[b]
        s_max = s.max(axis=-1, keepdims=True)
        s_max[~np.isfinite(s_max)] = 0.0  # a fully masked row stays finite
        s -= s_max
        np.exp(s, out=s)
        denom = s.sum(axis=-1, keepdims=True)
        denom[denom == 0] = 1.0  # fully masked rows give 0
        np.divide(1.0, denom, out=inv[b])
        np.matmul(s, vd[b], out=out[b])
        out[b] *= inv[b]

    def backward(g):  # g: (..., T_q, d_v); P = r E, so r moves onto the small arrays
        g = np.broadcast_to(g, (*lead, t_q, d_v)).reshape(n, t_q, d_v)
        gq, gk, gv = np.empty_like(qs), np.empty_like(kd), np.empty_like(vd)
        for b in blocks:
            gd = g[b] * inv[b]  # r dO, (block, T_q, d_v)
            np.matmul(e[b].swapaxes(-1, -2), gd, out=gv[b])  # dV = P^T dO
            ds = gd @ vd[b].swapaxes(-1, -2)  # r dP, (block, T_q, T_k)
            ds -= (g[b] * out[b]).sum(axis=-1, keepdims=True) * inv[b]  # rowsum(dP P) = rowsum(dO O)
            ds *= e[b]  # dS = P (dP - rowsum)
            np.matmul(ds, kd[b], out=gq[b])  # dQ = dS K scale (scale below)
            np.matmul(ds.swapaxes(-1, -2), qs[b], out=gk[b])  # dK = dS^T Q scale (qs is scaled)
        gq *= scale
        return (_reduce(gq.reshape(*lead, t_q, d), q.shape), _reduce(gk.reshape(*lead, t_k, d), k.shape),
                _reduce(gv.reshape(*lead, t_k, d_v), v.shape))

    result = from_op(out.reshape(*lead, t_q, d_v), (q, k, v), backward, "attention")
    return result, lambda: (e * inv).reshape(*lead, t_q, t_k)


def _reduce(g, shape):
    """Sum a gradient over leading axes that broadcasting added (e.g. shared k, v)."""
    if g is None or g.shape == shape:
        return g
    from scratch.autograd.tensor import unbroadcast

    return unbroadcast(g, shape)


class MultiHeadAttention(Module):
    """Multi-head attention; self-attention by default, cross-attention with ``context``.

    Parameters
    ----------
    embed_dim : int
        Width C of the queries (and of the output).
    n_heads : int
        Number of heads H; ``embed_dim`` must be divisible by it (head size C / H).
    kdim : int, optional
        Width of the ``context`` that keys and values are computed from
        (cross-attention); defaults to ``embed_dim``.
    causal : bool, default False
        Mask the future (for autoregressive models).
    bias : bool, default True
    rng : np.random.Generator, int or None
    dtype : numpy float dtype

    Attributes
    ----------
    query : Linear(embed_dim, embed_dim)
    key_value : Linear(kdim, 2 * embed_dim)
        Keys in the first ``embed_dim`` outputs, values in the last.
    proj : Linear(embed_dim, embed_dim)
    attn_weights_ : ndarray of shape (B, H, T_q, T_k)
        Weights of the last forward pass (for plots).

    Notes
    -----
    ``eq-attn-multihead``: :math:`\\mathrm{head}_h = \\mathrm{Attention}(XW^Q_h, ZW^K_h, ZW^V_h)`,
    output :math:`[\\mathrm{head}_1,\\dots,\\mathrm{head}_H] W^O`, with :math:`Z = X` for
    self-attention and :math:`Z` = the context for cross-attention.
    """

    def __init__(self, embed_dim: int, n_heads: int, *, kdim: int | None = None, causal: bool = False,
                 bias: bool = True, rng: np.random.Generator | int | None = None, dtype: Any = np.float64):
        self.embed_dim = check_int(embed_dim, name="embed_dim", minimum=1)
        self.n_heads = check_int(n_heads, name="n_heads", minimum=1)
        if embed_dim % n_heads:
            raise ValueError(f"embed_dim={embed_dim} must be divisible by n_heads={n_heads}.")
        self.kdim = embed_dim if kdim is None else check_int(kdim, name="kdim", minimum=1)
        self.causal = bool(causal)
        rng = as_rng(rng)
        self.query = Linear(embed_dim, embed_dim, bias, rng=rng, dtype=dtype)
        self.key_value = Linear(self.kdim, 2 * embed_dim, bias, rng=rng, dtype=dtype)
        self.proj = Linear(embed_dim, embed_dim, bias, rng=rng, dtype=dtype)

    def _heads(self, x: Tensor) -> Tensor:
        B, T, _ = x.shape
        return x.reshape(B, T, self.n_heads, -1).transpose(0, 2, 1, 3)  # (B, H, T, D)

    def forward(self, x: Tensor, context: Tensor | None = None, mask: Any = None) -> Tensor:
        """x: (B, T_q, embed_dim), context: (B, T_k, kdim) or None -> (B, T_q, embed_dim)."""
        if x.ndim != 3 or x.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiHeadAttention expects x of shape (B, T, {self.embed_dim}); got {x.shape}.")
        z = x if context is None else context
        if z.ndim != 3 or z.shape[-1] != self.kdim or z.shape[0] != x.shape[0]:
            raise ValueError(f"context must have shape ({x.shape[0]}, T_k, {self.kdim}); got {z.shape}.")
        B, T, C = x.shape
        q = self._heads(self.query(x))  # (B, H, T_q, D)
        if type(self.key_value) is Linear:  # two products with the halves of its weight: contiguous k and v
            w_kv, b_kv = self.key_value.weight, self.key_value.bias  # (it measured 8% faster on a GPT step)
            k = self._heads(linear(z, w_kv[:, :C], None if b_kv is None else b_kv[:C]))  # (B, H, T_k, D)
            v = self._heads(linear(z, w_kv[:, C:], None if b_kv is None else b_kv[C:]))  # (B, H, T_k, D)
        else:  # any other module (e.g. a LoRA wrapper): call it, then split its output
            kv = self.key_value(z)  # (B, T_k, 2C)
            k = self._heads(kv[:, :, :C])  # (B, H, T_k, D)
            v = self._heads(kv[:, :, C:])  # (B, H, T_k, D)
        allowed = _check_attention(q, k, v, mask)
        if self.causal:
            cm = causal_mask(q.shape[-2], k.shape[-2])
            allowed = cm if allowed is None else (allowed & cm)
        y, self._weights = _attention(q, k, v, allowed)  # the weights are computed only if looked at
        self._weights_cache = None
        y = y.transpose(0, 2, 1, 3).reshape(B, T, C)  # (B, T_q, C): heads side by side
        return self.proj(y)

    @property
    def attn_weights_(self) -> np.ndarray:
        """Attention weights (B, H, T_q, T_k) of the last forward pass, for plots (computed on first access)."""
        weights = self.__dict__.get("_weights")
        if weights is None:
            raise AttributeError("attn_weights_ is set by a forward pass; call the layer first.")
        if self.__dict__.get("_weights_cache") is None:
            self._weights_cache = weights()
        return self._weights_cache

    def load_torch_weights(self, mha: Any) -> "MultiHeadAttention":
        """Copy a ``torch.nn.MultiheadAttention`` (``batch_first=True``, same sizes)."""
        C = self.embed_dim
        if getattr(mha, "_qkv_same_embed_dim", True):
            w = mha.in_proj_weight.detach().numpy()  # (3C, C)
            wq, wkv = w[:C], w[C:]
        else:
            wq = mha.q_proj_weight.detach().numpy()
            wkv = np.concatenate([mha.k_proj_weight.detach().numpy(), mha.v_proj_weight.detach().numpy()])
        b = mha.in_proj_bias.detach().numpy() if mha.in_proj_bias is not None else None
        self.query.load_torch_weights(wq, None if b is None else b[:C])
        self.key_value.load_torch_weights(wkv, None if b is None else b[C:])
        ob = mha.out_proj.bias.detach().numpy() if mha.out_proj.bias is not None else None
        self.proj.load_torch_weights(mha.out_proj.weight.detach().numpy(), ob)
        return self

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, n_heads={self.n_heads}, kdim={self.kdim}, causal={self.causal}"
