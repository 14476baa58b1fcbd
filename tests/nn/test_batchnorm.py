"""Tests for scratch.nn.batchnorm; page: book/neural/initialization.md."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.batchnorm import BatchNorm1d, BatchNorm2d

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("cls,shape", [(BatchNorm1d, (6, 3)), (BatchNorm1d, (4, 3, 5)), (BatchNorm2d, (3, 2, 4, 3))])
def test_gradcheck_training_mode(cls, shape):
    bn = cls(shape[1])
    bn.weight.data[:] = np.linspace(0.5, 1.5, shape[1])
    x = Tensor(np.random.default_rng(0).normal(size=shape), requires_grad=True)
    assert gradcheck(lambda x, w, b: bn(x), [x, bn.weight, bn.bias])


@pytest.mark.parametrize("cls,tcls,shape", [(BatchNorm1d, torch.nn.BatchNorm1d, (8, 4)),
                                            (BatchNorm2d, torch.nn.BatchNorm2d, (5, 3, 4, 4))])
def test_matches_torch_train_then_eval(cls, tcls, shape):
    rng = np.random.default_rng(1)
    ours, ref = cls(shape[1]), tcls(shape[1]).double()
    w, b = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    ours.weight.data[:], ours.bias.data[:] = w, b
    with torch.no_grad():
        ref.weight.copy_(torch.from_numpy(w)); ref.bias.copy_(torch.from_numpy(b))
    for step in range(3):  # training: batch statistics, running averages updated
        x = rng.normal(loc=2.0, scale=3.0, size=shape)
        g = rng.normal(size=shape)
        xs = Tensor(x, requires_grad=True)
        ours.weight.grad = ours.bias.grad = None
        ref.zero_grad()
        out = ours(xs)
        out.backward(g)
        xt = torch.from_numpy(x).requires_grad_()
        out_t = ref(xt)
        out_t.backward(torch.from_numpy(g))
        np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=1e-10)
        np.testing.assert_allclose(xs.grad, xt.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad, ref.weight.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(ours.bias.grad, ref.bias.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(ours.running_mean, ref.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(ours.running_var, ref.running_var.numpy(), atol=1e-12)
    ours.eval(); ref.eval()  # eval: running statistics
    x = rng.normal(size=shape)
    xs = Tensor(x, requires_grad=True)
    out = ours(xs)
    out.backward(np.ones(shape))
    xt = torch.from_numpy(x).requires_grad_()
    out_t = ref(xt)
    out_t.sum().backward()
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(xs.grad, xt.grad.numpy(), atol=1e-10)


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
