"""Deep MLPs for studying activations, initialisation and batch normalisation.

The chapter ``book/neural/initialization.md`` derives the variance recursions
(``eq-init-forward``, ``eq-init-backward``), Xavier and Kaiming scales
(``eq-init-xavier``, ``eq-init-kaiming``) and batch normalisation
(``eq-init-bn``, ``eq-init-bn-running``; implemented in :mod:`scratch.nn.batchnorm`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import as_rng, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor, cross_entropy
from scratch.nn import init
from scratch.nn.batchnorm import BatchNorm1d
from scratch.nn.layers import Linear
from scratch.nn.module import Module, ModuleList

__all__ = ["INIT_SCHEMES", "DeepMLP", "init_weights", "layer_statistics"]

INIT_SCHEMES = ("default", "normal", "xavier", "kaiming")


def init_weights(model: "DeepMLP", scheme: str, *, std: float = 0.01,
                 rng: np.random.Generator | int | None = None) -> "DeepMLP":
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
                 batchnorm: bool = False, *, rng: np.random.Generator | int | None = None,
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
