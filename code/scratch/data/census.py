"""The 1990 US Census name lists: first names (with a sex label) and surnames.

Nothing is downloaded: the lists ship with the ``names`` package (MIT license), which
the book's ``[pages]`` extra installs. Source: US Census Bureau, 1990 census,
"Frequently Occurring Names" (1995; a work of the US federal government, public
domain): the files ``dist.female.first``, ``dist.male.first`` and ``dist.all.last``,
each line holding NAME, FREQ (percent of the population), CUMFREQ and RANK.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from scratch._validation import check_option

__all__ = ["load_first_names", "load_surnames", "names_by_sex"]


def _read_census(filename: str) -> list[tuple[str, float]]:
    """(name, frequency in percent) pairs, lower-case, in rank order, from one census file."""
    try:
        text = resources.files("names").joinpath(filename).read_text(encoding="ascii")
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "The census name lists come from the `names` package, which this environment lacks. "
            "It is in the book's [pages] extra: %pip install \"ml-from-scratch[pages]\"", name="names",
        ) from None
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4:  # NAME FREQ CUMFREQ RANK
            out.append((parts[0].lower(), float(parts[1])))
    return out


def load_first_names(sex: str = "all") -> list[str]:
    """First names from the 1990 US Census, lower-case, most frequent first.

    Parameters
    ----------
    sex : {"all", "female", "male"}
        Which list: ``"female"`` (4,275 names), ``"male"`` (1,219 names) or
        ``"all"`` (their union without duplicates: female names first, then
        the male names not already present).

    Returns
    -------
    list of str
        Each name once, letters ``a``-``z`` only.

    Notes
    -----
    Provenance: US Census Bureau, 1990 census name files (public domain),
    shipped by the ``names`` package (MIT license): ``dist.female.first`` and
    ``dist.male.first`` with columns NAME FREQ CUMFREQ RANK.
    """
    check_option(sex, ("all", "female", "male"), name="sex")
    if sex == "female":
        return [n for n, _ in _read_census("dist.female.first")]
    if sex == "male":
        return [n for n, _ in _read_census("dist.male.first")]
    seen: dict[str, None] = {}
    for name, _ in _read_census("dist.female.first") + _read_census("dist.male.first"):
        seen.setdefault(name, None)
    return list(seen)


def load_surnames() -> list[str]:
    """Surnames from the 1990 US Census (88,799 of them), lower-case, most frequent first.

    Provenance: US Census Bureau (public domain) via the ``names`` package's
    ``dist.all.last`` (MIT license), columns NAME FREQ CUMFREQ RANK.
    """
    return [n for n, _ in _read_census("dist.all.last")]


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
    female = dict(_read_census("dist.female.first"))
    male = dict(_read_census("dist.male.first"))
    names, labels = [], []
    for name in sorted(set(female) | set(male)):
        f, m = female.get(name, 0.0), male.get(name, 0.0)
        if f != m:
            names.append(name)
            labels.append(int(f > m))
    return names, np.array(labels)
