"""Recurrent cells (``RNNCell``, ``LSTMCell``, ``GRUCell``) and the sequence wrapper ``Recurrent``.

Each cell is composed from :class:`~scratch.autograd.Tensor` primitives, so
backpropagation through time is simply ``backward()`` on the unrolled graph.
Weights are stored input-major, ``(in_features, k * hidden_size)``, like
:class:`scratch.nn.Linear`; gates are stacked in PyTorch's order, so
``load_torch_weights`` copies a ``torch.nn.*Cell`` exactly. The chapter
``book/neural/rnn.md`` derives the equations (labels ``eq-rnn-*``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from scratch._validation import as_rng, check_int, check_option
from scratch.autograd.tensor import Tensor, linear, stack
from scratch.nn import init
from scratch.nn.module import Module, Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "Recurrent"]


class _Cell(Module):
    n_gates = 1

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, *,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float64):
        self.input_size = check_int(input_size, name="input_size", minimum=1)
        self.hidden_size = check_int(hidden_size, name="hidden_size", minimum=1)
        rng = as_rng(rng)
        k = 1.0 / math.sqrt(hidden_size)  # PyTorch: every weight and bias ~ U(-k, k)
        gh = self.n_gates * hidden_size
        self.weight_ih = Parameter(init.uniform((input_size, gh), -k, k, rng=rng, dtype=dtype))
        self.weight_hh = Parameter(init.uniform((hidden_size, gh), -k, k, rng=rng, dtype=dtype))
        self.bias_ih = Parameter(init.uniform((gh,), -k, k, rng=rng, dtype=dtype)) if bias else None
        self.bias_hh = Parameter(init.uniform((gh,), -k, k, rng=rng, dtype=dtype)) if bias else None

    def _check(self, x: Tensor) -> None:
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(
                f"{type(self).__name__}({self.input_size}, {self.hidden_size}) expects one time step of "
                f"shape (batch, {self.input_size}); got {x.shape}. For whole sequences (batch, T, "
                f"{self.input_size}) use scratch.nn.recurrent.Recurrent."
            )

    def _zeros(self, batch: int, dtype: Any) -> Tensor:
        return Tensor(np.zeros((batch, self.hidden_size), dtype=dtype))

    def input_projection(self, x: Tensor) -> Tensor:
        """``x @ weight_ih + bias_ih`` for (..., input_size) -> (..., n_gates * hidden_size)."""
        return linear(x, self.weight_ih, self.bias_ih)

    def forward(self, x: Tensor, state: Any = None) -> Any:
        """One time step: ``x`` (batch, input_size) and the previous state -> the new state."""
        self._check(x)
        return self.recur(self.input_projection(x), state)

    def load_torch_weights(self, weight_ih: Any, weight_hh: Any, bias_ih: Any = None, bias_hh: Any = None):
        """Copy PyTorch-layout weights ``(n_gates * hidden, in)``; returns self."""
        for name, value in (("weight_ih", weight_ih), ("weight_hh", weight_hh)):
            value = np.asarray(value)
            target = getattr(self, name)
            if value.shape != target.shape[::-1]:
                raise ValueError(f"load_torch_weights: {name} must have shape {target.shape[::-1]}; got {value.shape}.")
            target.data[...] = value.T
        for name, value in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
            if value is not None:
                getattr(self, name).data[...] = np.asarray(value)
        return self

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class RNNCell(_Cell):
    r"""Elman recurrent cell.

    Parameters
    ----------
    input_size, hidden_size : int
    bias : bool, default True
    nonlinearity : {"tanh", "relu"}, default "tanh"
    rng : np.random.Generator, int or None
    dtype : numpy float dtype

    Attributes
    ----------
    weight_ih : Parameter of shape (input_size, hidden_size)
    weight_hh : Parameter of shape (hidden_size, hidden_size)
    bias_ih, bias_hh : Parameter of shape (hidden_size,)

    Notes
    -----
    ``eq-rnn-cell``: :math:`h_t = \tanh(x_t W_{ih} + b_{ih} + h_{t-1} W_{hh} + b_{hh})`.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", *,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float64):
        self.nonlinearity = check_option(nonlinearity, ("tanh", "relu"), name="nonlinearity")
        super().__init__(input_size, hidden_size, bias, rng=rng, dtype=dtype)

    def recur(self, xw: Tensor, h: Tensor | None) -> Tensor:
        """``xw`` = projected input (batch, hidden); ``h`` (batch, hidden) or None (zeros) -> new h."""
        if h is None:
            h = self._zeros(xw.shape[0], xw.dtype)
        pre = xw + linear(h, self.weight_hh, self.bias_hh)  # (B, H)
        return pre.tanh() if self.nonlinearity == "tanh" else pre.relu()


class LSTMCell(_Cell):
    r"""Long short-term memory cell {Hochreiter & Schmidhuber 1997}, with a forget gate.

    Same parameters as :class:`RNNCell` (no ``nonlinearity``); weights have
    ``4 * hidden_size`` columns, gates stacked as (input, forget, cell, output)
    like PyTorch. The state is the pair ``(h, c)``. ``forget_bias`` (default None:
    PyTorch's initialisation) sets the forget gate's total bias, e.g. 1.0, so that
    the cell starts by remembering {Gers et al. 2000}.

    Notes
    -----
    ``eq-rnn-lstm``:
    :math:`[i, f, g, o] = x_t W_{ih} + b_{ih} + h_{t-1} W_{hh} + b_{hh}`,
    :math:`c_t = \sigma(f) \odot c_{t-1} + \sigma(i) \odot \tanh(g)`,
    :math:`h_t = \sigma(o) \odot \tanh(c_t)`. The additive update of :math:`c_t`
    is what lets gradients survive long lags.
    """

    n_gates = 4

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, forget_bias: float | None = None, *,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float64):
        super().__init__(input_size, hidden_size, bias, rng=rng, dtype=dtype)
        if forget_bias is not None:  # Gers et al. (2000): start by remembering
            if not bias:
                raise ValueError("forget_bias needs bias=True.")
            H = hidden_size
            self.bias_ih.data[H:2 * H] = forget_bias
            self.bias_hh.data[H:2 * H] = 0.0

    def recur(self, xw: Tensor, state: tuple[Tensor, Tensor] | None) -> tuple[Tensor, Tensor]:
        """``xw`` (batch, 4 hidden), ``state`` = (h, c) or None -> (h, c)."""
        if state is None:
            z = self._zeros(xw.shape[0], xw.dtype)
            state = (z, z)
        h, c = state
        H = self.hidden_size
        gates = xw + linear(h, self.weight_hh, self.bias_hh)  # (B, 4H)
        i = gates[:, :H].sigmoid()
        f = gates[:, H:2 * H].sigmoid()
        g = gates[:, 2 * H:3 * H].tanh()
        o = gates[:, 3 * H:].sigmoid()
        c = f * c + i * g                                      # (B, H)
        return o * c.tanh(), c


class GRUCell(_Cell):
    r"""Gated recurrent unit {Cho et al. 2014}, PyTorch's variant.

    Same parameters as :class:`LSTMCell`, with ``3 * hidden_size`` columns,
    gates stacked as (reset, update, new).

    Notes
    -----
    ``eq-rnn-gru``: :math:`r = \sigma(x W_{ir} + b_{ir} + h W_{hr} + b_{hr})`,
    :math:`z = \sigma(x W_{iz} + b_{iz} + h W_{hz} + b_{hz})`,
    :math:`n = \tanh(x W_{in} + b_{in} + r \odot (h W_{hn} + b_{hn}))`,
    :math:`h_t = (1 - z) \odot n + z \odot h_{t-1}`.
    """

    n_gates = 3

    def recur(self, xw: Tensor, h: Tensor | None) -> Tensor:
        """``xw`` (batch, 3 hidden), ``h`` or None -> new h."""
        if h is None:
            h = self._zeros(xw.shape[0], xw.dtype)
        H = self.hidden_size
        hw = linear(h, self.weight_hh, self.bias_hh)          # (B, 3H)
        r = (xw[:, :H] + hw[:, :H]).sigmoid()
        z = (xw[:, H:2 * H] + hw[:, H:2 * H]).sigmoid()
        n = (xw[:, 2 * H:] + r * hw[:, 2 * H:]).tanh()
        return n + z * (h - n)                                 # = (1 - z) n + z h


class Recurrent(Module):
    """Run a cell over a whole batch of sequences (backprop through time = backward on the unrolled graph).

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    input_size, hidden_size : int
    rng : np.random.Generator, int or None
    dtype : numpy float dtype
    **kwargs
        Passed to the cell (e.g. ``nonlinearity="relu"`` for ``"rnn"``).

    Notes
    -----
    The input projection :math:`x_t W_{ih} + b_{ih}` is computed for all time steps
    in one matrix product; only the recurrence (``eq-rnn-bptt``) loops over time.
    """

    def __init__(self, cell: str, input_size: int, hidden_size: int, *,
                 rng: np.random.Generator | int | None = None, dtype: Any = np.float64, **kwargs: Any):
        self.kind = check_option(cell, ("rnn", "lstm", "gru"), name="cell")
        cls = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}[self.kind]
        self.cell = cls(input_size, hidden_size, rng=rng, dtype=dtype, **kwargs)

    def forward(self, x: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        """``x`` (batch, T, input_size) -> (outputs (batch, T, hidden_size), final state)."""
        if x.ndim != 3 or x.shape[2] != self.cell.input_size:
            raise ValueError(
                f"Recurrent expects sequences of shape (batch, T, {self.cell.input_size}); got {x.shape}."
            )
        xw = self.cell.input_projection(x)                       # (B, T, k*H)
        outputs = []
        for t in range(x.shape[1]):
            state = self.cell.recur(xw[:, t], state)
            outputs.append(state[0] if self.kind == "lstm" else state)
        return stack(outputs, axis=1), state                    # (B, T, H)
