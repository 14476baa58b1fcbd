"""Tests for scratch.distributions.gaussian: Normal and MultivariateNormal against torch.distributions."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.distributions import MultivariateNormal, Normal

RNG = np.random.default_rng(0)
D = 3
_B = RNG.standard_normal((2, D, D))
COV = _B @ np.swapaxes(_B, -1, -2) + np.eye(D)  # (2, D, D) SPD
TRIL = np.linalg.cholesky(COV)
LOC = RNG.standard_normal((2, D))
X_MVN = RNG.standard_normal((5, 2, D))
TRIL_MASK = Tensor(np.tril(np.ones((D, D))))


def _close(ours, theirs, tol=1e-10):
    theirs = theirs.detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    return float(np.max(np.abs(ours - theirs)))


@pytest.mark.parametrize("loc_shape, scale_shape, x_shape", [((), (), (4,)), ((3,), (3,), (5, 3)),
                                                            ((2, 1), (3,), (4, 2, 3))])
def test_normal_matches_torch(loc_shape, scale_shape, x_shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    loc, scale = rng.standard_normal(loc_shape), rng.random(scale_shape) + 0.2
    x = rng.standard_normal(x_shape)
    ours, ref = Normal(loc, scale), torch.distributions.Normal(torch.tensor(loc), torch.tensor(scale))
    _close(ours.log_prob(x), ref.log_prob(torch.tensor(x)))
    _close(ours.entropy(), ref.entropy())
    _close(ours.mean, ref.mean)
    _close(ours.variance, ref.variance)


@pytest.mark.parametrize("param", ["scale_tril", "covariance_matrix"])
@pytest.mark.parametrize("batched", [True, False])
def test_mvn_matches_torch(param, batched):
    torch = pytest.importorskip("torch")
    loc, M = (LOC, TRIL if param == "scale_tril" else COV) if batched else (LOC[0], (TRIL if param ==
                                                                                     "scale_tril" else COV)[0])
    ours = MultivariateNormal(loc, **{param: M})
    ref = torch.distributions.MultivariateNormal(torch.tensor(loc), **{param: torch.tensor(M)})
    _close(ours.log_prob(X_MVN), ref.log_prob(torch.tensor(X_MVN)))
    _close(ours.entropy(), ref.entropy())
    _close(ours.variance, ref.variance)
    _close(ours.covariance_matrix, ref.covariance_matrix)
    _close(ours.scale_tril.data, ref.scale_tril)


def test_mvn_unbatched_factor_with_batched_loc():
    torch = pytest.importorskip("torch")
    ours = MultivariateNormal(LOC, scale_tril=TRIL[0])
    ref = torch.distributions.MultivariateNormal(torch.tensor(LOC), scale_tril=torch.tensor(TRIL[0]))
    _close(ours.log_prob(X_MVN), ref.log_prob(torch.tensor(X_MVN)))
    assert ours.batch_shape == (2,)


def test_mvn_diagonal_equals_product_of_normals():
    loc, sd = np.array([0.5, -1.0, 2.0]), np.array([0.3, 1.0, 2.5])
    x = np.random.default_rng(2).standard_normal((6, 3))
    mvn, nrm = MultivariateNormal(loc, scale_tril=np.diag(sd)), Normal(loc, sd)
    np.testing.assert_allclose(mvn.log_prob(x), nrm.log_prob(x).sum(-1), rtol=1e-13)
    np.testing.assert_allclose(mvn.entropy(), nrm.entropy().sum(), rtol=1e-13)


# ---- gradients -----------------------------------------------------------------------------


def test_normal_rsample_and_log_prob_gradcheck():
    loc = Tensor(np.array([0.1, -0.4]), requires_grad=True)
    scale = Tensor(np.array([0.7, 1.3]), requires_grad=True)
    assert gradcheck(lambda m, s: Normal(m, s).rsample(0, (4,)), [loc, scale])
    x = np.array([[0.3, 0.2], [-1.0, 2.0]])
    assert gradcheck(lambda m, s: Normal(m, s).log_prob(x) + Normal(m, s).entropy(), [loc, scale])


def test_mvn_rsample_gradcheck_scale_tril():
    loc = Tensor(LOC[0].copy(), requires_grad=True)
    L = Tensor(TRIL[0].copy(), requires_grad=True)
    assert gradcheck(lambda m, L: MultivariateNormal(m, scale_tril=L * TRIL_MASK).rsample(0, (4,)), [loc, L])


def test_mvn_log_prob_gradcheck_covariance():
    """Gradients through cholesky: covariance built symmetrically from a free matrix."""
    loc = Tensor(LOC[0].copy(), requires_grad=True)
    B = Tensor(_B[0].copy(), requires_grad=True)
    x = Tensor(X_MVN[:, 0].copy(), requires_grad=True)

    def fn(m, B, x):
        cov = B @ B.swapaxes(-1, -2) + Tensor(np.eye(D))
        d = MultivariateNormal(m, covariance_matrix=cov)
        return d.log_prob(x) + d.entropy()

    assert gradcheck(fn, [loc, B, x])


def test_mvn_gradients_match_torch():
    torch = pytest.importorskip("torch")
    loc, L = Tensor(LOC.copy(), requires_grad=True), Tensor(TRIL.copy(), requires_grad=True)
    tl, tL = torch.tensor(LOC, requires_grad=True), torch.tensor(TRIL, requires_grad=True)
    MultivariateNormal(loc, scale_tril=L).log_prob(X_MVN).sum().backward()
    torch.distributions.MultivariateNormal(tl, scale_tril=tL).log_prob(torch.tensor(X_MVN)).sum().backward()
    np.testing.assert_allclose(loc.grad, tl.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(L.grad, np.tril(tL.grad.numpy()), rtol=1e-10, atol=1e-12)


# ---- bad parameters ------------------------------------------------------------------------

NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])
BAD = [
    (lambda: Normal(0.0, -1.0), ValueError, "scale must be > 0"),
    (lambda: Normal(0.0, 0.0), ValueError, "scale must be > 0"),
    (lambda: Normal(np.zeros(3), np.ones(2)), ValueError, "do not broadcast"),
    (lambda: Normal(np.nan, 1.0), ValueError, "loc contains NaN"),
    (lambda: Normal("a", 1.0), TypeError, "loc must be a number"),
    (lambda: MultivariateNormal(np.zeros(2)), ValueError, "exactly one of covariance_matrix= or scale_tril="),
    (lambda: MultivariateNormal(np.zeros(2), covariance_matrix=np.eye(2), scale_tril=np.eye(2)), ValueError,
     "exactly one of"),
    (lambda: MultivariateNormal(np.zeros(2), covariance_matrix=NOT_PD), ValueError, "not positive definite"),
    (lambda: MultivariateNormal(np.zeros(2), covariance_matrix=np.array([[1.0, 0.5], [0.0, 1.0]])), ValueError,
     "not symmetric"),
    (lambda: MultivariateNormal(np.zeros(2), scale_tril=np.array([[1.0, 0.5], [0.0, 1.0]])), ValueError,
     "must be lower triangular"),
    (lambda: MultivariateNormal(np.zeros(2), scale_tril=np.array([[1.0, 0.0], [0.5, -1.0]])), ValueError,
     "positive diagonal"),
    (lambda: MultivariateNormal(np.zeros(3), scale_tril=np.eye(2)), ValueError, r"must have shape \(\.\.\., 3, 3\)"),
    (lambda: MultivariateNormal(0.0, scale_tril=np.eye(1)), ValueError, "got a scalar"),
    (lambda: MultivariateNormal(np.zeros((4, 2)), scale_tril=np.stack([np.eye(2)] * 3)), ValueError,
     "do not broadcast"),
]


@pytest.mark.parametrize("make, exc, match", BAD, ids=[f"{i}-{b[2][:25]}" for i, b in enumerate(BAD)])
def test_bad_parameters_raise_clear_errors(make, exc, match):
    with pytest.raises(exc, match=match):
        make()
