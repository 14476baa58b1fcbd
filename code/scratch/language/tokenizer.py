"""Byte-level byte-pair encoding (BPE), the tokenizer of GPT-2.

Page: ``book/language/tokenizer.md`` (equations ``eq-bpe-merge``, ``eq-bpe-encode``,
``eq-bpe-bpc``). Text is split into chunks by a regular expression (GPT-2's
pattern, :data:`GPT2_PATTERN`), each chunk is turned into its UTF-8 bytes (ids
0-255), and training repeatedly replaces the most frequent adjacent pair of ids
inside a chunk by a new id. Every string can be encoded: there is no unknown
token, because every byte has an id.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import numpy as np

from scratch._validation import NotFittedError, check_int, check_option, check_positive

__all__ = ["GPT2_PATTERN", "split_chunks", "BPETokenizer", "bits_per_character"]

# GPT-2's pre-tokenizer (Radford et al. 2019) with Python ``re`` classes:
# \p{L} is written [^\W\d_] (a word character that is neither a digit nor "_"),
# \p{N} is written \d, and [^\s\p{L}\p{N}] is written (?:[^\s\w]|_). On ASCII text the
# two patterns split identically.
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+"""


def split_chunks(text: str, pattern: str = GPT2_PATTERN) -> list[str]:
    """Cut ``text`` into the chunks that merges never cross (``re.findall`` of ``pattern``).

    The default pattern keeps a leading space with the word after it (``" the"``),
    separates letters, digits and punctuation, and leaves runs of whitespace alone.
    The chunks concatenate back to ``text`` exactly (checked).
    """
    if not isinstance(text, str):
        raise TypeError(f"split_chunks expects a str; got {type(text).__name__}. Decode bytes first.")
    try:
        chunks = re.findall(pattern, text)
    except (re.error, TypeError) as exc:
        raise ValueError(f"pattern must be a valid regular expression; got {pattern!r} ({exc}).") from None
    if sum(len(c) for c in chunks) != len(text):
        raise ValueError("The chunk pattern does not cover the whole text (some characters would be lost); "
                         "use a pattern whose alternatives match every character, such as GPT2_PATTERN.")
    return chunks


def _merge_pair(seq: np.ndarray, pair: tuple[int, int], new_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Replace the occurrences of ``pair`` in ``seq`` (n,) by ``new_id``, left to right, without overlaps.

    Returns the new sequence and the boolean mask (n,) of the kept positions.
    """
    a, b = pair
    hit = np.flatnonzero((seq[:-1] == a) & (seq[1:] == b))  # left positions of the pair
    if a == b and hit.size > 1:  # "aaa": merge (a a) a, not a (a a); keep every other hit of a run
        new_run = np.r_[True, np.diff(hit) != 1]
        run_start = np.maximum.accumulate(np.where(new_run, np.arange(hit.size), 0))
        hit = hit[(np.arange(hit.size) - run_start) % 2 == 0]
    keep = np.ones(seq.size, dtype=bool)
    keep[hit + 1] = False
    out = seq.copy()
    out[hit] = new_id
    return out[keep], keep


class BPETokenizer:
    """Byte-level byte-pair encoding: ``fit`` learns merges, ``encode``/``decode`` use them.

    Parameters
    ----------
    vocab_size : int, default 512
        Size of the final vocabulary: the 256 byte ids plus ``vocab_size - 256``
        merges. Must be at least 256.
    pattern : str, default :data:`GPT2_PATTERN`
        Regular expression that cuts the text into chunks; merges never cross
        a chunk boundary.

    Attributes
    ----------
    merges_ : list of (int, int)
        The learned pairs in order; merge ``k`` creates id ``256 + k``.
    merge_counts_ : ndarray of shape (n_merges,)
        How often each pair occurred in the training text when it was chosen.
    vocab_ : list of bytes
        The bytes of every id (``vocab_[i]`` for id ``i``).

    Notes
    -----
    Training (eq-bpe-merge of the page): with the text as sequences of ids, one per
    chunk, repeat :math:`(a, b) \\leftarrow \\arg\\max_{(a,b)} n(a, b)`, the number of
    adjacent occurrences inside chunks, and replace every occurrence, left to right,
    by a new id. **Ties** go to the smallest pair of ids in lexicographic order
    (smaller ``a``, then smaller ``b``). Training stops early when no pair is left.

    Encoding (eq-bpe-encode): a chunk's bytes are merged by repeatedly applying the
    present pair with the lowest merge rank; this reproduces the training
    segmentation of every training chunk.

    Examples
    --------
    >>> tok = BPETokenizer(vocab_size=258).fit("aaab aaab")
    >>> tok.merges_
    [(97, 97), (256, 97)]
    >>> tok.decode(tok.encode("aaab")) == "aaab"
    True
    """

    def __init__(self, vocab_size: int = 512, pattern: str = GPT2_PATTERN):
        self.vocab_size = vocab_size
        self.pattern = pattern

    # ------------------------------------------------------------------ training
    def fit(self, text: str) -> "BPETokenizer":
        """Learn ``vocab_size - 256`` merges from ``text`` (a non-empty str)."""
        vocab_size = check_int(self.vocab_size, name="vocab_size", minimum=256)
        if not isinstance(text, str):
            raise TypeError(f"fit expects a str of training text; got {type(text).__name__}.")
        if not text:
            raise ValueError("fit needs non-empty training text; got an empty string.")
        counts = Counter(split_chunks(text, self.pattern))
        # All distinct chunks in one array, separated by -1, each position weighted by its chunk's count.
        seq = np.concatenate([np.r_[np.frombuffer(c.encode("utf-8"), np.uint8).astype(np.int64), -1]
                              for c in counts])
        weight = np.concatenate([np.full(len(c.encode("utf-8")) + 1, n, dtype=np.float64)
                                 for c, n in counts.items()])
        merges: list[tuple[int, int]] = []
        merge_counts: list[float] = []
        for new_id in range(256, vocab_size):
            left, right = seq[:-1], seq[1:]
            inside = (left >= 0) & (right >= 0)
            n_pairs = np.bincount(left[inside] * vocab_size + right[inside], weights=weight[:-1][inside],
                                  minlength=vocab_size * vocab_size)  # (V*V,) counts n(a, b)
            best = int(np.argmax(n_pairs))  # first maximum = smallest (a, b): the documented tie-break
            if n_pairs[best] < 1:
                break  # every chunk is a single token
            pair = divmod(best, vocab_size)
            seq, keep = _merge_pair(seq, pair, new_id)
            weight = weight[keep]
            merges.append((int(pair[0]), int(pair[1])))
            merge_counts.append(float(n_pairs[best]))
        self.merges_ = merges
        self.merge_counts_ = np.asarray(merge_counts)
        vocab = [bytes([i]) for i in range(256)]
        for a, b in merges:
            vocab.append(vocab[a] + vocab[b])
        self.vocab_ = vocab
        self._ranks = {pair: k for k, pair in enumerate(merges)}
        self._cache: dict[str, list[int]] = {}
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "merges_"):
            raise NotFittedError("This BPETokenizer is not fitted yet; call fit(text) before encode/decode.")

    # ------------------------------------------------------------------ encoding
    def _encode_chunk(self, chunk: str) -> list[int]:
        ids = list(chunk.encode("utf-8"))
        while len(ids) > 1:
            ranked = [(self._ranks.get(p, -1), i) for i, p in enumerate(zip(ids[:-1], ids[1:]))]
            rank = min((r for r, _ in ranked if r >= 0), default=-1)
            if rank < 0:
                break
            a, b = self.merges_[rank]
            out, i = [], 0
            while i < len(ids):  # left to right, no overlaps, as in training
                if i + 1 < len(ids) and ids[i] == a and ids[i + 1] == b:
                    out.append(256 + rank)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            ids = out
        return ids

    def encode(self, text: str) -> np.ndarray:
        """Token ids of ``text``, shape (n_tokens,), dtype int64. Any str works (no unknown token)."""
        self._check_fitted()
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str; got {type(text).__name__}. "
                            "For bytes, decode them to str first (or use encode_bytes).")
        out: list[int] = []
        for chunk in split_chunks(text, self.pattern):
            ids = self._cache.get(chunk)
            if ids is None:
                ids = self._cache[chunk] = self._encode_chunk(chunk)
            out.extend(ids)
        return np.asarray(out, dtype=np.int64)

    def tokens(self, text: str) -> list[bytes]:
        """The bytes of each token of ``text`` (for display)."""
        return [self.vocab_[i] for i in self.encode(text)]

    # ------------------------------------------------------------------ decoding
    def decode_bytes(self, ids: Sequence[int] | np.ndarray) -> bytes:
        """The bytes of the tokens ``ids`` (integers in ``[0, len(vocab_))``), concatenated."""
        self._check_fitted()
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise TypeError(f"decode expects a 1-D sequence of integer ids; got shape {ids.shape}, dtype {ids.dtype}.")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.vocab_)):
            raise ValueError(f"Token ids must lie in [0, {len(self.vocab_)}); got values in "
                             f"[{ids.min()}, {ids.max()}]. Were they produced by another tokenizer?")
        return b"".join(self.vocab_[i] for i in ids)

    def decode(self, ids: Sequence[int] | np.ndarray, errors: str = "replace") -> str:
        """The text of the tokens ``ids``.

        A sequence of ids need not be valid UTF-8 (a model may sample a token that
        holds half of a multi-byte character). ``errors="replace"`` (GPT-2's choice)
        shows such bytes as U+FFFD; ``errors="strict"`` raises ``UnicodeDecodeError``.
        """
        errors = check_option(errors, ("replace", "strict"), name="errors")
        return self.decode_bytes(ids).decode("utf-8", errors=errors)


def bits_per_character(nll_nats: float, n_tokens: int, n_characters: int) -> float:
    """Convert a mean NLL per token (nats) to bits per character, ``eq-bpe-bpc``.

    ``nll_nats * n_tokens`` is the total code length of the text in nats; dividing
    by ``n_characters * ln 2`` gives bits per character, comparable across tokenizers.
    """
    n_tokens = check_int(n_tokens, name="n_tokens", minimum=1)
    n_characters = check_int(n_characters, name="n_characters", minimum=1)
    check_positive(nll_nats, name="nll_nats", strict=False)
    return float(nll_nats) * n_tokens / (n_characters * np.log(2))
