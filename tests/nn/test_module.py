"""Tests for scratch.nn.module: parameter registration, modes, state_dict."""

from __future__ import annotations

import numpy as np
import pytest

from scratch._validation import as_rng
from scratch.autograd import Tensor
from scratch.nn import Linear, Module, ModuleList, Parameter, ReLU, Sequential


class Block(Module):
    def __init__(self, rng=None):
        rng = as_rng(rng)
        self.fc = Linear(3, 4, rng=rng)
        self.scale = Parameter(np.ones(4))
        self.not_a_param = Tensor(np.zeros(2))  # plain tensors are not learned
        self.note = "text"

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(Module):
    def __init__(self, rng=None):
        rng = as_rng(rng)
        self.block = Block(rng)
        self.heads = ModuleList([Linear(4, 2, rng=rng), Linear(4, 1, bias=False, rng=rng)])
        self.extra = [Linear(2, 2, rng=rng)]  # a plain list of modules is found too
        self.tied = self.block.fc.weight  # the same parameter twice: listed once

    def forward(self, x):
        h = self.block(x)
        return self.heads[0](h), self.heads[1](h)


def test_parameters_are_registered_with_dotted_names():
    net = Net(rng=0)
    names = [name for name, _ in net.named_parameters()]
    assert names == [
        "block.fc.weight", "block.fc.bias", "block.scale",
        "heads.0.weight", "heads.0.bias", "heads.1.weight",
        "extra.0.weight", "extra.0.bias",
    ]
    assert len(net.parameters()) == 8
    assert all(isinstance(p, Parameter) and p.requires_grad for p in net.parameters())
    assert net.n_parameters() == 3 * 4 + 4 + 4 + 4 * 2 + 2 + 4 + 2 * 2 + 2


def test_named_modules_and_repr():
    net = Net(rng=0)
    names = [name for name, _ in net.named_modules()]
    assert names == ["", "block", "block.fc", "heads", "heads.0", "heads.1", "extra.0"]
    text = repr(net)
    assert "Linear(in_features=3, out_features=4, bias=True)" in text and "(heads)" in text


def test_gradients_reach_every_parameter_and_zero_grad_clears_them():
    net = Net(rng=0)
    a, b = net(Tensor(np.ones((5, 3))))
    (a.sum() + b.sum()).backward()
    used = ["block.fc.weight", "block.fc.bias", "block.scale", "heads.0.weight", "heads.0.bias", "heads.1.weight"]
    grads = {n: p.grad for n, p in net.named_parameters()}
    assert all(grads[n] is not None for n in used)
    assert grads["extra.0.weight"] is None  # not used in forward
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_train_eval_flag_propagates():
    net = Net(rng=0)
    assert net.training and net.block.fc.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_state_dict_round_trip():
    src, dst = Net(rng=0), Net(rng=1)
    x = Tensor(np.random.default_rng(2).standard_normal((4, 3)))
    assert not np.allclose(src(x)[0].data, dst(x)[0].data)
    state = src.state_dict()
    assert list(state) == [n for n, _ in src.named_parameters()]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    state["block.scale"][:] = 7.0  # a copy: changing it leaves the model alone
    assert np.all(src.block.scale.data == 1.0)
    state["block.scale"][:] = 1.0
    dst.load_state_dict(state)
    np.testing.assert_array_equal(src(x)[0].data, dst(x)[0].data)
    np.testing.assert_array_equal(src(x)[1].data, dst(x)[1].data)


def test_buffers_are_saved_and_loaded():
    class WithBuffer(Module):
        def __init__(self):
            self.fc = Linear(2, 2, rng=0)
            self.register_buffer("running_mean", np.zeros(2))

    m = WithBuffer()
    m.running_mean[:] = [1.0, 2.0]
    state = m.state_dict()
    assert "running_mean" in state
    other = WithBuffer()
    other.load_state_dict(state)
    np.testing.assert_array_equal(other.running_mean, [1.0, 2.0])
    assert dict(m.named_buffers())["running_mean"] is m.running_mean


def test_load_state_dict_errors():
    net = Net(rng=0)
    state = net.state_dict()
    del state["block.scale"]
    state["bogus"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing keys \['block.scale'\].*unexpected keys \['bogus'\]"):
        net.load_state_dict(state)
    net.load_state_dict(state, strict=False)  # loads what matches
    bad = net.state_dict()
    bad["block.fc.weight"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"block.fc.weight.*\(4, 3\).*\(3, 4\)"):
        net.load_state_dict(bad)


def test_sequential_and_module_list():
    seq = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1))
    assert len(seq) == 3 and isinstance(seq[1], ReLU)
    assert seq(Tensor(np.ones((4, 2)))).shape == (4, 1)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    with pytest.raises(TypeError, match="holds Modules"):
        ModuleList([Linear(1, 1), "not a module"])


def test_astype_casts_parameters():
    seq = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1)).astype(np.float32)
    assert all(p.dtype == np.float32 for p in seq.parameters())
    out = seq(Tensor(np.ones((4, 2), dtype=np.float32)))
    assert out.dtype == np.float32


def test_parameter_checks():
    assert Parameter([1, 2]).dtype == np.float64
    assert Parameter(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert repr(Parameter([1.0])).startswith("Parameter(")
    with pytest.raises(TypeError, match="floating-point.*Parameter"):
        Parameter(np.arange(3))


def test_forward_must_be_implemented():
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1)
