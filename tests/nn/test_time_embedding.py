"""Tests for scratch.nn.time_embedding against a closed form and diffusers."""

import math

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.nn.time_embedding import SinusoidalEmbedding, sinusoidal_embedding


def test_closed_form():
    e = sinusoidal_embedding([0.0, 3.0], 6)
    freqs = 10000.0 ** (-np.arange(3) / 2)  # h = 3, h - 1 = 2
    np.testing.assert_allclose(e[0], [0, 0, 0, 1, 1, 1])
    np.testing.assert_allclose(e[1], np.r_[np.sin(3 * freqs), np.cos(3 * freqs)], rtol=1e-13)
    assert sinusoidal_embedding(2.0, 7).shape == (1, 7)
    assert sinusoidal_embedding([1.0], 7)[0, 6] == 0.0


@pytest.mark.parametrize("dim, flip, shift", [(16, False, 1), (32, True, 0), (9, False, 1)])
def test_matches_diffusers(dim, flip, shift):
    torch = pytest.importorskip("torch")
    emb_mod = pytest.importorskip("diffusers.models.embeddings")
    t = np.array([0, 1, 7, 250, 999])
    ref = emb_mod.get_timestep_embedding(torch.tensor(t), dim, flip_sin_to_cos=flip,
                                         downscale_freq_shift=shift).numpy()
    ours = sinusoidal_embedding(t, dim, flip_sin_to_cos=flip, downscale_freq_shift=shift)
    # diffusers computes in float32: an angle near 999 is rounded by up to 999 * 2**-24 ~ 6e-5.
    np.testing.assert_allclose(ours, ref, atol=2e-4)


def test_module_returns_tensor():
    m = SinusoidalEmbedding(8, dtype=np.float32)
    out = m(Tensor(np.array([1.0, 2.0])))
    assert isinstance(out, Tensor) and out.shape == (2, 8) and out.dtype == np.float32
    np.testing.assert_allclose(out.data, sinusoidal_embedding([1.0, 2.0], 8), rtol=1e-6)


@pytest.mark.parametrize("t, dim, match", [
    (np.zeros((2, 2)), 8, r"\(n_samples,\).*\(2, 2\)"),
    ([1.0, math.nan], 8, "NaN"),
    ([1.0], 1, "dim"),
    ([1.0], 2, "too small"),
])
def test_bad_input(t, dim, match):
    with pytest.raises(ValueError, match=match):
        sinusoidal_embedding(t, dim)
