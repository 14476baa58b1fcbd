"""A tiny stable diffusion: latent diffusion with a UNet, cross-attention to a prompt, and guidance.

The chapter ``book/generative/stable_diffusion.md`` derives the equations; labels
in the *Notes* sections match the page. Four small ingredients:

* :class:`AutoEncoder`: 8x8 digits <-> latents of shape (2, 4, 4);
* :class:`PromptEncoder`: a one-block transformer over short captions;
* :class:`TinyUNet`: residual blocks (GroupNorm, SiLU, time embedding), one
  down and one up path with a skip, and cross-attention to the prompt tokens;
* classifier-free guidance in :func:`sample_guided`.

The noise schedule and the DDIM step come from :mod:`scratch.generative.ddpm`.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive, check_token_ids
from scratch.autograd.tensor import Tensor, concatenate, no_grad
from scratch.generative.ddpm import NoiseSchedule
from scratch.language.gpt import Block
from scratch.nn import functional as F
from scratch.nn.attention import MultiHeadAttention
from scratch.nn.conv import Conv2d
from scratch.nn.embedding import Embedding
from scratch.nn.groupnorm import GroupNorm
from scratch.nn.layernorm import LayerNorm
from scratch.nn.layers import Linear
from scratch.nn.module import Module
from scratch.nn.time_embedding import sinusoidal_embedding
from scratch.nn.upsample import Upsample
from scratch.optim.optimizers import Adam

__all__ = [
    "DIGIT_WORDS",
    "Tokenizer",
    "caption_dataset",
    "AutoEncoder",
    "PromptEncoder",
    "ResBlock",
    "SpatialCrossAttention",
    "TinyUNet",
    "train_autoencoder",
    "train_latent_diffusion",
    "sample_guided",
]

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LATENT_SHAPE = (2, 4, 4)


class Tokenizer:
    """Word-level tokenizer for the synthetic captions; ids padded to ``length`` with ``<pad>`` (id 0).

    The empty prompt ``""`` encodes to all padding: it is the "no prompt" of
    classifier-free guidance.
    """

    def __init__(self, words: Sequence[str] = ("a", "an", "odd", "even", "digit") + DIGIT_WORDS, length: int = 3):
        self.vocab = ["<pad>"] + list(words)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.length = check_int(length, name="length", minimum=1)

    def encode(self, prompts: Sequence[str] | str) -> np.ndarray:
        """Prompts -> ids of shape (n_prompts, length)."""
        if isinstance(prompts, str):
            prompts = [prompts]
        out = np.zeros((len(prompts), self.length), dtype=np.int64)
        for i, p in enumerate(prompts):
            if not isinstance(p, str):
                raise TypeError(f"prompts must be strings (or one string); prompt {i} is {type(p).__name__} ({p!r}).")
            words = p.lower().split()
            unknown = [w for w in words if w not in self.index]
            if unknown:
                raise ValueError(f"prompt {p!r} has unknown token(s) {unknown}; the vocabulary is "
                                 f"{self.vocab[1:]}.")
            if len(words) > self.length:
                raise ValueError(f"prompt {p!r} has {len(words)} words; at most {self.length} fit.")
            out[i, :len(words)] = [self.index[w] for w in words]
        return out


def caption_dataset(labels: Any, rng: RNG = None, p_parity: float = 0.3) -> list[str]:
    """One caption per digit label: "a seven" (or "an odd digit"/"an even digit" with probability ``p_parity``)."""
    p_parity = check_positive(p_parity, name="p_parity", strict=False)
    if p_parity > 1:
        raise ValueError(f"p_parity must lie in [0, 1] (a probability); got {p_parity}.")
    rng = as_rng(rng)
    labels = np.asarray(labels)
    if labels.size and labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer digit labels 0..9; got dtype {labels.dtype}.")
    if labels.ndim != 1 or (labels.size and (labels.min() < 0 or labels.max() > 9)):
        raise ValueError(f"labels must be a 1-D array of digit labels 0..9; got shape {labels.shape}, values "
                         f"{labels.min() if labels.size else ''}..{labels.max() if labels.size else ''}.")
    out = []
    for y in labels:
        if rng.random() < p_parity:
            out.append("an odd digit" if y % 2 else "an even digit")
        else:
            out.append(("an " if DIGIT_WORDS[y][0] == "e" else "a ") + DIGIT_WORDS[y])
    return out


# ---- the autoencoder --------------------------------------------------------------
class AutoEncoder(Module):
    """MLP autoencoder: 8x8 image (64 pixels in [-1, 1]) <-> latent (2, 4, 4).

    Parameters
    ----------
    hidden : int, default 128
    rng : Generator, int or None
    dtype : numpy float dtype, default float32
    """

    def __init__(self, hidden: int = 128, *, rng: RNG = None, dtype: Any = np.float32):
        hidden = check_int(hidden, name="hidden", minimum=1)
        rng = as_rng(rng)
        self.enc1 = Linear(64, hidden, rng=rng, dtype=dtype)
        self.enc2 = Linear(hidden, 32, rng=rng, dtype=dtype)
        self.dec1 = Linear(32, hidden, rng=rng, dtype=dtype)
        self.dec2 = Linear(hidden, 64, rng=rng, dtype=dtype)

    def encode(self, x: Tensor) -> Tensor:
        """(N, 64) or (N, 1, 8, 8) -> latent (N, 2, 4, 4)."""
        if x.shape[1:] not in ((64,), (1, 8, 8), (8, 8)):
            raise ValueError(f"AutoEncoder.encode expects 8x8 images of shape (N, 64) or (N, 1, 8, 8); got {x.shape}.")
        h = F.silu(self.enc1(x.reshape(x.shape[0], 64)))  # (N, hidden)
        return self.enc2(h).reshape(x.shape[0], *LATENT_SHAPE)  # (N, 2, 4, 4)

    def decode(self, z: Tensor) -> Tensor:
        """latent (N, 2, 4, 4) -> images (N, 64), in [-1, 1] through tanh."""
        if z.shape[1:] != LATENT_SHAPE:
            raise ValueError(f"AutoEncoder.decode expects latents of shape (N, {', '.join(map(str, LATENT_SHAPE))}); "
                             f"got {z.shape}.")
        h = F.silu(self.dec1(z.reshape(z.shape[0], 32)))  # (N, hidden)
        return self.dec2(h).tanh()  # (N, 64)

    def forward(self, x: Tensor) -> Tensor:
        return self.decode(self.encode(x))


def train_autoencoder(ae: AutoEncoder, X: Any, *, n_iter: int = 1500, batch_size: int = 128, lr: float = 3e-3,
                      rng: RNG = None) -> np.ndarray:
    """Minimise the reconstruction error :math:`\\lVert x - D(E(x))\\rVert^2`; returns the losses."""
    X = check_array(X, name="X", ndim=2).astype(np.float32)
    rng = as_rng(rng)
    opt = Adam(ae.parameters(), lr=lr)
    losses = np.empty(check_int(n_iter, name="n_iter", minimum=1))
    for i in range(n_iter):
        xb = Tensor(X[rng.integers(0, len(X), batch_size)])  # (B, 64)
        loss = F.mse_loss(ae(xb), xb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
    return losses


# ---- the prompt encoder -----------------------------------------------------------
class PromptEncoder(Module):
    """Token + position embeddings, one bidirectional transformer block, a final LayerNorm.

    ids (N, L) -> token features (N, L, dim). Padding positions are encoded too (a
    fixed-length "sentence"), so the empty prompt has features of its own.
    """

    def __init__(self, vocab_size: int, length: int = 3, dim: int = 16, n_heads: int = 2, *,
                 rng: RNG = None, dtype: Any = np.float32):
        rng = as_rng(rng)
        self.vocab_size = check_int(vocab_size, name="vocab_size", minimum=1)
        self.length = check_int(length, name="length", minimum=1)
        self.tok = Embedding(vocab_size, dim, rng=rng, dtype=dtype, std=0.5)
        self.pos = Embedding(length, dim, rng=rng, dtype=dtype, std=0.5)
        self.block = Block(dim, n_heads, causal=False, rng=rng, dtype=dtype)
        self.ln = LayerNorm(dim, dtype=dtype)

    def forward(self, ids: np.ndarray) -> Tensor:
        ids = np.asarray(ids)
        if np.ndim(ids) != 2 or np.shape(ids)[1] != self.length:
            raise ValueError(f"PromptEncoder expects token ids of shape (N, {self.length}); got {np.shape(ids)}. "
                             "Encode prompts with Tokenizer.encode.")
        ids = check_token_ids(ids, vocab_size=self.vocab_size, name="ids", ndim=2)
        x = self.tok(ids) + self.pos(np.arange(self.length))  # (N, L, dim)
        return self.ln(self.block(x))  # (N, L, dim)


# ---- UNet blocks ------------------------------------------------------------------
class ResBlock(Module):
    """``GroupNorm -> SiLU -> Conv3x3 -> (+ time) -> GroupNorm -> SiLU -> Conv3x3``, plus a skip.

    Notes
    -----
    eq-sdm-resblock: :math:`h = \\mathrm{conv}_1(\\mathrm{SiLU}(\\mathrm{GN}(x))) + W_t e`,
    :math:`y = \\mathrm{skip}(x) + \\mathrm{conv}_2(\\mathrm{SiLU}(\\mathrm{GN}(h)))`, the
    time embedding :math:`e` added to every position of every channel.
    """

    def __init__(self, c_in: int, c_out: int, t_dim: int, groups: int = 4, *,
                 rng: RNG = None, dtype: Any = np.float32):
        rng = as_rng(rng)
        self.norm1 = GroupNorm(groups, c_in, dtype=dtype)
        self.conv1 = Conv2d(c_in, c_out, 3, padding=1, rng=rng, dtype=dtype)
        self.time = Linear(t_dim, c_out, rng=rng, dtype=dtype)
        self.norm2 = GroupNorm(groups, c_out, dtype=dtype)
        self.conv2 = Conv2d(c_out, c_out, 3, padding=1, rng=rng, dtype=dtype)
        self.skip = Conv2d(c_in, c_out, 1, rng=rng, dtype=dtype) if c_in != c_out else None

    def forward(self, x: Tensor, temb: Tensor) -> Tensor:
        """x (N, C_in, H, W), temb (N, t_dim) -> (N, C_out, H, W)."""
        h = self.conv1(F.silu(self.norm1(x)))  # (N, C_out, H, W)
        h = h + self.time(temb).reshape(temb.shape[0], -1, 1, 1)  # broadcast over H, W
        h = self.conv2(F.silu(self.norm2(h)))
        return (x if self.skip is None else self.skip(x)) + h


class SpatialCrossAttention(Module):
    """Image positions attend to prompt tokens: ``x + MHA(GN(x) as tokens, context)``.

    Notes
    -----
    eq-sdm-cross-attention: queries from the :math:`HW` positions, keys and values
    from the :math:`L` prompt tokens,
    :math:`\\mathrm{softmax}(QK^\\top/\\sqrt{d})V`, added back to the feature map.
    """

    def __init__(self, channels: int, context_dim: int, n_heads: int = 2, groups: int = 4, *,
                 rng: RNG = None, dtype: Any = np.float32):
        self.norm = GroupNorm(groups, channels, dtype=dtype)
        self.attn = MultiHeadAttention(channels, n_heads, kdim=context_dim, rng=rng, dtype=dtype)

    def forward(self, x: Tensor, context: Tensor) -> Tensor:
        """x (N, C, H, W), context (N, L, context_dim) -> (N, C, H, W)."""
        n, c, h, w = x.shape
        q = self.norm(x).reshape(n, c, h * w).transpose(0, 2, 1)  # (N, HW, C)
        y = self.attn(q, context)  # (N, HW, C)
        return x + y.transpose(0, 2, 1).reshape(n, c, h, w)


class TinyUNet(Module):
    """A two-level UNet on (2, 4, 4) latents, conditioned on time and on prompt tokens.

    ``in conv -> ResBlock (4x4) -> down conv (2x2) -> ResBlock + cross-attention ->
    Upsample + conv (4x4) -> concat skip -> ResBlock + cross-attention -> out conv``.

    Parameters
    ----------
    channels : int, default 16
    context_dim : int, default 16
        Width of the prompt-encoder features.
    t_dim : int, default 32
    rng, dtype
    """

    def __init__(self, channels: int = 16, context_dim: int = 16, t_dim: int = 32, *,
                 rng: RNG = None, dtype: Any = np.float32):
        rng = as_rng(rng)
        c, lc = check_int(channels, name="channels", minimum=4), LATENT_SHAPE[0]
        self.t_dim, self.dtype = t_dim, dtype
        self.t1 = Linear(t_dim, t_dim, rng=rng, dtype=dtype)
        self.t2 = Linear(t_dim, t_dim, rng=rng, dtype=dtype)
        self.conv_in = Conv2d(lc, c, 3, padding=1, rng=rng, dtype=dtype)
        self.res_down = ResBlock(c, c, t_dim, rng=rng, dtype=dtype)
        self.down = Conv2d(c, 2 * c, 3, stride=2, padding=1, rng=rng, dtype=dtype)
        self.res_mid = ResBlock(2 * c, 2 * c, t_dim, rng=rng, dtype=dtype)
        self.attn_mid = SpatialCrossAttention(2 * c, context_dim, rng=rng, dtype=dtype)
        self.up = Upsample(2)
        self.up_conv = Conv2d(2 * c, c, 3, padding=1, rng=rng, dtype=dtype)
        self.res_up = ResBlock(2 * c, c, t_dim, rng=rng, dtype=dtype)
        self.attn_up = SpatialCrossAttention(c, context_dim, rng=rng, dtype=dtype)
        self.norm_out = GroupNorm(4, c, dtype=dtype)
        self.conv_out = Conv2d(c, lc, 3, padding=1, rng=rng, dtype=dtype)

    def forward(self, z: Tensor, t: Any, context: Tensor) -> Tensor:
        """z (N, 2, 4, 4), t (N,), context (N, L, context_dim) -> predicted noise (N, 2, 4, 4)."""
        if z.shape[1:] != LATENT_SHAPE:
            raise ValueError(f"TinyUNet expects latents of shape (N, {', '.join(map(str, LATENT_SHAPE))}); "
                             f"got {z.shape}.")
        n = z.shape[0]
        e = Tensor(sinusoidal_embedding(np.broadcast_to(t, (n,)), self.t_dim).astype(self.dtype))  # (N, t_dim)
        temb = self.t2(F.silu(self.t1(e)))  # (N, t_dim)
        h0 = self.res_down(self.conv_in(z), temb)  # (N, c, 4, 4)
        h = self.attn_mid(self.res_mid(self.down(h0), temb), context)  # (N, 2c, 2, 2)
        h = self.up_conv(self.up(h))  # (N, c, 4, 4)
        h = self.attn_up(self.res_up(concatenate([h, h0], axis=1), temb), context)  # (N, c, 4, 4)
        return self.conv_out(F.silu(self.norm_out(h)))  # (N, 2, 4, 4)


# ---- training and guided sampling --------------------------------------------------
def train_latent_diffusion(unet: TinyUNet, text: PromptEncoder, latents: Any, prompt_ids: Any,
                           schedule: NoiseSchedule, *, p_uncond: float = 0.15, n_iter: int = 1000,
                           batch_size: int = 64, lr: float = 2e-3,
                           rng: RNG = None) -> np.ndarray:
    """Train the UNet and the prompt encoder jointly by noise prediction with prompt dropout.

    Parameters
    ----------
    latents : array of shape (n_samples, 2, 4, 4)
    prompt_ids : int array of shape (n_samples, L)
    p_uncond : float
        Probability of replacing a prompt by the empty prompt (all padding), so the
        same network also learns the unconditional noise prediction.

    Notes
    -----
    eq-sdm-loss: :math:`\\mathbb E\\lVert\\epsilon - \\epsilon_\\theta(z_t, t, c)\\rVert^2` with
    :math:`c = \\varnothing` with probability ``p_uncond``.
    """
    latents = np.asarray(latents, dtype=np.float64)
    if latents.ndim != 4 or latents.shape[1:] != LATENT_SHAPE:
        raise ValueError(f"latents must have shape (n_samples, {', '.join(map(str, LATENT_SHAPE))}); "
                         f"got {latents.shape}.")
    prompt_ids = check_token_ids(prompt_ids, vocab_size=text.vocab_size, name="prompt_ids", ndim=2)
    p_uncond = check_positive(p_uncond, name="p_uncond", strict=False)
    if p_uncond > 1:
        raise ValueError(f"p_uncond must lie in [0, 1] (the prompt-dropout probability); got {p_uncond}.")
    if prompt_ids.shape[0] != latents.shape[0]:
        raise ValueError(f"got {latents.shape[0]} latents but {prompt_ids.shape[0]} prompts; pass one prompt each.")
    rng = as_rng(rng)
    opt = Adam(unet.parameters() + text.parameters(), lr=lr)
    losses = np.empty(check_int(n_iter, name="n_iter", minimum=1))
    for i in range(n_iter):
        idx = rng.integers(0, len(latents), batch_size)
        ids = np.where(rng.random(batch_size)[:, None] < p_uncond, 0, prompt_ids[idx])  # (B, L)
        t = rng.integers(0, schedule.n_steps, batch_size)
        eps = rng.standard_normal((batch_size, *LATENT_SHAPE))
        zt = schedule.add_noise(latents[idx], eps, t).astype(unet.dtype)  # (B, 2, 4, 4)
        opt.lr = lr * 0.5 * (1 + math.cos(math.pi * i / n_iter))
        loss = F.mse_loss(unet(Tensor(zt), t, text(ids)), eps.astype(unet.dtype))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
    return losses


def sample_guided(unet: TinyUNet, text: PromptEncoder, prompt_ids: Any, schedule: NoiseSchedule, n_samples: int,
                  guidance: float = 3.0, n_inference: int = 20, *,
                  rng: RNG = None) -> np.ndarray:
    """DDIM sampling (eta = 0) with classifier-free guidance; returns latents (n_samples, 2, 4, 4).

    Parameters
    ----------
    prompt_ids : int array of shape (1, L) or (n_samples, L)
    guidance : float
        The weight ``w``: 0 is unconditional, 1 conditional, > 1 extrapolates.

    Notes
    -----
    eq-sdm-cfg: :math:`\\hat\\epsilon = \\epsilon_\\theta(z_t, \\varnothing) + w\\,(\\epsilon_\\theta(z_t, c) -
    \\epsilon_\\theta(z_t, \\varnothing))`.
    """
    w = float(guidance)
    if not math.isfinite(w):
        raise ValueError(f"guidance weight must be a finite number (0: unconditional, 1: conditional, >1: "
                         f"guided); got {guidance}.")
    n = check_int(n_samples, name="n_samples", minimum=1)
    rng = as_rng(rng)
    ids = np.broadcast_to(np.asarray(prompt_ids), (n, text.length))
    with no_grad():
        ctx = text(np.concatenate([ids, np.zeros_like(ids)]))  # (2N, L, d): prompt, then empty prompt
        z = rng.standard_normal((n, *LATENT_SHAPE))
        ts = schedule.ddim_timesteps(n_inference)
        for i, t in enumerate(ts):
            out = unet(Tensor(np.concatenate([z, z]).astype(unet.dtype)), t, ctx).data.astype(np.float64)
            eps = out[n:] + w * (out[:n] - out[n:])  # (N, 2, 4, 4)
            z = schedule.ddim_step(eps, t, ts[i + 1] if i + 1 < len(ts) else -1, z)
    return z
