"""Tests of the shared torch-comparison helper ``compare_with_torch`` (tests/conftest.py).

Each check has a negative control: a deliberately wrong weight copy (or a wrong output) must make
the helper fail, so a layer test that passes through it cannot pass by accident.
"""

import numpy as np
import pytest

from scratch.nn.embedding import Embedding
from scratch.nn.layers import Linear
from scratch.nn.recurrent import Recurrent


def _linear(bias=True):
    return Linear(3, 4, bias=bias, rng=0)


def test_linear_with_transpose_passes_and_reports_differences(torch_compare):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(size=(5, 3))
    diffs = torch_compare(_linear(), torch.nn.Linear(3, 4, dtype=torch.float64), [x],
                          transpose=("weight",), atol=1e-12)
    assert set(diffs) == {"output", "input 0 grad", "weight grad", "bias grad"}
    assert max(diffs.values()) <= 1e-12


def test_a_wrong_weight_copy_fails(torch_compare):
    """Negative control: a weight copied without its transpose (a square layer, so the shapes fit)."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).normal(size=(5, 4))
    with pytest.raises(AssertionError, match="differences from torch"):
        torch_compare(Linear(4, 4, rng=0), torch.nn.Linear(4, 4, dtype=torch.float64), [x], atol=1e-6)


def test_a_wrong_param_map_fails(torch_compare):
    """Negative control: a param_map that swaps two LSTM gates (i and f) must fail."""
    torch = pytest.importorskip("torch")
    model, ref = Recurrent("lstm", 3, 4, rng=0), torch.nn.LSTM(3, 4, batch_first=True, dtype=torch.float64)
    x = np.random.default_rng(2).normal(size=(2, 5, 3))

    def right(p):
        return {f"{n.split('.')[-1]}_l0": (a.T if a.ndim == 2 else a) for n, a in p.items()}

    def swapped(p):
        return {k: np.concatenate([v[4:8], v[:4], v[8:]]) for k, v in right(p).items()}

    torch_compare(model, ref, [x], param_map=right, atol=1e-11)
    with pytest.raises(AssertionError, match="differences from torch"):
        torch_compare(model, ref, [x], param_map=swapped, atol=1e-6)


def test_a_wrong_output_fails(torch_compare):
    """Negative control on the output alone: ours scaled by 1 + 1e-6 is caught at atol=1e-9."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).normal(size=(5, 3))
    with pytest.raises(AssertionError, match="'output'"):
        torch_compare(_linear(), torch.nn.Linear(3, 4, dtype=torch.float64), [x], transpose=("weight",),
                      atol=1e-9, call=lambda m, xs: m(*xs) * (1 + 1e-6) if isinstance(m, Linear) else m(*xs))


def test_rtol_widens_the_tolerance_like_assert_allclose(torch_compare):
    torch = pytest.importorskip("torch")
    x = 1e6 * np.random.default_rng(3).normal(size=(5, 3))
    scaled = lambda m, xs: m(*xs) * (1 + 1e-9) if isinstance(m, Linear) else m(*xs)  # noqa: E731
    with pytest.raises(AssertionError):
        torch_compare(_linear(), torch.nn.Linear(3, 4, dtype=torch.float64), [x], transpose=("weight",),
                      atol=1e-12, call=scaled)
    torch_compare(_linear(), torch.nn.Linear(3, 4, dtype=torch.float64), [x], transpose=("weight",),
                  atol=1e-12, rtol=1e-7, call=scaled)


def test_an_unset_torch_parameter_fails(torch_compare):
    """A torch parameter that receives no value (a bias ours lacks) is an error, not a silent pass."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).normal(size=(5, 3))
    with pytest.raises(AssertionError, match="left unset.*bias"):
        torch_compare(_linear(bias=False), torch.nn.Linear(3, 4, dtype=torch.float64), [x], transpose=("weight",))


def test_integer_inputs_get_no_gradient(torch_compare):
    torch = pytest.importorskip("torch")
    ids = np.random.default_rng(5).integers(0, 9, (3, 4))
    layer = Embedding(9, 5, rng=0)
    diffs = torch_compare(layer, torch.nn.Embedding(9, 5, dtype=torch.float64), [ids], atol=1e-12)
    assert set(diffs) == {"output", "weight grad"}
    with pytest.raises(AssertionError, match="'output'"):  # negative control: an output off by 1e-3
        torch_compare(layer, torch.nn.Embedding(9, 5, dtype=torch.float64), [ids], atol=1e-12,
                      call=lambda m, xs: m(*xs) + (1e-3 if isinstance(m, Embedding) else 0.0))


def test_tuple_outputs_all_and_buffers(torch_compare):
    torch = pytest.importorskip("torch")
    from scratch.nn.batchnorm import BatchNorm1d

    x = np.random.default_rng(6).normal(2.0, 3.0, size=(8, 4))
    diffs = torch_compare(BatchNorm1d(4), torch.nn.BatchNorm1d(4, dtype=torch.float64), [x],
                          buffers=("running_mean", "running_var"), atol=1e-10)
    assert {"buffer running_mean", "buffer running_var"} <= set(diffs)
    model, ref = Recurrent("gru", 3, 4, rng=0), torch.nn.GRU(3, 4, batch_first=True, dtype=torch.float64)
    diffs = torch_compare(model, ref, [np.random.default_rng(7).normal(size=(2, 5, 3))], outputs="all",
                          param_map=lambda p: {f"{n.split('.')[-1]}_l0": (a.T if a.ndim == 2 else a)
                                               for n, a in p.items()},
                          call=lambda m, xs: m(*xs) if isinstance(m, Recurrent) else (lambda o, h: (o, h[0]))(*m(*xs)),
                          atol=1e-11)
    assert {"output 0", "output 1"} <= set(diffs)


@pytest.mark.parametrize("kdim", [8, 6])
def test_mha_map_and_its_negative_control(kdim, torch_compare, torch_mha_map):
    """The attention param_map matches torch; swapping its key and value halves must fail."""
    torch = pytest.importorskip("torch")
    from scratch.nn.attention import MultiHeadAttention

    ours = MultiHeadAttention(8, 2, kdim=kdim, rng=0)
    ref = torch.nn.MultiheadAttention(8, 2, batch_first=True, kdim=kdim, vdim=kdim, dtype=torch.float64)
    rng = np.random.default_rng(8)
    inputs = [rng.normal(size=(2, 5, 8)), rng.normal(size=(2, 4, kdim))]
    run = lambda m, xs: m(*xs) if isinstance(m, MultiHeadAttention) else m(xs[0], xs[1], xs[1])  # noqa: E731
    torch_compare(ours, ref, inputs, param_map=lambda p: torch_mha_map(p, 8), call=run, atol=1e-10)

    def swapped(p):
        p = dict(p)
        w, b = p["key_value.weight"], p["key_value.bias"]
        p["key_value.weight"], p["key_value.bias"] = np.concatenate([w[:, 8:], w[:, :8]], 1), np.r_[b[8:], b[:8]]
        return torch_mha_map(p, 8)

    with pytest.raises(AssertionError, match="differences from torch"):
        torch_compare(ours, ref, inputs, param_map=swapped, call=run, atol=1e-6)


def test_torch_copy_copies_and_refuses_a_wrong_map(torch_copy):
    torch = pytest.importorskip("torch")
    ours, ref = _linear(), torch.nn.Linear(3, 4, dtype=torch.float64)
    to_torch = torch_copy(ours, ref, transpose=("weight",))
    np.testing.assert_array_equal(ref.weight.detach().numpy(), ours.weight.data.T)
    np.testing.assert_array_equal(ref.bias.detach().numpy(), ours.bias.data)
    assert set(to_torch({"weight": np.zeros((3, 4)), "bias": np.zeros(4)})) == {"weight", "bias"}
    with pytest.raises(AssertionError, match="torch shape"):  # negative control: the transpose forgotten
        torch_copy(ours, ref)
    with pytest.raises(AssertionError, match="not in torch"):
        torch_copy(ours, ref, names={"bias": "b"}, transpose=("weight",))
