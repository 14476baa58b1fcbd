"""Tests for scratch.neural.rnn (page: book/neural/rnn.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.neural.rnn import (CharLM, NameClassifier, SequenceRegressor, encode_names,
                                gradient_norms_by_lag, lm_arrays, lm_loss, sample_names)
from scratch.optim import Adam




def test_gradient_norms_vanish_with_lag():
    g = gradient_norms_by_lag("rnn", length=30, rng=0)
    assert g.shape == (30,) and g[0] > 1e3 * g[-1]
    slow = gradient_norms_by_lag("lstm", length=30, rng=0, forget_bias=3.0)
    fast = gradient_norms_by_lag("lstm", length=30, rng=0)
    assert slow[-1] / slow[0] > fast[-1] / fast[0]  # a large forget bias keeps more memory


def test_encode_names_left_pads():
    X = encode_names(["ab", "c"], 3)
    assert X.shape == (2, 3, 26)
    np.testing.assert_array_equal(X[0].argmax(1)[1:], [0, 1])
    assert X[0, 0].sum() == 0 and X[1, :2].sum() == 0 and X[1, 2, 2] == 1




def test_lm_arrays_and_training_reduce_loss():
    X, Y = lm_arrays(["ann", "bob"], 4)
    assert X.shape == (2, 5, 27)
    np.testing.assert_array_equal(Y[0], [1, 14, 14, 0, -1])  # "ann." then padding
    lm = CharLM(16, rng=0)
    opt = Adam(lm.parameters(), lr=0.05)
    first = lm_loss(lm, X, Y).item()
    for _ in range(30):
        opt.zero_grad(); loss = lm_loss(lm, X, Y); loss.backward(); opt.step()
    assert loss.item() < first / 3
    samples = sample_names(lm, 5, rng=0)
    assert all(isinstance(s, str) and len(s) <= 12 for s in samples)


def test_sequence_regressor_shapes():
    for cell in ["rnn", "lstm", "gru"]:
        out = SequenceRegressor(cell, 2, 4, rng=0)(Tensor(np.ones((3, 5, 2))))
        assert out.shape == (3,)


def test_bad_input():
    clf = NameClassifier(max_len=5, rng=0)
    with pytest.raises(ValueError, match="longer than max_len=5"):
        encode_names(["christopher"], 5)
    with pytest.raises(ValueError, match="letters a-z"):
        encode_names(["Ann"], 5)
    with pytest.raises(TypeError, match="list of names"):
        encode_names("ann", 5)
    with pytest.raises(ValueError, match=r"\(B, 5, 26\)"):
        clf(Tensor(encode_names(["ann"], 6)))


def test_gradient_norms_explode_with_large_recurrent_weights():
    from scratch.neural.rnn import gradient_norms_by_lag

    small = gradient_norms_by_lag("rnn", rng=0, nonlinearity="relu")
    large = gradient_norms_by_lag("rnn", rng=0, nonlinearity="relu", recurrent_scale=3.0)
    assert small[59] < 1e-6 * small[0]          # vanishing
    assert large[59] > 1e3 * large[0]           # exploding
    with pytest.raises(ValueError, match="recurrent_scale must be finite and > 0"):
        gradient_norms_by_lag("rnn", recurrent_scale=0.0)
