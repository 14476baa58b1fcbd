"""Tests for scratch.language.tokenizer (page: book/language/tokenizer.md)."""

import json
import math
from collections import Counter

import numpy as np
import pytest

from scratch._validation import NotFittedError
from scratch.language.tokenizer import GPT2_PATTERN, BPETokenizer, bits_per_character, split_chunks

CORPUS = ("The cat sat on the mat. The mat was flat; the cat was fat!\n"
          "    def f(x):\n        return x + 1000 * 3.14\n"
          "aaaa aaa aa a bbb abab ababab  tabs\tand  spaces   end. ") * 3


def _brute_force_bpe(text, n_merges):
    """Independent reference: chunks as lists of ids, exhaustive weighted pair counting,
    ties to the smallest (a, b), left-to-right non-overlapping replacement."""
    words = {}
    for chunk in split_chunks(text):
        key = tuple(chunk.encode("utf-8"))
        words[key] = words.get(key, 0) + 1
    words = [(list(w), n) for w, n in words.items()]
    merges = []
    for new_id in range(256, 256 + n_merges):
        counts = Counter()
        for w, n in words:
            for pair in zip(w[:-1], w[1:]):
                counts[pair] += n
        if not counts:
            break
        best_count = max(counts.values())
        pair = min(p for p, c in counts.items() if c == best_count)
        merges.append(pair)
        for k, (w, n) in enumerate(words):
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == pair:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[k] = (out, n)
    return merges, words


@pytest.mark.parametrize("n_merges", [1, 7, 40])
def test_merges_match_brute_force_reference(n_merges):
    tok = BPETokenizer(256 + n_merges).fit(CORPUS)
    ref, _ = _brute_force_bpe(CORPUS, n_merges)
    assert tok.merges_ == ref


def test_encode_reproduces_training_segmentation():
    n = 40
    tok = BPETokenizer(256 + n).fit(CORPUS)
    _, words = _brute_force_bpe(CORPUS, n)
    for w, _count in words:
        chunk = bytes(tok.decode_bytes(w)).decode("utf-8")
        assert tok.encode(chunk).tolist() == w


def test_tie_break_is_smallest_pair():
    tok = BPETokenizer(258).fit("aaab aaab")
    # (a, a) occurs 4 times; then (256, a) and (a, b) both occur twice: (97, 98) < (256, 97).
    assert tok.merges_ == [(97, 97), (97, 98)]
    np.testing.assert_array_equal(tok.merge_counts_, [4, 2])


def test_overlapping_pair_merges_left_to_right():
    tok = BPETokenizer(257).fit("aaa")
    assert tok.merges_ == [(97, 97)]
    assert tok.encode("aaa").tolist() == [256, 97]
    assert tok.encode("aaaa").tolist() == [256, 256]


def test_round_trip_randomized_strings():
    tok = BPETokenizer(300).fit(CORPUS)
    rng = np.random.default_rng(0)
    alphabet = list("abcdefgh tT.,;:!?0123456789\n\t_-") + ["\u00e9", "\u00df", "\u4e2d", "\U0001F600", "\x00", "\x7f"]
    for _ in range(300):
        s = "".join(rng.choice(alphabet, size=rng.integers(0, 40)))
        ids = tok.encode(s)
        assert ids.dtype == np.int64 and (ids.size == 0 or ids.max() < 300)
        assert tok.decode(ids) == s
        assert tok.decode_bytes(ids) == s.encode("utf-8")


def test_round_trip_random_unicode_code_points():
    tok = BPETokenizer(300).fit(CORPUS)
    rng = np.random.default_rng(1)
    for _ in range(100):
        cps = rng.integers(1, 0x10FFFF, size=rng.integers(1, 20))
        s = "".join(chr(c) for c in cps if not 0xD800 <= c <= 0xDFFF)  # surrogates are not encodable
        assert tok.decode(tok.encode(s)) == s


def test_unseen_characters_fall_back_to_bytes():
    tok = BPETokenizer(300).fit(CORPUS)
    ids = tok.encode("\u4e2d")  # never seen: three UTF-8 bytes, three byte tokens
    assert ids.tolist() == list("\u4e2d".encode("utf-8"))


def test_invalid_utf8_decoding():
    tok = BPETokenizer(300).fit(CORPUS)
    half = list("\u00e9".encode("utf-8"))[:1]  # a lone lead byte
    assert tok.decode(half) == "\ufffd"
    with pytest.raises(UnicodeDecodeError):
        tok.decode(half, errors="strict")


def test_stops_early_when_no_pairs_left():
    tok = BPETokenizer(1000).fit("ab ab")
    assert len(tok.merges_) == 2 and len(tok.vocab_) == 258  # "ab", then " ab"


def test_vocab_bytes_are_concatenations():
    tok = BPETokenizer(320).fit(CORPUS)
    for k, (a, b) in enumerate(tok.merges_):
        assert tok.vocab_[256 + k] == tok.vocab_[a] + tok.vocab_[b]
        assert a < 256 + k and b < 256 + k


def test_split_chunks_covers_text():
    s = "Don't  stop: x_1 = 42.5\n\n  end"
    assert "".join(split_chunks(s)) == s
    assert split_chunks("it's 2024") == ["it", "'s", " 2024"]


def test_bits_per_character():
    # 2 tokens of ln 2 nats each over 4 characters = 0.5 bits per character
    assert bits_per_character(math.log(2), 2, 4) == pytest.approx(0.5)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: BPETokenizer(100).fit("abc"), ValueError, "vocab_size"),
    (lambda: BPETokenizer(300).fit(b"abc"), TypeError, "str"),
    (lambda: BPETokenizer(300).fit(""), ValueError, "empty"),
    (lambda: BPETokenizer(300).encode("abc"), NotFittedError, "not fitted"),
    (lambda: BPETokenizer(300).fit("abc").encode(b"abc"), TypeError, "str"),
    (lambda: BPETokenizer(300).fit("abc").decode([0, 999]), ValueError, "must lie in"),
    (lambda: BPETokenizer(300).fit("abc").decode([-1]), ValueError, "must lie in"),
    (lambda: BPETokenizer(300).fit("abc").decode([1.5]), TypeError, "integer ids"),
    (lambda: BPETokenizer(300).fit("abc").decode([[1]]), TypeError, "1-D"),
    (lambda: BPETokenizer(300).fit("abc").decode([1], errors="ignore"), ValueError, "errors"),
    (lambda: split_chunks("abc", pattern="a"), ValueError, "cover"),
    (lambda: bits_per_character(1.0, 0, 3), ValueError, "n_tokens"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def _unicode_to_bytes():
    """Inverse of GPT-2's bytes_to_unicode table (printable bytes map to themselves)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) + \
        list(range(ord("\u00ae"), ord("\u00ff") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {chr(c): b for b, c in zip(bs, cs)}


def _untied_prefix(tok):
    """Number of leading merges whose count is strictly larger than the next one's
    (there, any tie-break rule must agree)."""
    c = tok.merge_counts_
    k = 0
    while k + 1 < len(c) and c[k] > c[k + 1]:
        k += 1
    return k


def test_merges_match_huggingface_tokenizers():
    tokenizers = pytest.importorskip("tokenizers")
    from scratch.data.text import load_python_docs
    text = load_python_docs()[:60000]
    n = 60
    tok = BPETokenizer(256 + n).fit(text)
    hf = tokenizers.Tokenizer(tokenizers.models.BPE())
    hf.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = tokenizers.trainers.BpeTrainer(vocab_size=256 + n, show_progress=False, special_tokens=[],
                                             initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet())
    hf.train_from_iterator([text], trainer)
    merges = json.loads(hf.to_str())["model"]["merges"]
    u2b = _unicode_to_bytes()
    to_bytes = lambda s: bytes(u2b[ch] for ch in s)  # noqa: E731
    theirs = [to_bytes(a) + to_bytes(b) for a, b in (m.split(" ") if isinstance(m, str) else m for m in merges)]
    k = _untied_prefix(tok)
    assert k >= 5
    assert tok.vocab_[256:256 + k] == theirs[:k]


def test_merges_match_tiktoken_educational():
    pytest.importorskip("tiktoken")
    educational = pytest.importorskip("tiktoken._educational")
    from scratch.data.text import load_python_docs
    text = load_python_docs()[:20000]
    n = 40
    tok = BPETokenizer(256 + n).fit(text)
    ranks = educational.bpe_train(text, 256 + n, GPT2_PATTERN, visualise=None)
    theirs = [b for b, r in sorted(ranks.items(), key=lambda kv: kv[1]) if r >= 256]
    k = _untied_prefix(tok)
    assert k >= 5
    assert tok.vocab_[256:256 + k] == theirs[:k]
