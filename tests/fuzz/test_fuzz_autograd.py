"""Bad-input fuzz of scratch.autograd: the Tensor engine, the scalar Value engine, gradcheck,
the differentiable linear algebra and the small Hessian-vector-product MLP.

Each case is a realistic user mistake; it must raise a clear ValueError/TypeError from
scratch's own code (see _harness.py). Numerical edge cases inside a graph the user built
(``Tensor.log`` of 0) are the user's business and are not listed (see _validation.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd import linalg  # noqa: E402
from scratch.autograd.allocator import keep_freed_memory  # noqa: E402
from scratch.autograd.gradcheck import GradcheckError, gradcheck, numerical_grad  # noqa: E402
from scratch.autograd.hvp import mlp_forward, mlp_hvp, mlp_loss_grad  # noqa: E402
from scratch.autograd.tensor import (  # noqa: E402
    Tensor, concatenate, cross_entropy, from_op, linear, log_softmax, ones, randn, softmax, stack,
    unbroadcast, where, zeros)
from scratch.autograd.value import Value  # noqa: E402
from scratch.autograd.value_nn import MLP, Layer, Neuron  # noqa: E402


def T(*shape, grad=True):
    return Tensor(np.arange(1.0, 1.0 + int(np.prod(shape))).reshape(shape), requires_grad=grad)


SPD = np.array([[4.0, 1.0], [1.0, 3.0]])
PARAMS = [(np.ones((3, 4)), np.zeros(4)), (np.ones((4, 2)), np.zeros(2))]

EXEMPT = {
    "scratch.autograd.tensor.no_grad": "a context manager with no arguments: nothing a user passes can be wrong",
    "scratch.autograd.tensor.enable_grad": "a context manager with no arguments: nothing a user passes can be wrong",
    "scratch.autograd.tensor.is_grad_enabled": "takes no arguments and only reads the grad-mode flag",
    "scratch.autograd.allocator.allocator_info": "takes no arguments and only describes the malloc setting",
}

CASES = [
    Case(keep_freed_memory, lambda: keep_freed_memory("yes"), TypeError, "enable must be True, False or None",
         label="string flag"),
    # ---- Tensor -----------------------------------------------------------------
    Case(Tensor, lambda: Tensor("abc"), TypeError, "real numbers", label="string data"),
    Case(Tensor, lambda: Tensor(None), TypeError, "real numbers", label="None data"),
    Case(Tensor, lambda: Tensor([[1.0, 2.0], [3.0]]), TypeError, "numeric array-like", label="ragged list"),
    Case(Tensor, lambda: Tensor(np.arange(3), requires_grad=True), TypeError, "floating-point",
         label="int data with requires_grad"),
    Case(Tensor.item, lambda: T(3).item(), ValueError, "exactly one element", label="item of a vector"),
    Case(Tensor.backward, lambda: T(3).sum().detach().backward(), ValueError, "does not require grad",
         label="backward on a detached tensor"),
    Case(Tensor.backward, lambda: (T(3) * 2).backward(), ValueError, "scalar", label="backward of a vector"),
    Case(Tensor.backward, lambda: (T(3) * 2).backward(np.ones(4)), ValueError, "grad has shape",
         label="backward grad of wrong shape"),
    Case(Tensor.matmul, lambda: T(2, 3) @ T(2, 3), ValueError, "matmul|@", label="inner sizes differ"),
    Case(Tensor.matmul, lambda: T(2, 3) @ 2.0, ValueError, "matmul|@", label="matmul with a scalar"),
    Case(Tensor.reshape, lambda: T(2, 3).reshape(4, 2), ValueError, "reshape", label="wrong element count"),
    Case(Tensor.transpose, lambda: T(2, 3).transpose(0, 0), ValueError, "permutation", label="repeated axis"),
    Case(Tensor.sum, lambda: T(2, 3).sum(axis=2), ValueError, "out of range", label="axis out of range"),
    Case(Tensor.sum, lambda: T(2, 3).sum(axis=1.0), TypeError, "axis must be an int", label="float axis"),
    Case(Tensor.max, lambda: T(2, 3).max(axis=5), ValueError, "out of range", label="axis out of range"),
    Case(Tensor.mean, lambda: T(2, 3).mean(axis=(0, 0)), ValueError, "repeated", label="repeated axis"),
    Case(Tensor.__getitem__, lambda: T(2, 3)[5], IndexError, "cannot index", label="index out of range"),
    Case(Tensor.__pow__, lambda: T(3) ** T(3), TypeError, "exponent|power", label="tensor exponent"),
    Case(Tensor.__add__, lambda: T(2, 3) + T(4), ValueError, "shape|broadcast", label="shapes do not broadcast"),
    Case(Tensor.__mul__, lambda: T(2, 3) * "a", TypeError, "real numbers", label="times a string"),
    Case(Tensor.masked_fill, lambda: T(2, 3).masked_fill(np.ones(3), 0.0), TypeError, "boolean",
         label="float mask"),
    Case(Tensor.swapaxes, lambda: T(2, 3).swapaxes(0, 4), ValueError, "axis|axes", label="axis out of range"),
    Case(Tensor.softmax, lambda: T(2, 3).softmax(axis=3), ValueError, "out of range", label="axis out of range"),
    Case(Tensor.requires_grad_, lambda: Tensor(np.arange(3)).requires_grad_(), TypeError, "floating-point",
         label="int tensor"),
    # ---- module-level functions ---------------------------------------------------
    Case(concatenate, lambda: concatenate([]), ValueError, "at least one tensor", label="empty list"),
    Case(concatenate, lambda: concatenate([T(2, 3), T(2, 4)]), ValueError, "concatenate", label="shapes differ"),
    Case(concatenate, lambda: concatenate([T(2, 3), T(2, 3)], axis=2), ValueError, "axis", label="axis out of range"),
    Case(stack, lambda: stack([]), ValueError, "at least one tensor", label="empty list"),
    Case(stack, lambda: stack([T(2), T(3)]), ValueError, "one shape", label="shapes differ"),
    Case(where, lambda: where(np.ones(3), T(3), 0.0), TypeError, "boolean", label="float condition"),
    Case(where, lambda: where(np.ones(3, bool), 1.0, 0.0), TypeError, "at least one", label="no tensor"),
    Case(where, lambda: where(np.ones(4, bool), T(3), 0.0), ValueError, "shape|broadcast", label="condition shape"),
    Case(linear, lambda: linear(T(2, 3), T(4, 5)), ValueError, "does not fit", label="in_features differ"),
    Case(linear, lambda: linear(T(2, 3), T(3, 5), T(4)), ValueError, "bias", label="bias of wrong size"),
    Case(linear, lambda: linear(T(2, 3), np.ones((3, 5))), TypeError, "Tensor", label="weight not a Tensor"),
    Case(log_softmax, lambda: log_softmax(T(2, 3), axis=2), ValueError, "out of range", label="axis out of range"),
    Case(log_softmax, lambda: log_softmax(np.ones((2, 3))), TypeError, "Tensor", label="a numpy array"),
    Case(softmax, lambda: softmax(T(2, 3), axis=-3), ValueError, "out of range", label="axis out of range"),
    Case(softmax, lambda: softmax([1.0, 2.0]), TypeError, "Tensor", label="a list"),
    Case(cross_entropy, lambda: cross_entropy(T(2, 3), [0.0, 1.0]), TypeError, "integer class labels",
         label="float targets"),
    Case(cross_entropy, lambda: cross_entropy(T(2, 3), [0, 1, 2]), ValueError, "need targets of shape",
         label="too many targets"),
    Case(cross_entropy, lambda: cross_entropy(T(2, 3), [0, 3]), ValueError, r"lie in \[0, 3\)",
         label="target out of range"),
    Case(cross_entropy, lambda: cross_entropy(T(2, 3), [0, 1], reduction="avg"), ValueError, "reduction",
         label="unknown reduction"),
    Case(zeros, lambda: zeros(-1, 3), ValueError, "negative|>= 0", label="negative size"),
    Case(zeros, lambda: zeros(2.5), TypeError, "integer", label="float size"),
    Case(ones, lambda: ones(2, -3), ValueError, "negative|>= 0", label="negative size"),
    Case(randn, lambda: randn(3, rng="seed"), TypeError, "rng must be", label="string rng"),
    Case(randn, lambda: randn(-2, rng=0), ValueError, "negative|>= 0", label="negative size"),
    Case(unbroadcast, lambda: unbroadcast(np.ones((2, 3)), (4,)), ValueError, "cannot be reduced|shape",
         label="target shape not broadcastable"),
    Case(from_op, lambda: from_op(np.ones(2), (np.ones(2),), lambda g: (g,)), TypeError, "parents",
         label="parents not Tensors"),
    # ---- gradcheck ------------------------------------------------------------------
    Case(gradcheck, lambda: gradcheck(lambda x: x.sum(), []), TypeError, "non-empty sequence", label="no inputs"),
    Case(gradcheck, lambda: gradcheck(lambda x: x.sum(), [np.ones(3)]), TypeError, "Tensor", label="numpy input"),
    Case(gradcheck, lambda: gradcheck(lambda x: x.sum(), [T(3, grad=False)]), ValueError, "requires_grad=True",
         label="nothing requires grad"),
    Case(gradcheck, lambda: gradcheck(lambda x: 1.0, [T(3)]), TypeError, "must return a Tensor",
         label="fn returns a float"),
    Case(gradcheck, lambda: gradcheck(lambda x: x.sum(), [T(3)], eps=0.0), ValueError, "eps", label="eps = 0"),
    Case(numerical_grad, lambda: numerical_grad(lambda x: x * 2, [T(3)], np.ones(4)), ValueError, "cotangent",
         label="cotangent of wrong shape"),
    Case(numerical_grad, lambda: numerical_grad(lambda x: x * 2, [T(3)], np.ones(3), eps=-1e-6), ValueError, "eps",
         label="negative eps"),
    Case(GradcheckError, lambda: gradcheck(lambda x: from_op(x.data * 2, (x,), lambda g: (g,)), [T(3)]),
         GradcheckError, "gradient", label="a wrong backward is reported"),
    # ---- linalg ----------------------------------------------------------------------
    Case(linalg.cholesky, lambda: linalg.cholesky(np.ones((2, 3))), ValueError, "square", label="not square"),
    Case(linalg.cholesky, lambda: linalg.cholesky(-SPD), ValueError, "positive definite", label="not SPD"),
    Case(linalg.cholesky, lambda: linalg.cholesky([[np.nan, 0.0], [0.0, 1.0]]), ValueError, "NaN", label="NaN"),
    Case(linalg.solve_triangular, lambda: linalg.solve_triangular(np.eye(2), np.ones(3)), ValueError, "rows|shape",
         label="B rows differ"),
    Case(linalg.solve_triangular, lambda: linalg.solve_triangular(np.diag([1.0, 0.0]), np.ones(2)), ValueError,
         "singular|zero", label="zero on the diagonal"),
    Case(linalg.cho_solve, lambda: linalg.cho_solve(np.eye(3), np.ones((2, 1))), ValueError, "rows|shape",
         label="B rows differ"),
    Case(linalg.cho_solve, lambda: linalg.cho_solve("L", np.ones(2)), TypeError, "numeric|number",
         label="string L"),
    Case(linalg.solve, lambda: linalg.solve(np.ones((2, 2)), np.ones(2)), ValueError, "singular",
         label="singular A"),
    Case(linalg.solve, lambda: linalg.solve(np.eye(2), np.ones(3)), ValueError, "rows|shape", label="B rows differ"),
    Case(linalg.logdet, lambda: linalg.logdet(np.ones((3, 2))), ValueError, "square", label="not square"),
    Case(linalg.logdet, lambda: linalg.logdet(np.zeros((0, 0))), ValueError, "empty", label="empty matrix"),
    Case(linalg.logdet, lambda: linalg.logdet(-SPD), ValueError, "positive definite", label="not SPD"),
    # ---- hvp ---------------------------------------------------------------------------
    Case(mlp_forward, lambda: mlp_forward(PARAMS, np.ones((5, 3)), ["tanh"]), ValueError, "one activation",
         label="too few activations"),
    Case(mlp_forward, lambda: mlp_forward(PARAMS, np.ones((5, 4)), ["tanh", "identity"]), ValueError, "X must have",
         label="wrong n_features"),
    Case(mlp_forward, lambda: mlp_forward(PARAMS, np.ones((5, 3)), ["tanh", "swish"]), ValueError, "activation",
         label="unknown activation"),
    Case(mlp_loss_grad, lambda: mlp_loss_grad(PARAMS, np.ones((5, 3)), np.ones((5, 3)), ["tanh", "identity"]),
         ValueError, "Y must have", label="Y of wrong shape"),
    Case(mlp_loss_grad, lambda: mlp_loss_grad(PARAMS, np.ones((5, 3)), np.ones((5, 2)), ["tanh", "identity"],
                                              reduction="avg"), ValueError, "reduction", label="unknown reduction"),
    Case(mlp_hvp, lambda: mlp_hvp(PARAMS, np.ones((5, 3)), np.ones((5, 2)), PARAMS[:1], ["tanh", "identity"]),
         ValueError, "V must have", label="V of another structure"),
    Case(mlp_hvp, lambda: mlp_hvp(PARAMS, np.full((5, 3), np.nan), np.ones((5, 2)), PARAMS, ["tanh", "identity"]),
         ValueError, "NaN", label="NaN in X"),
    # ---- Value --------------------------------------------------------------------------
    Case(Value, lambda: Value("3"), TypeError, "number", label="string data"),
    Case(Value, lambda: Value(np.ones(3)), TypeError, "number", label="array data"),
    Case(Value.log, lambda: Value(-1.0).log(), ValueError, "positive", label="log of a negative"),
    Case(Value.__pow__, lambda: Value(2.0) ** Value(3.0), TypeError, "exponent|number", label="Value exponent"),
    Case(Value.__add__, lambda: Value(2.0) + "a", TypeError, "number", label="plus a string"),
    # ---- value_nn -------------------------------------------------------------------------
    Case(Neuron, lambda: Neuron(3, activation="sigmoid"), ValueError, "Unknown activation", label="unknown activation"),
    Case(Neuron, lambda: Neuron(0), ValueError, "n_in", label="zero inputs"),
    Case(Neuron, lambda: Neuron(3, rng=0)([1.0, 2.0]), ValueError, "expected 3 inputs", label="too few inputs"),
    Case(Layer, lambda: Layer(3, 0), ValueError, "n_out", label="zero outputs"),
    Case(Layer, lambda: Layer(2, 3, rng=0)(5.0), TypeError, "sequence", label="a number, not a sequence"),
    Case(MLP, lambda: MLP(3, [4, -1]), ValueError, "size|n_out", label="negative layer size"),
    Case(MLP, lambda: MLP(3, 4), TypeError, "sizes", label="sizes not a list"),
    Case(MLP, lambda: MLP(2, [3, 1], rng=0)([1.0, 2.0, 3.0]), ValueError, "expected 2 inputs", label="too many inputs"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
