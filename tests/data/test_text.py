"""Tests for scratch.data.text (offline corpora, CharVocab, splits)."""

import numpy as np
import pytest

from scratch.data.census import load_first_names
from scratch.data.text import CharVocab, load_python_docs, split_text, split_words


def test_docs():
    text = load_python_docs()
    assert len(text) > 400_000 and all(c == "\n" or 32 <= ord(c) < 127 for c in set(text))


def test_vocab_roundtrip_and_errors():
    v = CharVocab.from_text(["hello", "world"], extra=".")
    assert v.itos[0] == "." and len(v) == 8
    ids = v.encode("hello.")
    assert v.decode(ids) == "hello."
    with pytest.raises(ValueError, match="Unknown character 'z'"):
        v.encode("zed")
    with pytest.raises(ValueError, match="empty corpus"):
        CharVocab.from_text([""])
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 8\)"):
        v.decode([9])
    with pytest.raises(TypeError, match="str"):
        v.encode(["h"])


def test_splits_are_fixed_and_disjoint():
    words = load_first_names()
    a = split_words(words)
    b = split_words(words)
    assert a == b
    assert sum(map(len, a)) == len(words) and not set(a[0]) & set(a[1])
    with pytest.raises(ValueError, match="empty"):
        split_words([])
    with pytest.raises(ValueError, match="fractions"):
        split_words(words, (0.5, 0.5, 0.5))
    tr, va, te = split_text("abcdefghij" * 10)
    assert tr + va + te == "abcdefghij" * 10 and len(tr) == 90
    with pytest.raises(ValueError, match="empty corpus"):
        split_text("")
