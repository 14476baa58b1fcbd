"""Transformers beyond text: a Vision Transformer on digits, and learning to add.

Page: ``book/language/transformers_beyond.md`` (equations ``eq-vit-patches``,
``eq-vit-encoder``, ``eq-add-format``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_positive
from scratch.autograd.tensor import Tensor, concatenate, cross_entropy, no_grad
from scratch.language.gpt import GPT, Block
from scratch.nn.conv import Conv2d, MaxPool2d
from scratch.nn.layernorm import LayerNorm
from scratch.nn.layers import Linear
from scratch.nn.module import Module, ModuleList, Parameter
from scratch.optim import AdamW, warmup_cosine

__all__ = ["patchify", "EncoderBlock", "VisionTransformer", "SmallCNN", "train_classifier",
           "ADD_VOCAB", "addition_examples", "train_adder", "addition_accuracy"]


def patchify(images: np.ndarray, patch: int) -> np.ndarray:
    """Cut (N, H, W) images into non-overlapping ``patch x patch`` squares.

    Returns (N, (H/patch) * (W/patch), patch * patch), patches in row-major order.
    """
    images = np.asarray(images)
    patch = check_int(patch, name="patch", minimum=1)
    if images.ndim != 3 or images.shape[1] % patch or images.shape[2] % patch:
        raise ValueError(f"patchify expects (N, H, W) with H and W divisible by patch={patch}; got {images.shape}.")
    N, H, W = images.shape
    x = images.reshape(N, H // patch, patch, W // patch, patch).transpose(0, 1, 3, 2, 4)
    return x.reshape(N, (H // patch) * (W // patch), patch * patch)


class EncoderBlock(Block):
    """The GPT block without a mask: every token sees every token (``eq-vit-encoder``)."""

    def __init__(self, n_embd: int, n_head: int, *, rng: RNG = None, dtype: Any = np.float32):
        super().__init__(n_embd, n_head, causal=False, rng=rng, dtype=dtype)


class VisionTransformer(Module):
    """ViT for small grey images: patch embedding, a [CLS] token, encoder blocks, linear head.

    Parameters
    ----------
    image_size : int
        Side of the square images (8 for scikit-learn's digits).
    patch : int
        Side of the square patches; ``image_size`` must be divisible by it.
    n_classes, n_embd, n_head, n_layer : int
    rng : np.random.Generator, int or None
    dtype : numpy float dtype

    Notes
    -----
    ``eq-vit-patches``: :math:`z_0 = [x_{\\text{cls}};\\, p_1 E;\\, \\dots;\\, p_N E] + P_{\\text{pos}}`,
    ``eq-vit-encoder``: :math:`L` unmasked pre-norm blocks, then
    :math:`\\mathrm{LN}(z_L^{\\text{cls}})\\, W_{\\text{head}}`.
    """

    def __init__(self, image_size: int = 8, patch: int = 2, n_classes: int = 10, n_embd: int = 32, n_head: int = 4,
                 n_layer: int = 2, *, rng: RNG = None, dtype: Any = np.float32):
        self.image_size = check_int(image_size, name="image_size", minimum=1)
        self.patch = check_int(patch, name="patch", minimum=1)
        if image_size % patch:
            raise ValueError(f"image_size={image_size} must be divisible by patch={patch}.")
        rng = as_rng(rng)
        n_patches = (image_size // patch) ** 2
        self.patch_embed = Linear(patch * patch, n_embd, rng=rng, dtype=dtype)
        self.cls = Parameter(0.02 * rng.standard_normal((1, 1, n_embd)), dtype=dtype)
        self.pos = Parameter(0.02 * rng.standard_normal((1, n_patches + 1, n_embd)), dtype=dtype)
        self.blocks = ModuleList(EncoderBlock(n_embd, n_head, rng=rng, dtype=dtype) for _ in range(n_layer))
        self.ln_f = LayerNorm(n_embd, dtype=dtype)
        self.head = Linear(n_embd, n_classes, rng=rng, dtype=dtype)

    def forward(self, images: np.ndarray) -> Tensor:
        """(B, image_size, image_size) images -> (B, n_classes) logits."""
        images = images.data if isinstance(images, Tensor) else np.asarray(images)
        if images.ndim != 3 or images.shape[1:] != (self.image_size, self.image_size):
            raise ValueError(f"VisionTransformer expects images of shape (B, {self.image_size}, {self.image_size}); "
                             f"got {images.shape}.")
        p = Tensor(patchify(images, self.patch).astype(self.pos.dtype))  # (B, N, patch*patch)
        tokens = self.patch_embed(p)  # (B, N, C)
        cls = self.cls + Tensor(np.zeros((len(images), 1, 1), self.pos.dtype))  # (B, 1, C)
        x = concatenate([cls, tokens], axis=1) + self.pos  # (B, N+1, C)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x[:, 0]))  # (B, n_classes), read from the [CLS] position

    def attention_maps(self, images: np.ndarray) -> list[np.ndarray]:
        """Attention weights (B, H, N+1, N+1) of every block for ``images``."""
        with no_grad():
            self(images)
        return [b.attn.attn_weights_ for b in self.blocks]


class SmallCNN(Module):
    """Conv(1->c, 3x3, pad 1) - ReLU - MaxPool 2 - Conv(c->2c) - ReLU - MaxPool 2 - Linear, for 8x8 images."""

    def __init__(self, channels: int = 8, n_classes: int = 10, *, rng: RNG = None,
                 dtype: Any = np.float32):
        rng = as_rng(rng)
        c = check_int(channels, name="channels", minimum=1)
        self.conv1 = Conv2d(1, c, 3, padding=1, rng=rng, dtype=dtype)
        self.conv2 = Conv2d(c, 2 * c, 3, padding=1, rng=rng, dtype=dtype)
        self.pool = MaxPool2d(2)
        self.head = Linear(2 * c * 4, n_classes, rng=rng, dtype=dtype)

    def forward(self, images: np.ndarray) -> Tensor:
        """(B, 8, 8) -> (B, n_classes)."""
        images = images.data if isinstance(images, Tensor) else np.asarray(images)
        if images.ndim != 3 or images.shape[1:] != (8, 8):
            raise ValueError(f"SmallCNN expects images of shape (B, 8, 8); got {images.shape}.")
        x = Tensor(images[:, None].astype(self.head.weight.dtype))  # (B, 1, 8, 8)
        x = self.pool(self.conv1(x).relu())  # (B, c, 4, 4)
        x = self.pool(self.conv2(x).relu())  # (B, 2c, 2, 2)
        return self.head(x.reshape(len(images), -1))


def _scheduled_step(opt: Any, loss: Tensor, t: int, lr: float, warmup: int, steps: int) -> float:
    """One optimiser step on ``loss`` at step ``t`` of ``steps``, the rate following a linear warmup
    and a cosine decay from ``lr`` to ``lr / 10``; returns the loss value."""
    opt.zero_grad()
    loss.backward()
    opt.lr = warmup_cosine(t, lr, warmup, steps, lr / 10)
    opt.step()
    return loss.item()


def train_classifier(model: Module, X: np.ndarray, y: np.ndarray, *, steps: int = 500, batch_size: int = 64,
                     lr: float = 3e-3, warmup: int = 20, weight_decay: float = 0.01,
                     rng: RNG = 0) -> np.ndarray:
    """AdamW with warmup + cosine decay on the cross-entropy; returns the loss per step."""
    steps = check_int(steps, name="steps", minimum=1)
    if len(X) != len(y) or len(X) == 0:
        raise ValueError(f"X and y must be non-empty and of equal length; got {len(X)} and {len(y)}.")
    X = check_array(X, name="X", ndim=(3, 4), dtype=None)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    lr = check_positive(lr, name="lr")
    rng = as_rng(rng)
    opt = AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    losses = np.empty(steps)
    for t in range(steps):
        ix = rng.integers(0, len(X), batch_size)
        losses[t] = _scheduled_step(opt, cross_entropy(model(X[ix]), y[ix]), t, lr, warmup, steps)
    return losses


# ---------------------------------------------------------------- addition
ADD_VOCAB = "0123456789+=."  # digits, plus, equals, end of answer


def addition_examples(n: int, digits: tuple[int, int], *, rng: RNG = None,
                      width: int | None = None, pad: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``n`` problems ``a+b=`` with the answer written **reversed** and closed by ``.``.

    Each operand has between ``digits[0]`` and ``digits[1]`` digits (uniformly). With
    ``pad`` the operands are zero-padded to ``digits[1]`` digits and the answer to
    ``digits[1] + 1``, so every problem has the same layout. Sequences are
    right-padded with ``.`` to ``width`` (default: the longest possible).

    Returns
    -------
    ids : ndarray of int, shape (n, width)
        Encoded with :data:`ADD_VOCAB`.
    answer_mask : ndarray of bool, shape (n, width)
        True at the positions whose *next* character belongs to the answer
        (the answer digits and the closing ``.``): where the loss is taken.

    Notes
    -----
    ``eq-add-format``: ``"47+85="`` is followed by ``"231."`` (132 reversed), so the
    model produces the lowest digit, and its carry, first; padded to 3 digits the
    problem reads ``"047+085=2310."``.
    """
    n = check_int(n, name="n", minimum=1)
    lo, hi = (check_int(d, name="digits", minimum=1) for d in digits)
    if lo > hi:
        raise ValueError(f"digits must be (min, max) with min <= max; got {digits}.")
    rng = as_rng(rng)
    longest = 2 * hi + 2 + hi + 1 + 1
    width = longest if width is None else check_int(width, name="width", minimum=longest)
    ids = np.full((n, width), ADD_VOCAB.index("."), dtype=np.int64)
    mask = np.zeros((n, width), dtype=bool)
    for i in range(n):
        a, b = (int(rng.integers(10 ** (d - 1) if d > 1 else 0, 10 ** d)) for d in rng.integers(lo, hi + 1, 2))
        s = (f"{a:0{hi}d}+{b:0{hi}d}=" + f"{a + b:0{hi + 1}d}"[::-1] if pad else f"{a}+{b}=" + str(a + b)[::-1]) + "."
        ids[i, :len(s)] = [ADD_VOCAB.index(c) for c in s]
        q = s.index("=")
        mask[i, q:len(s) - 1] = True  # predict s[q+1:] from s[:q+1], s[:q+2], ...
    return ids, mask


def train_adder(model: GPT, ids: np.ndarray, mask: np.ndarray, *, steps: int = 1000, batch_size: int = 64,
                lr: float = 3e-3, warmup: int = 50, rng: RNG = 0) -> np.ndarray:
    """Train a GPT on addition strings, with the loss on the answer characters only."""
    steps = check_int(steps, name="steps", minimum=1)
    if ids.shape != mask.shape or ids.shape[1] - 1 > model.config.block_size:
        raise ValueError(f"ids and mask must have equal shapes with width - 1 <= block_size="
                         f"{model.config.block_size}; got {ids.shape} and {mask.shape}.")
    rng = as_rng(rng)
    opt = AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.0)
    V = model.config.vocab_size
    losses = np.empty(steps)
    for t in range(steps):
        ix = rng.integers(0, len(ids), batch_size)
        x, y, m = ids[ix, :-1], ids[ix, 1:], mask[ix, :-1]
        logits = model(x).reshape(-1, V)  # (B*T, V)
        sel = np.flatnonzero(m.reshape(-1))
        losses[t] = _scheduled_step(opt, cross_entropy(logits[sel], y.reshape(-1)[sel]), t, lr, warmup, steps)
    return losses


def addition_accuracy(model: GPT, ids: np.ndarray, mask: np.ndarray) -> float:
    """Fraction of problems whose whole answer is right, generated greedily from ``a+b=``."""
    if ids.shape != mask.shape:
        raise ValueError(f"ids and mask must have equal shapes; got {ids.shape} and {mask.shape}.")
    eq = mask.argmax(axis=1)  # index of "=" in each row
    n_ans = mask.sum(axis=1)  # answer length incl. the closing "."
    correct = 0
    for L in np.unique(eq):  # problems with the same prompt length go as one batch
        rows = np.flatnonzero(eq == L)
        out = model.generate(ids[rows, :L + 1], int(n_ans[rows].max()), top_k=1, rng=0)
        for r, o in zip(rows, out):
            k = n_ans[r]
            correct += np.array_equal(o[L + 1:L + 1 + k], ids[r, L + 1:L + 1 + k])
    return correct / len(ids)
