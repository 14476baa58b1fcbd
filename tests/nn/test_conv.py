"""Tests for scratch.nn.conv (Conv2d via im2col, MaxPool2d); page: book/neural/cnn.md."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.conv import Conv2d, MaxPool2d, col2im, conv2d, im2col, max_pool2d


def rand(shape, seed, grad=True):
    return Tensor(np.random.default_rng(seed).normal(size=shape), requires_grad=grad)


@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 1), ((2, 1), (0, 2))])
def test_conv2d_gradcheck(stride, padding):
    x, w, b = rand((2, 2, 5, 6), 0), rand((3, 2, 3, 2), 1), rand((3,), 2)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, stride, padding), [x, w, b])


def test_gradcheck_catches_a_wrong_conv_gradient():
    """Negative control: a backward that forgets col2im's overlaps must fail gradcheck."""
    from scratch.autograd import from_op

    def bad(x, w):
        out = conv2d(x, w)
        return from_op(out.data, (x, w), lambda g: (np.zeros(x.shape), np.zeros(w.shape)), "bad")

    with pytest.raises(AssertionError):
        gradcheck(bad, [rand((1, 1, 4, 4), 0), rand((1, 1, 2, 2), 1)])


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 2)])
def test_conv2d_matches_torch_forward_and_backward(seed, stride, padding, torch_compare):
    torch = pytest.importorskip("torch")
    layer = Conv2d(3, 4, 3, stride=stride, padding=padding, rng=seed)
    ref = torch.nn.Conv2d(3, 4, 3, stride=stride, padding=padding).double()
    x = np.random.default_rng(seed + 10).normal(size=(2, 3, 8, 7))
    torch_compare(layer, ref, [x], atol=1e-12, rtol=1e-7, seed=seed + 20)


def test_im2col_col2im_are_adjoint():
    """<im2col(x), c> == <x, col2im(c)> for random x, c (col2im is the transpose)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6, 5, 3))  # (N, Hp, Wp, C): channels last
    cols = im2col(x, (3, 2), (2, 1))
    assert cols.shape == (2 * 2 * 4, 3 * 2 * 3)
    c = rng.normal(size=cols.shape)
    ho, wo = (6 - 3) // 2 + 1, (5 - 2) // 1 + 1
    assert np.sum(cols * c) == pytest.approx(np.sum(x * col2im(c, x.shape, (3, 2), (2, 1), (ho, wo))))


def test_conv2d_closed_form():
    """A 2x2 kernel of ones sums each window."""
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3))
    out = conv2d(x, Tensor(np.ones((1, 1, 2, 2))))
    np.testing.assert_array_equal(out.data[0, 0], [[8, 12], [20, 24]])


@pytest.mark.parametrize("kernel,stride", [(2, None), (3, 1), (2, 1), (3, 2)])
def test_max_pool_gradcheck_and_torch(kernel, stride, torch_compare):
    x = rand((2, 3, 7, 6), 4)
    assert gradcheck(lambda x: max_pool2d(x, kernel, stride), [x])
    torch = pytest.importorskip("torch")
    diffs = torch_compare(MaxPool2d(kernel, stride), torch.nn.MaxPool2d(kernel, stride), [x.data], atol=1e-12,
                          rtol=1e-7, seed=5)
    assert diffs["output"] == 0  # a max selects an input: exact


def test_float32_stays_float32():
    layer = Conv2d(1, 2, 3, padding=1, rng=0, dtype=np.float32)
    x = Tensor(np.ones((1, 1, 4, 4), dtype=np.float32), requires_grad=True)
    out = max_pool2d(layer(x), 2)
    out.sum().backward()
    assert out.dtype == np.float32 and layer.weight.grad.dtype == np.float32


def test_bad_input():
    layer = Conv2d(1, 2, 3, rng=0)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        layer(Tensor(np.ones((8, 8))))
    with pytest.raises(ValueError, match="1 input channel"):
        layer(Tensor(np.ones((2, 3, 8, 8))))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        layer(Tensor(np.ones((2, 1, 2, 2))))
    with pytest.raises(ValueError, match="kernel_size must be >= 1"):
        Conv2d(1, 2, 0)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        MaxPool2d(2)(Tensor(np.ones((3, 4, 4))))


def test_im2col_rows_are_patches_in_kh_kw_c_order():
    from scratch.nn.conv import pad_channels_last

    x = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)  # (N, C, H, W)
    xp = pad_channels_last(x, (1, 2))
    assert xp.shape == (2, 6, 9, 3)
    np.testing.assert_array_equal(xp[:, 1:5, 2:7, :].transpose(0, 3, 1, 2), x)
    cols = im2col(xp, (3, 2), (2, 3))  # Ho = (6 - 3) // 2 + 1 = 2, Wo = (9 - 2) // 3 + 1 = 3
    row = 1 * 2 * 3 + 1 * 3 + 2  # image 1, output (1, 2): top-left corner (2, 6)
    np.testing.assert_array_equal(cols[row], xp[1, 2:5, 6:8, :].reshape(-1))


def test_max_pool_routes_ties_to_the_first_maximum_like_torch():
    """After a ReLU whole windows are 0: the gradient must go to one position only."""
    torch = pytest.importorskip("torch")
    x = np.zeros((1, 2, 4, 4))
    x[0, 1, 0, 1] = x[0, 1, 1, 0] = 2.0  # a tie between two non-first positions
    xs = Tensor(x, requires_grad=True)
    max_pool2d(xs, 2).sum().backward()
    xt = torch.from_numpy(x).requires_grad_()
    torch.nn.functional.max_pool2d(xt, 2).sum().backward()
    np.testing.assert_array_equal(xs.grad, xt.grad.numpy())
    assert xs.grad.sum() == 8.0  # one unit per window


@pytest.mark.parametrize("padding", [0, 1, (1, 0), (2, 1)])
@pytest.mark.parametrize("c_in, c_out", [(3, 2), (1, 4), (1, 5)])
def test_conv2d_stride1_flipped_kernel_path_gradcheck_and_torch(padding, c_in, c_out):
    """Stride 1 with C_out <= 4 C_in: dL/dX is computed as a convolution with the flipped kernel;
    with C_out = 5 > 4 C_in the col2im path runs instead. Both agree with gradcheck and torch."""
    x, w, b = rand((2, c_in, 5, 6), 6), rand((c_out, c_in, 3, 2), 7), rand((c_out,), 8)
    assert gradcheck(lambda x, w, b: conv2d(x, w, b, 1, padding), [x, w, b])
    torch = pytest.importorskip("torch")
    x.grad = w.grad = b.grad = None
    out = conv2d(x, w, b, 1, padding)
    g = np.random.default_rng(9).normal(size=out.shape)
    out.backward(g)
    xt, wt, bt = (torch.from_numpy(t.data.copy()).requires_grad_() for t in (x, w, b))
    ref = torch.nn.functional.conv2d(xt, wt, bt, stride=1, padding=padding)
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), atol=1e-12)
    for ours, theirs in ((x, xt), (w, wt), (b, bt)):
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=1e-12)
