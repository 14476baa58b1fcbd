"""Offline text for the language-model chapters, a character vocabulary, and fixed splits.

Sources (nothing is downloaded; everything ships with Python or an installed package):

* **Names**: the census lists of :mod:`scratch.data.census`.
* **English technical prose** -- the help topics of Python's own documentation,
  the dictionary ``pydoc_data.topics.topics`` that ships with CPython (text
  copyright the Python Software Foundation, distributed under the Python
  Software Foundation License).

Splits are **fixed**: names are shuffled once with a fixed seed and cut
80/10/10; the documentation text is cut into contiguous 90/5/5 pieces. Every
chapter therefore trains and validates on exactly the same data.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from scratch._validation import RNG, as_rng

__all__ = [
    "load_python_docs",
    "CharVocab",
    "split_words",
    "split_text",
    "BOUNDARY",
]

BOUNDARY = "."  # marks the start and the end of a word in the name models


_ASCII_MAP = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2026": "...",
              "\u2014": "--", "\u2013": "-", "\u00a0": " "}


def load_python_docs() -> str:
    """About 465,000 characters of English prose and code: Python's help topics.

    The topics of ``pydoc_data.topics.topics`` (shipped with CPython) are
    joined in sorted key order. Typographic quotes and dashes are mapped to
    ASCII and the few remaining non-ASCII characters are dropped, so the
    vocabulary is printable ASCII plus newline.

    Provenance and license: the Python documentation, copyright the Python
    Software Foundation, distributed under the Python Software Foundation
    License with every Python installation.
    """
    from pydoc_data.topics import topics

    text = "\n".join(topics[k] for k in sorted(topics))
    for src, dst in _ASCII_MAP.items():
        text = text.replace(src, dst)
    text = text.replace("\t", "    ")
    return "".join(ch for ch in text if ch == "\n" or 32 <= ord(ch) < 127)


class CharVocab:
    """A character vocabulary: ``encode`` text to integer ids and ``decode`` back.

    Parameters
    ----------
    chars : iterable of str
        The distinct characters; ids follow this order.

    Attributes
    ----------
    itos : list of str
        Character of each id.
    stoi : dict of str to int
        Id of each character.

    Examples
    --------
    >>> v = CharVocab.from_text(["abc", "cab"])
    >>> v.encode("cab")
    array([2, 0, 1])
    >>> v.decode([0, 1])
    'ab'
    """

    def __init__(self, chars: Iterable[str]):
        chars = list(chars)
        if not chars:
            raise ValueError("CharVocab needs at least one character; got none (empty corpus?).")
        bad = [c for c in chars if not isinstance(c, str) or len(c) != 1]
        if bad:
            raise TypeError(f"CharVocab takes single characters; got {bad[:5]!r}.")
        if len(set(chars)) != len(chars):
            raise ValueError("CharVocab characters must be distinct; got duplicates.")
        self.itos = chars
        self.stoi = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, texts: str | Iterable[str], extra: str = "") -> "CharVocab":
        """The sorted set of characters in ``texts`` (a string or an iterable of strings).

        ``extra`` characters (e.g. :data:`BOUNDARY`) come first, with ids 0, 1, ...
        """
        if isinstance(texts, str):
            texts = [texts]
        chars: set[str] = set()
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"from_text expects a string or an iterable of strings; got an item of type "
                                f"{type(t).__name__}.")
            chars.update(t)
        if not chars:
            raise ValueError("Cannot build a vocabulary from an empty corpus; pass non-empty text.")
        return cls(list(extra) + sorted(chars - set(extra)))

    def __len__(self) -> int:
        return len(self.itos)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} characters: {''.join(self.itos)!r})"

    def encode(self, text: str) -> np.ndarray:
        """Ids of the characters of ``text``, shape (len(text),), dtype int64."""
        if not isinstance(text, str):
            raise TypeError(f"encode expects a str; got {type(text).__name__}.")
        try:
            return np.fromiter((self.stoi[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as exc:
            raise ValueError(
                f"Unknown character {exc.args[0]!r} (not among the {len(self)} characters of this "
                "vocabulary). Build the vocabulary from text that contains it, or remove it."
            ) from None

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """The string with characters ``ids`` (integers in ``[0, len(vocab))``)."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise TypeError(f"decode expects a 1-D sequence of integer ids; got shape {ids.shape}, dtype {ids.dtype}.")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must lie in [0, {len(self)}); got values in [{ids.min()}, {ids.max()}].")
        return "".join(self.itos[i] for i in ids)


def split_words(words: Sequence[str], fractions: tuple[float, float, float] = (0.8, 0.1, 0.1),
                rng: RNG = 0) -> tuple[list[str], list[str], list[str]]:
    """Shuffle ``words`` with ``rng`` (fixed by default) and cut them into train/val/test lists."""
    if isinstance(words, str):
        raise TypeError("split_words expects a list of words, not one string (it would split its characters); "
                        "pass e.g. text.split().")
    words = list(words)
    if not words:
        raise ValueError("split_words got an empty list of words; load a corpus first.")
    f = np.asarray(fractions, dtype=float)
    if f.shape != (3,) or np.any(f < 0) or abs(f.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be three non-negative numbers summing to 1; got {fractions}.")
    order = as_rng(rng).permutation(len(words))
    n1 = int(round(f[0] * len(words)))
    n2 = n1 + int(round(f[1] * len(words)))
    shuffled = [words[i] for i in order]
    return shuffled[:n1], shuffled[n1:n2], shuffled[n2:]


def split_text(text: str, fractions: tuple[float, float, float] = (0.9, 0.05, 0.05)) -> tuple[str, str, str]:
    """Cut ``text`` into contiguous train/val/test pieces (no shuffling: text is sequential)."""
    if not isinstance(text, str):
        raise TypeError(f"split_text expects the corpus as one str; got {type(text).__name__}. "
                        "Join a list of documents first, e.g. '\\n'.join(docs).")
    if not text:
        raise ValueError("split_text needs a non-empty string; got an empty corpus.")
    f = np.asarray(fractions, dtype=float)
    if f.shape != (3,) or np.any(f < 0) or abs(f.sum() - 1) > 1e-9:
        raise ValueError(f"fractions must be three non-negative numbers summing to 1; got {fractions}.")
    n1 = int(f[0] * len(text))
    n2 = n1 + int(f[1] * len(text))
    return text[:n1], text[n1:n2], text[n2:]
