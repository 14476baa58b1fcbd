"""Bad-input cases for scratch.appendix (the Python primer and the probability appendix)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.appendix.probability import (  # noqa: E402
    bernoulli_mle,
    cross_entropy,
    entropy,
    gaussian_mle,
    kl_divergence,
    running_means,
    standardized_means,
)
from scratch.appendix.python_primer import (  # noqa: E402
    Affine,
    TrainConfig,
    minibatches,
    one_hot,
    pairwise_sq_dists,
    running_mean,
    softmax,
)

NORMAL = lambda rng, shape: rng.normal(size=shape)  # noqa: E731

CASES = [
    # --- probability ---------------------------------------------------------------------------
    Case(running_means, lambda: running_means(np.ones((3, 2))), ValueError, r"x must have shape \(n_samples,\)",
         label="2-D"),
    Case(running_means, lambda: running_means([1.0, np.nan]), ValueError, "NaN or infinite"),
    Case(running_means, lambda: running_means([]), ValueError, "x is empty"),
    Case(standardized_means, lambda: standardized_means(NORMAL, 0, 10, 0.0, 1.0), ValueError, "n must be >= 1"),
    Case(standardized_means, lambda: standardized_means(NORMAL, 5, 10, 0.0, 0.0), ValueError, "std must be"),
    Case(standardized_means, lambda: standardized_means(NORMAL, 5, 10, 0.0, np.nan), ValueError, "std must be",
         label="NaN std"),
    Case(standardized_means, lambda: standardized_means(NORMAL, 5, 10, np.nan, 1.0), ValueError, "mean must be finite"),
    Case(standardized_means, lambda: standardized_means(lambda rng, shape: rng.normal(size=3), 5, 10, 0.0, 1.0),
         ValueError, r"sampler must return an array of shape \(10, 5\)", label="sampler ignores the shape"),
    Case(standardized_means, lambda: standardized_means("normal", 5, 10, 0.0, 1.0), TypeError,
         "sampler must be a callable", label="sampler not callable"),
    Case(bernoulli_mle, lambda: bernoulli_mle([0, 1, 2]), ValueError, "0/1 outcomes"),
    Case(bernoulli_mle, lambda: bernoulli_mle([]), ValueError, "x is empty"),
    Case(gaussian_mle, lambda: gaussian_mle([1.0, np.inf]), ValueError, "NaN or infinite"),
    Case(gaussian_mle, lambda: gaussian_mle(np.ones((2, 2))), ValueError, r"x must have shape \(n_samples,\)"),
    Case(entropy, lambda: entropy([0.5, 0.6]), ValueError, "summing to 1"),
    Case(entropy, lambda: entropy([1.5, -0.5]), ValueError, "non-negative"),
    Case(entropy, lambda: entropy([0.5, 0.5], base=1.0), ValueError, "base must be > 0 and != 1"),
    Case(entropy, lambda: entropy([0.5, 0.5], base=-2.0), ValueError, "base must be > 0 and != 1", label="negative base"),
    Case(cross_entropy, lambda: cross_entropy([0.5, 0.5], [1.0]), ValueError, "same length"),
    Case(cross_entropy, lambda: cross_entropy([0.5, 0.5], [0.5, np.nan]), ValueError, "NaN or infinite"),
    Case(cross_entropy, lambda: cross_entropy([0.5, 0.5], [0.5, 0.5], base=0), ValueError, "base must be > 0"),
    Case(kl_divergence, lambda: kl_divergence([0.2, 0.8], [0.2, 0.9]), ValueError, "q must be a probability vector"),
    Case(kl_divergence, lambda: kl_divergence([[0.2, 0.8]], [[0.2, 0.8]]), ValueError, r"p must have shape \(n_samples,\)",
         label="2-D"),
    Case(kl_divergence, lambda: kl_divergence([0.5, 0.5], [0.5, 0.5], base=1), ValueError, "base must be > 0 and != 1"),
    # --- python primer ------------------------------------------------------------------------
    Case(TrainConfig, lambda: TrainConfig(lr=0.0), ValueError, "lr must be finite and > 0"),
    Case(TrainConfig, lambda: TrainConfig(epochs=2.5), TypeError, "epochs must be an integer"),
    Case(TrainConfig, lambda: TrainConfig(batch_size=0), ValueError, "batch_size must be >= 1"),
    Case(TrainConfig, lambda: TrainConfig(hidden=[16, 0]), ValueError, r"hidden\[i\] must be >= 1"),
    Case(TrainConfig, lambda: TrainConfig(hidden=16), TypeError, "hidden must be a list of layer widths"),
    Case(minibatches, lambda: list(minibatches(10, 0)), ValueError, "batch_size must be >= 1"),
    Case(minibatches, lambda: list(minibatches(-1, 2)), ValueError, "n_samples must be >= 0"),
    Case(minibatches, lambda: list(minibatches(10.0, 2)), TypeError, "n_samples must be an integer"),
    Case(running_mean, lambda: list(running_mean([1.0, "a"])), TypeError, "values must be numbers"),
    Case(running_mean, lambda: list(running_mean(5)), TypeError, "not iterable"),
    Case(pairwise_sq_dists, lambda: pairwise_sq_dists(np.ones((3, 2)), np.ones((4, 3))), ValueError, "same number of columns"),
    Case(pairwise_sq_dists, lambda: pairwise_sq_dists(np.ones(3), np.ones((4, 3))), ValueError, r"X must have shape"),
    Case(one_hot, lambda: one_hot(np.array([0.0, 1.0]), 2), TypeError, "integer labels"),
    Case(one_hot, lambda: one_hot(np.array([0, 3]), 3), ValueError, r"labels must lie in \[0, 3\)"),
    Case(one_hot, lambda: one_hot(np.array([0, 1]), 0), ValueError, "n_classes must be >= 1"),
    Case(softmax, lambda: softmax(np.array([1.0, np.nan])), ValueError, "NaN or infinite"),
    Case(softmax, lambda: softmax(np.ones((2, 3)), axis=2), ValueError, "axis 2 is out of range for z of 2 dimensions"),
    Case(softmax, lambda: softmax(3.0), ValueError, r"z must have shape", label="scalar"),
    Case(Affine, lambda: Affine(0, 2), ValueError, "n_in must be >= 1"),
    Case(Affine, lambda: Affine(3, 2)(np.ones((4, 2))), ValueError, "this Affine expects 3"),
    Case(Affine, lambda: Affine(3, 2)(np.ones(3)), ValueError, r"x must have shape \(n_samples, n_features\)"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
