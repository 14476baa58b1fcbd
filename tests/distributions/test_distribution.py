"""Tests for scratch.distributions.distribution: shapes, output types and sample moments of every family."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.distributions import (
    Bernoulli,
    Beta,
    Categorical,
    Dirichlet,
    Gamma,
    MultivariateNormal,
    Normal,
    Poisson,
)

_A = np.array([[1.0, 0.0], [0.6, 0.8]])
FAMILIES = {  # name -> factory; every one has batch_shape (3,)
    "normal": lambda: Normal(np.array([0.0, 1.0, -2.0]), np.array([1.0, 0.5, 2.0])),
    "mvn": lambda: MultivariateNormal(np.array([[0.0, 1.0], [1.0, 2.0], [-1.0, 0.5]]), scale_tril=np.stack(
        [_A, 2 * _A, 0.5 * np.eye(2)])),
    "bernoulli": lambda: Bernoulli(probs=np.array([0.1, 0.5, 0.9])),
    "categorical": lambda: Categorical(probs=np.array([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2], [0.1, 0.1, 0.8]])),
    "poisson": lambda: Poisson(np.array([0.5, 3.0, 20.0])),
    "gamma": lambda: Gamma(np.array([0.5, 2.0, 9.0]), np.array([1.0, 0.5, 3.0])),
    "beta": lambda: Beta(np.array([0.5, 2.0, 5.0]), np.array([0.5, 3.0, 1.0])),
    "dirichlet": lambda: Dirichlet(np.array([[0.5, 1.0, 2.0], [3.0, 3.0, 3.0], [0.2, 5.0, 1.0]])),
}
NAMES = list(FAMILIES)


@pytest.mark.parametrize("name", NAMES)
def test_sample_shapes_and_types(name):
    d = FAMILIES[name]()
    assert d.batch_shape == (3,)
    for sample_shape, expected in [((), ()), (5, (5,)), ((4, 2), (4, 2))]:
        x = d.sample(0, sample_shape)
        assert isinstance(x, np.ndarray)
        assert x.shape == expected + d.batch_shape + d.event_shape
        lp = d.log_prob(x)
        assert isinstance(lp, np.ndarray) and lp.shape == expected + d.batch_shape
        assert np.all(np.isfinite(lp))
    assert d.entropy().shape == d.batch_shape
    assert d.mean.shape == d.variance.shape == d.batch_shape + d.event_shape
    np.testing.assert_allclose(d.stddev, np.sqrt(d.variance))


@pytest.mark.parametrize("name", NAMES)
def test_sampling_is_reproducible_through_rng(name):
    d = FAMILIES[name]()
    np.testing.assert_array_equal(d.sample(np.random.default_rng(7), 10), d.sample(7, 10))
    assert not np.array_equal(d.sample(1, 10), d.sample(2, 10))


@pytest.mark.parametrize("name", NAMES)
def test_sample_moments_within_sampling_error(name):
    """Sample mean and variance agree with the formulas within 5 standard errors (n = 40000)."""
    n = 40_000
    d = FAMILIES[name]()
    x = d.sample(np.random.default_rng(123), n)  # (n, *batch, *event)
    m = x.mean(axis=0)
    se_mean = x.std(axis=0) / np.sqrt(n)
    assert np.all(np.abs(m - d.mean) <= 5 * se_mean + 1e-12)
    c2 = (x - m) ** 2
    se_var = c2.std(axis=0) / np.sqrt(n)  # standard error of the sample variance
    assert np.all(np.abs(c2.mean(axis=0) - d.variance) <= 5 * se_var + 1e-12)


@pytest.mark.parametrize("name", ["normal", "mvn"])
def test_rsample_is_a_tensor_and_sample_its_value(name):
    d = FAMILIES[name]()
    r = d.rsample(3, (2,))
    assert isinstance(r, Tensor)
    np.testing.assert_array_equal(r.data, d.sample(3, (2,)))


@pytest.mark.parametrize("name", ["bernoulli", "categorical", "poisson", "gamma", "beta", "dirichlet"])
def test_rsample_missing_is_a_clear_error(name):
    with pytest.raises(NotImplementedError, match="no reparameterised sampler"):
        FAMILIES[name]().rsample(0)


def test_tensor_parameters_give_tensor_results():
    loc = Tensor(np.zeros(3), requires_grad=True)
    d = Normal(loc, 1.0)
    for out in (d.log_prob(np.ones(3)), d.entropy(), d.mean, d.variance):
        assert isinstance(out, Tensor)
    d.log_prob(np.ones(3)).sum().backward()
    np.testing.assert_allclose(loc.grad, np.ones(3))  # d/dmu of -(x - mu)^2 / 2 at x - mu = 1


def test_tensor_value_gives_tensor_log_prob():
    x = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    lp = Normal(0.0, 2.0).log_prob(x)
    assert isinstance(lp, Tensor)
    lp.sum().backward()
    np.testing.assert_allclose(x.grad, -x.data / 4.0)


BAD_API = [
    (lambda d: d.sample(0, (2.5,)), TypeError, "sample_shape must be a tuple of non-negative ints"),
    (lambda d: d.sample(0, (-1,)), TypeError, "sample_shape must be a tuple of non-negative ints"),
    (lambda d: d.sample("seed"), TypeError, "rng must be a numpy Generator"),
    (lambda d: d.log_prob(np.zeros(4)), ValueError, "does not broadcast"),
    (lambda d: d.log_prob(np.array([np.nan, 0.0, 0.0])), ValueError, "contains NaN"),
    (lambda d: d.log_prob("abc"), TypeError, "must be numeric"),
]


@pytest.mark.parametrize("call, exc, match", BAD_API, ids=[b[2][:25] for b in BAD_API])
def test_bad_api_use(call, exc, match):
    with pytest.raises(exc, match=match):
        call(FAMILIES["normal"]())


def test_event_shape_mismatch_is_reported():
    with pytest.raises(ValueError, match="event shape"):
        FAMILIES["mvn"]().log_prob(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="event shape"):
        FAMILIES["dirichlet"]().log_prob(np.full((3, 2), 0.5))
