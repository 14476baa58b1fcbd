"""Tests for scratch.nn.batchnorm; page: book/neural/initialization.md."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.batchnorm import BatchNorm1d, BatchNorm2d


@pytest.mark.parametrize("cls,shape", [(BatchNorm1d, (6, 3)), (BatchNorm1d, (4, 3, 5)), (BatchNorm2d, (3, 2, 4, 3))])
def test_gradcheck_training_mode(cls, shape):
    bn = cls(shape[1])
    bn.weight.data[:] = np.linspace(0.5, 1.5, shape[1])
    x = Tensor(np.random.default_rng(0).normal(size=shape), requires_grad=True)
    assert gradcheck(lambda x, w, b: bn(x), [x, bn.weight, bn.bias])


@pytest.mark.parametrize("cls,tname,shape", [(BatchNorm1d, "BatchNorm1d", (8, 4)),
                                             (BatchNorm2d, "BatchNorm2d", (5, 3, 4, 4))])
def test_matches_torch_train_then_eval(cls, tname, shape, torch_compare):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    ours, ref = cls(shape[1]), getattr(torch.nn, tname)(shape[1]).double()
    ours.weight.data[:], ours.bias.data[:] = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    stats = ("running_mean", "running_var")
    for step in range(3):  # training: batch statistics, running averages updated
        x = rng.normal(loc=2.0, scale=3.0, size=shape)
        torch_compare(ours, ref, [x], atol=1e-10, rtol=1e-7, seed=step)
    np.testing.assert_allclose(ours.running_mean, ref.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.running_var, ref.running_var.numpy(), atol=1e-12)
    ours.eval(); ref.eval()  # eval: running statistics
    torch_compare(ours, ref, [rng.normal(size=shape)], atol=1e-10, rtol=1e-7, buffers=stats, seed=3)


def test_training_output_is_standardised():
    x = Tensor(np.random.default_rng(2).normal(5.0, 4.0, size=(200, 3)))
    out = BatchNorm1d(3)(x).data
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1, atol=1e-3)


def test_state_dict_holds_running_stats():
    bn = BatchNorm2d(2)
    bn(Tensor(np.random.default_rng(0).normal(size=(4, 2, 3, 3))))
    state = bn.state_dict()
    assert {"running_mean", "running_var", "weight", "bias"} <= set(state)
    assert not np.allclose(state["running_mean"], 0)


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\) with C=3"):
        BatchNorm2d(3)(Tensor(np.ones((2, 4, 5, 5))))
    with pytest.raises(ValueError, match=r"\(N, C\) or \(N, C, L\)"):
        BatchNorm1d(3)(Tensor(np.ones((2, 3, 4, 4))))
    with pytest.raises(ValueError, match="more than one value per channel"):
        BatchNorm1d(3)(Tensor(np.ones((1, 3))))
    BatchNorm1d(3).eval()(Tensor(np.ones((1, 3))))  # eval mode accepts a single sample
    with pytest.raises(ValueError, match="momentum"):
        BatchNorm1d(3, momentum=1.5)
