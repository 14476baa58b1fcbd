"""Tests for scratch.optim.clip.clip_grad_norm against torch.nn.utils.clip_grad_norm_."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.optim import clip_grad_norm


@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_matches_torch(max_norm, norm_type):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s) for s in [(3, 4), (5,), (2, 2, 2)]]
    ours = [Tensor(np.zeros(g.shape), requires_grad=True) for g in grads]
    theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, t, g in zip(ours, theirs, grads):
        p.grad = g.copy()
        t.grad = torch.from_numpy(g.copy())
    total = clip_grad_norm(ours, max_norm, norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total == pytest.approx(t_total.item(), rel=1e-12)
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)


def test_clipped_norm_and_untouched_when_small():
    p = Tensor(np.zeros(2), requires_grad=True)
    p.grad = np.array([3.0, 4.0])
    assert clip_grad_norm([p], 1.0) == pytest.approx(5.0)
    assert np.linalg.norm(p.grad) == pytest.approx(1.0, rel=1e-5)
    p.grad = np.array([0.3, 0.4])
    clip_grad_norm(p, 1.0)
    np.testing.assert_array_equal(p.grad, [0.3, 0.4])
    q = Tensor(np.zeros(2), requires_grad=True)  # no grad: ignored
    assert clip_grad_norm([q], 1.0) == 0.0


def test_clip_works_on_grads_from_backward():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (10 * (a + b)).sum().backward()  # a.grad and b.grad come from the same add
    clip_grad_norm([a, b], 1.0)
    np.testing.assert_allclose(a.grad, b.grad)
    assert np.sqrt((a.grad**2).sum() + (b.grad**2).sum()) == pytest.approx(1.0, rel=1e-5)


def test_bad_input():
    p = Tensor(np.zeros(2), requires_grad=True)
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm([p], -1.0)
    with pytest.raises(ValueError, match="norm_type"):
        clip_grad_norm([p], 1.0, norm_type=0)
