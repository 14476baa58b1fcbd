"""Recurrent cells (``RNNCell``, ``LSTMCell``, ``GRUCell``) and the sequence wrapper ``Recurrent``.

The RNN and GRU cells are composed from :class:`~scratch.autograd.Tensor`
primitives, so backpropagation through time is simply ``backward()`` on the
unrolled graph. The LSTM is one fused primitive, :func:`lstm_sequence`: all four
gates in one matrix product per step, and one hand-written backward pass
through time (its equations are in the docstring), for speed.
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
from scratch.autograd.tensor import Tensor, from_op, linear, stack
from scratch.nn import init
from scratch.nn.module import Module, Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "Recurrent", "lstm_sequence"]


def lstm_sequence(xw: Tensor, weight_hh: Tensor, bias_hh: Tensor | None = None,
                  state: tuple[Tensor, Tensor] | None = None) -> Tensor:
    r"""Run an LSTM over a whole sequence as one fused primitive (forward and BPTT backward).

    Parameters
    ----------
    xw : Tensor of shape (batch, T, 4 * hidden)
        The projected inputs :math:`x_t W_{ih} + b_{ih}`, gates stacked (i, f, g, o).
    weight_hh : Tensor of shape (hidden, 4 * hidden)
    bias_hh : Tensor of shape (4 * hidden,), optional
    state : pair of Tensors of shape (batch, hidden), optional
        :math:`(h_0, c_0)`; zeros when None.

    Returns
    -------
    Tensor of shape (batch, T, 2 * hidden)
        :math:`[h_t, c_t]` side by side for every step: ``out[..., :hidden]`` are the
        hidden states, ``out[:, -1, hidden:]`` is the last cell state.

    Notes
    -----
    Forward (``eq-rnn-lstm``), for :math:`t = 1..T`, with all gates from one
    matrix product :math:`z_t = x_t W_{ih} + b_{ih} + h_{t-1} W_{hh} + b_{hh}`,
    split into :math:`[z^i, z^f, z^g, z^o]`:

    .. math::

        i = \sigma(z^i),\ f = \sigma(z^f),\ g = \tanh(z^g),\ o = \sigma(z^o),

        c_t = f \odot c_{t-1} + i \odot g,\quad h_t = o \odot \tanh c_t.

    Backward through time, for :math:`t = T..1`, where :math:`\delta h_t` and
    :math:`\delta c_t` add the gradient from the output at step :math:`t` to the one
    coming back from step :math:`t+1`:

    .. math::

        \delta c_t \mathrel{+}= \delta h_t \odot o \odot (1 - \tanh^2 c_t),

        \delta z_t = [\delta c_t \odot g \odot i(1-i),\ \delta c_t \odot c_{t-1} \odot f(1-f), \\
        \delta c_t \odot i \odot (1-g^2),\ \delta h_t \odot \tanh c_t \odot o(1-o)],

    then :math:`\delta h_{t-1} = \delta z_t W_{hh}^\top`, :math:`\delta c_{t-1} = \delta c_t \odot f`,
    :math:`\partial L/\partial (x_t W_{ih} + b_{ih}) = \delta z_t`,
    :math:`\partial L/\partial W_{hh} = \sum_t h_{t-1}^\top \delta z_t` and
    :math:`\partial L/\partial b_{hh} = \sum_t \sum_n \delta z_{t,n}`. The composed
    version (``LSTMCell`` built from primitives) would build about 15 graph nodes per
    step; this is one node for the whole sequence, like cuDNN's LSTM. Inside the loops
    the arrays are small (batch x 4 hidden), so the number of numpy calls per step is
    what costs: the gate sigmoids are computed in place as
    :math:`\sigma(z) = (1 + \tanh(z/2))/2`, and backward multiplies :math:`\delta c_t` by
    the factors that do not depend on the recursion (:math:`g\, i(1-i)`,
    :math:`c_{t-1} f(1-f)`, :math:`i(1-g^2)`), computed for all steps at once beforehand.
    """
    if xw.ndim != 3 or xw.shape[2] != weight_hh.shape[1] or weight_hh.shape[1] != 4 * weight_hh.shape[0]:
        raise ValueError(f"lstm_sequence: xw of shape {xw.shape} does not fit weight_hh of shape "
                         f"{weight_hh.shape}; expected (batch, T, 4 * hidden) and (hidden, 4 * hidden).")
    B, T, H4 = xw.shape
    H = H4 // 4
    dtype = np.result_type(xw.data, weight_hh.data)
    if state is None:
        state = (Tensor(np.zeros((B, H), dtype)), Tensor(np.zeros((B, H), dtype)))
    h0, c0 = state
    for name, s in (("h0", h0), ("c0", c0)):
        if s.shape != (B, H):
            raise ValueError(f"lstm_sequence: state {name} must have shape (batch, hidden) = ({B}, {H}); "
                             f"got {s.shape}.")
    w = weight_hh.data
    acts = np.empty((T, B, H4), dtype)     # gate activations [i, f, g, o], time-major
    hs = np.empty((T + 1, B, H), dtype)    # h_0 .. h_T
    cs = np.empty((T + 1, B, H), dtype)    # c_0 .. c_T
    tanh_c = np.empty((T, B, H), dtype)    # tanh c_1 .. tanh c_T
    hs[0], cs[0] = h0.data, c0.data
    xw_t = xw.data.transpose(1, 0, 2)      # (T, B, 4H), a view: step t is xw_t[t]
    g_gate = np.empty((B, H), dtype)
    for t in range(T):
        a = acts[t]
        np.matmul(hs[t], w, out=a)         # all gates in one product, (B, 4H)
        a += xw_t[t]
        if bias_hh is not None:
            a += bias_hh.data
        np.tanh(a[:, 2 * H:3 * H], out=g_gate)                # g = tanh z^g
        a *= 0.5                           # i, f, o = sigma(z) = (1 + tanh(z / 2)) / 2, in place
        np.tanh(a, out=a)
        a *= 0.5
        a += 0.5
        a[:, 2 * H:3 * H] = g_gate
        np.multiply(a[:, H:2 * H], cs[t], out=cs[t + 1])
        cs[t + 1] += a[:, :H] * a[:, 2 * H:3 * H]          # c_t = f c_{t-1} + i g
        np.tanh(cs[t + 1], out=tanh_c[t])
        np.multiply(a[:, 3 * H:], tanh_c[t], out=hs[t + 1])  # h_t = o tanh c_t
    out = np.concatenate([hs[1:], cs[1:]], axis=-1).transpose(1, 0, 2).copy()  # (B, T, 2H)

    def backward(g):  # g: (B, T, 2H)
        g = g.transpose(1, 0, 2)                             # (T, B, 2H)
        i, f, gg, o = (acts[..., k * H:(k + 1) * H] for k in range(4))
        # the factors of dz that do not depend on the recursion, for all steps at once:
        # dz = [dc * (g i(1-i)), dc * (c_{t-1} f(1-f)), dc * (i (1-g^2)), dh * (tanh c_t o(1-o))]
        k3 = np.empty((T, B, 3, H), dtype)
        np.multiply(gg, i * (1 - i), out=k3[:, :, 0])
        np.multiply(cs[:-1], f * (1 - f), out=k3[:, :, 1])
        np.multiply(i, 1 - gg * gg, out=k3[:, :, 2])
        k_o = tanh_c * o * (1 - o)
        o_dtanh = o * (1 - tanh_c * tanh_c)                  # o (1 - tanh^2 c_t)
        w_t = np.ascontiguousarray(w.T)                      # (4H, H): a contiguous operand is 2x faster
        dz = np.empty_like(acts)                             # (T, B, 4H)
        dz3 = dz[..., :3 * H].reshape(T, B, 3, H)            # the i, f, g blocks, a view
        dh = np.zeros((B, H), dtype)
        dc = np.zeros((B, H), dtype)
        for t in reversed(range(T)):
            dh += g[t, :, :H]
            dc += g[t, :, H:]
            dc += dh * o_dtanh[t]
            np.multiply(dc[:, None, :], k3[t], out=dz3[t])          # di, df, dg
            np.multiply(dh, k_o[t], out=dz[t, :, 3 * H:])           # do
            dh = dz[t] @ w_t                                         # to h_{t-1}
            dc = dc * f[t]                                           # to c_{t-1}
        gxw = dz.transpose(1, 0, 2) if xw.requires_grad else None    # (B, T, 4H)
        dz2 = dz.reshape(-1, H4)
        gw = hs[:-1].reshape(-1, H).T @ dz2 if weight_hh.requires_grad else None  # (H, 4H)
        gb = dz2.sum(axis=0) if bias_hh is not None and bias_hh.requires_grad else None
        grads = {"xw": gxw, "w": gw, "b": gb, "h0": dh, "c0": dc}
        return tuple(grads[name] for name in names)

    names = ["xw", "w"] + (["b"] if bias_hh is not None else []) + ["h0", "c0"]
    parents = (xw, weight_hh) + ((bias_hh,) if bias_hh is not None else ()) + (h0, c0)
    return from_op(out, parents, backward, "lstm_sequence")


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

    def _check_state(self, h: Any, batch: int, name: str = "state") -> Tensor:
        """A hidden state must be a Tensor of shape (batch, hidden_size): never broadcast across the batch."""
        if isinstance(h, np.ndarray):
            h = Tensor(h)
        if not isinstance(h, Tensor):
            raise TypeError(f"{type(self).__name__}: {name} must be a Tensor of shape (batch, {self.hidden_size}); "
                            f"got {type(h).__name__}.")
        if h.shape != (batch, self.hidden_size):
            raise ValueError(f"{type(self).__name__}: {name} must have shape (batch, hidden) = "
                             f"({batch}, {self.hidden_size}); got {h.shape}. Pass one state row per sequence "
                             "(use None for zeros).")
        return h

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
        h = self._zeros(xw.shape[0], xw.dtype) if h is None else self._check_state(h, xw.shape[0], "h")
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
    is what lets gradients survive long lags. Computed by the fused
    :func:`lstm_sequence` (one graph node per sequence, backward written by hand).
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
        """``xw`` (batch, 4 hidden), ``state`` = (h, c) or None -> (h, c).

        One step of the fused :func:`lstm_sequence` (a sequence of length 1).
        """
        h, c = self.recur_sequence(xw.reshape(xw.shape[0], 1, -1), state)[1]
        return h, c

    def recur_sequence(self, xw: Tensor, state: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Any]:
        """``xw`` (batch, T, 4 hidden) -> (hidden states (batch, T, hidden), (h_T, c_T))."""
        H = self.hidden_size
        if state is not None:
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise TypeError(f"LSTMCell: state must be the pair (h, c) of Tensors of shape (batch, {H}); "
                                f"got {type(state).__name__}" + (f" of shape {state.shape}" if hasattr(state, "shape")
                                                                 else "") + ". Use None for zeros.")
            state = (self._check_state(state[0], xw.shape[0], "h"), self._check_state(state[1], xw.shape[0], "c"))
        hc = lstm_sequence(xw, self.weight_hh, self.bias_hh, state)  # (B, T, 2H)
        return hc[:, :, :H], (hc[:, -1, :H], hc[:, -1, H:])


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
        h = self._zeros(xw.shape[0], xw.dtype) if h is None else self._check_state(h, xw.shape[0], "h")
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
        if self.kind == "lstm":  # fused: the loop over time runs inside lstm_sequence
            return self.cell.recur_sequence(xw, state)
        outputs = []
        for t in range(x.shape[1]):
            state = self.cell.recur(xw[:, t], state)
            outputs.append(state[0] if self.kind == "lstm" else state)
        return stack(outputs, axis=1), state                    # (B, T, H)
