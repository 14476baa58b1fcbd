"""Tests for scratch.nn.recurrent; page: book/neural/rnn.md."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.recurrent import GRUCell, LSTMCell, Recurrent, RNNCell

CELLS = [(RNNCell, "RNNCell", {}), (RNNCell, "RNNCell", {"nonlinearity": "relu"}),
         (LSTMCell, "LSTMCell", {}), (GRUCell, "GRUCell", {})]
WEIGHTS = ("weight_ih", "weight_hh")  # (in, out) here, (out, in) in torch


def to_torch_layer0(params):
    """param_map for Recurrent -> torch.nn.RNN/LSTM/GRU: ``cell.weight_ih`` -> ``weight_ih_l0`` (transposed)."""
    return {name.split(".")[-1] + "_l0": (a.T if a.ndim == 2 else a) for name, a in params.items()}


@pytest.mark.parametrize("cls,_,kw", CELLS)
def test_cells_gradcheck(cls, _, kw):
    cell = cls(3, 4, rng=0, **kw)
    x = Tensor(np.random.default_rng(1).normal(size=(2, 3)), requires_grad=True)
    h = Tensor(np.random.default_rng(2).normal(size=(2, 4)), requires_grad=True)
    if cls is LSTMCell:
        c = Tensor(np.random.default_rng(3).normal(size=(2, 4)), requires_grad=True)
        fn = lambda x, h, c, *p: (lambda s: s[0] * s[1])(cell(x, (h, c)))  # noqa: E731
        inputs = [x, h, c]
    else:
        fn = lambda x, h, *p: cell(x, h)  # noqa: E731
        inputs = [x, h]
    assert gradcheck(fn, inputs + cell.parameters())


@pytest.mark.parametrize("cls,tname,kw", CELLS)
@pytest.mark.parametrize("seed", [0, 1])
def test_cells_match_torch_over_a_sequence(cls, tname, kw, seed, torch_compare):
    """Unroll 6 steps through both engines; compare outputs and all gradients (BPTT)."""
    torch = pytest.importorskip("torch")
    cell = cls(3, 5, rng=seed, **kw)
    ref = getattr(torch.nn, tname)(3, 5, **kw).double()

    def unroll(module, xs):
        s = None
        for x in xs:
            s = module(x, s)
        return s[0] if isinstance(s, tuple) else s  # an LSTM's state is (h, c): compare h

    xs = list(np.random.default_rng(seed + 7).normal(size=(6, 2, 3)))
    diffs = torch_compare(cell, ref, xs, transpose=WEIGHTS, call=unroll, atol=1e-12, rtol=1e-7, seed=seed)
    assert len([k for k in diffs if k.startswith("input")]) == 6 and "bias_hh grad" in diffs


@pytest.mark.parametrize("kind,tname", [("rnn", "RNN"), ("lstm", "LSTM"), ("gru", "GRU")])
def test_recurrent_wrapper_matches_torch(kind, tname, torch_compare):
    torch = pytest.importorskip("torch")
    model = Recurrent(kind, 3, 4, rng=0)
    ref = getattr(torch.nn, tname)(3, 4, batch_first=True).double()
    x = np.random.default_rng(5).normal(size=(2, 7, 3))
    torch_compare(model, ref, [x], param_map=to_torch_layer0, atol=1e-12, rtol=1e-7)


def test_load_torch_weights():
    torch = pytest.importorskip("torch")
    ref = torch.nn.GRUCell(2, 3).double()
    cell = GRUCell(2, 3).load_torch_weights(*(p.detach().numpy() for p in
                                             (ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh)))
    x = np.ones((1, 2))
    np.testing.assert_allclose(cell(Tensor(x)).data, ref(torch.from_numpy(x)).detach().numpy(), atol=1e-12)
    with pytest.raises(ValueError, match="weight_ih must have shape"):
        cell.load_torch_weights(np.ones((3, 2)), np.ones((9, 3)))


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        LSTMCell(3, 4)(Tensor(np.ones((2, 5, 3))))
    with pytest.raises(ValueError, match=r"\(batch, T, 3\)"):
        Recurrent("gru", 3, 4)(Tensor(np.ones((2, 3))))
    with pytest.raises(ValueError, match="Unknown cell"):
        Recurrent("transformer", 3, 4)
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        RNNCell(3, 4, nonlinearity="gelu")


def _lstm_inputs(rng, B=2, T=4, H=3, bias=True, requires_grad=True):
    from scratch.autograd import Tensor as T_

    xw = T_(rng.normal(size=(B, T, 4 * H)), requires_grad=requires_grad)
    w = T_(0.5 * rng.normal(size=(H, 4 * H)), requires_grad=requires_grad)
    b = T_(rng.normal(size=4 * H), requires_grad=requires_grad) if bias else None
    h0 = T_(rng.normal(size=(B, H)), requires_grad=requires_grad)
    c0 = T_(rng.normal(size=(B, H)), requires_grad=requires_grad)
    return xw, w, b, h0, c0


@pytest.mark.parametrize("bias", [True, False])
def test_fused_lstm_sequence_gradcheck(bias):
    """float64 gradcheck of the fused LSTM (BPTT by hand) w.r.t. inputs, weights and (h0, c0),
    through both outputs: every hidden state and every cell state."""
    from scratch.nn.recurrent import lstm_sequence

    xw, w, b, h0, c0 = _lstm_inputs(np.random.default_rng(11), bias=bias)
    proj = np.random.default_rng(12).normal(size=(2, 4, 6))  # weights all [h_t, c_t] differently
    if bias:
        fn = lambda xw, w, b, h0, c0: (lstm_sequence(xw, w, b, (h0, c0)) * proj).sum()  # noqa: E731
        assert gradcheck(fn, [xw, w, b, h0, c0])
    else:
        fn = lambda xw, w, h0, c0: (lstm_sequence(xw, w, None, (h0, c0)) * proj).sum()  # noqa: E731
        assert gradcheck(fn, [xw, w, h0, c0])


def test_fused_lstm_matches_torch_lstm_with_initial_state(torch_compare):
    """Recurrent('lstm') = torch.nn.LSTM: outputs, final (h, c), and the gradients of x, h0, c0
    and all four parameters, with a loss on every output and on the final (h, c)."""
    torch = pytest.importorskip("torch")
    model = Recurrent("lstm", 3, 5, rng=0)
    ref = torch.nn.LSTM(3, 5, batch_first=True).double()

    def run(module, xs):
        x, h0, c0 = xs
        if isinstance(module, Recurrent):
            return module(x, (h0, c0))
        out, (h, c) = module(x, (h0[None], c0[None]))  # torch: (num_layers, B, H) states
        return out, (h[0], c[0])

    rng = np.random.default_rng(8)
    x, h0, c0 = rng.normal(size=(2, 7, 3)), rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    diffs = torch_compare(model, ref, [x, h0, c0], param_map=to_torch_layer0, call=run, outputs="all",
                          atol=1e-12, grad_atol=1e-11, rtol=1e-7, seed=9)
    assert {"output 0", "output 1", "output 2", "input 2 grad", "weight_hh_l0 grad"} <= set(diffs)


def test_fused_lstm_keeps_float32_and_checks_shapes():
    from scratch.nn.recurrent import lstm_sequence

    model = Recurrent("lstm", 3, 4, rng=0, dtype=np.float32)
    x = Tensor(np.random.default_rng(0).normal(size=(2, 5, 3)).astype(np.float32), requires_grad=True)
    out, (h, c) = model(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    assert model.cell.weight_hh.grad.dtype == np.float32
    with pytest.raises(ValueError, match=r"\(batch, T, 4 \* hidden\)"):
        lstm_sequence(Tensor(np.ones((2, 5, 7))), model.cell.weight_hh)
