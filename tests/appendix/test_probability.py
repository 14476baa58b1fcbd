"""Tests for scratch.appendix.probability (page: book/appendix/probability.md)."""

import numpy as np
import pytest

from scratch.appendix.probability import (bernoulli_mle, cross_entropy, entropy, gaussian_mle, kl_divergence,
                                          running_means, standardized_means)


def test_running_means():
    np.testing.assert_allclose(running_means(np.array([1.0, 3.0, 5.0])), [1, 2, 3])


def test_standardized_means_are_standard_normal():
    z = standardized_means(lambda rng, shape: rng.exponential(1.0, shape), 200, 4000, 1.0, 1.0, rng=0)
    assert abs(z.mean()) < 0.06 and abs(z.std() - 1) < 0.05


def test_mles():
    assert bernoulli_mle(np.array([1, 0, 1, 1.0])) == 0.75
    mu, var = gaussian_mle(np.array([1.0, 2.0, 3.0, 6.0]))
    assert mu == 3.0 and var == pytest.approx(np.var([1, 2, 3, 6]))


def test_information_quantities_match_scipy():
    stats = pytest.importorskip("scipy.stats")
    p, q = np.array([0.5, 0.25, 0.25, 0.0]), np.array([0.25, 0.25, 0.25, 0.25])
    assert entropy(p, base=2) == pytest.approx(1.5)
    assert entropy(p) == pytest.approx(stats.entropy(p))
    assert kl_divergence(p, q) == pytest.approx(stats.entropy(p, q))
    assert cross_entropy(p, q, base=2) == pytest.approx(2.0)
    assert kl_divergence(q, p) == np.inf and kl_divergence(p, p) == 0.0


@pytest.mark.parametrize("call, match", [
    (lambda: entropy(np.array([0.5, 0.6])), "probability vector"),
    (lambda: cross_entropy(np.array([1.0]), np.array([0.5, 0.5])), "same length"),
    (lambda: bernoulli_mle(np.array([0.0, 2.0])), "0/1"),
    (lambda: standardized_means(lambda r, s: r.random(s), 5, 3, 0.5, 0.0), "std"),
    (lambda: standardized_means(lambda r, s: r.random(3), 5, 3, 0.5, 0.3), "shape"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
