"""Tests for scratch._validation, the shared input checks."""

import numpy as np
import pytest

from scratch import _validation as v


def test_as_rng():
    g = np.random.default_rng(0)
    assert v.as_rng(g) is g
    assert v.as_rng(3).integers(1000) == np.random.default_rng(3).integers(1000)
    with pytest.raises(TypeError, match="rng must be"):
        v.as_rng(1.5)


def test_check_array_messages():
    with pytest.raises(ValueError, match=r"shape \(n_samples, n_features\); got an array with shape \(3,\)"):
        v.check_array([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="empty"):
        v.check_array(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="1 NaN or infinite"):
        v.check_array([[np.nan, 1.0]])
    with pytest.raises(TypeError, match="must hold numbers; got strings"):
        v.check_array([["x"]])
    with pytest.raises(TypeError, match="must hold numbers; got strings"):
        v.check_array(np.array([["1.5", "2"]]))  # numeric text is not silently parsed
    with pytest.raises(TypeError, match="numeric array"):
        v.check_array([[object()]])
    assert v.check_array(np.zeros((2, 2)), ndim=(1, 2)).dtype == np.float64


def test_check_X_y_and_options():
    with pytest.raises(ValueError, match="X has 3 samples, y has 2"):
        v.check_X_y(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="Unknown kernel='rfb'; expected one of 'rbf', 'linear'"):
        v.check_option("rfb", ["rbf", "linear"], name="kernel")
    with pytest.raises(ValueError, match="C must be finite and > 0"):
        v.check_positive(0.0, name="C")
    with pytest.raises(TypeError, match="k must be an integer"):
        v.check_int(2.5, name="k")
    with pytest.raises(ValueError, match="k must be <= 5"):
        v.check_int(6, name="k", maximum=5)


def test_check_is_fitted():
    class Est:
        pass

    with pytest.raises(v.NotFittedError, match="This Est instance is not fitted yet"):
        v.check_is_fitted(Est(), "coef_")
