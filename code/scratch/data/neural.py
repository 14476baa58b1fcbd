"""Data for Part III (neural networks): labelled census first names and the adding problem.

Nothing is downloaded. The names come from the
(1990 US Census lists, public domain, shipped by the ``names`` package under the
MIT license); the adding problem is generated from ``rng``.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from scratch._validation import as_rng, check_int

__all__ = ["names_by_sex", "adding_problem"]


def _census_frequencies(filename: str) -> dict[str, float]:
    """NAME -> FREQ (percent of that sex's population) from one census file of the ``names`` package."""
    text = resources.files("names").joinpath(filename).read_text(encoding="ascii")
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4:  # NAME FREQ CUMFREQ RANK
            out[parts[0].lower()] = float(parts[1])
    return out


def names_by_sex() -> tuple[list[str], np.ndarray]:
    """First names with a sex label: 1 = mostly female, 0 = mostly male.

    Returns
    -------
    names : list of str
        Lower-case names, each once, sorted alphabetically.
    labels : ndarray of shape (n_names,), int
        1 if the name's frequency among women exceeds its frequency among men
        (both in percent of each sex), else 0. The few exact ties are dropped.

    Notes
    -----
    Provenance: US Census Bureau, 1990 census, "Frequently Occurring First Names"
    (``dist.female.first``, ``dist.male.first``, columns NAME FREQ CUMFREQ RANK;
    public domain), read from the files of the ``names`` package (MIT license).
    Many names occur in both lists (even "mary" and "john", at tiny frequencies
    in the other list), which is why the label compares frequencies.
    """
    female = _census_frequencies("dist.female.first")
    male = _census_frequencies("dist.male.first")
    names, labels = [], []
    for name in sorted(set(female) | set(male)):
        f, m = female.get(name, 0.0), male.get(name, 0.0)
        if f != m:
            names.append(name)
            labels.append(int(f > m))
    return names, np.array(labels)


def adding_problem(n_samples: int, length: int, *, rng: np.random.Generator | int | None = None,
                   dtype=np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem of Hochreiter & Schmidhuber (1997), a long-delay regression task.

    Each sequence has two channels: values drawn from U(0, 1), and a marker that is
    1 at exactly two positions, one in the first half and one in the second half.
    The target is the sum of the two marked values; predicting the constant 1 gives
    a mean squared error of about 1/6 = 0.167.

    Parameters
    ----------
    n_samples : int
    length : int
        Sequence length T (at least 2). The first marker lies in the first half, so
        the network must remember it for about T/2 steps or more.
    rng : np.random.Generator, int or None

    Returns
    -------
    X : ndarray of shape (n_samples, length, 2)
    y : ndarray of shape (n_samples,)
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    T = check_int(length, name="length", minimum=2)
    rng = as_rng(rng)
    values = rng.uniform(size=(n, T))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    marks = np.zeros((n, T))
    rows = np.arange(n)
    marks[rows, first] = 1.0
    marks[rows, second] = 1.0
    X = np.stack([values, marks], axis=-1).astype(dtype)
    y = (values[rows, first] + values[rows, second]).astype(dtype)
    return X, y
