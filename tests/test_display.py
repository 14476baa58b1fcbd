"""Tests for scratch.display: source display and the missing-package message."""

import pytest

from scratch.display import PAGES_EXTRA, missing_package_hint


def test_show_renders_package_source(capsys):
    pytest.importorskip("IPython")
    from scratch.classical.linear_regression import mean_squared_error
    from scratch.display import show

    show(mean_squared_error)
    assert "def mean_squared_error" in capsys.readouterr().out


def test_show_bad_input():
    pytest.importorskip("IPython")
    from scratch.display import show

    with pytest.raises(TypeError, match="at least one"):
        show()
    with pytest.raises(TypeError, match="cannot get the source"):
        show(42)


@pytest.mark.parametrize("module, dist", [("torch", "'torch'"), ("sklearn.datasets", "'scikit-learn'"),
                                          ("names", "'names'")])
def test_hint_names_the_package_and_the_extra(module, dist):
    hint = missing_package_hint(module)
    assert dist in hint and "[pages]" in hint and "%pip install" in hint


def test_no_hint_for_a_module_no_page_needs():
    assert missing_package_hint("no_such_module_xyz") is None
    assert "no_such_module_xyz" not in PAGES_EXTRA


def test_handler_rewrites_the_error(monkeypatch):
    import scratch.display as display

    shown = {}

    class Shell:
        def showtraceback(self, exc_tuple, tb_offset=None):
            shown["value"] = exc_tuple[1]

    err = ModuleNotFoundError("No module named 'lime'", name="lime")
    display._on_missing_module(Shell(), ModuleNotFoundError, err, None)
    assert "It is in the book's [pages] extra" in str(shown["value"]) and "'lime'" in str(shown["value"])
    other = ModuleNotFoundError("No module named 'typo_mod'", name="typo_mod")
    display._on_missing_module(Shell(), ModuleNotFoundError, other, None)
    assert str(shown["value"]) == "No module named 'typo_mod'"
