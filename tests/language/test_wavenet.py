"""Tests for scratch.language.wavenet (page: book/language/wavenet.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, cross_entropy, gradcheck
from scratch.language.wavenet import FuseLayer, SequenceBatchNorm, WaveNetLM
from scratch.nn.batchnorm import BatchNorm1d


def test_batch_time_equals_batchnorm1d_on_transposed_input_and_torch(torch_compare):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4, 3)) * 2 + 1
    ours = SequenceBatchNorm(3)
    ref = BatchNorm1d(3)
    y = ours(Tensor(x)).data
    np.testing.assert_allclose(y, ref(Tensor(x.transpose(0, 2, 1))).data.transpose(0, 2, 1), atol=1e-12)
    def run(module, xs):  # torch normalises (N, C, L): transpose (B, T, C) in and out
        return module(*xs) if isinstance(module, SequenceBatchNorm) else module(xs[0].transpose(1, 2)).transpose(1, 2)

    tb = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    seq_bn = SequenceBatchNorm(3)  # a fresh `ours`: its running statistics see x once, like torch's
    stats = ("running_mean", "running_var")
    torch_compare(seq_bn, tb, [x], call=run, buffers=stats, atol=1e-12, rtol=1e-7)
    seq_bn.eval(); tb.eval()
    torch_compare(seq_bn, tb, [rng.normal(size=(2, 4, 3))], call=run, buffers=stats, atol=1e-12, rtol=1e-7)


def test_batch_only_pitfall_keeps_per_position_statistics():
    x = np.random.default_rng(1).normal(size=(6, 4, 3))
    bn = SequenceBatchNorm(3, reduce="batch")
    y = bn(Tensor(x)).data
    assert bn.running_mean.shape == (4, 3)  # one statistic per (position, feature)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)  # zero mean at every position
    good = SequenceBatchNorm(3)(Tensor(x)).data
    assert np.abs(good.mean(axis=0)).max() > 1e-2  # the correct one only centres over (B, T)


@pytest.mark.parametrize("reduce", ["batch_time", "batch"])
def test_gradcheck_bn_and_wavenet(reduce):
    x = Tensor(np.random.default_rng(2).normal(size=(4, 2, 3)), requires_grad=True)
    bn = SequenceBatchNorm(3, reduce)
    bn.weight.data[:] = [0.5, 1.5, -1.0]
    assert gradcheck(lambda x, *ps: bn(x), [x, *bn.parameters()])
    m = WaveNetLM(6, 4, n_embd=3, n_hidden=5, bn_reduce=reduce, rng=0)
    X = np.random.default_rng(3).integers(0, 6, (5, 4))
    Y = np.random.default_rng(4).integers(0, 6, 5)
    assert gradcheck(lambda *ps: cross_entropy(m(X), Y), m.parameters())


def test_no_batchnorm_ablation_is_linear_with_bias_then_tanh():
    m = WaveNetLM(6, 4, n_embd=3, n_hidden=5, bn_reduce="none", rng=0)
    layer = m.fuse[0]
    assert layer.bn is None and layer.linear.bias is not None
    x = np.random.default_rng(5).normal(size=(2, 4, 3))
    expected = np.tanh(x.reshape(2, 2, 6) @ layer.linear.weight.data + layer.linear.bias.data)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, atol=1e-12)
    X = np.random.default_rng(3).integers(0, 6, (5, 4))
    Y = np.random.default_rng(4).integers(0, 6, 5)
    assert gradcheck(lambda *ps: cross_entropy(m(X), Y), m.parameters())
    with pytest.raises(ValueError, match="reduce"):
        FuseLayer(2, 3, reduce="channels")


def test_fuse_layer_pairs_neighbours():
    layer = FuseLayer(2, 3, rng=0)
    x = np.arange(2 * 4 * 2, dtype=float).reshape(2, 4, 2)
    pre = layer.linear(Tensor(x).reshape(2, 2, 4)).data
    np.testing.assert_allclose(pre[0, 1], np.concatenate([x[0, 2], x[0, 3]]) @ layer.linear.weight.data)
    assert layer(Tensor(x)).shape == (2, 2, 3)


def test_wavenet_learns_a_dependency_on_the_first_context_character():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 4, (512, 8))
    Y = X[:, 0]  # the answer sits at the far end of the context
    from scratch.language.mlp_lm import train_lm
    m = WaveNetLM(4, 8, n_embd=4, n_hidden=16, rng=0)
    train_lm(m, X, Y, steps=300, batch_size=64, lr=1e-2, optimizer="adam", rng=0)
    m.eval()
    assert np.mean(m(X).data.argmax(1) == Y) > 0.95


def test_bad_inputs():
    with pytest.raises(ValueError, match="power of 2"):
        WaveNetLM(5, 6)
    with pytest.raises(ValueError, match=r"\(B, 8\)"):
        WaveNetLM(5, 8, rng=0)(np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match="reduce"):
        SequenceBatchNorm(3, reduce="time")
    with pytest.raises(ValueError, match="running statistics"):
        SequenceBatchNorm(3).eval()(Tensor(np.zeros((2, 2, 3))))
    with pytest.raises(ValueError, match="at least 2"):
        SequenceBatchNorm(3, reduce="batch")(Tensor(np.zeros((1, 2, 3))))
    with pytest.raises(ValueError, match=r"\(B, T, 3\)"):
        SequenceBatchNorm(3)(Tensor(np.zeros((2, 2, 4))))
