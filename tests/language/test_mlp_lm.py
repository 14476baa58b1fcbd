"""Tests for scratch.language.mlp_lm (page: book/language/mlp_lm.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, cross_entropy, gradcheck
from scratch.data.text import CharVocab
from scratch.language.mlp_lm import MLPLanguageModel, build_dataset, evaluate_nll, text_windows, train_lm


def test_build_dataset():
    v = CharVocab.from_text(["ab"], extra=".")
    X, Y = build_dataset(["ab"], v, 2)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 2]])
    np.testing.assert_array_equal(Y, [1, 2, 0])
    X, Y = text_windows(np.arange(5), 3)
    np.testing.assert_array_equal(X[-1], [1, 2, 3]) and Y[-1] == 4


def test_forward_matches_torch(torch_compare):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    m = MLPLanguageModel(7, 3, 4, 5, rng=0)

    class TorchMLPLM(nn.Module):  # Bengio et al.'s model in torch, our parameter names
        def __init__(self):
            super().__init__()
            self.emb, self.hidden, self.out = nn.Embedding(7, 4), nn.Linear(12, 5), nn.Linear(5, 7)

        def forward(self, ids):
            return self.out(torch.tanh(self.hidden(self.emb(ids).reshape(len(ids), -1))))

    X = np.random.default_rng(0).integers(0, 7, (6, 3))
    diffs = torch_compare(m, TorchMLPLM().double(), [X], transpose=("hidden.weight", "out.weight"),
                          atol=1e-12, rtol=1e-7)
    assert "emb.weight grad" in diffs and "input 0 grad" not in diffs  # token ids get no gradient


def test_gradcheck_model():
    m = MLPLanguageModel(5, 2, 3, 4, rng=1)
    X = np.array([[0, 1], [2, 2], [4, 3]])
    Y = np.array([1, 0, 4])
    ps = m.parameters()
    assert gradcheck(lambda *p: cross_entropy(m(X), Y), ps)


def test_training_lowers_loss_and_is_seeded():
    v = CharVocab.from_text(["abab", "baba"], extra=".")
    X, Y = build_dataset(["abab", "baba", "aabb"], v, 3)
    m1, m2 = MLPLanguageModel(len(v), 3, rng=0), MLPLanguageModel(len(v), 3, rng=0)
    before = evaluate_nll(m1, X, Y)
    l1 = train_lm(m1, X, Y, steps=200, lr=0.1, rng=0)
    l2 = train_lm(m2, X, Y, steps=200, lr=0.1, rng=0)
    np.testing.assert_array_equal(l1, l2)
    assert evaluate_nll(m1, X, Y) < before - 0.3


def test_bad_inputs():
    m = MLPLanguageModel(5, 3, rng=0)
    with pytest.raises(ValueError, match=r"\(B, 3\)"):
        m(np.zeros((2, 4), dtype=int))
    with pytest.raises(ValueError, match="non-empty"):
        build_dataset([], CharVocab(".a"), 3)
    with pytest.raises(ValueError, match="longer than block_size"):
        text_windows(np.arange(3), 3)
