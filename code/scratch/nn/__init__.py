"""Neural-network building blocks on :class:`scratch.autograd.Tensor`.

* :mod:`scratch.nn.module`: :class:`Module`, :class:`Parameter`, :class:`ModuleList`, :class:`Sequential`
* :mod:`scratch.nn.layers`: :class:`Linear` (weight stored ``(in_features, out_features)``),
  activation modules, loss modules
* :mod:`scratch.nn.functional`: activations and losses as functions
* :mod:`scratch.nn.init`: weight initialisers (all take ``rng``)

To add a layer in a later chapter, subclass :class:`Module` in a new submodule
and export it here.
"""

from scratch.nn import functional, init
from scratch.nn.functional import cross_entropy, gelu, log_softmax, mse_loss, relu, sigmoid, silu, softmax, tanh
from scratch.nn.init import (
    calculate_gain,
    kaiming_normal,
    kaiming_uniform,
    xavier_normal,
    xavier_uniform,
)
from scratch.nn.layers import CrossEntropyLoss, Flatten, Identity, Linear, MSELoss, ReLU, Sigmoid, SiLU, Tanh
from scratch.nn.module import Module, ModuleList, Parameter, Sequential

# Layers added by later chapters (Part III: neural networks, Part IV: language models,
# Part VI: generative models).
from scratch.nn.attention import MultiHeadAttention, causal_mask, scaled_dot_product_attention
from scratch.nn.batchnorm import BatchNorm1d, BatchNorm2d
from scratch.nn.conv import Conv2d, MaxPool2d
from scratch.nn.dropout import Dropout
from scratch.nn.embedding import Embedding
from scratch.nn.groupnorm import GroupNorm, group_norm
from scratch.nn.layernorm import LayerNorm
from scratch.nn.recurrent import GRUCell, LSTMCell, Recurrent, RNNCell
from scratch.nn.time_embedding import SinusoidalEmbedding, sinusoidal_embedding
from scratch.nn.upsample import Upsample, upsample_nearest

__all__ = [
    "Module",
    "Parameter",
    "ModuleList",
    "Sequential",
    "Linear",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "SiLU",
    "Identity",
    "Flatten",
    "MSELoss",
    "CrossEntropyLoss",
    "functional",
    "init",
    "relu",
    "tanh",
    "sigmoid",
    "gelu",
    "silu",
    "softmax",
    "log_softmax",
    "cross_entropy",
    "mse_loss",
    "calculate_gain",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "Conv2d",
    "MaxPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "Recurrent",
    "Embedding",
    "LayerNorm",
    "MultiHeadAttention",
    "scaled_dot_product_attention",
    "causal_mask",
    "GroupNorm",
    "group_norm",
    "Upsample",
    "upsample_nearest",
    "SinusoidalEmbedding",
    "sinusoidal_embedding",
]
