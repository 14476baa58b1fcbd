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
