"""Tests for scratch.distributions.gamma: Gamma, Beta and Dirichlet against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.distributions import Beta, Dirichlet, Gamma

RNG = np.random.default_rng(0)
A = np.array([0.05, 0.5, 1.0, 2.5, 40.0])
B = np.array([0.3, 1.0, 2.0, 0.7, 15.0])
ALPHA = np.array([[0.3, 1.0, 2.0], [5.0, 5.0, 5.0], [0.05, 3.0, 100.0]])


def _close(ours, theirs, tol=1e-10):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=tol, atol=tol)


def test_gamma_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[0.01, 0.5, 1.0, 3.0, 2.5], [1e-4, 2.0, 0.1, 10.0, 3.0]])
    ours, ref = Gamma(A, B), torch.distributions.Gamma(torch.tensor(A), torch.tensor(B))
    _close(ours.log_prob(x), ref.log_prob(torch.tensor(x)))
    _close(ours.entropy(), ref.entropy())
    _close(ours.mean, ref.mean)
    _close(ours.variance, ref.variance)


def test_gamma_exponential_special_case():
    """Gamma(1, rate) is the exponential distribution."""
    x = np.array([0.0, 0.3, 2.0])
    np.testing.assert_allclose(Gamma(1.0, 2.0).log_prob(x), np.log(2.0) - 2.0 * x, rtol=1e-14)
    np.testing.assert_allclose(Gamma(1.0, 2.0).entropy(), 1 - np.log(2.0), rtol=1e-14)


def test_beta_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[0.01, 0.5, 0.2, 0.9, 0.6], [0.3, 0.999, 0.5, 0.5, 0.75]])
    ours, ref = Beta(A, B), torch.distributions.Beta(torch.tensor(A), torch.tensor(B))
    _close(ours.log_prob(x), ref.log_prob(torch.tensor(x)))
    _close(ours.entropy(), ref.entropy())
    _close(ours.mean, ref.mean)
    _close(ours.variance, ref.variance)


def test_beta_uniform_special_case():
    np.testing.assert_allclose(Beta(1.0, 1.0).log_prob(np.array([0.0, 0.3, 1.0])), 0.0, atol=1e-14)
    np.testing.assert_allclose(Beta(1.0, 1.0).entropy(), 0.0, atol=1e-14)


def test_dirichlet_matches_torch():
    torch = pytest.importorskip("torch")
    ours, ref = Dirichlet(ALPHA), torch.distributions.Dirichlet(torch.tensor(ALPHA))
    x = ours.sample(1, (4,))
    x = np.clip(x, 1e-12, None)
    x /= x.sum(-1, keepdims=True)
    _close(ours.log_prob(x), ref.log_prob(torch.tensor(x)))
    _close(ours.entropy(), ref.entropy())
    _close(ours.mean, ref.mean)
    _close(ours.variance, ref.variance)


def test_dirichlet_two_categories_is_beta():
    x = np.array([0.2, 0.7])
    d = Dirichlet(np.array([2.0, 3.5]))
    np.testing.assert_allclose(d.log_prob(np.stack([x, 1 - x], -1)), Beta(2.0, 3.5).log_prob(x), rtol=1e-13)
    np.testing.assert_allclose(d.entropy(), Beta(2.0, 3.5).entropy(), rtol=1e-13)


def test_dirichlet_tiny_concentration_samples_stay_on_simplex():
    x = Dirichlet(np.array([1e-3, 1e-3, 1e-3])).sample(0, 2000)
    assert np.all(np.isfinite(x))
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-12)


# ---- gradients -----------------------------------------------------------------------------


def test_gradchecks():
    a = Tensor(np.array([0.4, 1.0, 3.0]), requires_grad=True)
    b = Tensor(np.array([0.8, 2.0, 1.5]), requires_grad=True)
    xg, xb = np.array([[0.5, 1.0, 2.0]]), np.array([[0.2, 0.5, 0.9]])
    assert gradcheck(lambda a, b: Gamma(a, b).log_prob(xg) + Gamma(a, b).entropy(), [a, b], rtol=1e-5)
    assert gradcheck(lambda a, b: Beta(a, b).log_prob(xb) + Beta(a, b).entropy(), [a, b], rtol=1e-5)
    al = Tensor(ALPHA[:2].copy(), requires_grad=True)
    xd = np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])
    assert gradcheck(lambda a: Dirichlet(a).log_prob(xd) + Dirichlet(a).entropy(), [al], rtol=1e-5)


def test_entropy_gradients_match_torch():
    torch = pytest.importorskip("torch")
    a, b = Tensor(A.copy(), requires_grad=True), Tensor(B.copy(), requires_grad=True)
    ta, tb = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    (Gamma(a, b).entropy().sum() + Beta(a, b).entropy().sum()).backward()
    (torch.distributions.Gamma(ta, tb).entropy().sum() + torch.distributions.Beta(ta, tb).entropy().sum()).backward()
    # the gradients involve trigamma, which torch computes to ~1e-10 (ours agrees with scipy to 1e-15)
    np.testing.assert_allclose(a.grad, ta.grad.numpy(), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(b.grad, tb.grad.numpy(), rtol=1e-8, atol=1e-9)


# ---- bad parameters and values -------------------------------------------------------------------

BAD = [
    (lambda: Gamma(-1.0, 1.0), ValueError, "concentration must be > 0"),
    (lambda: Gamma(1.0, 0.0), ValueError, "rate must be > 0"),
    (lambda: Gamma(np.ones(2), np.ones(3)), ValueError, "do not broadcast"),
    (lambda: Beta(0.0, 1.0), ValueError, "concentration1 must be > 0"),
    (lambda: Beta(1.0, -2.0), ValueError, "concentration0 must be > 0"),
    (lambda: Dirichlet(np.array([1.0, -1.0])), ValueError, "concentration must be > 0"),
    (lambda: Dirichlet(np.array([1.0])), ValueError, "K >= 2"),
    (lambda: Dirichlet(2.0), ValueError, "K >= 2"),
    (lambda: Gamma(1.0, 1.0).log_prob(-0.5), ValueError, "non-negative real"),
    (lambda: Beta(1.0, 1.0).log_prob(1.5), ValueError, r"in \[0, 1\]"),
    (lambda: Dirichlet(np.ones(3)).log_prob(np.array([0.5, 0.5, 0.5])), ValueError, "sum to 1"),
    (lambda: Dirichlet(np.ones(3)).log_prob(np.array([1.5, -0.5, 0.0])), ValueError, "on the simplex"),
]


@pytest.mark.parametrize("call, exc, match", BAD, ids=[f"{i}-{b[2][:25]}" for i, b in enumerate(BAD)])
def test_bad_input_raises_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
