"""Tests for scratch.data.census (the 1990 US Census name lists)."""

import pytest

from scratch.data.census import load_first_names, load_surnames, names_by_sex


def test_first_names_sizes_and_content():
    female, male, both = load_first_names("female"), load_first_names("male"), load_first_names()
    assert (len(female), len(male)) == (4275, 1219)
    assert female[0] == "mary" and male[0] == "james"  # rank 1 in the 1990 census
    assert len(both) == len(set(female) | set(male)) and len(both) == len(set(both))
    assert all(n.isalpha() and n.islower() for n in both)


def test_bad_sex():
    with pytest.raises(ValueError, match="sex"):
        load_first_names("other")


def test_surnames():
    s = load_surnames()
    assert len(s) == 88799 and s[0] == "smith"


def test_names_by_sex():
    names, labels = names_by_sex()
    assert len(names) == len(labels) == len(set(names))
    assert "mary" in names and labels[names.index("mary")] == 1
    assert "john" in names and labels[names.index("john")] == 0


def test_missing_names_package_names_the_extra(monkeypatch):
    import scratch.data.census as census

    def no_package(name):
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(census.resources, "files", no_package)
    with pytest.raises(ModuleNotFoundError, match=r"\[pages\] extra"):
        load_first_names()
