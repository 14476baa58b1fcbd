"""Tests for scratch.nn.recurrent; page: book/neural/rnn.md."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.recurrent import GRUCell, LSTMCell, Recurrent, RNNCell

torch = pytest.importorskip("torch")

CELLS = [(RNNCell, torch.nn.RNNCell, {}), (RNNCell, torch.nn.RNNCell, {"nonlinearity": "relu"}),
         (LSTMCell, torch.nn.LSTMCell, {}), (GRUCell, torch.nn.GRUCell, {})]


def copy_to_torch(cell, ref):
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            data = getattr(cell, name).data
            getattr(ref, name).copy_(torch.from_numpy(data.T.copy() if data.ndim == 2 else data))


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


@pytest.mark.parametrize("cls,tcls,kw", CELLS)
@pytest.mark.parametrize("seed", [0, 1])
def test_cells_match_torch_over_a_sequence(cls, tcls, kw, seed):
    """Unroll 6 steps through both engines; compare outputs and all gradients (BPTT)."""
    cell = cls(3, 5, rng=seed, **kw)
    ref = tcls(3, 5, **kw).double()
    copy_to_torch(cell, ref)
    rng = np.random.default_rng(seed + 7)
    xs = rng.normal(size=(6, 2, 3))
    g = rng.normal(size=(2, 5))
    x_ours = [Tensor(x, requires_grad=True) for x in xs]
    x_ref = [torch.from_numpy(x).requires_grad_() for x in xs]
    s = t = None
    for a, b in zip(x_ours, x_ref):
        s = cell(a, s)
        t = ref(b, t)
    h, ht = (s[0], t[0]) if cls is LSTMCell else (s, t)
    h.backward(g)
    ht.backward(torch.from_numpy(g))
    np.testing.assert_allclose(h.data, ht.detach().numpy(), atol=1e-12)
    for a, b in zip(x_ours, x_ref):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), atol=1e-12)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        ours, theirs = getattr(cell, name).grad, getattr(ref, name).grad.numpy()
        np.testing.assert_allclose(ours, theirs.T if ours.ndim == 2 else theirs, atol=1e-12)


@pytest.mark.parametrize("kind,tcls", [("rnn", torch.nn.RNN), ("lstm", torch.nn.LSTM), ("gru", torch.nn.GRU)])
def test_recurrent_wrapper_matches_torch(kind, tcls):
    model = Recurrent(kind, 3, 4, rng=0)
    ref = tcls(3, 4, batch_first=True).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            data = getattr(model.cell, name).data
            getattr(ref, name + "_l0").copy_(torch.from_numpy(data.T.copy() if data.ndim == 2 else data))
    x = np.random.default_rng(5).normal(size=(2, 7, 3))
    out, _ = model(Tensor(x))
    out_t, _ = ref(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=1e-12)


def test_load_torch_weights():
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


def test_fused_lstm_matches_torch_lstm_with_initial_state():
    """Recurrent('lstm') = torch.nn.LSTM: outputs, final (h, c), and the gradients of x, h0, c0
    and all four parameters, with a loss on every output and on the final cell state."""
    model = Recurrent("lstm", 3, 5, rng=0)
    ref = torch.nn.LSTM(3, 5, batch_first=True).double()
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            data = getattr(model.cell, name).data
            getattr(ref, name + "_l0").copy_(torch.from_numpy(data.T.copy() if data.ndim == 2 else data))
    rng = np.random.default_rng(8)
    x, h0, c0 = rng.normal(size=(2, 7, 3)), rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    g_out, g_c = rng.normal(size=(2, 7, 5)), rng.normal(size=(2, 5))
    xs, hs, cs = (Tensor(a, requires_grad=True) for a in (x, h0, c0))
    out, (h, c) = model(xs, (hs, cs))
    ((out * g_out).sum() + (c * g_c).sum()).backward()
    xt, ht, ct = (torch.tensor(a, requires_grad=True) for a in (x, h0, c0))
    out_t, (h_t, c_t) = ref(xt, (ht[None], ct[None]))
    ((out_t * torch.from_numpy(g_out)).sum() + (c_t[0] * torch.from_numpy(g_c)).sum()).backward()
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(h.data, h_t[0].detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(c.data, c_t[0].detach().numpy(), atol=1e-12)
    for ours, theirs in ((xs, xt), (hs, ht), (cs, ct)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-11)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        ours, theirs = getattr(model.cell, name).grad, getattr(ref, name + "_l0").grad.numpy()
        np.testing.assert_allclose(ours, theirs.T if ours.ndim == 2 else theirs, atol=1e-11)


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
