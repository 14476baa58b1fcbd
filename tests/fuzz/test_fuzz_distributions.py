"""Bad-input cases for scratch.distributions (see _harness.py for the format)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd.tensor import Tensor  # noqa: E402
from scratch.distributions.discrete import Bernoulli, Categorical, Poisson  # noqa: E402
from scratch.distributions.distribution import (Distribution, as_param, as_sample_shape,  # noqa: E402
                                                broadcast_params, check_positive_param, expand)
from scratch.distributions.gamma import Beta, Dirichlet, Gamma  # noqa: E402
from scratch.distributions.gaussian import MultivariateNormal, Normal  # noqa: E402
from scratch.distributions.kl import kl_divergence, register_kl  # noqa: E402
from scratch.distributions.special import digamma, lgamma, safe_log, softplus, trigamma, xlogy  # noqa: E402

EYE2 = np.eye(2)

CASES = [
    Case(Bernoulli, lambda: Bernoulli(probs=1.5), ValueError, r"probs must lie in \[0, 1\]", label="probs > 1"),
    Case(Bernoulli, lambda: Bernoulli(probs=0.5, logits=0.0), ValueError, "exactly one of probs= or logits=",
         label="both probs and logits"),
    Case(Bernoulli, lambda: Bernoulli(probs=np.nan), ValueError, "NaN or infinite", label="NaN probs"),
    Case(Bernoulli, lambda: Bernoulli(probs=0.3).log_prob(0.5), ValueError, "0 or 1|support",
         label="log_prob of a non-binary value"),
    Case(Categorical, lambda: Categorical(probs=[0.2, 0.2]), ValueError, "must sum to 1",
         label="probs not summing to 1"),
    Case(Categorical, lambda: Categorical(probs=[1.2, -0.2]), ValueError, "probs must be >= 0",
         label="negative probs"),
    Case(Categorical, lambda: Categorical(logits=0.0), ValueError, "shape \\(\\.\\.\\., K\\)", label="scalar logits"),
    Case(Categorical, lambda: Categorical(probs=[0.5, 0.5]).log_prob(2), ValueError, "category|support|0 ..",
         label="out-of-range category"),
    Case(Categorical, lambda: Categorical(probs=[0.5, 0.5]).log_prob(0.5), ValueError, "integer|support",
         label="float category"),
    Case(Poisson, lambda: Poisson(-1.0), ValueError, "rate must be >= 0", label="negative rate"),
    Case(Poisson, lambda: Poisson("3"), TypeError, "rate must be a number", label="string rate"),
    Case(Poisson, lambda: Poisson(2.0).log_prob(1.5), ValueError, "integer count", label="non-integer count"),
    Case(Poisson, lambda: Poisson(2.0).sample(0, sample_shape=-1), TypeError, "sample_shape must be a tuple",
         label="negative sample_shape"),
    Case(Gamma, lambda: Gamma(0.0, 1.0), ValueError, "concentration must be > 0", label="zero concentration"),
    Case(Gamma, lambda: Gamma([1.0, 2.0], [1.0, 2.0, 3.0]), ValueError, "do not broadcast",
         label="shapes that do not broadcast"),
    Case(Gamma, lambda: Gamma(1.0, 1.0).log_prob(-1.0), ValueError, "support", label="negative value"),
    Case(Beta, lambda: Beta(1.0, -2.0), ValueError, "concentration0 must be > 0", label="negative concentration0"),
    Case(Beta, lambda: Beta(2.0, 2.0).log_prob(1.5), ValueError, "support", label="value outside (0, 1)"),
    Case(Beta, lambda: Beta(None, 1.0), TypeError, "concentration1 must be a number", label="None"),
    Case(Dirichlet, lambda: Dirichlet([1.0]), ValueError, "K >= 2", label="one category"),
    Case(Dirichlet, lambda: Dirichlet([1.0, 0.0]), ValueError, "must be > 0", label="zero concentration"),
    Case(Dirichlet, lambda: Dirichlet([1.0, 1.0]).log_prob([0.3, 0.3]), ValueError, "simplex",
         label="value off the simplex"),
    Case(Dirichlet, lambda: Dirichlet([1.0, 1.0]).log_prob([0.2, 0.3, 0.5]), ValueError, "event shape",
         label="value of the wrong event shape"),
    Case(Normal, lambda: Normal(0.0, 0.0), ValueError, "scale must be > 0", label="zero scale"),
    Case(Normal, lambda: Normal(0.0, 1.0).log_prob(np.nan), ValueError, "contains NaN", label="NaN value"),
    Case(Normal, lambda: Normal(np.zeros(2), 1.0).log_prob(np.zeros(3)), ValueError, "does not broadcast",
         label="value that does not broadcast"),
    Case(Normal, lambda: Normal(0.0, 1.0).sample("0"), TypeError, "rng must be a numpy Generator",
         label="string rng"),
    Case(Normal, lambda: Normal(0.0, 1.0).rsample(0, sample_shape=2.5), TypeError, "sample_shape",
         label="float sample_shape"),
    Case(MultivariateNormal, lambda: MultivariateNormal(np.zeros(2), np.eye(3)), ValueError,
         r"must have shape \(\.\.\., 2, 2\)", label="covariance of the wrong size"),
    Case(MultivariateNormal, lambda: MultivariateNormal(np.zeros(2), np.array([[1.0, 2.0], [2.0, 1.0]])),
         ValueError, "covariance_matrix is invalid", label="not positive definite"),
    Case(MultivariateNormal, lambda: MultivariateNormal(np.zeros(2), scale_tril=np.ones((2, 2))), ValueError,
         "lower triangular", label="scale_tril not triangular"),
    Case(MultivariateNormal, lambda: MultivariateNormal(np.zeros(2)), ValueError, "exactly one of",
         label="neither covariance nor scale_tril"),
    Case(MultivariateNormal, lambda: MultivariateNormal(0.0, EYE2), ValueError, "got a scalar", label="scalar loc"),
    Case(kl_divergence, lambda: kl_divergence(Normal(0.0, 1.0), Gamma(1.0, 1.0)), NotImplementedError,
         "No closed-form KL", label="unsupported pair"),
    Case(kl_divergence, lambda: kl_divergence(Normal(np.zeros(2), 1.0), Normal(np.zeros(3), 1.0)), ValueError,
         "do not broadcast", label="batch shapes that do not broadcast"),
    Case(kl_divergence, lambda: kl_divergence(MultivariateNormal(np.zeros(2), EYE2),
                                              MultivariateNormal(np.zeros(3), np.eye(3))), ValueError,
         "different event shapes", label="different dimensions"),
    Case(kl_divergence, lambda: kl_divergence(np.zeros(2), Normal(0.0, 1.0)), TypeError,
         "must be Distribution", label="an array instead of a distribution"),
    Case(register_kl, lambda: register_kl(Normal, "Gamma"), TypeError, "Distribution subclass",
         label="a string instead of a class"),
    Case(register_kl, lambda: register_kl(Normal, Normal)("not a function"), TypeError, "callable",
         label="decorating a non-callable"),
    Case(as_param, lambda: as_param([1.0, np.inf], "loc", family="Normal"), ValueError, "NaN or infinite",
         label="inf"),
    Case(as_param, lambda: as_param([], "loc", family="Normal"), ValueError, "is empty", label="empty"),
    Case(as_param, lambda: as_param(Tensor(np.array([1, 2])), "loc", family="Normal"), TypeError,
         "floating-point", label="integer Tensor"),
    Case(check_positive_param, lambda: check_positive_param(Tensor(np.array([1.0, -1.0])), "scale", "Normal"),
         ValueError, "scale must be > 0", label="negative entry"),
    Case(broadcast_params, lambda: broadcast_params("Normal", loc=Tensor(np.zeros(2)), scale=Tensor(np.ones(3))),
         ValueError, "do not broadcast", label="shapes that do not broadcast"),
    Case(expand, lambda: expand(Tensor(np.zeros(3)), (2,)), ValueError, "cannot be broadcast to",
         label="target shape that does not fit"),
    Case(as_sample_shape, lambda: as_sample_shape((2, -1)), TypeError, "non-negative ints", label="negative size"),
    Case(as_sample_shape, lambda: as_sample_shape("3"), TypeError, "non-negative ints", label="string"),
    Case(Distribution, lambda: Distribution().sample(0, sample_shape=(2, 0.5)), TypeError, "sample_shape must be a tuple",
         label="float in sample_shape"),
    Case(lgamma, lambda: lgamma(np.array([1.0, -1.0])), ValueError, "x > 0 only", label="negative x"),
    Case(lgamma, lambda: lgamma("2"), TypeError, "numbers", label="string"),
    Case(digamma, lambda: digamma(0.0), ValueError, "x > 0 only", label="zero"),
    Case(digamma, lambda: digamma(np.nan), ValueError, "x > 0 only", label="NaN"),
    Case(trigamma, lambda: trigamma(-2.0), ValueError, "x > 0 only", label="negative x"),
    Case(trigamma, lambda: trigamma(None), TypeError, "numbers", label="None"),
    Case(softplus, lambda: softplus("x"), TypeError, "numbers", label="string"),
    Case(softplus, lambda: softplus(None), TypeError, "numbers", label="None"),
    Case(xlogy, lambda: xlogy(np.ones(2), np.ones(3)), ValueError, "do not broadcast", label="shapes"),
    Case(xlogy, lambda: xlogy("a", 1.0), TypeError, "numbers", label="string"),
    Case(safe_log, lambda: safe_log(-1.0), ValueError, "x >= 0", label="negative x"),
    Case(safe_log, lambda: safe_log([None]), TypeError, "numbers", label="None inside a list"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
