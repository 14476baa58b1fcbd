import numpy as np
import pytest

from scratch.data.synthetic import noisy_sine


def test_noisy_sine_is_reproducible_and_has_the_right_noise():
    x1, y1 = noisy_sine(5000, noise=0.3, rng=0)
    x2, y2 = noisy_sine(5000, noise=0.3, rng=0)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    assert x1.min() >= 0 and x1.max() <= 1
    assert np.std(y1 - np.sin(2 * np.pi * x1)) == pytest.approx(0.3, rel=0.05)


def test_noisy_sine_bad_input():
    with pytest.raises(ValueError, match="high > low"):
        noisy_sine(10, low=1.0, high=0.0)
    with pytest.raises(ValueError, match="n_samples must be >= 1"):
        noisy_sine(0)
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        noisy_sine(3, rng="seed")
