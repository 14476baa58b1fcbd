"""Deep MLPs for studying activations, initialisation and batch normalisation.

The chapter ``book/neural/initialization.md`` derives the variance recursions
(``eq-init-forward``, ``eq-init-backward``), Xavier and Kaiming scales
(``eq-init-xavier``, ``eq-init-kaiming``) and batch normalisation
(``eq-init-bn``, ``eq-init-bn-running``; implemented in :mod:`scratch.nn.batchnorm`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor, cross_entropy
from scratch.nn import init
from scratch.nn.batchnorm import BatchNorm1d
from scratch.nn.embedding import Embedding
from scratch.nn.layers import Linear
from scratch.nn.module import Module, ModuleList

__all__ = ["INIT_SCHEMES", "DeepMLP", "CharMLP", "init_weights", "layer_statistics", "train_with_diagnostics"]

INIT_SCHEMES = ("default", "normal", "xavier", "kaiming")


def init_weights(model: "DeepMLP", scheme: str, *, std: float = 0.01,
                 rng: RNG = None) -> "DeepMLP":
    r"""Re-initialise every hidden ``Linear`` weight of ``model`` in place (biases set to 0).

    Parameters
    ----------
    scheme : {"default", "normal", "xavier", "kaiming"}
        ``"default"`` keeps PyTorch's :math:`U(\pm 1/\sqrt{n_{in}})`; ``"normal"`` draws
        :math:`N(0, \mathrm{std}^2)`; ``"xavier"`` uses ``eq-init-xavier`` (normal,
        gain 1, or 5/3 for tanh); ``"kaiming"`` uses ``eq-init-kaiming`` (normal,
        fan-in, gain :math:`\sqrt 2`).
    std : float
        Standard deviation for ``"normal"``.
    rng : np.random.Generator, int or None
    """
    check_option(scheme, INIT_SCHEMES, name="scheme")
    std = check_positive(std, name="std")
    if not hasattr(model, "linears"):
        raise TypeError(f"model must expose its hidden Linear layers as .linears (a DeepMLP or CharMLP); "
                        f"got {type(model).__name__}.")
    rng = as_rng(rng)
    if scheme == "default":
        return model
    for layer in model.linears:
        shape, dtype = layer.weight.shape, layer.weight.dtype
        if scheme == "normal":
            w = init.normal(shape, std, rng=rng, dtype=dtype)
        elif scheme == "xavier":
            gain = init.calculate_gain("tanh") if model.activation == "tanh" else 1.0
            w = init.xavier_normal(shape, gain=gain, rng=rng, dtype=dtype)
        else:
            w = init.kaiming_normal(shape, nonlinearity="relu", rng=rng, dtype=dtype)
        layer.weight.data[...] = w
        if layer.bias is not None:
            layer.bias.data[...] = 0.0
    return model


class DeepMLP(Module):
    """``depth`` hidden layers ``Linear -> [BatchNorm1d] -> activation`` and a linear read-out.

    Parameters
    ----------
    n_in, width, n_out : int
    depth : int
        Number of hidden layers.
    activation : {"tanh", "relu"}
    batchnorm : bool
        Insert :class:`~scratch.nn.batchnorm.BatchNorm1d` before every activation.
    rng, dtype
    """

    def __init__(self, n_in: int, width: int, n_out: int, depth: int, activation: str = "tanh",
                 batchnorm: bool = False, *, rng: RNG = None,
                 dtype: Any = np.float64):
        rng = as_rng(rng)
        self.activation = check_option(activation, ("tanh", "relu"), name="activation")
        depth = check_int(depth, name="depth", minimum=1)
        sizes = [n_in] + [width] * depth
        self.linears = ModuleList(Linear(a, b, rng=rng, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:]))
        self.norms = ModuleList(BatchNorm1d(width, dtype=dtype) for _ in range(depth)) if batchnorm else None
        self.head = Linear(width, n_out, rng=rng, dtype=dtype)

    def forward(self, x: Tensor, keep: list | None = None) -> Tensor:
        """(n, n_in) -> (n, n_out); if ``keep`` is a list, append every hidden activation to it."""
        for i, layer in enumerate(self.linears):
            a = layer(x)                                        # (n, width)
            if self.norms is not None:
                a = self.norms[i](a)
            x = a.tanh() if self.activation == "tanh" else a.relu()
            if keep is not None:
                keep.append(x.retain_grad())
        return self.head(x)


def layer_statistics(model: DeepMLP, X: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    r"""Forward and backward one batch; summarise every hidden layer.

    Returns
    -------
    dict with lists (one entry per hidden layer):
        ``"act"`` (the activation arrays, for histograms), ``"act_std"``,
        ``"saturated"`` (fraction of tanh units with :math:`|h| > 0.99`),
        ``"dead"`` (fraction of ReLU units that are 0 for **every** sample),
        ``"grad_std"`` (std of :math:`\partial L/\partial h_\ell`, ``eq-init-backward``),
        ``"weight_grad_std"`` (std of the weight gradient), and ``"loss"``.
    """
    keep: list[Tensor] = []
    model.zero_grad()
    loss = cross_entropy(model(Tensor(X), keep), y)
    loss.backward()
    acts = [h.data for h in keep]
    return {
        "act": acts,
        "act_std": [float(a.std()) for a in acts],
        "saturated": [float(np.mean(np.abs(a) > 0.99)) for a in acts],
        "dead": [float(np.mean(np.all(a <= 0, axis=0))) for a in acts],
        "grad_std": [float(h.grad.std()) for h in keep],
        "weight_grad_std": [float(layer.weight.grad.std()) for layer in model.linears],
        "loss": loss.item(),
    }


class CharMLP(Module):
    """Character language model for training diagnostics: embeddings, then a :class:`DeepMLP`.

    ``block_size`` character embeddings are concatenated and passed through
    ``depth`` tanh hidden layers (optionally with batch normalisation) to the
    next-character logits, as in the names model of the MLP language-model chapter,
    only deeper.

    Parameters
    ----------
    vocab_size, block_size, n_embd, width, depth : int
    batchnorm : bool
    rng : np.random.Generator, int or None
    dtype : numpy float dtype
    """

    def __init__(self, vocab_size: int, block_size: int = 3, n_embd: int = 10, width: int = 100, depth: int = 4, *,
                 batchnorm: bool = False, rng: RNG = None, dtype: Any = np.float64):
        self.vocab_size = check_int(vocab_size, name="vocab_size", minimum=1)
        self.block_size = check_int(block_size, name="block_size", minimum=1)
        rng = as_rng(rng)
        self.emb = Embedding(vocab_size, n_embd, rng=rng, dtype=dtype)
        self.mlp = DeepMLP(block_size * n_embd, width, vocab_size, depth, "tanh", batchnorm, rng=rng, dtype=dtype)

    @property
    def linears(self) -> ModuleList:
        """The hidden ``Linear`` layers (what :func:`init_weights` re-initialises)."""
        return self.mlp.linears

    @property
    def activation(self) -> str:
        return self.mlp.activation

    def forward(self, idx: np.ndarray, keep: list | None = None) -> Tensor:
        """(B, block_size) ids -> (B, vocab_size) logits; ``keep`` collects the hidden activations."""
        idx = np.asarray(idx)
        if idx.ndim != 2 or idx.shape[1] != self.block_size:
            raise ValueError(f"expected contexts of shape (B, {self.block_size}); got {idx.shape}.")
        x = self.emb(idx).reshape(idx.shape[0], -1)  # (B, block_size * n_embd)
        return self.mlp(x, keep)  # (B, vocab_size)


def train_with_diagnostics(model: CharMLP, X: np.ndarray, Y: np.ndarray, *, steps: int, batch_size: int = 32,
                           lr: float = 0.1, record_every: int = 10, saturation_threshold: float = 0.99,
                           rng: RNG = None) -> dict[str, Any]:
    r"""Train with plain minibatch SGD on the cross-entropy and record per-layer diagnostics.

    Every ``record_every`` steps (and at the last step) it records, for each hidden layer
    :math:`\ell` with weight :math:`W_\ell`:

    - the saturation, the fraction of tanh units with :math:`|h| >` ``saturation_threshold``;
    - the gradient-to-data ratio :math:`\operatorname{std}(\partial L/\partial W_\ell)/\operatorname{std}(W_\ell)`;
    - the update-to-data ratio :math:`\operatorname{std}(\Delta W_\ell)/\operatorname{std}(W_\ell)`
      with :math:`\Delta W_\ell = -\mathrm{lr}\,\partial L/\partial W_\ell` (so it is ``lr`` times the
      previous ratio for SGD).

    Parameters
    ----------
    model : CharMLP
        Any module with ``linears`` and ``forward(idx, keep)`` as :class:`CharMLP`.
    X : ndarray of int, shape (n_samples, block_size)
    Y : ndarray of int, shape (n_samples,)
    steps, batch_size, record_every : int
    lr : float
    saturation_threshold : float
    rng : np.random.Generator, int or None
        Draws the minibatches.

    Returns
    -------
    dict with ``"loss"`` (steps,), ``"step"`` (n_records,), ``"saturation"``,
    ``"grad_data"`` and ``"update_data"`` (n_records, depth), and ``"act"`` / ``"act_grad"``:
    the hidden activations and their gradients at the last step (lists of
    ``(batch_size, width)`` arrays, for histograms).
    """
    if not hasattr(model, "linears"):
        raise TypeError(f"model must expose its hidden Linear layers as .linears (e.g. CharMLP); "
                        f"got {type(model).__name__}.")
    X, Y = np.asarray(X), np.asarray(Y)
    if X.dtype.kind not in "iu" or Y.dtype.kind not in "iu":
        raise TypeError(f"X and Y must hold integer token ids; got dtypes {X.dtype} and {Y.dtype}.")
    if X.ndim != 2 or Y.ndim != 1 or len(X) != len(Y) or len(X) == 0:
        raise ValueError(f"expected X of shape (n, block_size) and Y of shape (n,), n > 0; "
                         f"got {X.shape} and {Y.shape}.")
    steps = check_int(steps, name="steps", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    record_every = check_int(record_every, name="record_every", minimum=1)
    lr = check_positive(lr, name="lr")
    if not 0 < check_positive(saturation_threshold, name="saturation_threshold") < 1:
        raise ValueError(f"saturation_threshold must lie in (0, 1) (tanh outputs lie in (-1, 1)); "
                         f"got {saturation_threshold!r}.")
    saturation_threshold = check_positive(saturation_threshold, name="saturation_threshold")
    rng = as_rng(rng)
    params = model.parameters()
    out: dict[str, Any] = {"loss": np.empty(steps), "step": [], "saturation": [], "grad_data": [], "update_data": []}
    for t in range(steps):
        idx = rng.integers(0, len(X), batch_size)
        keep: list[Tensor] = []
        model.zero_grad()
        loss = cross_entropy(model(X[idx], keep), Y[idx])
        loss.backward()
        out["loss"][t] = loss.item()
        if t % record_every == 0 or t == steps - 1:
            weights = [layer.weight for layer in model.linears]
            g2d = [float(w.grad.std() / w.data.std()) for w in weights]
            out["step"].append(t)
            out["saturation"].append([float(np.mean(np.abs(h.data) > saturation_threshold)) for h in keep])
            out["grad_data"].append(g2d)
            out["update_data"].append([lr * r for r in g2d])  # std(-lr * grad) / std(W)
            out["act"], out["act_grad"] = [h.data.copy() for h in keep], [h.grad.copy() for h in keep]
        for p in params:
            p.data -= lr * p.grad
    for key in ("step", "saturation", "grad_data", "update_data"):
        out[key] = np.asarray(out[key])
    return out
