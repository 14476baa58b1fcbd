"""Automatic differentiation: a scalar engine for teaching and a numpy tensor engine.

* :class:`Value` (:mod:`scratch.autograd.value`): one number per node, micrograd-sized.
* :class:`Tensor` (:mod:`scratch.autograd.tensor`): a numpy array per node; what
  every network in the book uses.
* :func:`gradcheck` (:mod:`scratch.autograd.gradcheck`): finite-difference test of
  any backward formula.
* :mod:`scratch.autograd.linalg`: Cholesky, triangular and general solves, log-determinant.
* :mod:`scratch.autograd.value_nn`: Neuron, Layer and MLP on Values;
  :mod:`scratch.autograd.hvp`: exact Hessian-vector products for small MLPs.
"""

from scratch.autograd.gradcheck import GradcheckError, gradcheck, numerical_grad
from scratch.autograd.tensor import (
    Tensor,
    concatenate,
    cross_entropy,
    enable_grad,
    from_op,
    is_grad_enabled,
    linear,
    log_softmax,
    no_grad,
    ones,
    randn,
    softmax,
    stack,
    unbroadcast,
    where,
    zeros,
)
from scratch.autograd.value import Value
from scratch.autograd import linalg  # cholesky, solve_triangular, solve, logdet with gradients

__all__ = [
    "Value",
    "linalg",
    "Tensor",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "from_op",
    "unbroadcast",
    "concatenate",
    "stack",
    "where",
    "linear",
    "log_softmax",
    "softmax",
    "cross_entropy",
    "zeros",
    "ones",
    "randn",
    "gradcheck",
    "numerical_grad",
    "GradcheckError",
]
