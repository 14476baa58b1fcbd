"""Tests for scratch.language.bigram (page: book/language/bigram.md)."""

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.data.text import CharVocab
from scratch.language.bigram import BigramCounts, bigram_pairs, train_bigram_net

WORDS = ["ab", "abb", "ba"]


def test_counts_and_closed_form_nll():
    m = BigramCounts(alpha=0).fit(WORDS)
    v = m.vocab_
    # .ab. .abb. .ba. : pairs .a .a .b ab ab ba b. bb b. a.
    assert m.counts_[v.stoi["."], v.stoi["a"]] == 2 and m.counts_[v.stoi["b"], v.stoi["."]] == 2
    N = m.counts_
    P = N / N.sum(1, keepdims=True)
    nz = N > 0
    closed = -(N[nz] * np.log(P[nz])).sum() / N.sum()
    assert m.nll(WORDS) == pytest.approx(closed, abs=1e-12)
    np.testing.assert_allclose(m.probs_.sum(1), 1.0)


def test_smoothing_formula():
    m = BigramCounts(alpha=2.0).fit(WORDS)
    V = len(m.vocab_)
    np.testing.assert_allclose(m.probs_, (m.counts_ + 2) / (m.counts_.sum(1, keepdims=True) + 2 * V))


def test_net_converges_to_counts():
    m = BigramCounts(alpha=0).fit(WORDS)
    prev, nxt = bigram_pairs(WORDS, m.vocab_)
    _, hist = train_bigram_net(prev, nxt, len(m.vocab_), steps=2000, lr=10.0, rng=0)
    assert hist[-1] - m.nll(WORDS) < 0.01 and hist[-1] >= m.nll(WORDS) - 1e-9


def test_sampling_reproducible():
    m = BigramCounts().fit(["anna", "bob", "carla", "dan"])
    assert m.sample(5, rng=3) == m.sample(5, rng=3)
    assert m.sample(20, rng=1) != m.sample(20, rng=2)


def test_bad_inputs():
    with pytest.raises(NotFittedError):
        BigramCounts().nll(WORDS)
    with pytest.raises(ValueError, match="non-empty list"):
        BigramCounts().fit([])
    with pytest.raises(ValueError, match="non-empty list"):
        BigramCounts().fit("abc")
    with pytest.raises(ValueError, match="alpha"):
        BigramCounts(alpha=-1).fit(WORDS)
    m = BigramCounts().fit(WORDS)
    with pytest.raises(ValueError, match="Unknown character 'z'"):
        m.nll(["zz"])
    with pytest.raises(ValueError, match="boundary"):
        bigram_pairs(WORDS, CharVocab("ab"))
