"""Tests for scratch.plot."""

import pytest

pytest.importorskip("IPython")

from scratch.plot import new_figure, show  # noqa: E402


def test_show_renders_package_source(capsys):
    from scratch.classical.linear_regression import mean_squared_error

    show(mean_squared_error)
    out = capsys.readouterr().out
    assert "def mean_squared_error" in out


def test_show_bad_input():
    with pytest.raises(TypeError, match="at least one"):
        show()
    with pytest.raises(TypeError, match="cannot get the source"):
        show(42)


def test_new_figure_shape():
    import matplotlib

    matplotlib.use("Agg")
    fig, axes = new_figure(3, 2)
    assert axes.shape == (2, 3)
    assert fig.get_size_inches().tolist() == [12.0, 6.0]
