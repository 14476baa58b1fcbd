"""Tests for scratch.distributions.discrete: Bernoulli, Categorical and Poisson against torch and scipy."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.distributions import Bernoulli, Categorical, Poisson

RNG = np.random.default_rng(0)
P = np.array([0.0, 0.05, 0.5, 0.93, 1.0])
LOGITS = np.array([-30.0, -2.0, 0.0, 1.5, 25.0])
X_BERN = np.array([[0.0, 1.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0, 1.0]])
PROBS = RNG.random((3, 4))
PROBS /= PROBS.sum(-1, keepdims=True)
X_CAT = RNG.integers(0, 4, (6, 3))
RATE = np.array([0.0, 0.3, 4.0, 60.0])


def _close(ours, theirs, tol=1e-10):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=tol, atol=tol)


def test_bernoulli_probs_matches_torch():
    torch = pytest.importorskip("torch")
    ours, ref = Bernoulli(probs=P), torch.distributions.Bernoulli(probs=torch.tensor(P), validate_args=False)
    x = X_BERN[0]  # possible outcomes only: torch clamps log(0) to a finite value
    _close(ours.log_prob(x), ref.log_prob(torch.tensor(x)))
    inner = slice(1, 4)
    _close(ours.entropy()[inner], ref.entropy()[inner])
    np.testing.assert_array_equal(ours.entropy()[[0, -1]], 0.0)  # a certain outcome has zero entropy
    assert ours.log_prob(np.ones(5))[0] == -np.inf  # an impossible outcome
    assert ours.log_prob(np.zeros(5))[-1] == -np.inf
    _close(ours.mean, ref.mean)
    _close(ours.variance, ref.variance)


def test_bernoulli_logits_matches_torch():
    torch = pytest.importorskip("torch")
    ours, ref = Bernoulli(logits=LOGITS), torch.distributions.Bernoulli(logits=torch.tensor(LOGITS))
    _close(ours.log_prob(X_BERN), ref.log_prob(torch.tensor(X_BERN)))
    _close(ours.entropy(), ref.entropy())
    _close(ours.probs, ref.probs)
    _close(Bernoulli(probs=P[1:4]).logits, torch.distributions.Bernoulli(probs=torch.tensor(P[1:4])).logits)


@pytest.mark.parametrize("param", ["probs", "logits"])
def test_categorical_matches_torch(param):
    torch = pytest.importorskip("torch")
    value = PROBS if param == "probs" else np.log(PROBS) + 3.0
    ours = Categorical(**{param: value})
    ref = torch.distributions.Categorical(**{param: torch.tensor(value)})
    _close(ours.log_prob(X_CAT), ref.log_prob(torch.tensor(X_CAT)))
    _close(ours.entropy(), ref.entropy())
    _close(ours.probs, ref.probs)
    np.testing.assert_allclose(ours.mean, (PROBS * np.arange(4)).sum(-1), rtol=1e-13)


def test_categorical_zero_probability_classes():
    d = Categorical(probs=np.array([0.0, 0.25, 0.75]))
    assert d.log_prob(0) == -np.inf
    np.testing.assert_allclose(d.entropy(), -(0.25 * np.log(0.25) + 0.75 * np.log(0.75)), rtol=1e-14)
    assert not np.any(d.sample(0, 1000) == 0)
    p = Tensor(np.array([0.0, 0.25, 0.75]), requires_grad=True)
    (Categorical(probs=p).log_prob(np.array([1, 2])).sum() + Categorical(probs=p).entropy()).backward()
    assert np.all(np.isfinite(p.grad))  # no 0/0 from the unused zero-probability class


def test_poisson_matches_torch_and_scipy():
    torch = pytest.importorskip("torch")
    stats = pytest.importorskip("scipy.stats")
    x = np.array([[0.0, 1.0, 3.0, 55.0], [0.0, 0.0, 7.0, 70.0]])
    ours = Poisson(RATE)
    _close(ours.log_prob(x), torch.distributions.Poisson(torch.tensor(RATE)).log_prob(torch.tensor(x)))
    np.testing.assert_allclose(ours.entropy(), stats.poisson(RATE).entropy(), rtol=1e-10, atol=1e-12)
    # scipy's entropy() stops early for a large rate ("sum did not converge"): sum its pmf directly
    k = np.arange(0.0, 30_000.0)
    logp = stats.poisson(1e4).logpmf(k)
    np.testing.assert_allclose(Poisson(1e4).entropy(), -np.sum(np.exp(logp) * logp), rtol=1e-10)


# ---- gradients -----------------------------------------------------------------------------


def test_gradchecks():
    logits = Tensor(np.array([-1.0, 0.3, 2.0]), requires_grad=True)
    probs = Tensor(np.array([0.2, 0.5, 0.9]), requires_grad=True)
    xb = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    assert gradcheck(lambda l: Bernoulli(logits=l).log_prob(xb) + Bernoulli(logits=l).entropy(), [logits])
    assert gradcheck(lambda p: Bernoulli(probs=p).log_prob(xb) + Bernoulli(probs=p).entropy(), [probs])
    cl = Tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda l: Categorical(logits=l).log_prob(X_CAT) + Categorical(logits=l).entropy(), [cl])
    rate = Tensor(np.array([0.4, 3.0, 25.0]), requires_grad=True)
    xp = np.array([[0.0, 2.0, 30.0]])
    assert gradcheck(lambda r: Poisson(r).log_prob(xp) + Poisson(r).entropy(), [rate], rtol=1e-5)


# ---- bad parameters and values -------------------------------------------------------------------

BAD = [
    (lambda: Bernoulli(), ValueError, "exactly one of probs= or logits="),
    (lambda: Bernoulli(probs=0.5, logits=0.0), ValueError, "exactly one of probs= or logits="),
    (lambda: Bernoulli(probs=1.2), ValueError, r"probs must lie in \[0, 1\]"),
    (lambda: Bernoulli(probs=-0.1), ValueError, r"probs must lie in \[0, 1\]"),
    (lambda: Bernoulli(logits=np.inf), ValueError, "logits contains NaN or infinite"),
    (lambda: Categorical(probs=np.array([0.5, 0.6])), ValueError, "must sum to 1"),
    (lambda: Categorical(probs=np.array([1.5, -0.5])), ValueError, "probs must be >= 0"),
    (lambda: Categorical(probs=0.5), ValueError, "got a scalar"),
    (lambda: Categorical(logits=np.zeros(0)), ValueError, "logits is empty"),
    (lambda: Poisson(-1.0), ValueError, "rate must be >= 0"),
    (lambda: Bernoulli(probs=0.3).log_prob(0.5), ValueError, "must be 0 or 1"),
    (lambda: Categorical(probs=np.array([0.5, 0.5])).log_prob(2), ValueError, r"class index in \{0, \.\.\., 1\}"),
    (lambda: Categorical(probs=np.array([0.5, 0.5])).log_prob(0.5), ValueError, "class index"),
    (lambda: Categorical(probs=np.array([0.5, 0.5])).log_prob(-1), ValueError, "class index"),
    (lambda: Poisson(2.0).log_prob(1.5), ValueError, "non-negative integer count"),
    (lambda: Poisson(2.0).log_prob(-1.0), ValueError, "non-negative integer count"),
    (lambda: Categorical(probs=np.full((2, 3), 1 / 3)).log_prob(np.zeros(4)), ValueError, "does not broadcast"),
]


@pytest.mark.parametrize("call, exc, match", BAD, ids=[f"{i}-{b[2][:25]}" for i, b in enumerate(BAD)])
def test_bad_input_raises_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
