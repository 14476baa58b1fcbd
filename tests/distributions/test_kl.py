"""Tests for scratch.distributions.kl: closed-form KL divergences against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.distributions import (
    Bernoulli,
    Beta,
    Categorical,
    MultivariateNormal,
    Normal,
    kl_divergence,
)

RNG = np.random.default_rng(0)
D = 3
_B = RNG.standard_normal((4, D, D))
COV = _B @ np.swapaxes(_B, -1, -2) + 0.5 * np.eye(D)
LOC = RNG.standard_normal((4, D))
SD = RNG.random((4, D)) + 0.2
PROBS = RNG.random((2, 5))
PROBS /= PROBS.sum(-1, keepdims=True)


def _pairs(torch):
    td = torch.distributions

    def t(a):
        return torch.tensor(np.asarray(a, dtype=np.float64))

    l1, l2 = np.linalg.cholesky(COV[:2]), np.linalg.cholesky(COV[2:])
    return {
        "normal": (Normal(LOC[:2], SD[:2]), Normal(LOC[2:], SD[2:]),
                   td.Normal(t(LOC[:2]), t(SD[:2])), td.Normal(t(LOC[2:]), t(SD[2:]))),
        "mvn": (MultivariateNormal(LOC[:2], scale_tril=l1), MultivariateNormal(LOC[2:], scale_tril=l2),
                td.MultivariateNormal(t(LOC[:2]), scale_tril=t(l1)),
                td.MultivariateNormal(t(LOC[2:]), scale_tril=t(l2))),
        "mvn_broadcast": (MultivariateNormal(LOC[:2], covariance_matrix=COV[:2]),
                          MultivariateNormal(LOC[3], covariance_matrix=COV[3]),
                          td.MultivariateNormal(t(LOC[:2]), covariance_matrix=t(COV[:2])),
                          td.MultivariateNormal(t(LOC[3]), covariance_matrix=t(COV[3]))),
        "bernoulli": (Bernoulli(probs=PROBS[0]), Bernoulli(probs=PROBS[1]),
                      td.Bernoulli(probs=t(PROBS[0])), td.Bernoulli(probs=t(PROBS[1]))),
        "bernoulli_logits": (Bernoulli(logits=np.array([-3.0, 0.5, 4.0])), Bernoulli(logits=np.array([1.0, -2.0, 3.0])),
                             td.Bernoulli(logits=t([-3.0, 0.5, 4.0])), td.Bernoulli(logits=t([1.0, -2.0, 3.0]))),
        "categorical": (Categorical(probs=PROBS), Categorical(probs=PROBS[::-1].copy()),
                        td.Categorical(probs=t(PROBS)), td.Categorical(probs=t(PROBS[::-1].copy()))),
        "categorical_logits": (Categorical(logits=np.log(PROBS)), Categorical(logits=2 * np.log(PROBS[1])),
                               td.Categorical(logits=t(np.log(PROBS))), td.Categorical(logits=t(2 * np.log(PROBS[1])))),
    }


@pytest.mark.parametrize("name", ["normal", "mvn", "mvn_broadcast", "bernoulli", "bernoulli_logits", "categorical",
                                  "categorical_logits"])
def test_kl_matches_torch(name):
    torch = pytest.importorskip("torch")
    p, q, tp, tq = _pairs(torch)[name]
    ours, ref = kl_divergence(p, q), torch.distributions.kl_divergence(tp, tq).numpy()
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(kl_divergence(p, p), 0.0, atol=1e-12)


def test_kl_is_the_expected_log_ratio():
    """Monte Carlo check of the definition, within 5 standard errors."""
    p = MultivariateNormal(LOC[0], covariance_matrix=COV[0])
    q = MultivariateNormal(LOC[1], covariance_matrix=COV[1])
    x = p.sample(np.random.default_rng(1), 100_000)
    ratio = p.log_prob(x) - q.log_prob(x)
    assert abs(ratio.mean() - kl_divergence(p, q)) < 5 * ratio.std() / np.sqrt(len(ratio))


def test_kl_infinite_and_zero_cases():
    assert kl_divergence(Bernoulli(probs=0.5), Bernoulli(probs=0.0)) == np.inf
    assert kl_divergence(Bernoulli(probs=0.0), Bernoulli(probs=0.5)) == pytest.approx(np.log(2.0), rel=1e-14)
    p, q = Categorical(probs=np.array([0.0, 0.5, 0.5])), Categorical(probs=np.array([0.5, 0.5, 0.0]))
    assert kl_divergence(p, q) == np.inf
    np.testing.assert_allclose(kl_divergence(p, Categorical(probs=np.full(3, 1 / 3))), np.log(3 / 2), rtol=1e-14)


def test_kl_gradchecks():
    m, s = Tensor(np.array([0.2, -0.5]), requires_grad=True), Tensor(np.array([0.6, 1.4]), requires_grad=True)
    assert gradcheck(lambda m, s: kl_divergence(Normal(m, s), Normal(0.0, 1.0)), [m, s])
    mask = Tensor(np.tril(np.ones((D, D))))
    loc = Tensor(LOC[0].copy(), requires_grad=True)
    L = Tensor(np.linalg.cholesky(COV[0]), requires_grad=True)
    q = MultivariateNormal(LOC[1], covariance_matrix=COV[1])
    assert gradcheck(lambda m, L: kl_divergence(MultivariateNormal(m, scale_tril=L * mask), q), [loc, L])
    assert gradcheck(lambda m, L: kl_divergence(q, MultivariateNormal(m, scale_tril=L * mask)), [loc, L])
    lg = Tensor(RNG.standard_normal((2, 4)), requires_grad=True)
    qc = Categorical(probs=np.full(4, 0.25))
    assert gradcheck(lambda l: kl_divergence(Categorical(logits=l), qc), [lg])
    pb = Tensor(np.array([0.1, 0.6]), requires_grad=True)
    assert gradcheck(lambda p: kl_divergence(Bernoulli(probs=p), Bernoulli(probs=0.3)), [pb])


def test_kl_errors():
    with pytest.raises(NotImplementedError, match="No closed-form KL divergence for Normal || Beta"):
        kl_divergence(Normal(0.0, 1.0), Beta(1.0, 1.0))
    with pytest.raises(ValueError, match="5 categories and q has 3"):
        kl_divergence(Categorical(probs=PROBS[0]), Categorical(probs=np.full(3, 1 / 3)))
    with pytest.raises(ValueError, match="different event shapes"):
        kl_divergence(MultivariateNormal(np.zeros(2), scale_tril=np.eye(2)),
                      MultivariateNormal(np.zeros(3), scale_tril=np.eye(3)))
    with pytest.raises(ValueError, match="do not broadcast"):
        kl_divergence(Normal(np.zeros(2), 1.0), Normal(np.zeros(3), 1.0))
