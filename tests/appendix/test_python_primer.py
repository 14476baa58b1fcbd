"""Tests for scratch.appendix.python_primer (page: book/appendix/python_primer.md)."""

import numpy as np
import pytest

from scratch.appendix.python_primer import (Affine, TrainConfig, minibatches, one_hot, pairwise_sq_dists,
                                            running_mean, softmax)


def test_dataclass_defaults_are_not_shared():
    a, b = TrainConfig(), TrainConfig(lr=0.01)
    a.hidden.append(8)
    assert b.hidden == [16, 16] and b.lr == 0.01 and "lr=0.01" in repr(b)


def test_minibatches_cover_every_index_once():
    batches = list(minibatches(10, 4, rng=0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches)) == list(range(10))
    assert np.array_equal(np.concatenate(list(minibatches(5, 2, shuffle=False))), np.arange(5))


def test_running_mean():
    assert list(running_mean(iter([2, 4, 6]))) == [2.0, 3.0, 4.0]


def test_pairwise_sq_dists_matches_scipy():
    spatial = pytest.importorskip("scipy.spatial")
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    np.testing.assert_allclose(pairwise_sq_dists(X, Y), spatial.distance.cdist(X, Y, "sqeuclidean"), atol=1e-12)


def test_one_hot_and_softmax():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    z = np.array([[1000.0, 1001.0], [0.0, 0.0]])
    np.testing.assert_allclose(softmax(z), [[1 / (1 + np.e), np.e / (1 + np.e)], [0.5, 0.5]])


def test_affine_matches_scratch_linear():
    from scratch.autograd import Tensor
    from scratch.nn.layers import Linear
    aff = Affine(3, 2, rng=0)
    lin = Linear(3, 2, rng=0)
    lin.weight.data[...] = aff.W
    lin.bias.data[...] = aff.b
    x = np.random.default_rng(1).normal(size=(4, 3))
    np.testing.assert_allclose(aff(x), lin(Tensor(x)).data, atol=1e-12)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: TrainConfig(lr=-1.0), ValueError, "lr"),
    (lambda: TrainConfig(epochs=0), ValueError, "epochs"),
    (lambda: list(minibatches(5, 0)), ValueError, "batch_size"),
    (lambda: pairwise_sq_dists(np.ones((2, 3)), np.ones((2, 2))), ValueError, "same number of columns"),
    (lambda: one_hot(np.array([0, 3]), 3), ValueError, "must lie in"),
    (lambda: one_hot(np.array([0.5]), 3), TypeError, "integer labels"),
    (lambda: Affine(3, 2)(np.ones((1, 4))), ValueError, "expects 3"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
