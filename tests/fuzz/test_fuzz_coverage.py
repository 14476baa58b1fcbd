"""Every public function and class of scratch has a bad-input case in tests/fuzz/, or an
exemption with a reason.

Each ``tests/fuzz/test_fuzz_<area>.py`` holds ``CASES`` (a list of ``_harness.Case``) and may
hold ``EXEMPT`` (``{"scratch.module.Name": "why no user input can be wrong"}``) and
``COVERED`` (public objects exercised by a generated sweep).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from _harness import Case, public_api, qualname  # noqa: E402


def fuzz_modules():
    for path in sorted(HERE.glob("test_fuzz_*.py")):
        if path.name == Path(__file__).name:
            continue
        spec = importlib.util.spec_from_file_location(f"fuzz_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


def covered_and_exempt(modules):
    covered, exempt = set(), {}
    for module in modules:
        covered |= {qualname(case.target) for case in getattr(module, "CASES", [])}
        covered |= {qualname(obj) for obj in getattr(module, "COVERED", [])}
        exempt.update(getattr(module, "EXEMPT", {}))
    return covered, exempt


def uncovered(api, covered, exempt):
    return sorted(name for name in api if name not in covered and name not in exempt)


API = public_api()
COVERED, EXEMPT = covered_and_exempt(fuzz_modules())
AREAS = sorted({name.split(".")[1] for name in API})


@pytest.mark.parametrize("area", AREAS)
def test_every_public_function_and_class_has_a_bad_input_case(area):
    api = {name: obj for name, obj in API.items() if name.split(".")[1] == area}
    missing = uncovered(api, COVERED, EXEMPT)
    assert not missing, (f"{len(missing)} public objects of scratch.{area} have no case in tests/fuzz/ "
                         "and no exemption:\n" + "\n".join(missing))


def test_exemptions_name_public_api_and_give_a_reason():
    stale = sorted(set(EXEMPT) - set(API))
    assert not stale, f"exemptions for names that are not public API: {stale}"
    for name, reason in EXEMPT.items():
        assert len(reason) >= 15, f"exemption of {name} needs a reason, got {reason!r}"


def test_negative_control_an_uncovered_function_is_reported():
    def orphan(x):
        return x

    orphan.__module__, orphan.__qualname__ = "scratch.fake", "orphan"

    class Covered:
        def fit(self, X):
            return self

    Covered.__module__, Covered.__qualname__ = "scratch.fake", "Covered"
    api = {"scratch.fake.orphan": orphan, "scratch.fake.Covered": Covered}
    cases = type("M", (), {"CASES": [Case(Covered().fit, lambda: None, ValueError, "x")]})
    covered, exempt = covered_and_exempt([cases])
    assert uncovered(api, covered, exempt) == ["scratch.fake.orphan"]
