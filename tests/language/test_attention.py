"""Tests for scratch.language.attention (page: book/language/attention.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, cross_entropy, gradcheck
from scratch.language.attention import (ToyTransformer, attention_cost, reversal_task, sinusoidal_positions,
                                        toy_accuracy, train_toy)


def test_sinusoidal_positions_closed_form():
    P = sinusoidal_positions(50, 8)
    assert P.shape == (50, 8)
    np.testing.assert_allclose(P[0], [0, 1, 0, 1, 0, 1, 0, 1], atol=0)
    t = np.arange(50)
    np.testing.assert_allclose(P[:, 0], np.sin(t), atol=1e-15)
    np.testing.assert_allclose(P[:, 3], np.cos(t / 10000 ** (2 / 8)), atol=1e-15)
    # a relative shift is a rotation of each (sin, cos) pair: the norm per pair is 1
    np.testing.assert_allclose(P[:, 0::2] ** 2 + P[:, 1::2] ** 2, 1.0, atol=1e-14)


def test_reversal_task_is_reproducible_and_reversed():
    X, Y = reversal_task(20, 6, 5, rng=3)
    X2, _ = reversal_task(20, 6, 5, rng=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, X[:, ::-1])
    assert X.min() >= 0 and X.max() < 5


@pytest.mark.parametrize("mode", ["self", "cross"])
def test_gradcheck_toy_transformer(mode):
    m = ToyTransformer(5, 4, n_embd=8, n_heads=2, mode=mode, positions="learned", rng=0)
    X, Y = reversal_task(3, 4, 5, rng=1)
    assert gradcheck(lambda *ps: cross_entropy(m(X), Y), m.parameters())


def test_self_attention_without_positions_is_permutation_equivariant():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 6, (3, 7))
    perm = rng.permutation(7)
    m = ToyTransformer(6, 7, n_embd=8, n_heads=2, positions="none", rng=0)
    np.testing.assert_allclose(m(X[:, perm]).data, m(X).data[:, perm], atol=1e-12)
    m_pos = ToyTransformer(6, 7, n_embd=8, n_heads=2, positions="sinusoidal", rng=0)  # negative control
    assert np.abs(m_pos(X[:, perm]).data - m_pos(X).data[:, perm]).max() > 1e-3


def test_attention_learns_reversal_and_ablation_cannot():
    X, Y = reversal_task(2000, 6, 6, rng=0)
    Xv, Yv = reversal_task(300, 6, 6, rng=1)
    m = ToyTransformer(6, 6, n_embd=24, n_heads=2, rng=0)
    train_toy(m, X, Y, steps=250, lr=5e-3, rng=0)
    assert toy_accuracy(m, Xv, Yv) > 0.95
    w = m.attention_weights(Xv[:50]).mean(axis=(0, 1))  # (T, T)
    np.testing.assert_array_equal(w.argmax(axis=1), np.arange(6)[::-1])  # output i looks at input T-1-i
    none = ToyTransformer(6, 6, n_embd=24, mode="none", rng=0)
    train_toy(none, X, Y, steps=100, lr=5e-3, rng=0)
    assert toy_accuracy(none, Xv, Yv) < 0.3  # chance is 1/6


def test_cross_attention_weights_shape():
    m = ToyTransformer(5, 4, n_embd=8, n_heads=2, mode="cross", rng=0)
    X, _ = reversal_task(3, 4, 5, rng=1)
    w = m.attention_weights(X)
    assert w.shape == (3, 2, 4, 4)
    np.testing.assert_allclose(w.sum(-1), 1.0, atol=1e-12)


def test_attention_memory_grows_quadratically():
    # one head: the (T, T) arrays dominate at every T (with several heads, attention works on
    # blocks of heads whose size changes with T, which bends the curve at small T)
    cost = attention_cost([128, 256, 512], batch_heads=1, repeats=1)
    ratio = cost["peak_bytes"][1:] / cost["peak_bytes"][:-1]
    assert np.all(ratio > 3.0) and np.all(ratio < 5.0)  # doubling T roughly quadruples memory
    assert np.all(cost["seconds"] > 0)


def test_bad_inputs():
    with pytest.raises(ValueError, match="even"):
        sinusoidal_positions(4, 5)
    m = ToyTransformer(5, 4, n_embd=8, rng=0)
    with pytest.raises(ValueError, match=r"\(B, 4\)"):
        m(np.zeros((2, 5), dtype=int))
    with pytest.raises(ValueError, match=r"\[0, 5\)"):
        m(np.full((2, 4), 7))
    with pytest.raises(ValueError, match="mode"):
        ToyTransformer(5, 4, mode="bidirectional")
    with pytest.raises(ValueError, match="no attention"):
        ToyTransformer(5, 4, n_embd=8, mode="none", rng=0).attention_weights(np.zeros((1, 4), dtype=int))
    with pytest.raises(ValueError, match="equal shapes"):
        train_toy(m, np.zeros((3, 4), dtype=int), np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match="lengths"):
        attention_cost([])
