"""Tests for scratch.autograd.gradcheck, including negative controls that must fail."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import GradcheckError, Tensor, from_op, gradcheck, numerical_grad


def exp_with_wrong_backward(x: Tensor) -> Tensor:
    """exp whose backward is off by a factor of 2 (a deliberately wrong gradient)."""
    out = np.exp(x.data)
    return from_op(out, (x,), lambda g: (2 * g * out,), "bad_exp")


def mul_with_swapped_backward(a: Tensor, b: Tensor) -> Tensor:
    """a * b whose backward sends each input its own value instead of the other's."""
    out = a.data * b.data
    return from_op(out, (a, b), lambda g: (g * a.data, g * b.data), "bad_mul")


def exp_wrong_in_one_element(x: Tensor) -> Tensor:
    """exp whose gradient is wrong only at index 0 (a subtle bug)."""
    out = np.exp(x.data)

    def backward(g):
        gx = g * out
        gx.flat[0] += 0.01
        return (gx,)

    return from_op(out, (x,), backward, "subtly_bad_exp")


def test_gradcheck_passes_on_correct_op():
    x = Tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    assert gradcheck(lambda t: t.exp(), [x]) is True


@pytest.mark.parametrize(
    "fn, n_inputs",
    [(exp_with_wrong_backward, 1), (mul_with_swapped_backward, 2), (exp_wrong_in_one_element, 1)],
    ids=["factor_2", "swapped", "one_element"],
)
def test_negative_control_wrong_backward_fails(fn, n_inputs):
    rng = np.random.default_rng(1)
    inputs = [Tensor(rng.standard_normal((3, 2)), requires_grad=True) for _ in range(n_inputs)]
    assert gradcheck(fn, inputs, raise_exception=False) is False
    with pytest.raises(GradcheckError, match="analytic gradient"):
        gradcheck(fn, inputs)


def test_numerical_grad_of_a_quadratic():
    x = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    (g,) = numerical_grad(lambda t: (t * t).sum(), [x], np.array(1.0))
    np.testing.assert_allclose(g, 2 * x.data, atol=1e-8)


def test_constant_inputs_are_skipped():
    x = Tensor(np.ones(3), requires_grad=True)
    c = Tensor(np.full(3, 2.0))
    assert gradcheck(lambda a, b: a * b, [x, c])
    assert numerical_grad(lambda a, b: a * b, [x, c], np.ones(3))[1] is None


def test_gradcheck_bad_input():
    x32 = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    with pytest.raises(TypeError, match="float64"):
        gradcheck(lambda t: t.exp(), [x32])
    with pytest.raises(ValueError, match="requires_grad"):
        gradcheck(lambda t: t.exp(), [Tensor(np.ones(2))])
    with pytest.raises(TypeError, match="sequence of Tensors"):
        gradcheck(lambda t: t.exp(), [np.ones(2)])
    with pytest.raises(TypeError, match="must return a Tensor"):
        gradcheck(lambda t: t.data, [Tensor(np.ones(2), requires_grad=True)])
