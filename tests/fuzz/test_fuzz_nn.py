"""Bad-input fuzz of scratch.nn: layers, functional ops, initialisers, the Module system.

Each case is a realistic user mistake (wrong shape or number of features, float token ids,
a probability outside [0, 1), a size of 0, calling a layer on a list, ...) and must raise a
clear ValueError/TypeError from scratch's own code."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd.tensor import Tensor  # noqa: E402
from scratch.nn import init  # noqa: E402
from scratch.nn.attention import MultiHeadAttention, causal_mask, scaled_dot_product_attention  # noqa: E402
from scratch.nn.batchnorm import BatchNorm1d, BatchNorm2d  # noqa: E402
from scratch.nn.conv import Conv2d, MaxPool2d, col2im, conv2d, im2col, max_pool2d, pad_channels_last  # noqa: E402
from scratch.nn.dropout import Dropout  # noqa: E402
from scratch.nn.embedding import Embedding, embedding  # noqa: E402
from scratch.nn.functional import as_tensor, gelu, mse_loss, relu, sigmoid, silu, tanh  # noqa: E402
from scratch.nn.groupnorm import GroupNorm, group_norm  # noqa: E402
from scratch.nn.layernorm import LayerNorm, layer_norm  # noqa: E402
from scratch.nn.layers import (  # noqa: E402
    CrossEntropyLoss, Flatten, Identity, Linear, MSELoss, ReLU, Sigmoid, SiLU, Tanh)
from scratch.nn.module import Module, ModuleList, Parameter, Sequential  # noqa: E402
from scratch.nn.recurrent import GRUCell, LSTMCell, Recurrent, RNNCell, lstm_sequence  # noqa: E402
from scratch.nn.time_embedding import SinusoidalEmbedding, sinusoidal_embedding  # noqa: E402
from scratch.nn.upsample import Upsample, upsample_nearest  # noqa: E402


def T(*shape):
    return Tensor(np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape), requires_grad=True)


def rows(n=4, d=3):
    return T(n, d)


CASES = [
    # ---- functional --------------------------------------------------------------------
    Case(as_tensor, lambda: as_tensor("abc"), TypeError, "Tensor or an array of numbers", label="a string"),
    Case(as_tensor, lambda: as_tensor([[1.0], [2.0, 3.0]]), TypeError, "numeric|numbers", label="ragged list"),
    Case(relu, lambda: relu("x"), TypeError, "Tensor|numbers", label="a string"),
    Case(tanh, lambda: tanh(None), TypeError, "Tensor|numbers", label="None"),
    Case(sigmoid, lambda: sigmoid({"a": 1}), TypeError, "Tensor|numbers", label="a dict"),
    Case(gelu, lambda: gelu("x"), TypeError, "Tensor|numbers", label="a string"),
    Case(silu, lambda: silu(None), TypeError, "Tensor|numbers", label="None"),
    Case(mse_loss, lambda: mse_loss(rows(4, 1), np.ones(4)), ValueError, "shape", label="(n, 1) vs (n,)"),
    Case(mse_loss, lambda: mse_loss(rows(4, 1), np.ones((4, 1)), reduction="avg"), ValueError, "reduction",
         label="unknown reduction"),
    Case(mse_loss, lambda: mse_loss(rows(4, 1), ["a"] * 4), TypeError, "numbers|numeric", label="string targets"),
    # ---- init -----------------------------------------------------------------------------
    Case(init.calculate_gain, lambda: init.calculate_gain("swish"), ValueError, "nonlinearity", label="unknown"),
    Case(init.fans, lambda: init.fans(()), ValueError, "fan_in/fan_out", label="a scalar weight"),
    Case(init.fans, lambda: init.fans((0, 3)), ValueError, "fan_in and fan_out must be >= 1", label="zero size"),
    Case(init.uniform, lambda: init.uniform((2, 3), 1.0, -1.0, rng=0), ValueError, "low|high", label="low > high"),
    Case(init.uniform, lambda: init.uniform((2, -3), -1.0, 1.0, rng=0), ValueError, "shape|size", label="negative size"),
    Case(init.normal, lambda: init.normal((2, 3), std=-0.1, rng=0), ValueError, "std", label="negative std"),
    Case(init.normal, lambda: init.normal((2, 3), std=0.1, rng="seed"), TypeError, "rng", label="string rng"),
    Case(init.xavier_uniform, lambda: init.xavier_uniform((3, 4), gain=-1.0, rng=0), ValueError, "gain",
         label="negative gain"),
    Case(init.xavier_uniform, lambda: init.xavier_uniform((3, 2.5), rng=0), TypeError, "integer", label="float size"),
    Case(init.xavier_normal, lambda: init.xavier_normal((3, 4), gain=float("nan"), rng=0), ValueError, "gain",
         label="NaN gain"),
    Case(init.kaiming_uniform, lambda: init.kaiming_uniform((3, 4), mode="fan_avg", rng=0), ValueError, "mode",
         label="unknown mode"),
    Case(init.kaiming_normal, lambda: init.kaiming_normal((3, 4), nonlinearity="swish", rng=0), ValueError,
         "nonlinearity", label="unknown nonlinearity"),
    Case(init.kaiming_normal, lambda: init.kaiming_normal((3, 4), fan_in=0, rng=0), ValueError, "fan_in",
         label="fan_in 0"),
    # ---- Module system --------------------------------------------------------------------
    Case(Parameter, lambda: Parameter(np.arange(3)), TypeError, "floating-point", label="int data"),
    Case(Parameter, lambda: Parameter("w"), TypeError, "real numbers", label="string data"),
    Case(Module.register_buffer, lambda: Module().register_buffer("", np.ones(2)), ValueError, "name",
         label="empty name"),
    Case(Module.load_state_dict, lambda: Linear(2, 3, rng=0).load_state_dict({"weight": np.ones((3, 2)),
                                                                              "bias": np.ones(3)}),
         ValueError, "shape", label="transposed weight"),
    Case(Module.load_state_dict, lambda: Linear(2, 3, rng=0).load_state_dict({"weight": np.ones((2, 3))}),
         KeyError, r"missing keys \['bias'\]", label="missing key (a KeyError, as documented)"),
    Case(Module.load_state_dict, lambda: Linear(2, 3, rng=0).load_state_dict(np.ones(3)), TypeError, "dict|mapping",
         label="an array, not a dict"),
    Case(Module.astype, lambda: Linear(2, 3, rng=0).astype(np.int64), TypeError, "float", label="integer dtype"),
    Case(Module.train, lambda: Linear(2, 3, rng=0).train("eval"), TypeError, "mode|bool", label="string mode"),
    Case(Module.forward, lambda: Module()(Tensor(np.ones(2))), NotImplementedError, "must implement forward",
         label="forward not implemented"),
    Case(ModuleList, lambda: ModuleList([Linear(2, 3, rng=0), "relu"]), TypeError, "holds Modules",
         label="a string in the list"),
    Case(ModuleList.append, lambda: ModuleList().append(lambda x: x.tanh()), TypeError, "holds Modules",
         label="a plain function"),
    Case(Sequential, lambda: Sequential(Linear(2, 3, rng=0), lambda x: x.tanh()), TypeError, "Modules",
         label="a plain function"),
    Case(Sequential, lambda: Sequential(Linear(2, 3, rng=0), Linear(4, 1, rng=0))(rows(5, 2)), ValueError,
         r"Linear\(4, 1\) expects input of shape", label="sizes do not chain"),
    # ---- layers ------------------------------------------------------------------------------
    Case(Linear, lambda: Linear(0, 3), ValueError, "in_features", label="in_features 0"),
    Case(Linear, lambda: Linear(2.5, 3), TypeError, "in_features", label="float in_features"),
    Case(Linear, lambda: Linear(2, 3, rng=0)(rows(5, 4)), ValueError, r"expects input of shape \(\.\.\., 2\)",
         label="wrong number of features"),
    Case(Linear, lambda: Linear(2, 3, rng=0)([["a", "b"]]), TypeError, "Tensor or an array of numbers",
         label="strings as input"),
    Case(Linear.load_torch_weights, lambda: Linear(2, 3, rng=0).load_torch_weights(np.ones((2, 3))), ValueError,
         "shape", label="weight not transposed"),
    Case(Linear.load_torch_weights, lambda: Linear(2, 3, bias=False, rng=0).load_torch_weights(np.ones((3, 2)),
                                                                                              np.ones(3)),
         ValueError, "no bias", label="bias for a bias-free layer"),
    Case(ReLU, lambda: ReLU()("x"), TypeError, "Tensor|numbers", label="a string"),
    Case(Tanh, lambda: Tanh()(None), TypeError, "Tensor|numbers", label="None"),
    Case(Sigmoid, lambda: Sigmoid()("x"), TypeError, "Tensor|numbers", label="a string"),
    Case(SiLU, lambda: SiLU()(None), TypeError, "Tensor|numbers", label="None"),
    Case(Identity, lambda: Identity()(rows(), rows()), TypeError, "argument", label="two inputs"),
    Case(Flatten, lambda: Flatten()(Tensor(np.float64(3.0))), ValueError, "Flatten|at least", label="a scalar"),
    Case(Flatten, lambda: Flatten()(None), TypeError, "Tensor or an array of numbers", label="None"),
    Case(MSELoss, lambda: MSELoss(reduction="avg"), ValueError, "reduction", label="unknown reduction"),
    Case(MSELoss, lambda: MSELoss()(rows(4, 2), np.ones((4, 3))), ValueError, "shape", label="shapes differ"),
    Case(CrossEntropyLoss, lambda: CrossEntropyLoss(reduction="none!"), ValueError, "reduction",
         label="unknown reduction"),
    Case(CrossEntropyLoss, lambda: CrossEntropyLoss()(rows(4, 3), np.array([0.0, 1.0, 2.0, 1.0])), TypeError,
         "integer class labels", label="float targets"),
    Case(CrossEntropyLoss, lambda: CrossEntropyLoss()(rows(4, 3), np.array([0, 1, 3, 1])), ValueError,
         r"lie in \[0, 3\)", label="label out of range"),
    # ---- normalisation and dropout ----------------------------------------------------------------
    Case(BatchNorm1d, lambda: BatchNorm1d(0), ValueError, "num_features", label="zero features"),
    Case(BatchNorm1d, lambda: BatchNorm1d(3, momentum=0.0), ValueError, "momentum", label="momentum 0"),
    Case(BatchNorm1d, lambda: BatchNorm1d(3, eps=-1e-5), ValueError, "eps", label="negative eps"),
    Case(BatchNorm1d, lambda: BatchNorm1d(3)(rows(4, 5)), ValueError, "3", label="wrong number of features"),
    Case(BatchNorm1d, lambda: BatchNorm1d(3)(rows(1, 3)), ValueError, "more than one|batch", label="batch of one"),
    Case(BatchNorm2d, lambda: BatchNorm2d(3)(rows(4, 3)), ValueError, "N, C, H, W|shape", label="2-D input"),
    Case(BatchNorm2d, lambda: BatchNorm2d(2.0), TypeError, "num_features", label="float num_features"),
    Case(layer_norm, lambda: layer_norm(rows(4, 3), Tensor(np.ones(4)), None), ValueError, "weight|shape",
         label="weight of wrong size"),
    Case(layer_norm, lambda: layer_norm(rows(4, 3), None, None, eps=-1.0), ValueError, "eps", label="negative eps"),
    Case(LayerNorm, lambda: LayerNorm(3)(rows(4, 5)), ValueError, "expects input of shape", label="wrong last axis"),
    Case(LayerNorm, lambda: LayerNorm(0), ValueError, "normalized_shape", label="size 0"),
    Case(Dropout, lambda: Dropout(p=1.0), ValueError, r"\[0, 1\)", label="p = 1"),
    Case(Dropout, lambda: Dropout(p="0.5"), ValueError, r"\[0, 1\)", label="string p"),
    Case(Dropout, lambda: Dropout(p=0.5, rng=0)([1.0, 2.0]), TypeError, "Tensor", label="a list as input"),
    # ---- embeddings ------------------------------------------------------------------------------------
    Case(embedding, lambda: embedding(np.array([0.0, 1.0]), T(5, 3)), TypeError, "must be integers", label="float ids"),
    Case(embedding, lambda: embedding(np.array([0, 5]), T(5, 3)), ValueError, r"lie in \[0, 5\)", label="id too large"),
    Case(embedding, lambda: embedding(np.array([-1, 2]), T(5, 3)), ValueError, r"lie in \[0, 5\)", label="negative id"),
    Case(Embedding, lambda: Embedding(0, 3), ValueError, "num_embeddings", label="empty vocabulary"),
    Case(Embedding, lambda: Embedding(5, 3, rng=0)(np.array([[0, 1], [2, 7]])), ValueError, r"lie in \[0, 5\)",
         label="id out of range"),
    Case(Embedding, lambda: Embedding(5, 3, std=-1.0), ValueError, "std", label="negative std"),
    Case(sinusoidal_embedding, lambda: sinusoidal_embedding(np.ones((2, 2)), 8), ValueError, r"\(n_samples,\)",
         label="2-D times"),
    Case(sinusoidal_embedding, lambda: sinusoidal_embedding(np.array([np.nan]), 8), ValueError, "NaN",
         label="NaN time"),
    Case(sinusoidal_embedding, lambda: sinusoidal_embedding(np.arange(3), 0), ValueError, "dim", label="dim 0"),
    Case(sinusoidal_embedding, lambda: sinusoidal_embedding(np.arange(3), 8, max_period=-1.0), ValueError,
         "max_period", label="negative max_period"),
    Case(SinusoidalEmbedding, lambda: SinusoidalEmbedding(-4), ValueError, "dim", label="negative dim"),
    Case(SinusoidalEmbedding, lambda: SinusoidalEmbedding(8, max_period=0.0), ValueError, "max_period",
         label="max_period 0"),
    # ---- recurrent --------------------------------------------------------------------------------------
    Case(RNNCell, lambda: RNNCell(0, 4), ValueError, "input_size", label="input_size 0"),
    Case(RNNCell, lambda: RNNCell(3, 4, nonlinearity="sigmoid"), ValueError, "nonlinearity", label="unknown"),
    Case(RNNCell, lambda: RNNCell(3, 4, rng=0)(rows(2, 5)), ValueError, "expects one time step", label="wrong features"),
    Case(RNNCell.recur, lambda: RNNCell(3, 4, rng=0).recur(T(2, 4), Tensor(np.zeros((2, 5)))), ValueError,
         "shape", label="state of wrong size"),
    Case(LSTMCell, lambda: LSTMCell(3, 4, rng=0)(rows(2, 3), Tensor(np.zeros((2, 4)))), TypeError, r"pair \(h, c\)",
         label="h without c"),
    Case(LSTMCell, lambda: LSTMCell(3, 4, bias=False, forget_bias=1.0), ValueError, "forget_bias needs bias",
         label="forget bias without bias"),
    Case(LSTMCell.recur_sequence, lambda: LSTMCell(3, 4, rng=0).recur_sequence(T(2, 5, 7)), ValueError,
         "shape|fit", label="projection of wrong width"),
    Case(GRUCell, lambda: GRUCell(3, 4, rng=0)(rows(2, 3), np.zeros((3, 4))), ValueError, "shape",
         label="state with the wrong batch"),
    Case(GRUCell, lambda: GRUCell(3, 0), ValueError, "hidden_size", label="hidden_size 0"),
    Case(Recurrent, lambda: Recurrent("transformer", 3, 4), ValueError, "cell", label="unknown cell"),
    Case(Recurrent, lambda: Recurrent("gru", 3, 4, rng=0)(rows(2, 3)), ValueError, r"\(batch, T, 3\)",
         label="2-D input"),
    Case(Recurrent, lambda: Recurrent("lstm", 3, 4, rng=0)(T(2, 5, 3), "zeros"), TypeError, "state|pair",
         label="string state"),
    Case(lstm_sequence, lambda: lstm_sequence(T(2, 5, 12), T(4, 16)), ValueError, "does not fit",
         label="xw narrower than 4 gates"),
    Case(lstm_sequence, lambda: lstm_sequence(T(2, 5, 16), T(4, 16), state=(Tensor(np.zeros((3, 4))),
                                                                          Tensor(np.zeros((3, 4))))),
         ValueError, "state|shape", label="state with the wrong batch"),
    # ---- lead's files (conv, groupnorm, upsample, attention) -------------------------------------------
    Case(conv2d, lambda: conv2d(T(2, 3, 8, 8), T(4, 2, 3, 3)), ValueError, "channel", label="channels differ"),
    Case(conv2d, lambda: conv2d(T(2, 3, 2, 2), T(4, 3, 3, 3)), ValueError, "smaller than the kernel",
         label="image smaller than kernel"),
    Case(conv2d, lambda: conv2d(T(2, 3, 8, 8), T(4, 3, 3, 3), stride=0), ValueError, "stride", label="stride 0"),
    Case(Conv2d, lambda: Conv2d(3, 4, kernel_size=(3, 3, 3)), ValueError, "pair of ints", label="3-tuple kernel"),
    Case(Conv2d, lambda: Conv2d(3, 4, 3, rng=0)(T(2, 8, 8)), ValueError, r"\(N, C, H, W\)", label="3-D input"),
    Case(Conv2d, lambda: Conv2d(3, 4, 3, padding=-1), ValueError, "padding", label="negative padding"),
    Case(max_pool2d, lambda: max_pool2d(T(1, 1, 4, 4), kernel_size=0), ValueError, "kernel_size", label="kernel 0"),
    Case(max_pool2d, lambda: max_pool2d(T(4, 4), 2), ValueError, r"\(N, C, H, W\)", label="2-D input"),
    Case(MaxPool2d, lambda: MaxPool2d(2.5), TypeError, "kernel_size", label="float kernel"),
    Case(MaxPool2d, lambda: MaxPool2d(5)(T(1, 1, 4, 4)), ValueError, "smaller than the kernel", label="kernel too big"),
    Case(group_norm, lambda: group_norm(T(2, 6, 4, 4), 4), ValueError, "equal groups", label="6 channels, 4 groups"),
    Case(group_norm, lambda: group_norm(T(6), 2), ValueError, r"\(N, C, \.\.\.\)", label="1-D input"),
    Case(GroupNorm, lambda: GroupNorm(4, 6), ValueError, "not divisible", label="6 channels, 4 groups"),
    Case(GroupNorm, lambda: GroupNorm(2, 6)(T(2, 4, 3, 3)), ValueError, "expects input of shape",
         label="wrong channel count"),
    Case(upsample_nearest, lambda: upsample_nearest(T(4, 4), 2), ValueError, r"\(N, C, H, W\)", label="2-D input"),
    Case(Upsample, lambda: Upsample(2, mode="bilinear"), ValueError, "nearest", label="bilinear"),
    Case(scaled_dot_product_attention, lambda: scaled_dot_product_attention(T(2, 5, 4), T(2, 5, 3), T(2, 5, 4)),
         ValueError, "same last axis", label="q and k widths differ"),
    Case(scaled_dot_product_attention, lambda: scaled_dot_product_attention(T(2, 5, 4), T(2, 6, 4), T(2, 5, 4)),
         ValueError, "T_k", label="k and v lengths differ"),
    Case(scaled_dot_product_attention, lambda: scaled_dot_product_attention(T(5, 4), T(5, 4), T(5, 4),
                                                                            mask=np.ones((5, 5))),
         TypeError, "boolean", label="float mask"),
    Case(scaled_dot_product_attention, lambda: scaled_dot_product_attention(T(4), T(4), T(4)), ValueError,
         "at least 2 axes", label="1-D inputs"),
    Case(MultiHeadAttention, lambda: MultiHeadAttention(10, 3), ValueError, "divisible", label="10 dims, 3 heads"),
    Case(MultiHeadAttention, lambda: MultiHeadAttention(8, 2, rng=0)(T(2, 5, 6)), ValueError, r"\(B, T, 8\)",
         label="wrong embed_dim"),
    Case(MultiHeadAttention, lambda: MultiHeadAttention(8, 2, rng=0)(T(2, 5, 8), context=T(3, 4, 8)), ValueError,
         "context", label="context batch differs"),
]

# The low-level helpers of conv.py and attention.py (before: silent, or numpy's message).
CASES += [
    Case(causal_mask, lambda: causal_mask(-1), ValueError, "t_q must be >= 1", label="negative length"),
    Case(causal_mask, lambda: causal_mask(2.5), TypeError, "t_q must be an integer", label="float length"),
    Case(pad_channels_last, lambda: pad_channels_last(np.ones((3, 4, 4)), (1, 1)), ValueError, r"\(N, C, H, W\)",
         label="3-D batch"),
    Case(pad_channels_last, lambda: pad_channels_last(np.ones((1, 3, 4, 4)), (-1, 1)), ValueError, "padding",
         label="negative padding"),
    Case(im2col, lambda: im2col(np.ones((1, 4, 4, 3)), (5, 5), (1, 1)), ValueError, "smaller than the kernel",
         label="kernel larger than the image"),
    Case(im2col, lambda: im2col(np.ones((4, 4, 3)), (2, 2), (1, 1)), ValueError, r"\(N, Hp, Wp, C\)",
         label="3-D batch"),
    Case(col2im, lambda: col2im(np.ones((10, 12)), (1, 4, 4, 3), (2, 2), (1, 1), (3, 3)), ValueError,
         "cols must have shape", label="cols of the wrong size"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
