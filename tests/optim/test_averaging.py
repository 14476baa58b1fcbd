"""Tests for scratch.optim.averaging: hard (copy) and soft (Polyak / EMA) target updates."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.nn import BatchNorm1d, Linear, Sequential, Tanh
from scratch.optim import copy_parameters, polyak_update


def net(seed):
    return Sequential(Linear(3, 4, rng=seed), Tanh(), BatchNorm1d(4), Linear(4, 2, rng=seed + 1))


def test_copy_parameters_makes_target_equal_in_place():
    source, target = net(0), net(10)
    arrays = [p.data for p in target.parameters()]
    source.layers_buffer_check = None  # an unrelated attribute does not matter
    for _, b in source.named_buffers():
        b[...] = np.random.default_rng(1).standard_normal(b.shape)
    copy_parameters(source, target)
    for (n, s), (_, t), a in zip(source.named_parameters(), target.named_parameters(), arrays):
        np.testing.assert_array_equal(s.data, t.data, err_msg=n)
        assert t.data is a  # written in place: optimizers holding the target still see it
        assert s is not t
    for (_, s), (_, t) in zip(source.named_buffers(), target.named_buffers()):
        np.testing.assert_array_equal(s, t)
    next(iter(source.parameters())).data += 1.0
    assert not np.array_equal(source.parameters()[0].data, target.parameters()[0].data)  # no aliasing


def test_polyak_update_matches_torch_ema():
    torch = pytest.importorskip("torch")
    from torch.optim.swa_utils import get_ema_avg_fn

    source, target = net(0), net(5)
    tau = 0.1
    ema = get_ema_avg_fn(decay=1 - tau)
    avg = [torch.tensor(p.data.copy()) for p in target.parameters()]
    rng = np.random.default_rng(3)
    for step in range(5):
        for p in source.parameters():  # the online network moves
            p.data += 0.1 * rng.standard_normal(p.shape)
        polyak_update(source, target, tau)
        avg = [ema(a, torch.tensor(p.data), step) for a, p in zip(avg, source.parameters())]
    for a, t in zip(avg, target.parameters()):
        np.testing.assert_allclose(t.data, a.numpy(), rtol=1e-12, atol=1e-14)


def test_polyak_closed_form_and_extremes():
    s, t = [Tensor(np.array([1.0, 2.0]), requires_grad=True)], [Tensor(np.array([0.0, 0.0]), requires_grad=True)]
    for _ in range(3):
        polyak_update(s, t, 0.5)
    np.testing.assert_allclose(t[0].data, (1 - 0.5**3) * s[0].data)  # geometric approach to the source
    polyak_update(s, t, 0.0)
    np.testing.assert_allclose(t[0].data, (1 - 0.5**3) * s[0].data)
    polyak_update(s, t, 1.0)
    np.testing.assert_array_equal(t[0].data, s[0].data)


def test_deepcopy_target_and_lists_of_tensors():
    source = net(0)
    target = copy.deepcopy(source)
    polyak_update(source, target, 0.3)  # a deep copy has its own parameters
    copy_parameters(source.parameters(), target.parameters())


BAD = [
    (lambda: copy_parameters(net(0), Sequential(Linear(3, 4), Tanh(), Linear(4, 2))), ValueError,
     "different architectures"),
    (lambda: copy_parameters(net(0), Sequential(Linear(3, 5), Tanh(), BatchNorm1d(5), Linear(5, 2))), ValueError,
     r"has shape \(3, 4\) in the source and \(3, 5\)"),
    (lambda: polyak_update(net(0), net(1), 1.5), ValueError, r"tau must be in \[0, 1\]"),
    (lambda: polyak_update(net(0), net(1), -0.1), ValueError, r"tau must be in \[0, 1\]"),
    (lambda: polyak_update(net(0), net(1), "0.5"), TypeError, "tau must be a real number"),
    (lambda: polyak_update(net(0), net(1), True), TypeError, "tau must be a real number"),
    (lambda: copy_parameters(net(0), 3), TypeError, "target must be a Module or an iterable of Tensors"),
    (lambda: copy_parameters([np.ones(2)], [Tensor(np.ones(2))]), TypeError, "item 0 is ndarray"),
]


@pytest.mark.parametrize("call, exc, match", BAD, ids=[f"{i}-{b[2][:25]}" for i, b in enumerate(BAD)])
def test_bad_input_raises_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_same_or_shared_parameters_are_refused():
    m = net(0)
    with pytest.raises(ValueError, match="same object"):
        polyak_update(m, m, 0.5)
    shared = m.parameters()
    with pytest.raises(ValueError, match="shared by source and target"):
        copy_parameters(shared, list(shared))
