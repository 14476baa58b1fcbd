"""Where a tiny transformer stores facts: synthetic subject -> attribute data, ablation and causal tracing.

Page: ``book/language/facts.md`` (equations ``eq-facts-ablate``, ``eq-facts-trace``).
The model is :class:`scratch.language.gpt.GPT`; this module adds a synthetic fact
table, a training loop on the last position, and a forward pass that can add
noise to the embeddings and overwrite the output of any MLP at any position
(the interventions of causal tracing, Meng et al. 2022).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_positive, check_token_ids, eval_mode
from scratch.autograd.tensor import Tensor, cross_entropy, no_grad
from scratch.language.gpt import GPT, gelu
from scratch.optim import AdamW

__all__ = ["FactTable", "make_facts", "train_facts", "run_with_interventions", "fact_probability",
           "trace_mlp"]


@dataclass
class FactTable:
    """A table of facts ``attribute[subject, relation]`` and its token encoding.

    Tokens: subjects ``0..n_subjects-1``, relations ``n_subjects..``, values after them.

    Attributes
    ----------
    attributes : ndarray of int, shape (n_subjects, n_relations)
    X : ndarray of int, shape (n_facts, 2)
        Prompts ``(subject token, relation token)``.
    y : ndarray of int, shape (n_facts,)
        The attribute's value token.
    vocab_size : int
    """

    attributes: np.ndarray
    X: np.ndarray
    y: np.ndarray
    vocab_size: int

    def __post_init__(self):
        self.vocab_size = check_int(self.vocab_size, name="vocab_size", minimum=2)
        self.X = check_token_ids(self.X, vocab_size=self.vocab_size, name="X", ndim=2)
        self.y = check_token_ids(self.y, vocab_size=self.vocab_size, name="y", ndim=1)
        if self.X.shape[1] != 2 or len(self.X) != len(self.y):
            raise ValueError(f"X must have shape (n_facts, 2) (subject, relation) and y shape (n_facts,); got X "
                             f"{self.X.shape} and y {self.y.shape}: X and y must describe the same facts.")


def make_facts(n_subjects: int = 64, n_relations: int = 2, n_values: int = 8, rng: RNG = None) -> FactTable:
    """Random facts: each (subject, relation) gets a value drawn uniformly from ``n_values``."""
    S = check_int(n_subjects, name="n_subjects", minimum=1)
    R = check_int(n_relations, name="n_relations", minimum=1)
    V = check_int(n_values, name="n_values", minimum=2)
    attributes = as_rng(rng).integers(0, V, size=(S, R))
    s, r = np.meshgrid(np.arange(S), np.arange(R), indexing="ij")
    X = np.stack([s.ravel(), S + r.ravel()], axis=1)  # (S*R, 2)
    y = S + R + attributes.ravel()
    return FactTable(attributes, X, y, S + R + V)


def train_facts(model: GPT, X: np.ndarray, y: np.ndarray, *, steps: int = 400, lr: float = 1e-2,
                weight_decay: float = 0.0, rng: RNG = 0) -> np.ndarray:
    """Full-batch AdamW on the cross-entropy of the last position's prediction.

    Returns the loss at each step, shape (steps,).
    """
    steps = check_int(steps, name="steps", minimum=1)
    check_positive(lr, name="lr")
    X = check_token_ids(X, vocab_size=model.config.vocab_size, name="X", ndim=2)
    y = check_token_ids(y, vocab_size=model.config.vocab_size, name="y", ndim=1)
    if len(X) != len(y):
        raise ValueError(f"X and y must have one row per fact; got {len(X)} and {len(y)}.")
    del rng  # full batch: nothing random; kept for a uniform signature
    opt = AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    losses = np.empty(steps)
    model.train()
    for t in range(steps):
        loss = cross_entropy(model(X)[:, -1, :], y)  # (B, V) logits of the last position
        model.zero_grad()
        loss.backward()
        opt.step()
        losses[t] = loss.item()
    return losses


def run_with_interventions(model: GPT, idx: np.ndarray, *, embed_noise: np.ndarray | None = None,
                           mlp_patch: dict[tuple[int, int], np.ndarray] | None = None) -> dict[str, object]:
    """Forward pass of ``model`` on ``idx`` (B, T) with optional interventions.

    Parameters
    ----------
    embed_noise : ndarray of shape (B, T, n_embd), optional
        Added to the input embeddings (token + position): the corruption.
    mlp_patch : dict mapping (layer, position) to ndarray (B, n_embd), optional
        Replaces the output of block ``layer``'s MLP at ``position`` (before it is
        added to the residual stream).

    Returns
    -------
    dict with ``logits`` (B, T, V) and ``mlp`` (list over layers of (B, T, n_embd)
    MLP outputs as used, after patching).

    Notes
    -----
    The pass composes the model's own layers (the block of eq-gpt-block of the GPT
    page); without interventions it equals ``model(idx)``.
    """
    idx = check_token_ids(idx, vocab_size=model.config.vocab_size, ndim=2)
    B, T = idx.shape
    C = model.config.n_embd
    mlp_patch = mlp_patch or {}
    for (layer, pos), value in mlp_patch.items():
        if not (0 <= layer < len(model.blocks) and 0 <= pos < T):
            raise ValueError(f"mlp_patch key (layer={layer}, position={pos}) is outside the model's "
                             f"{len(model.blocks)} layers and {T} positions.")
        if np.shape(value) != (B, C):
            raise ValueError(f"mlp_patch value for {(layer, pos)} must have shape {(B, C)}; got {np.shape(value)}.")
    mlps = []
    with eval_mode(model), no_grad():
        x = model.tok_emb(idx) + model.pos_emb(np.arange(T))  # (B, T, C)
        if embed_noise is not None:
            if np.shape(embed_noise) != (B, T, C):
                raise ValueError(f"embed_noise must have shape {(B, T, C)}; got {np.shape(embed_noise)}.")
            x = x + Tensor(np.asarray(embed_noise, dtype=x.data.dtype))
        for layer, block in enumerate(model.blocks):
            h = x + block.attn(block.ln1(x))  # (B, T, C)
            m = block.fc_out(gelu(block.fc(block.ln2(h)))).data.copy()  # (B, T, C)
            for (lay, pos), value in mlp_patch.items():
                if lay == layer:
                    m[:, pos] = value
            mlps.append(m)
            x = h + Tensor(m)
        logits = model.head(model.ln_f(x)).data  # (B, T, V)
    return {"logits": logits, "mlp": mlps}


def fact_probability(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Softmax probability of the true value ``y`` (B,) at the last position of ``logits`` (B, T, V)."""
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 3:
        raise ValueError(f"logits must have shape (B, T, V), the model's output; got {logits.shape}.")
    y = check_token_ids(y, vocab_size=logits.shape[2], name="y", ndim=1)
    if len(y) != len(logits):
        raise ValueError(f"logits and y must have the same batch size; got {len(logits)} and {len(y)}.")
    z = logits[:, -1, :]  # (B, V)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return p[np.arange(len(y)), np.asarray(y)]


def trace_mlp(model: GPT, X: np.ndarray, y: np.ndarray, *, noise_scale: float = 3.0, n_noise: int = 5,
              rng: RNG = 0) -> dict[str, np.ndarray]:
    """Causal tracing of the MLPs (``eq-facts-trace``).

    The subject embedding (position 0) is corrupted by Gaussian noise of
    standard deviation ``noise_scale`` times the spread of the token embeddings;
    then each MLP output (layer, position) in turn is restored to its clean value.

    Returns
    -------
    dict with ``clean`` and ``corrupt`` (mean probability of the true value),
    ``restored`` of shape (n_layer, T): the mean probability with that MLP
    restored, averaged over facts and ``n_noise`` noise draws.
    """
    rng = as_rng(rng)
    check_positive(noise_scale, name="noise_scale")
    n_noise = check_int(n_noise, name="n_noise", minimum=1)
    clean = run_with_interventions(model, X)
    B, T = X.shape
    C = model.config.n_embd
    sd = float(model.tok_emb.weight.data.std())
    L = len(model.blocks)
    corrupt, restored = 0.0, np.zeros((L, T))
    for _ in range(n_noise):
        noise = np.zeros((B, T, C))
        noise[:, 0] = noise_scale * sd * rng.standard_normal((B, C))
        corrupt += fact_probability(run_with_interventions(model, X, embed_noise=noise)["logits"], y).mean()
        for layer in range(L):
            for pos in range(T):
                out = run_with_interventions(model, X, embed_noise=noise,
                                             mlp_patch={(layer, pos): clean["mlp"][layer][:, pos]})
                restored[layer, pos] += fact_probability(out["logits"], y).mean()
    return {"clean": np.array(fact_probability(clean["logits"], y).mean()),
            "corrupt": np.array(corrupt / n_noise), "restored": restored / n_noise}
