"""Tests for scratch.nn.groupnorm: gradcheck and agreement with torch.nn.GroupNorm."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.groupnorm import GroupNorm, group_norm


def test_gradcheck():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(2, 6, 3, 2)), requires_grad=True)
    w = Tensor(rng.normal(size=6), requires_grad=True)
    b = Tensor(rng.normal(size=6), requires_grad=True)
    assert gradcheck(lambda x, w, b: group_norm(x, 3, w, b), [x, w, b])
    assert gradcheck(lambda x: group_norm(x, 2), [x])


@pytest.mark.parametrize("groups, shape", [(1, (3, 4, 5, 5)), (2, (3, 4, 5, 5)), (4, (3, 4, 5, 5)),
                                           (3, (2, 6, 7)), (2, (5, 4))])
def test_matches_torch(groups, shape, torch_compare):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(groups)
    c = shape[1]
    gn = GroupNorm(groups, c)
    gn.weight.data[...] = rng.normal(size=c)
    gn.bias.data[...] = rng.normal(size=c)
    torch_compare(gn, torch.nn.GroupNorm(groups, c, dtype=torch.float64), [3 * rng.normal(size=shape) + 2])


def test_float32_stays_float32():
    gn = GroupNorm(2, 4, dtype=np.float32)
    out = gn(Tensor(np.ones((1, 4, 2, 2), dtype=np.float32)))
    assert out.dtype == np.float32


@pytest.mark.parametrize("make, match", [
    (lambda: GroupNorm(3, 4), "not divisible by num_groups=3"),
    (lambda: GroupNorm(2, 4)(Tensor(np.zeros((2, 6, 3, 3)))), r"\(N, 4, \.\.\.\); got \(2, 6, 3, 3\)"),
    (lambda: GroupNorm(2, 4)(Tensor(np.zeros(4))), r"\(N, 4, \.\.\.\)"),
    (lambda: group_norm(Tensor(np.zeros((2, 5, 3))), 2), "cannot be split into 2"),
    (lambda: GroupNorm(0, 4), "num_groups"),
])
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_channels_last_input_matches_channels_first():
    """conv2d returns channels-last memory; group_norm keeps that layout and gives the same numbers."""
    rng = np.random.default_rng(3)
    data = rng.normal(size=(2, 3, 4, 6))                   # (N, H, W, C) in memory
    x_cl = Tensor(data.transpose(0, 3, 1, 2), requires_grad=True)  # (N, C, H, W), channels-last strides
    x_cf = Tensor(np.ascontiguousarray(x_cl.data), requires_grad=True)
    w = Tensor(rng.normal(size=6), requires_grad=True)
    b = Tensor(rng.normal(size=6), requires_grad=True)
    out_cl, out_cf = group_norm(x_cl, 3, w, b), group_norm(x_cf, 3, w, b)
    assert np.moveaxis(out_cl.data, 1, -1).flags.c_contiguous
    np.testing.assert_allclose(out_cl.data, out_cf.data, rtol=1e-12, atol=1e-12)
    g = rng.normal(size=out_cl.shape)
    (out_cl * Tensor(g)).sum().backward()
    gw, gb = w.grad.copy(), b.grad.copy()
    w.grad = b.grad = None
    (out_cf * Tensor(g)).sum().backward()
    np.testing.assert_allclose(x_cl.grad, x_cf.grad, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw, w.grad, rtol=1e-10)
    np.testing.assert_allclose(gb, b.grad, rtol=1e-10)
    assert gradcheck(lambda x, w, b: group_norm(x, 3, w, b), [x_cl, w, b])
