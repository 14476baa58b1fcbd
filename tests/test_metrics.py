"""Tests for scratch.metrics: accuracy_score, accuracy (eval mode restored), exact distances."""

import numpy as np
import pytest

import scratch.metrics as metrics
from scratch.metrics import accuracy, accuracy_score, predict_logits, squared_euclidean_distances
from scratch.neural.mlp import MLP


def test_accuracy_score():
    assert accuracy_score(["a", "b", "b"], ["a", "b", "a"]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="mismatched shapes"):
        accuracy_score([1, 2], [1, 2, 3])


def test_squared_distances_match_scipy_and_are_exact_on_duplicates():
    spatial = pytest.importorskip("scipy.spatial")
    rng = np.random.default_rng(0)
    X, Q = rng.normal(size=(150, 5)), rng.normal(size=(300, 5))
    D = squared_euclidean_distances(Q, X)
    np.testing.assert_allclose(D, spatial.distance.cdist(Q, X, "sqeuclidean"), rtol=1e-12, atol=1e-12)
    A = np.array([[0.1, 0.7], [0.3, 0.2], [0.1, 0.7]])
    DA = squared_euclidean_distances(A, A)
    assert DA[0, 0] == 0.0 and DA[0, 2] == 0.0 and DA[1, 0] == DA[1, 2]


def test_blocked_distances_equal_unblocked(monkeypatch):
    rng = np.random.default_rng(1)
    X, Q = rng.normal(size=(50, 3)), rng.normal(size=(40, 3))
    full = squared_euclidean_distances(Q, X)
    monkeypatch.setattr(metrics, "_BLOCK_ELEMENTS", 100)  # forces blocks of one row
    np.testing.assert_array_equal(squared_euclidean_distances(Q, X), full)


def test_accuracy_of_a_network_and_its_mode_is_restored():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    net = MLP([4, 3], rng=0)
    y = predict_logits(net, X).argmax(axis=1)
    net.train()
    assert accuracy(net, X, y) == 1.0 and net.training
    net.eval()
    assert accuracy(net, X, (y + 1) % 3) == 0.0 and not net.training


def test_mode_is_restored_when_the_forward_pass_fails():
    net = MLP([4, 3], rng=0)
    net.train()
    with pytest.raises(Exception):
        predict_logits(net, np.zeros((2, 5)))  # wrong number of features
    assert net.training


@pytest.mark.parametrize("call, error, match", [
    (lambda net, X, y: accuracy(net, X, y[:, None]), ValueError, r"y must have shape \(n_samples,\)"),
    (lambda net, X, y: accuracy(net, X, y.astype(float)), TypeError, "integer class labels"),
    (lambda net, X, y: accuracy(net, X, y[:-1]), ValueError, "mismatched lengths"),
    (lambda net, X, y: predict_logits(net, X, batch_size=0), ValueError, "batch_size must be >= 1"),
    (lambda net, X, y: squared_euclidean_distances(np.zeros((2, 2)), np.zeros((2, 3))), ValueError,
     "same number of features"),
])
def test_bad_input(call, error, match):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 4)), np.arange(6) % 3
    with pytest.raises(error, match=match):
        call(MLP([4, 3], rng=0), X, y)
