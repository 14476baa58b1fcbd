"""Tests for scratch.neural.cnn (page: book/neural/cnn.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, no_grad
from scratch.neural.cnn import CNNConfig, DigitCNN, equivariance_gap, random_shifts, shift_image
from scratch.metrics import accuracy
from scratch.neural.mlp import fit
from scratch.nn.conv import Conv2d
from scratch.optim import Adam


def test_shapes_and_features():
    net = DigitCNN(rng=0)
    feats = net.features(Tensor(np.zeros((3, 1, 8, 8), dtype=np.float32)))
    assert feats["conv1"].shape == (3, 16, 8, 8) and feats["pool2"].shape == (3, 32, 2, 2)
    assert feats["logits"].shape == (3, 10) and feats["logits"].dtype == np.float32


def test_matches_torch_forward_and_backward(torch_compare):
    torch = pytest.importorskip("torch")
    ours = DigitCNN(CNNConfig(channels=(4, 6)), rng=1, dtype=np.float64)
    ref = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Conv2d(4, 6, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                              torch.nn.Flatten(), torch.nn.Linear(24, 10)).double()
    names = {f"{ours_name}.{p}": f"{i}.{p}" for ours_name, i in (("conv1", 0), ("conv2", 3), ("head", 7))
             for p in ("weight", "bias")}
    x = np.random.default_rng(0).random((5, 1, 8, 8))
    diffs = torch_compare(ours, ref, [x], names=names, transpose=("head.weight",), atol=1e-12, rtol=1e-7)
    assert {"0.weight grad", "7.bias grad", "input 0 grad"} <= set(diffs)  # torch names


def test_translation_equivariance():
    conv = Conv2d(1, 3, 3, padding=1, rng=0)
    x = np.zeros((2, 1, 14, 14)); x[:, :, 4:10, 4:10] = np.random.default_rng(1).random((2, 1, 6, 6))
    assert equivariance_gap(conv, x, 2, -1) < 1e-12
    # negative control: a position-dependent map is not equivariant
    conv.bias.data[:] = 0
    class Ramp(Conv2d):
        def forward(self, x):
            return super().forward(x) * Tensor(np.arange(14.0))
    ramp = Ramp(1, 3, 3, padding=1, rng=0)
    assert equivariance_gap(ramp, x, 2, -1) > 1e-3


def test_shift_image():
    img = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(shift_image(img, 1, 0), [[0, 0, 0], [0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(shift_image(img, 0, -1), [[1, 2, 0], [4, 5, 0], [7, 8, 0]])
    out = random_shifts(np.ones((4, 1, 3, 3)), np.random.default_rng(0))
    assert out.shape == (4, 1, 3, 3)
    # shifted out of the frame: all zeros (numpy's broadcast error before)
    np.testing.assert_array_equal(shift_image(img, 3, 0), np.zeros((3, 3)))
    np.testing.assert_array_equal(shift_image(img, 0, -5), np.zeros((3, 3)))


def test_tiny_training_separates_two_patterns():
    rng = np.random.default_rng(0)
    X = np.zeros((40, 1, 8, 8), dtype=np.float32)
    y = np.arange(40) % 2
    X[y == 0, 0, :, 3] = 1.0  # vertical bar
    X[y == 1, 0, 3, :] = 1.0  # horizontal bar
    X += 0.1 * rng.random(X.shape, dtype=np.float32)
    net = DigitCNN(CNNConfig(channels=(4, 4), n_classes=2), rng=0)
    fit(net, X, y, Adam(net.parameters(), lr=1e-2), epochs=5, batch_size=8, rng=0)
    assert accuracy(net, X, y) == 1.0


def test_bad_input():
    net = DigitCNN(rng=0)
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\).*reshape"):
        net(Tensor(np.zeros((2, 64), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"\(N, 1, 8, 8\)"):
        net(Tensor(np.zeros((2, 3, 8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match="at least 4x4"):
        DigitCNN(CNNConfig(image_size=2))
