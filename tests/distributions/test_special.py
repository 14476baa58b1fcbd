"""Tests for scratch.distributions.special: values against scipy.special, gradients by gradcheck."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.distributions.special import digamma, lgamma, safe_log, softplus, trigamma, xlogy

X = np.concatenate([np.logspace(-8, 6, 400), np.linspace(0.01, 30.0, 601)])


def test_lgamma_matches_math_lgamma():
    ref = np.array([math.lgamma(v) for v in X])
    err = np.abs(lgamma(X).data - ref) / np.maximum(1.0, np.abs(ref))
    assert err.max() < 1e-13


def test_lgamma_closed_forms():
    np.testing.assert_allclose(lgamma([1.0, 2.0, 0.5, 5.0]).data, [0.0, 0.0, 0.5 * math.log(math.pi),
                                                                    math.log(24.0)], atol=1e-14)


@pytest.mark.parametrize("fn, order", [(digamma, 0), (trigamma, 1)])
def test_polygamma_matches_scipy(fn, order):
    special = pytest.importorskip("scipy.special")
    ref = special.polygamma(order, X)
    out = fn(X)
    out = out.data if isinstance(out, Tensor) else out
    assert (np.abs(out - ref) / np.maximum(1.0, np.abs(ref))).max() < 1e-13


def test_digamma_closed_form():
    euler_gamma = 0.5772156649015329
    np.testing.assert_allclose(digamma([1.0, 2.0]).data, [-euler_gamma, 1 - euler_gamma], atol=1e-15)


@pytest.mark.parametrize("fn", [lgamma, digamma], ids=["lgamma", "digamma"])
def test_gradcheck_polygamma(fn):
    x = Tensor(np.array([0.05, 0.7, 1.0, 3.3, 12.0, 150.0]), requires_grad=True)
    assert gradcheck(fn, [x], rtol=1e-6)


def test_softplus_stable_and_differentiable():
    z = np.array([-800.0, -30.0, -1.0, 0.0, 2.0, 40.0, 800.0])
    np.testing.assert_allclose(softplus(z).data, np.logaddexp(0.0, z), rtol=1e-15)
    assert gradcheck(softplus, [Tensor(z[1:-1], requires_grad=True)])


def test_xlogy_zero_convention_and_gradients():
    x = np.array([0.0, 0.0, 0.5, 2.0])
    y = np.array([0.0, 3.0, 0.25, 1.5])
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(x == 0, 0.0, x * np.log(y))
    np.testing.assert_array_equal(xlogy(x, y).data, expected)
    xt, yt = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
    xlogy(xt, yt).sum().backward()
    assert np.all(np.isfinite(xt.grad)) and np.all(np.isfinite(yt.grad))
    pos = Tensor(np.array([0.3, 1.2]), requires_grad=True)
    assert gradcheck(lambda a, b: xlogy(a, b), [pos, Tensor(np.array([0.7, 2.0]), requires_grad=True)])


def test_safe_log_has_no_nan_gradient_where_unused():
    p = Tensor(np.array([0.0, 0.4, 0.6]), requires_grad=True)
    out = safe_log(p)
    assert out.data[0] == -np.inf
    (out[np.array([1, 2])]).sum().backward()  # only the nonzero entries are used
    np.testing.assert_allclose(p.grad, [0.0, 1 / 0.4, 1 / 0.6])


@pytest.mark.parametrize("fn", [lgamma, digamma, trigamma], ids=["lgamma", "digamma", "trigamma"])
@pytest.mark.parametrize("bad", [0.0, -1.5, np.nan])
def test_domain_errors(fn, bad):
    with pytest.raises(ValueError, match="implemented for x > 0 only"):
        fn(np.array([1.0, bad]))
