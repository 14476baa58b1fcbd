"""Shared machinery of the bad-input fuzz (tests/fuzz/).

Every public function and class of ``scratch`` gets at least one bad-input case, or an
exemption with a reason (``test_fuzz_coverage.py`` enforces it). A case says which public
object it exercises, how to call it, and the error a user must see:

    Case(GaussianHMM, lambda: GaussianHMM(n_components=0), ValueError, "n_components must be >= 1")

``check(case)`` passes when the call raises that error type, the message matches, and the
error is *clear*: raised by scratch's own code, not from inside numpy (whose messages do not
name the user's argument). A call that succeeds is a silent success with garbage.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import pytest

# Messages of errors raised by numpy's C code (their traceback ends in the caller's frame).
NUMPY_MESSAGES = re.compile(
    r"matmul: Input operand|operands could not be broadcast|could not broadcast|is out of bounds|"
    r"cannot reshape array|setting an array element with a sequence|memoryview|"
    r"inhomogeneous shape|not aligned|ufunc|truth value of an array|"
    # raised inside numpy's compiled random generators (no Python frame points at numpy)
    r"high - low < 0|high <= 0|low >= high|lam value too large|a must be greater than 0|"
    r"probabilities do not sum to 1|probabilities are not non-negative|Probabilities contain NaN")


@dataclass(frozen=True)
class Case:
    """One bad input: the public object it exercises, the call, the expected error and message."""

    target: Any
    call: Callable[[], Any]
    error: type[BaseException]
    match: str
    label: str = ""

    @property
    def id(self) -> str:
        return f"{qualname(self.target)}: {self.label or self.match}"


def qualname(obj: Any) -> str:
    """``module.Name`` of a public function or class (methods count for their class)."""
    owner = getattr(obj, "__self__", None)
    if inspect.isfunction(obj) and "." in obj.__qualname__:  # unbound method: its class
        return f"{obj.__module__}.{obj.__qualname__.split('.')[0]}"
    if owner is not None and not inspect.ismodule(owner):   # bound method: its class
        cls = owner if inspect.isclass(owner) else type(owner)
        return f"{cls.__module__}.{cls.__qualname__}"
    return f"{obj.__module__}.{obj.__qualname__}"


def classify(call: Callable[[], Any]) -> str:
    """'clear' (ValueError/TypeError raised from scratch), 'numpy' (raised inside numpy or an
    unexpected type), or 'silent' (no error)."""
    try:
        call()
    except (ValueError, TypeError) as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        origin = frames[-1].filename if frames else ""
        inside = "/numpy/" in origin or "site-packages" in origin or NUMPY_MESSAGES.search(str(exc))
        return "numpy" if inside else "clear"
    except Exception:  # noqa: BLE001 - anything else (IndexError, LinAlgError, ...) is not a clear error
        return "numpy"
    return "silent"


def check(case: Case) -> None:
    """The call raises ``case.error`` matching ``case.match``, from scratch's own code."""
    with pytest.raises(case.error, match=case.match) as info:
        case.call()
    frames = traceback.extract_tb(info.value.__traceback__)
    origin = frames[-1].filename if frames else ""
    assert "/numpy/" not in origin and "site-packages" not in origin, (
        f"{case.id}: the error comes from inside a library ({origin}), not from scratch: {info.value}")
    assert not NUMPY_MESSAGES.search(str(info.value)), f"{case.id}: numpy's own message: {info.value}"


def ids(cases: list[Case]) -> list[str]:
    return [c.id for c in cases]


def public_api(package: str = "scratch") -> dict[str, Any]:
    """Every public function and class defined in a public module of ``package``."""
    root = importlib.import_module(package)
    found = {}
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj) or getattr(obj, "__module__", None) != info.name:
                continue
            if inspect.isclass(obj) or inspect.isfunction(obj):
                found[f"{info.name}.{name}"] = obj
    return found
