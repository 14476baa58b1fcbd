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
from scratch.autograd import tensor as _tensor
from scratch.autograd.tensor import *  # noqa: F401,F403 - Tensor, no_grad, ..., randn (tensor.__all__)
from scratch.autograd.value import Value
from scratch.autograd import linalg  # cholesky, solve_triangular, solve, logdet with gradients

__all__ = [
    "Value",
    "linalg",
    *_tensor.__all__,
    "gradcheck",
    "numerical_grad",
    "GradcheckError",
]
