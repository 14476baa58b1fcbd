"""Tests for scratch.autograd.value: the scalar engine."""

from __future__ import annotations

import math
import sys

import numpy as np
import pytest

from scratch.autograd.value import Value

# ---------------------------------------------------------------------------
# Each op's derivative against a closed form and against finite differences
# ---------------------------------------------------------------------------

UNARY = [
    ("exp", lambda v: v.exp(), math.exp, 0.7),
    ("log", lambda v: v.log(), lambda x: 1 / x, 0.7),
    ("tanh", lambda v: v.tanh(), lambda x: 1 - math.tanh(x) ** 2, 0.7),
    ("relu_pos", lambda v: v.relu(), lambda x: 1.0, 0.7),
    ("relu_neg", lambda v: v.relu(), lambda x: 0.0, -0.7),
    ("sigmoid", lambda v: v.sigmoid(), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2, 0.7),
    ("sigmoid_neg", lambda v: v.sigmoid(), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2, -3.0),
    ("pow3", lambda v: v**3, lambda x: 3 * x**2, 0.7),
    ("pow-0.5", lambda v: v**-0.5, lambda x: -0.5 * x**-1.5, 0.7),
    ("neg", lambda v: -v, lambda x: -1.0, 0.7),
    ("rsub", lambda v: 2 - v, lambda x: -1.0, 0.7),
    ("rdiv", lambda v: 2 / v, lambda x: -2 / x**2, 0.7),
    ("div_const", lambda v: v / 4, lambda x: 0.25, 0.7),
]


@pytest.mark.parametrize("name, f, dfdx, x0", UNARY, ids=[u[0] for u in UNARY])
def test_unary_derivatives(name, f, dfdx, x0):
    x = Value(x0)
    y = f(x)
    y.backward()
    assert x.grad == pytest.approx(dfdx(x0), rel=1e-12, abs=1e-15)
    h = 1e-6  # and a central difference, as an independent check
    numeric = (f(Value(x0 + h)).data - f(Value(x0 - h)).data) / (2 * h)
    assert x.grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_sigmoid_does_not_overflow():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_binary_ops_and_python_numbers():
    a, b = Value(3.0), Value(-2.0)
    c = a * b + a / b - b**2 + 1 - a
    c.backward()
    assert c.data == pytest.approx(3 * -2 + 3 / -2 - 4 + 1 - 3)
    assert a.grad == pytest.approx(b.data + 1 / b.data - 1)
    assert b.grad == pytest.approx(a.data - a.data / b.data**2 - 2 * b.data)


# ---------------------------------------------------------------------------
# micrograd-style checks against PyTorch
# ---------------------------------------------------------------------------


def test_sanity_check_against_torch():
    torch = pytest.importorskip("torch")
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()

    xt = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    zt = 2 * xt + 2 + xt
    qt = zt.relu() + zt * xt
    ht = (zt * zt).relu()
    yt = ht + qt + qt * xt
    yt.backward()
    assert y.data == pytest.approx(yt.item())
    assert x.grad == pytest.approx(xt.grad.item())


def test_more_ops_against_torch():
    torch = pytest.importorskip("torch")

    def expression(a, b, relu, tanh, exp, log, sigmoid):
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + relu(b + a)
        d = d + 3 * d + relu(b - a)
        e = c - d
        f = e**2
        g = f / 2.0
        g = g + 10.0 / f
        g = g + tanh(a) * exp(b / 10) + log(f) + sigmoid(a * b)
        return g

    a, b = Value(-4.0), Value(2.0)
    g = expression(a, b, Value.relu, Value.tanh, Value.exp, Value.log, Value.sigmoid)
    g.backward()
    at = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    bt = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    gt = expression(at, bt, torch.relu, torch.tanh, torch.exp, torch.log, torch.sigmoid)
    gt.backward()
    assert g.data == pytest.approx(gt.item(), rel=1e-12)
    assert a.grad == pytest.approx(at.grad.item(), rel=1e-10)
    assert b.grad == pytest.approx(bt.grad.item(), rel=1e-10)


# ---------------------------------------------------------------------------
# Graph bookkeeping regressions
# ---------------------------------------------------------------------------


def test_node_used_twice():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    d = Value(3.0)
    e = d * d  # the same node as both inputs of one op
    e.backward()
    assert d.grad == 6.0


def test_backward_twice_accumulates_on_leaves_only():
    x = Value(2.0)
    h = x * x
    y = h * 3
    y.backward()
    assert x.grad == 12.0 and h.grad == 3.0
    y.backward()
    assert x.grad == 24.0  # leaves accumulate
    assert h.grad == 3.0  # intermediates hold this pass's gradient


def test_deep_chain_does_not_hit_recursion_limit():
    n = 10_000
    assert n > sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0 + 0.0001
    y.backward()
    assert x.grad == pytest.approx(1.0)
    assert y.data == pytest.approx(1.0 + n * 0.0001)


def test_topological_order_puts_inputs_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    order = d.topological_order()
    pos = {id(v): i for i, v in enumerate(order)}
    assert len(order) == 4
    assert pos[id(a)] < pos[id(c)] < pos[id(d)] and pos[id(b)] < pos[id(c)]


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["1.0", [1.0], np.ones(2), None, True])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="one real number"):
        Value(bad)


def test_other_bad_inputs():
    with pytest.raises(TypeError, match="int/float exponents"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()

