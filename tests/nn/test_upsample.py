"""Tests for scratch.nn.upsample: nearest upsampling against torch.nn.Upsample."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.upsample import Upsample, upsample_nearest


def test_closed_form():
    x = Tensor(np.arange(4.0).reshape(1, 1, 2, 2))
    np.testing.assert_array_equal(Upsample(2)(x).data[0, 0],
                                  [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]])


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_matches_torch(scale, torch_compare):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(scale).normal(size=(2, 3, 4, 5))
    diffs = torch_compare(Upsample(scale), torch.nn.Upsample(scale_factor=scale, mode="nearest"), [x],
                          atol=0, grad_atol=1e-12, rtol=0, seed=scale)
    assert diffs["output"] == 0  # nearest upsampling copies values: exact


def test_gradcheck():
    rng = np.random.default_rng(0)
    assert gradcheck(lambda x: upsample_nearest(x, 2), [Tensor(rng.normal(size=(1, 2, 3, 2)), requires_grad=True)])


@pytest.mark.parametrize("make, match", [
    (lambda: Upsample(2)(Tensor(np.zeros((3, 4, 4)))), r"\(N, C, H, W\).*\(3, 4, 4\)"),
    (lambda: Upsample(2, mode="bilinear"), "only mode='nearest'"),
    (lambda: Upsample(0), "scale_factor"),
])
def test_bad_input(make, match):
    with pytest.raises(ValueError, match=match):
        make()
