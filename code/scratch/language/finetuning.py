"""Fine-tuning a pretrained GPT: full fine-tuning and low-rank adapters (LoRA).

Page: ``book/language/finetuning.md`` (equations ``eq-ft-lora``, ``eq-ft-forgetting``).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_positive
from scratch.autograd.tensor import Tensor, cross_entropy
from scratch.language.gpt import GPT, get_batch
from scratch.nn.layers import Linear
from scratch.nn.module import Module, Parameter
from scratch.optim import AdamW, clip_grad_norm, warmup_cosine

__all__ = ["LoRALinear", "apply_lora", "merge_lora", "finetune", "copy_gpt", "text_nll"]

LORA_TARGETS = ("attn.query", "attn.key_value", "attn.proj", "fc", "fc_out")


def _check_gpt(model) -> GPT:
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a scratch.language.gpt.GPT; got {type(model).__name__}.")
    return model


class LoRALinear(Module):
    """A frozen :class:`~scratch.nn.layers.Linear` plus a trainable low-rank update.

    Parameters
    ----------
    base : Linear
        The pretrained layer; its weight and bias are frozen (``requires_grad=False``).
    rank : int
        Rank r of the update, ``1 <= r <= min(in_features, out_features)``.
    alpha : float
        Scale numerator: the update is multiplied by ``alpha / rank``.
    rng : np.random.Generator, int or None

    Attributes
    ----------
    lora_A : Parameter of shape (in_features, rank)
        Random at the start, N(0, 1/in_features).
    lora_B : Parameter of shape (rank, out_features)
        Zero at the start, so the wrapped layer initially equals ``base``.

    Notes
    -----
    ``eq-ft-lora``: :math:`y = x W + b + \\frac{\\alpha}{r}\\, x A B`, with :math:`W, b` frozen.
    Only :math:`r(d_{in} + d_{out})` numbers are trained instead of :math:`d_{in} d_{out}`.
    """

    def __init__(self, base: Linear, rank: int = 4, alpha: float = 8.0, *,
                 rng: RNG = None):
        if not isinstance(base, Linear):
            raise TypeError(f"LoRALinear wraps a scratch.nn.layers.Linear; got {type(base).__name__}.")
        self.rank = check_int(rank, name="rank", minimum=1, maximum=min(base.in_features, base.out_features))
        self.scale = check_positive(alpha, name="alpha") / self.rank
        self.base = base
        for p in base.parameters():
            p.requires_grad = False
        dtype = base.weight.dtype
        self.lora_A = Parameter(as_rng(rng).standard_normal((base.in_features, self.rank)) / math.sqrt(base.in_features),
                                dtype=dtype)
        self.lora_B = Parameter(np.zeros((self.rank, base.out_features)), dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        """(..., in_features) -> (..., out_features)."""
        return self.base(x) + (x @ self.lora_A) @ (self.lora_B * self.scale)

    def merged_weight(self) -> np.ndarray:
        """``W + (alpha/r) A B``, shape (in_features, out_features): the equivalent plain weight."""
        return self.base.weight.data + self.scale * (self.lora_A.data @ self.lora_B.data)

    def extra_repr(self) -> str:
        return f"rank={self.rank}, scale={self.scale:g}"


def _resolve(block: Module, path: str) -> tuple[Module, str]:
    *parents, leaf = path.split(".")
    owner = block
    for name in parents:
        owner = getattr(owner, name)
    return owner, leaf


def apply_lora(model: GPT, rank: int = 4, alpha: float = 8.0, targets: Sequence[str] = LORA_TARGETS,
               rng: RNG = 0) -> list[Parameter]:
    """Freeze every parameter of ``model`` and wrap the ``targets`` linear layers of each block.

    Returns the trainable LoRA parameters (the only ones with ``requires_grad=True``).
    """
    rng = as_rng(rng)
    _check_gpt(model)
    for p in model.parameters():
        p.requires_grad = False
    trainable = []
    for block in model.blocks:
        for path in targets:
            owner, leaf = _resolve(block, path)
            layer = getattr(owner, leaf, None)
            if isinstance(layer, LoRALinear):
                raise ValueError(f"{path} already has a LoRA adapter; apply_lora once per model.")
            if not isinstance(layer, Linear):
                raise ValueError(f"target {path!r} is not a Linear layer of the GPT block.")
            wrapped = LoRALinear(layer, rank, alpha, rng=rng)
            setattr(owner, leaf, wrapped)
            trainable += [wrapped.lora_A, wrapped.lora_B]
    return trainable


def merge_lora(model: GPT) -> GPT:
    """Fold every adapter into its base weight (``W <- W + (alpha/r) A B``) and unwrap it, in place."""
    _check_gpt(model)
    for block in model.blocks:
        for path in LORA_TARGETS:
            owner, leaf = _resolve(block, path)
            layer = getattr(owner, leaf)
            if isinstance(layer, LoRALinear):
                layer.base.weight.data[...] = layer.merged_weight()
                setattr(owner, leaf, layer.base)
    return model


def copy_gpt(model: GPT) -> GPT:
    """A new GPT with the same configuration and a copy of the weights, all trainable."""
    clone = GPT(_check_gpt(model).config, rng=0)
    clone.load_state_dict(model.state_dict())
    return clone


def finetune(model: GPT, train_ids: np.ndarray, params: Sequence[Tensor] | None = None, *, steps: int = 200,
             batch_size: int = 16, lr: float = 1e-3, warmup: int = 10, weight_decay: float = 0.0,
             clip: float = 1.0, rng: RNG = 0) -> np.ndarray:
    """Continue training ``model`` on ``train_ids``, updating only ``params`` (all trainable ones by default).

    AdamW, warmup + cosine decay to ``lr/10``, gradient clipping, as in
    :func:`scratch.language.gpt.train_gpt`. Returns the minibatch loss per step.
    """
    steps = check_int(steps, name="steps", minimum=1)
    params = [p for p in (model.parameters() if params is None else params) if p.requires_grad]
    if not params:
        raise ValueError("finetune got no trainable parameters; pass params or unfreeze some.")
    rng = as_rng(rng)
    opt = AdamW(params, lr=lr, betas=(0.9, 0.95), weight_decay=weight_decay)
    losses = np.empty(steps)
    model.train()
    for t in range(steps):
        x, y = get_batch(train_ids, model.config.block_size, batch_size, rng)
        loss = cross_entropy(model(x), y)
        for p in params:
            p.grad = None
        loss.backward()
        clip_grad_norm(params, clip)
        opt.lr = warmup_cosine(t, lr, warmup, steps, lr / 10)
        opt.step()
        losses[t] = loss.item()
    return losses


def text_nll(model: GPT, ids: np.ndarray) -> float:
    """Mean next-character NLL (nats) over all of ``ids``, cut into consecutive ``block_size`` windows.

    Every character after the first is predicted from the earlier characters of its
    window; the last incomplete window is dropped.
    """
    T = model.config.block_size
    ids = np.asarray(ids)
    n = (len(ids) - 1) // T
    if n < 1:
        raise ValueError(f"text_nll needs more than block_size + 1 = {T + 1} ids; got {len(ids)}.")
    x, y = ids[:n * T].reshape(n, T), ids[1:n * T + 1].reshape(n, T)
    was_training = model.training
    model.eval()
    from scratch.autograd.tensor import no_grad

    with no_grad():
        out = cross_entropy(model(x), y).item()
    model.train(was_training)
    return out
